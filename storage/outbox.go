package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Enqueue queues messages, skipping any whose DedupeKey was queued before;
// returns how many were new. A message about a subscription that no longer
// exists (unsubscribed meanwhile) is skipped too.
func (s *Store) Enqueue(ctx context.Context, msgs ...OutboxMessage) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = enqueue(ctx, tx, time.Now().Unix(), msgs)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("storage: enqueue: %w", err)
	}
	return n, nil
}

// enqueue inserts msgs due at once; a DedupeKey seen before (sent, failed or
// pending) is left as it is.
func enqueue(ctx context.Context, tx *sql.Tx, created int64, msgs []OutboxMessage) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	stmt, err := tx.PrepareContext(ctx, enqueueQuery)
	if err != nil {
		return 0, fmt.Errorf("outbox: %w", err)
	}
	defer stmt.Close()
	return enqueueWith(ctx, stmt.ExecContext, created, msgs)
}

const enqueueQuery = `
	INSERT INTO outbox (chat_id, subscription_id, dedupe_key, text, markup, created_at, lane, reply_to, edit_id, kind, payload)
	SELECT CAST($1 AS BIGINT), NULLIF(CAST($2 AS BIGINT), 0), CAST($3 AS TEXT), CAST($4 AS TEXT), CAST($5 AS TEXT), CAST($6 AS BIGINT),
		CAST($7 AS INTEGER), CAST($8 AS BIGINT), CAST($9 AS BIGINT), CAST($10 AS TEXT), CAST($11 AS TEXT)
	WHERE CAST($2 AS BIGINT) = 0 OR EXISTS (SELECT 1 FROM subscriptions WHERE id = $2)
	ON CONFLICT (dedupe_key) DO NOTHING`

// fanOutQuery queues one notice for every follower of a shipment in an
// active chat.
const fanOutQuery = `
	INSERT INTO outbox (chat_id, subscription_id, dedupe_key, text, created_at, kind, payload)
	SELECT sub.chat_id, sub.id, CAST($1 AS TEXT) || ':' || CAST(sub.chat_id AS TEXT), '', CAST($2 AS BIGINT), CAST($3 AS TEXT), CAST($4 AS TEXT)
	FROM subscriptions sub JOIN chats c ON c.id = sub.chat_id
	WHERE sub.shipment_id = $5 AND c.active = 1
	ORDER BY sub.id
	ON CONFLICT (dedupe_key) DO NOTHING`

// enqueueWith is enqueue through exec, which runs enqueueQuery.
func enqueueWith(ctx context.Context, exec execFunc, created int64, msgs []OutboxMessage) (int, error) {
	total := 0
	for _, m := range msgs {
		if m.DedupeKey == "" {
			return total, fmt.Errorf("outbox: message for chat %d has no dedupe key", m.ChatID)
		}
		lane := LanePush
		if m.Reply {
			lane = LaneReply
		}
		res, err := exec(ctx, m.ChatID, m.SubscriptionID, m.DedupeKey, m.Text, m.Markup, created, lane, m.ReplyTo, m.EditID, m.Kind, m.Payload)
		if err != nil {
			return total, fmt.Errorf("outbox %q: %w", m.DedupeKey, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("outbox %q: %w", m.DedupeKey, err)
		}
		total += int(n)
	}
	return total, nil
}

// PendingOutbox returns unsent messages due at now for active chats, replies
// before pushes, oldest first; at most limit (0: all).
func (s *Store) PendingOutbox(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+outboxColumns+`
		FROM outbox o JOIN chats c ON c.id = o.chat_id
		WHERE o.sent_at = 0 AND o.failed_at = 0 AND o.next_attempt_at <= $1 AND c.active = 1
		ORDER BY o.lane, o.id
		LIMIT $2`, now.Unix(), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: pending outbox: %w", err)
	}
	items, err := collectOutbox(rows)
	if err != nil {
		return nil, fmt.Errorf("storage: pending outbox: %w", err)
	}
	return items, nil
}

// outboxColumns are what collectOutbox scans, from outbox o joined with
// chats c.
const outboxColumns = `o.id, o.chat_id, COALESCE(o.subscription_id, 0), o.dedupe_key, o.text, o.markup,
	c.type, o.attempts, o.created_at, o.lane, o.reply_to, o.edit_id, o.kind, o.payload`

// collectOutbox reads outboxColumns rows and closes rows.
func collectOutbox(rows *sql.Rows) ([]OutboxItem, error) {
	defer rows.Close()
	var items []OutboxItem
	for rows.Next() {
		var (
			it      OutboxItem
			created int64
		)
		if err := rows.Scan(&it.ID, &it.ChatID, &it.SubscriptionID, &it.DedupeKey, &it.Text, &it.Markup,
			&it.ChatType, &it.Attempts, &created, &it.Lane, &it.ReplyTo, &it.EditID, &it.Kind, &it.Payload); err != nil {
			return nil, err
		}
		it.CreatedAt = fromUnix(created)
		it.Reply = it.Lane == LaneReply
		items = append(items, it)
	}
	return items, rows.Err()
}

// MarkSent records that Telegram accepted the message.
func (s *Store) MarkSent(ctx context.Context, id int64, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	return s.updateOutbox(ctx, id, "mark sent", `
		UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = ''
		WHERE id = $2`, at.Unix(), id)
}

// RetryLater counts a failed attempt and holds the message until at (a 429's
// retry_after, a network error's back-off).
func (s *Store) RetryLater(ctx context.Context, id int64, at time.Time, errText string) error {
	return s.updateOutbox(ctx, id, "retry later", `
		UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2
		WHERE id = $3`, unix(at), errText, id)
}

// Defer holds a message until at without counting an attempt (quiet hours).
func (s *Store) Defer(ctx context.Context, id int64, at time.Time) error {
	return s.updateOutbox(ctx, id, "defer", `UPDATE outbox SET next_attempt_at = $1 WHERE id = $2`, unix(at), id)
}

// MarkFailed gives up on a message (Telegram refused it for good); it stays
// in the table, with its dedupe key, and is never offered again.
func (s *Store) MarkFailed(ctx context.Context, id int64, errText string) error {
	return s.updateOutbox(ctx, id, "mark failed", `
		UPDATE outbox SET failed_at = $1, attempts = attempts + 1, last_error = $2
		WHERE id = $3`, time.Now().Unix(), errText, id)
}

func (s *Store) updateOutbox(ctx context.Context, id int64, what, query string, args ...any) error {
	res, err := s.w.ExecContext(ctx, query, args...)
	if err == nil {
		err = mustAffect(res)
	}
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("storage: outbox %d: %s: %w", id, what, err)
	}
	return nil
}

// OutboxStats: unsent message count and the oldest unsent message's creation
// time (zero when none). Messages waiting for an inactive chat are not
// counted: they wait for the chat, not for the notifier.
func (s *Store) OutboxStats(ctx context.Context) (depth int, oldest time.Time, err error) {
	var first sql.NullInt64
	err = s.r.QueryRowContext(ctx, `
		SELECT COUNT(*), MIN(o.created_at)
		FROM outbox o JOIN chats c ON c.id = o.chat_id
		WHERE o.sent_at = 0 AND o.failed_at = 0 AND c.active = 1`).Scan(&depth, &first)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("storage: outbox stats: %w", err)
	}
	return depth, fromUnix(first.Int64), nil
}

// PruneOutbox deletes sent and failed messages finished before before, and
// returns how many went. Their dedupe keys are freed with them, so before
// must lie well beyond the time a key can recur (a parcel's life: months).
func (s *Store) PruneOutbox(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `
		DELETE FROM outbox
		WHERE (sent_at != 0 AND sent_at < $1) OR (failed_at != 0 AND failed_at < $1)`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("storage: prune outbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("storage: prune outbox: %w", err)
	}
	return int(n), nil
}
