package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HandOff follows a parcel that its carrier handed to another carrier under
// a new number: every subscription of shipment fromID moves to the shipment
// (carrier, number), created if need be and due for a poll at once, and n
// (when set) is queued for each moved subscription's chat (dedupe key
// n.DedupeKey + ":" + chat id), all in one transaction. A chat that already follows the new shipment keeps one
// subscription (its label kept). The old shipment, followed by nobody, is no
// longer polled. moved is how many subscriptions moved or merged.
func (s *Store) HandOff(ctx context.Context, fromID int64, carrier, number string, now time.Time, n *Notice) (moved int, err error) {
	carrier, number = strings.TrimSpace(carrier), strings.TrimSpace(number)
	if carrier == "" || number == "" {
		return 0, fmt.Errorf("storage: hand off shipment %d: empty carrier or number", fromID)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		from, err := shipmentByID(ctx, tx, fromID)
		if err != nil {
			return err
		}
		if from.Carrier == carrier && from.Number == number {
			return nil
		}
		target, _, err := ensureShipment(ctx, tx, carrier, number, now.Unix())
		if err != nil {
			return err
		}
		if err := pollSoonIfUnfollowed(ctx, tx, target, now.Unix()); err != nil {
			return err
		}
		type pair struct{ id, chat int64 }
		var subs []pair
		rows, err := tx.QueryContext(ctx, `SELECT id, chat_id FROM subscriptions WHERE shipment_id = $1 ORDER BY id`, fromID)
		if err != nil {
			return fmt.Errorf("subscriptions: %w", err)
		}
		for rows.Next() {
			var p pair
			if err := rows.Scan(&p.id, &p.chat); err != nil {
				rows.Close()
				return fmt.Errorf("subscriptions: %w", err)
			}
			subs = append(subs, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("subscriptions: %w", err)
		}
		var after []OutboxMessage
		for _, p := range subs {
			id := p.id
			var other int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM subscriptions WHERE chat_id = $1 AND shipment_id = $2`, p.chat, target).Scan(&other)
			switch {
			case err == nil:
				if err := mergeSubscription(ctx, tx, p.id, other); err != nil {
					return err
				}
				id = other
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET shipment_id = $1 WHERE id = $2`, target, p.id); err != nil {
					return fmt.Errorf("move subscription %d: %w", p.id, err)
				}
			default:
				return fmt.Errorf("existing subscription: %w", err)
			}
			if n != nil {
				after = append(after, OutboxMessage{ChatID: p.chat, SubscriptionID: id,
					DedupeKey: n.DedupeKey + ":" + strconv.FormatInt(p.chat, 10), Kind: n.Kind, Payload: n.Payload})
			}
		}
		moved = len(subs)
		_, err = enqueue(ctx, tx, now.Unix(), after)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("storage: hand off shipment %d to %s %s: %w", fromID, carrier, number, err)
	}
	return moved, nil
}
