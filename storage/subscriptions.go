package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// subscriptionColumns are what scanSubscription reads: the subscription and
// its shipment (aliases sub and s).
const subscriptionColumns = `sub.id, sub.chat_id, sub.label, sub.added_by, sub.added_by_name,
	sub.created_at, sub.not_received_at, sub.muted, ` + shipmentColumns

// subscriptionRow holds one scanned row of subscriptionColumns, reusable
// across a loop like shipmentRow.
type subscriptionRow struct {
	sub                  Subscription
	created, notReceived int64
	muted                int64
	ship                 shipmentRow
	dest                 []any
}

func scanSubscription(sc scanner, r *subscriptionRow) (Subscription, error) {
	if r.dest == nil {
		r.dest = append([]any{&r.sub.ID, &r.sub.ChatID, &r.sub.Label, &r.sub.AddedBy, &r.sub.AddedByName,
			&r.created, &r.notReceived, &r.muted}, r.ship.targets()...)
	}
	if err := sc.Scan(r.dest...); err != nil {
		return Subscription{}, err
	}
	sh, err := r.ship.shipment()
	if err != nil {
		return Subscription{}, err
	}
	sub := r.sub
	sub.CreatedAt = fromUnix(r.created)
	sub.NotReceivedAt = fromUnix(r.notReceived)
	sub.Muted = r.muted != 0
	sub.Shipment = sh
	return sub, nil
}

func querySubscriptions(ctx context.Context, q querier, query string, args ...any) ([]Subscription, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return scanSubscriptions(rows, &subscriptionRow{})
}

// scanSubscriptions reads and closes rows of subscriptionColumns through row.
func scanSubscriptions(rows *sql.Rows, row *subscriptionRow) ([]Subscription, error) {
	defer rows.Close()
	var subs []Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows, row)
		if err != nil {
			return nil, err
		}
		subs = append(subs, sub)
	}
	return subs, rows.Err()
}

func subscriptionByID(ctx context.Context, q querier, id int64) (Subscription, error) {
	sub, err := scanSubscription(q.QueryRowContext(ctx, `
		SELECT `+subscriptionColumns+`
		FROM subscriptions sub JOIN shipments s ON s.id = sub.shipment_id
		WHERE sub.id = $1`, id), &subscriptionRow{})
	if errors.Is(err, sql.ErrNoRows) {
		return Subscription{}, ErrNotFound
	}
	return sub, err
}

// Subscribe follows a number in a chat; created=false when the chat already
// follows it (the existing one is returned, unchanged). A new shipment is due
// for polling at once, and so is a known one that nobody followed until now.
// The chat row is created if the bot has not touched it yet.
func (s *Store) Subscribe(ctx context.Context, p SubscribeParams) (sub Subscription, created bool, err error) {
	p.Carrier = strings.TrimSpace(p.Carrier)
	p.Number = strings.TrimSpace(p.Number)
	if p.Carrier == "" || p.Number == "" {
		return Subscription{}, false, fmt.Errorf("storage: subscribe: carrier and number are required")
	}
	if p.Now.IsZero() {
		p.Now = time.Now()
	}
	now := p.Now.Unix()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		created = false
		// The no-op update locks the chat's row on PostgreSQL, so two
		// instances subscribing in one chat take turns and the parcel limit
		// holds; SQLite's single writer does that already.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO chats (id, created_at, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET updated_at = chats.updated_at`, p.ChatID, now, now); err != nil {
			return fmt.Errorf("chat: %w", err)
		}
		shipmentID, _, err := ensureShipment(ctx, tx, p.Carrier, p.Number, now)
		if err != nil {
			return err
		}
		existing, err := scanSubscription(tx.QueryRowContext(ctx, `
			SELECT `+subscriptionColumns+`
			FROM subscriptions sub JOIN shipments s ON s.id = sub.shipment_id
			WHERE sub.chat_id = $1 AND sub.shipment_id = $2`, p.ChatID, shipmentID), &subscriptionRow{})
		switch {
		case err == nil:
			sub = existing
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("existing: %w", err)
		}
		if p.MaxPerChat > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions WHERE chat_id = $1`, p.ChatID).Scan(&n); err != nil {
				return fmt.Errorf("count: %w", err)
			}
			if n >= p.MaxPerChat {
				return ErrLimitReached
			}
		}
		if err := pollSoonIfUnfollowed(ctx, tx, shipmentID, now); err != nil {
			return err
		}
		var id int64
		err = tx.QueryRowContext(ctx, `
			INSERT INTO subscriptions (chat_id, shipment_id, label, added_by, added_by_name, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			RETURNING id`,
			p.ChatID, shipmentID, p.Label, p.AddedBy, p.AddedByName, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		if sub, err = subscriptionByID(ctx, tx, id); err != nil {
			return fmt.Errorf("read back: %w", err)
		}
		created = true
		return nil
	})
	if errors.Is(err, ErrLimitReached) {
		return Subscription{}, false, ErrLimitReached
	}
	if err != nil {
		return Subscription{}, false, fmt.Errorf("storage: subscribe chat %d to %s %s: %w", p.ChatID, p.Carrier, p.Number, err)
	}
	return sub, created, nil
}

// ensureShipment returns the id of the (carrier, number) shipment, creating
// it due at now.
func ensureShipment(ctx context.Context, tx *sql.Tx, carrier, number string, now int64) (id int64, created bool, err error) {
	err = tx.QueryRowContext(ctx, `
		INSERT INTO shipments (carrier, number, created_at, next_poll_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (carrier, number) DO NOTHING
		RETURNING id`, carrier, number, now, now).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("shipment: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT id FROM shipments WHERE carrier = $1 AND number = $2`, carrier, number).Scan(&id); err != nil {
		return 0, false, fmt.Errorf("shipment: %w", err)
	}
	return id, false, nil
}

// pollSoonIfUnfollowed brings a shipment's next poll forward to now when
// nobody follows it yet: its stored state may be weeks old.
func pollSoonIfUnfollowed(ctx context.Context, tx *sql.Tx, shipmentID, now int64) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE shipments SET next_poll_at = CASE WHEN next_poll_at > $1 THEN $1 ELSE next_poll_at END
		WHERE id = $2 AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE shipment_id = $3)`,
		now, shipmentID, shipmentID)
	if err != nil {
		return fmt.Errorf("poll soon: %w", err)
	}
	return nil
}

// ChatSubscriptions returns a chat's subscriptions, oldest first.
func (s *Store) ChatSubscriptions(ctx context.Context, chatID int64) ([]Subscription, error) {
	subs, err := querySubscriptions(ctx, s.r, `
		SELECT `+subscriptionColumns+`
		FROM subscriptions sub JOIN shipments s ON s.id = sub.shipment_id
		WHERE sub.chat_id = $1
		ORDER BY sub.created_at, sub.id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("storage: chat %d subscriptions: %w", chatID, err)
	}
	return subs, nil
}

// NormalizeNumber is how numbers are compared: upper case, without spaces
// or dashes.
func NormalizeNumber(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '\t', '\n', '\r', '\u00a0':
			return -1
		}
		return r
	}, strings.ToUpper(s))
}

// FindSubscriptions matches a chat's subscriptions by number (normalised,
// exact) or label (case-insensitive, exact then prefix): number and exact
// label matches come first; prefix matches only when there are none.
//
// A chat follows few parcels (MaxPerChat), so matching happens in Go, where
// case folding is Unicode-aware (SQLite's lower() is ASCII only).
func (s *Store) FindSubscriptions(ctx context.Context, chatID int64, query string) ([]Subscription, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	subs, err := s.ChatSubscriptions(ctx, chatID)
	if err != nil {
		return nil, err
	}
	number := NormalizeNumber(query)
	lower := strings.ToLower(query)
	var exact, prefix []Subscription
	for _, sub := range subs {
		switch {
		case NormalizeNumber(sub.Shipment.Number) == number,
			sub.Label != "" && strings.EqualFold(sub.Label, query):
			exact = append(exact, sub)
		case sub.Label != "" && strings.HasPrefix(strings.ToLower(sub.Label), lower):
			prefix = append(prefix, sub)
		}
	}
	if len(exact) > 0 {
		return exact, nil
	}
	return prefix, nil
}

// SubscriptionByID returns a subscription with its shipment, or ErrNotFound.
func (s *Store) SubscriptionByID(ctx context.Context, id int64) (Subscription, error) {
	sub, err := subscriptionByID(ctx, s.r, id)
	if errors.Is(err, ErrNotFound) {
		return Subscription{}, ErrNotFound
	}
	if err != nil {
		return Subscription{}, fmt.Errorf("storage: subscription %d: %w", id, err)
	}
	return sub, nil
}

// Unsubscribe stops a chat following a parcel, and drops the messages about
// it that have not gone out yet. The shipment and its events stay.
func (s *Store) Unsubscribe(ctx context.Context, subID int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			DELETE FROM outbox WHERE subscription_id = $1 AND sent_at = 0 AND failed_at = 0`, subID); err != nil {
			return fmt.Errorf("pending messages: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = $1`, subID)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("storage: unsubscribe %d: %w", subID, err)
	}
	return nil
}

// SetMuted mutes (no pushes) or unmutes a subscription.
func (s *Store) SetMuted(ctx context.Context, subID int64, muted bool) error {
	v := 0
	if muted {
		v = 1
	}
	res, err := s.w.ExecContext(ctx, `UPDATE subscriptions SET muted = $1 WHERE id = $2`, v, subID)
	if err == nil {
		err = mustAffect(res)
	}
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("storage: mute subscription %d: %w", subID, err)
	}
	return nil
}

// RenameSubscription sets a subscription's label ("" clears it).
func (s *Store) RenameSubscription(ctx context.Context, subID int64, label string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE subscriptions SET label = $1 WHERE id = $2`, label, subID)
	if err == nil {
		err = mustAffect(res)
	}
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("storage: rename subscription %d: %w", subID, err)
	}
	return nil
}

// ChangeCarrier moves the subscription to the shipment (carrier, same
// number), creating it if needed. If the chat already follows that shipment,
// the two subscriptions merge and the surviving one is returned.
func (s *Store) ChangeCarrier(ctx context.Context, subID int64, carrier string, now time.Time) (Subscription, error) {
	carrier = strings.TrimSpace(carrier)
	if carrier == "" {
		return Subscription{}, fmt.Errorf("storage: change carrier of %d: empty carrier", subID)
	}
	if now.IsZero() {
		now = time.Now()
	}
	var sub Subscription
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := subscriptionByID(ctx, tx, subID)
		if err != nil {
			return err
		}
		if cur.Shipment.Carrier == carrier {
			sub = cur
			return nil
		}
		target, _, err := ensureShipment(ctx, tx, carrier, cur.Shipment.Number, now.Unix())
		if err != nil {
			return err
		}
		var other int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM subscriptions WHERE chat_id = $1 AND shipment_id = $2`,
			cur.ChatID, target).Scan(&other)
		switch {
		case err == nil:
			if err := mergeSubscription(ctx, tx, subID, other); err != nil {
				return err
			}
			subID = other
		case errors.Is(err, sql.ErrNoRows):
			if err := pollSoonIfUnfollowed(ctx, tx, target, now.Unix()); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET shipment_id = $1 WHERE id = $2`, target, subID); err != nil {
				return fmt.Errorf("move: %w", err)
			}
		default:
			return fmt.Errorf("existing: %w", err)
		}
		sub, err = subscriptionByID(ctx, tx, subID)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return Subscription{}, ErrNotFound
	}
	if err != nil {
		return Subscription{}, fmt.Errorf("storage: change carrier of %d to %s: %w", subID, carrier, err)
	}
	return sub, nil
}

// MarkNotReceived records that someone in the chat pressed "Not received".
func (s *Store) MarkNotReceived(ctx context.Context, subID int64, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE subscriptions SET not_received_at = $1 WHERE id = $2`, unix(at), subID)
	if err == nil {
		err = mustAffect(res)
	}
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("storage: mark %d not received: %w", subID, err)
	}
	return nil
}

// ActiveSubscriptions pages through every subscription in an active chat, by
// id (for the advice sweep): pass the last id seen as afterID.
func (s *Store) ActiveSubscriptions(ctx context.Context, afterID int64, limit int) ([]Subscription, error) {
	subs, err := querySubscriptions(ctx, s.r, `
		SELECT `+subscriptionColumns+`
		FROM subscriptions sub
		JOIN shipments s ON s.id = sub.shipment_id
		JOIN chats c ON c.id = sub.chat_id
		WHERE sub.id > $1 AND c.active = 1
		ORDER BY sub.id
		LIMIT $2`, afterID, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: active subscriptions after %d: %w", afterID, err)
	}
	return subs, nil
}
