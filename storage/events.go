package storage

import (
	"context"
	"fmt"

	"github.com/trackbot/trackbot/tracker"
)

// LatestEvents returns the newest stored event of every shipment the chat
// follows, keyed by shipment id; shipments without events are absent. One
// query for the whole chat, so answering a question about its parcels does
// not cost one query per parcel. "Newest" is ShipmentEvents' order.
func (s *Store) LatestEvents(ctx context.Context, chatID int64) (map[int64]tracker.Event, error) {
	// The correlated sub-select walks events_shipment_time once per
	// followed shipment and stops at its first row.
	rows, err := s.r.QueryContext(ctx, `
		SELECT e.shipment_id, e.time, e.status, e.description, e.location
		FROM subscriptions sub JOIN events e ON e.id = (
			SELECT id FROM events
			WHERE shipment_id = sub.shipment_id
			ORDER BY time_unix DESC, id DESC
			LIMIT 1)
		WHERE sub.chat_id = $1`, chatID)
	if err != nil {
		return nil, fmt.Errorf("storage: latest events of chat %d: %w", chatID, err)
	}
	defer rows.Close()
	latest := make(map[int64]tracker.Event)
	for rows.Next() {
		var (
			id int64
			e  tracker.Event
			at string
		)
		if err := rows.Scan(&id, &at, &e.Status, &e.Description, &e.Location); err != nil {
			return nil, fmt.Errorf("storage: latest events of chat %d: %w", chatID, err)
		}
		if e.Time, err = fromZoned(at); err != nil {
			return nil, fmt.Errorf("storage: latest events of chat %d: %w", chatID, err)
		}
		latest[id] = e
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: latest events of chat %d: %w", chatID, err)
	}
	return latest, nil
}
