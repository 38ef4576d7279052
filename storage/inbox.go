package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrAlreadyHandled: BeginUpdate found the update handled before (by an earlier
// run that committed just before a crash, or a concurrent worker).
var ErrAlreadyHandled = errors.New("storage: update already handled")

// StoreUpdates records updates from Telegram in one transaction; an update
// already stored (Telegram delivering it again) is left as it is. It returns
// how many were new. Telegram may be told the updates arrived once this
// returns nil.
func (s *Store) StoreUpdates(ctx context.Context, at time.Time, ups ...InboxUpdate) (int, error) {
	if len(ups) == 0 {
		return 0, nil
	}
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, u := range ups {
			res, err := tx.ExecContext(ctx, `
				INSERT INTO inbox (update_id, chat_id, body, received_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (update_id) DO NOTHING`, u.UpdateID, u.ChatID, string(u.Body), unix(at))
			if err != nil {
				return fmt.Errorf("update %d: %w", u.UpdateID, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("update %d: %w", u.UpdateID, err)
			}
			n += int(k)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("storage: store updates: %w", err)
	}
	return n, nil
}

// PendingUpdates returns stored updates not handled yet, oldest first; at
// most limit (0: all), skipping those with an id in skip (being handled).
func (s *Store) PendingUpdates(ctx context.Context, limit int) ([]InboxUpdate, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT update_id, chat_id, body, received_at, attempts
		FROM inbox WHERE handled_at = 0
		ORDER BY update_id
		LIMIT $1`, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: pending updates: %w", err)
	}
	defer rows.Close()
	var out []InboxUpdate
	for rows.Next() {
		var (
			u    InboxUpdate
			body string
			at   int64
		)
		if err := rows.Scan(&u.UpdateID, &u.ChatID, &body, &at, &u.Attempts); err != nil {
			return nil, fmt.Errorf("storage: pending updates: %w", err)
		}
		u.Body, u.ReceivedAt = []byte(body), fromUnix(at)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: pending updates: %w", err)
	}
	return out, nil
}

// UpdateTx is one stored update being handled: its effects, its replies and
// its handled mark are one write transaction, from BeginUpdate to Finish.
// Store is bound to that transaction: every read and write through it is
// part of it (and the outer Store must not be used meanwhile). Until Finish
// or Rollback it holds the one writer connection, so its holder makes no
// network calls and waits on nothing but the database.
type UpdateTx struct {
	Store *Store
	tx    *sql.Tx
	id    int64
	done  bool
}

// BeginUpdate opens the transaction handling update id: after a crash the
// update is either untouched (and handled again) or handled with its
// replies queued, never half of it. ErrAlreadyHandled when it was handled
// before; ErrNotFound when it is not stored; ErrBusy when another instance
// has its chat's turn (PostgreSQL).
func (s *Store) BeginUpdate(ctx context.Context, id int64) (*UpdateTx, error) {
	if s.tx != nil {
		return nil, errors.New("storage: handle: nested transaction")
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("storage: handle update %d: begin: %w", id, err)
	}
	if err := checkUnhandled(ctx, tx, id, s.engine); err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	view := &Store{w: tx, r: tx, wdb: s.wdb, rdb: s.rdb, tx: tx, engine: s.engine}
	return &UpdateTx{Store: view, tx: tx, id: id}, nil
}

// checkUnhandled fails unless update id is stored and not handled, taking
// its chat's turn on PostgreSQL.
func checkUnhandled(ctx context.Context, tx *sql.Tx, id int64, engine Engine) error {
	var handled int64
	switch err := tx.QueryRowContext(ctx, `SELECT handled_at FROM inbox WHERE update_id = $1`, id).Scan(&handled); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("storage: handle update %d: %w", id, ErrNotFound)
	case err != nil:
		return fmt.Errorf("storage: handle update %d: %w", id, err)
	case handled != 0:
		return ErrAlreadyHandled
	}
	if engine == PostgreSQL {
		return takeChatTurn(ctx, tx, id)
	}
	return nil
}

// Finish queues replies, marks the update handled at at with outcome
// ("handled" when empty) and commits.
func (u *UpdateTx) Finish(ctx context.Context, at time.Time, replies []OutboxMessage, outcome string) error {
	if u.done {
		return fmt.Errorf("storage: handle update %d: finished already", u.id)
	}
	defer u.Rollback() // a failed step leaves nothing behind
	if outcome == "" {
		outcome = "handled"
	}
	for _, m := range replies {
		// A reply may go to a chat the handler did not store (a button on a
		// message from before a migration): the outbox needs its row.
		if _, err := u.tx.ExecContext(ctx, `
			INSERT INTO chats (id, created_at, updated_at) VALUES ($1, $2, $2)
			ON CONFLICT (id) DO NOTHING`, m.ChatID, unix(at)); err != nil {
			return fmt.Errorf("storage: handle update %d: chat: %w", u.id, err)
		}
	}
	if _, err := enqueue(ctx, u.tx, unix(at), replies); err != nil {
		return fmt.Errorf("storage: handle update %d: %w", u.id, err)
	}
	if _, err := u.tx.ExecContext(ctx, `
		UPDATE inbox SET handled_at = $1, attempts = attempts + 1, outcome = $2 WHERE update_id = $3`,
		unix(at), outcome, u.id); err != nil {
		return fmt.Errorf("storage: handle update %d: mark handled: %w", u.id, err)
	}
	if err := u.tx.Commit(); err != nil {
		return fmt.Errorf("storage: handle update %d: commit: %w", u.id, err)
	}
	u.done = true
	return nil
}

// Rollback undoes the update's transaction: it stays pending. A no-op after
// Finish, so it can be deferred.
func (u *UpdateTx) Rollback() {
	if !u.done {
		_ = u.tx.Rollback()
		u.done = true
	}
}

// CloseUpdate marks update id handled with outcome, queuing replies, when
// there is nothing to do inside its transaction (an update that cannot be
// read, one given up on).
func (s *Store) CloseUpdate(ctx context.Context, id int64, at time.Time, replies []OutboxMessage, outcome string) error {
	u, err := s.BeginUpdate(ctx, id)
	if err != nil {
		return err
	}
	return u.Finish(ctx, at, replies, outcome)
}

// ErrBusy: another instance is handling this chat's updates, or an earlier
// update of the chat is still pending; try again shortly.
var ErrBusy = errors.New("storage: the chat's updates are being handled elsewhere")

// takeChatTurn makes instances sharing a PostgreSQL inbox handle each chat's
// updates one at a time and in order: it takes a lock on the update's chat
// for the transaction (ErrBusy if another instance holds it), then, with
// the lock, checks again that the update is not handled (another instance
// may have committed it a moment ago) and that no earlier update of the
// chat waits. SQLite has one instance, and its single writer already
// serialises the updates being handled.
func takeChatTurn(ctx context.Context, tx *sql.Tx, id int64) error {
	var chat int64
	if err := tx.QueryRowContext(ctx, `SELECT chat_id FROM inbox WHERE update_id = $1`, id).Scan(&chat); err != nil {
		return fmt.Errorf("storage: handle update %d: %w", id, err)
	}
	var got bool
	if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`, lockKey(fmt.Sprintf("inbox chat %d", chat))).Scan(&got); err != nil {
		return fmt.Errorf("storage: handle update %d: chat lock: %w", id, err)
	}
	if !got {
		return ErrBusy
	}
	var handled, earlier int64
	err := tx.QueryRowContext(ctx, `
		SELECT i.handled_at, (SELECT COUNT(*) FROM inbox e WHERE e.chat_id = i.chat_id AND e.update_id < i.update_id AND e.handled_at = 0)
		FROM inbox i WHERE i.update_id = $1`, id).Scan(&handled, &earlier)
	switch {
	case err != nil:
		return fmt.Errorf("storage: handle update %d: %w", id, err)
	case handled != 0:
		return ErrAlreadyHandled
	case earlier > 0 && chat != 0:
		return ErrBusy
	}
	return nil
}

// UpdateFailed counts a failed attempt at handling an update. With giveUp
// it is marked handled with outcome "failed: why" and never offered again.
func (s *Store) UpdateFailed(ctx context.Context, id int64, at time.Time, why string, giveUp bool) error {
	var handled int64
	if giveUp {
		handled = unix(at)
	}
	_, err := s.w.ExecContext(ctx, `
		UPDATE inbox SET attempts = attempts + 1, handled_at = $1, outcome = $2 WHERE update_id = $3 AND handled_at = 0`,
		handled, "failed: "+why, id)
	if err != nil {
		return fmt.Errorf("storage: update %d failed: %w", id, err)
	}
	return nil
}

// InboxStats: stored updates not handled yet and the oldest one's arrival
// (zero when none).
func (s *Store) InboxStats(ctx context.Context) (depth int, oldest time.Time, err error) {
	var first sql.NullInt64
	err = s.r.QueryRowContext(ctx, `SELECT COUNT(*), MIN(received_at) FROM inbox WHERE handled_at = 0`).Scan(&depth, &first)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("storage: inbox stats: %w", err)
	}
	return depth, fromUnix(first.Int64), nil
}

// UpdateOutcomes counts handled updates by outcome, for tests and the
// console's report.
func (s *Store) UpdateOutcomes(ctx context.Context) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT outcome, COUNT(*) FROM inbox WHERE handled_at != 0 GROUP BY outcome`)
	if err != nil {
		return nil, fmt.Errorf("storage: update outcomes: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			o string
			n int
		)
		if err := rows.Scan(&o, &n); err != nil {
			return nil, fmt.Errorf("storage: update outcomes: %w", err)
		}
		out[o] = n
	}
	return out, rows.Err()
}

// PruneInbox deletes updates handled before before. Telegram never
// redelivers an update once the offset moved past it (long polling) or it
// got its 200 (webhook), so a day is plenty.
func (s *Store) PruneInbox(ctx context.Context, before time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM inbox WHERE handled_at != 0 AND handled_at < $1`, before.Unix())
	if err != nil {
		return 0, fmt.Errorf("storage: prune inbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("storage: prune inbox: %w", err)
	}
	return int(n), nil
}

// CloseUpdates marks updates handled without handling them (outcome says
// why: "duplicate", "flood") and queues notice (when not nil; its dedupe
// key makes it once), in one transaction. Updates handled meanwhile are
// left as they are.
func (s *Store) CloseUpdates(ctx context.Context, at time.Time, ids []int64, outcome string, notice *OutboxMessage) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `
				UPDATE inbox SET handled_at = $1, outcome = $2 WHERE update_id = $3 AND handled_at = 0`,
				unix(at), outcome, id); err != nil {
				return fmt.Errorf("update %d: %w", id, err)
			}
		}
		if notice == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO chats (id, created_at, updated_at) VALUES ($1, $2, $2)
			ON CONFLICT (id) DO NOTHING`, notice.ChatID, unix(at)); err != nil {
			return fmt.Errorf("chat: %w", err)
		}
		_, err := enqueue(ctx, tx, unix(at), []OutboxMessage{*notice})
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: close updates: %w", err)
	}
	return nil
}

// PendingReplies counts the replies (lane 0) still waiting to go to chat.
func (s *Store) PendingReplies(ctx context.Context, chat int64) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `
		SELECT COUNT(*) FROM outbox WHERE chat_id = $1 AND lane = $2 AND sent_at = 0 AND failed_at = 0`,
		chat, LaneReply).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("storage: pending replies: %w", err)
	}
	return n, nil
}
