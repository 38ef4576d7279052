package storage

// TEMPORARY: signatures the storage helper implements; delete each stub as it
// is written for real (the file goes away once storage is done).

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

var errTODO = errors.New("storage: not implemented yet")

// Store is the SQLite-backed store. Safe for concurrent use.
type Store struct{ db *sql.DB }

// Open opens (creating if needed) the SQLite file at path and applies migrations.
func Open(ctx context.Context, path string) (*Store, error) { return nil, errTODO }
func (s *Store) Close() error                               { return errTODO }
func (s *Store) Ping(ctx context.Context) error             { return errTODO }

// --- chats
// TouchChat creates or updates a chat and marks it active.
func (s *Store) TouchChat(ctx context.Context, c Chat) error                    { return errTODO }
func (s *Store) Chat(ctx context.Context, id int64) (Chat, error)               { return Chat{}, errTODO }
func (s *Store) SetChatActive(ctx context.Context, id int64, active bool) error { return errTODO }

// MigrateChat moves a chat (and its subscriptions and pending outbox) to a new id (group → supergroup).
func (s *Store) MigrateChat(ctx context.Context, oldID, newID int64) error { return errTODO }

// --- subscriptions (the bot)
// Subscribe follows a number in a chat; created=false when the chat already follows it (the existing one is returned).
func (s *Store) Subscribe(ctx context.Context, p SubscribeParams) (sub Subscription, created bool, err error) {
	return Subscription{}, false, errTODO
}
func (s *Store) ChatSubscriptions(ctx context.Context, chatID int64) ([]Subscription, error) {
	return nil, errTODO
}

// FindSubscriptions matches a chat's subscriptions by number (normalised, exact) or label (case-insensitive, exact then prefix).
func (s *Store) FindSubscriptions(ctx context.Context, chatID int64, query string) ([]Subscription, error) {
	return nil, errTODO
}
func (s *Store) SubscriptionByID(ctx context.Context, id int64) (Subscription, error) {
	return Subscription{}, errTODO
}
func (s *Store) Unsubscribe(ctx context.Context, subID int64) error { return errTODO }
func (s *Store) RenameSubscription(ctx context.Context, subID int64, label string) error {
	return errTODO
}

// ChangeCarrier moves the subscription to the shipment (carrier, same number), creating it if needed.
func (s *Store) ChangeCarrier(ctx context.Context, subID int64, carrier string, now time.Time) (Subscription, error) {
	return Subscription{}, errTODO
}
func (s *Store) MarkNotReceived(ctx context.Context, subID int64, at time.Time) error { return errTODO }

// ShipmentEvents returns a shipment's stored events, newest first, at most limit (0: all).
func (s *Store) ShipmentEvents(ctx context.Context, shipmentID int64, limit int) ([]tracker.Event, error) {
	return nil, errTODO
}

// --- polling
// DueShipments returns shipments with next_poll_at <= now that at least one active chat follows, oldest due first.
func (s *Store) DueShipments(ctx context.Context, now time.Time, limit int) ([]Shipment, error) {
	return nil, errTODO
}
func (s *Store) Followers(ctx context.Context, shipmentID int64) ([]Subscription, error) {
	return nil, errTODO
}

// RecordPoll writes a successful poll in one transaction and returns the events that were new.
func (s *Store) RecordPoll(ctx context.Context, r PollRecord) ([]tracker.Event, error) {
	return nil, errTODO
}

// RecordPollFailure counts a failed poll and sets the next attempt.
func (s *Store) RecordPollFailure(ctx context.Context, shipmentID int64, at, next time.Time, errText string) error {
	return errTODO
}

// --- outbox (the notifier)
// Enqueue queues messages, skipping any whose DedupeKey was queued before; returns how many were new.
func (s *Store) Enqueue(ctx context.Context, msgs ...OutboxMessage) (int, error) { return 0, errTODO }

// PendingOutbox returns unsent messages due at now for active chats, oldest first.
func (s *Store) PendingOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error) {
	return nil, errTODO
}
func (s *Store) MarkSent(ctx context.Context, id int64, at time.Time) error { return errTODO }
func (s *Store) RetryLater(ctx context.Context, id int64, at time.Time, errText string) error {
	return errTODO
}
func (s *Store) MarkFailed(ctx context.Context, id int64, errText string) error { return errTODO }

// OutboxStats: unsent message count and the oldest unsent message's creation time (zero when none).
func (s *Store) OutboxStats(ctx context.Context) (depth int, oldest time.Time, err error) {
	return 0, time.Time{}, errTODO
}

// ActiveSubscriptions pages through every subscription in an active chat, by id (for the advice sweep).
func (s *Store) ActiveSubscriptions(ctx context.Context, afterID int64, limit int) ([]Subscription, error) {
	return nil, errTODO
}
