package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TouchChat creates or updates a chat and marks it active. An empty Type or
// Title keeps what is stored.
func (s *Store) TouchChat(ctx context.Context, c Chat) error {
	now := time.Now().Unix()
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO chats (id, type, title, active, created_at, updated_at)
		VALUES ($1, $2, $3, 1, $4, $5)
		ON CONFLICT (id) DO UPDATE SET
			type = COALESCE(NULLIF(excluded.type, ''), chats.type),
			title = COALESCE(NULLIF(excluded.title, ''), chats.title),
			active = 1,
			updated_at = excluded.updated_at`,
		c.ID, c.Type, c.Title, now, now)
	if err != nil {
		return fmt.Errorf("storage: touch chat %d: %w", c.ID, err)
	}
	return nil
}

// Chat returns a chat, or ErrNotFound.
func (s *Store) Chat(ctx context.Context, id int64) (Chat, error) {
	var c Chat
	err := s.r.QueryRowContext(ctx, `SELECT id, type, title, active, language FROM chats WHERE id = $1`, id).
		Scan(&c.ID, &c.Type, &c.Title, &c.Active, &c.Language)
	if errors.Is(err, sql.ErrNoRows) {
		return Chat{}, ErrNotFound
	}
	if err != nil {
		return Chat{}, fmt.Errorf("storage: chat %d: %w", id, err)
	}
	return c, nil
}

// SetChatActive marks a chat reachable or not (403: blocked or removed). An
// inactive chat keeps all its data; its shipments are just not polled for it
// and its outbox waits until it is active again.
func (s *Store) SetChatActive(ctx context.Context, id int64, active bool) error {
	flag := 0 // an integer column on both engines; PostgreSQL takes no bool for it
	if active {
		flag = 1
	}
	res, err := s.w.ExecContext(ctx, `UPDATE chats SET active = $1, updated_at = $2 WHERE id = $3`,
		flag, time.Now().Unix(), id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("storage: set chat %d active=%t: %w", id, active, err)
	}
	return nil
}

// MigrateChat moves a chat (and its subscriptions and pending outbox) to a
// new id (group → supergroup), in one transaction. The new chat may already
// exist: where both follow the same shipment the new chat's subscription
// stays (taking the old label if it has none) and the old one's messages are
// pointed at it. ErrNotFound when oldID is unknown.
func (s *Store) MigrateChat(ctx context.Context, oldID, newID int64) error {
	if oldID == newID {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := time.Now().Unix()
		res, err := tx.ExecContext(ctx, `
			INSERT INTO chats (id, type, title, active, created_at, updated_at, language, time_zone, quiet_start, quiet_end,
				send_owner, send_lease_until)
			SELECT CAST($1 AS BIGINT), 'supergroup', title, 1, created_at, CAST($2 AS BIGINT), language, time_zone, quiet_start, quiet_end,
				send_owner, send_lease_until -- the instance sending to the group goes on, in order
			FROM chats WHERE id = $3
			ON CONFLICT (id) DO UPDATE SET active = 1, updated_at = excluded.updated_at`,
			newID, now, oldID)
		if err != nil {
			return fmt.Errorf("new chat: %w", err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}

		// Subscriptions both chats have: keep the new chat's, move the rest.
		rows, err := tx.QueryContext(ctx, `
			SELECT o.id, n.id FROM subscriptions o
			JOIN subscriptions n ON n.shipment_id = o.shipment_id AND n.chat_id = $1
			WHERE o.chat_id = $2`, newID, oldID)
		if err != nil {
			return fmt.Errorf("overlap: %w", err)
		}
		var pairs [][2]int64
		for rows.Next() {
			var p [2]int64
			if err := rows.Scan(&p[0], &p[1]); err != nil {
				rows.Close()
				return fmt.Errorf("overlap: %w", err)
			}
			pairs = append(pairs, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("overlap: %w", err)
		}
		for _, p := range pairs {
			if err := mergeSubscription(ctx, tx, p[0], p[1]); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscriptions SET chat_id = $1 WHERE chat_id = $2`, newID, oldID); err != nil {
			return fmt.Errorf("move subscriptions: %w", err)
		}
		// Sent history moves too, so the old row can go and dedupe keys stay.
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET chat_id = $1 WHERE chat_id = $2`, newID, oldID); err != nil {
			return fmt.Errorf("move outbox: %w", err)
		}
		// A chat told about a carrier outage is owed the all-clear under its new id
		// (where the new chat was told too, the old row just goes with the chat).
		if _, err := tx.ExecContext(ctx, `
			UPDATE carrier_outage_chats SET chat_id = $1
			WHERE chat_id = $2 AND client NOT IN (SELECT client FROM carrier_outage_chats WHERE chat_id = $1)`,
			newID, oldID); err != nil {
			return fmt.Errorf("move outage notices: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chats WHERE id = $1`, oldID); err != nil {
			return fmt.Errorf("delete old chat: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: migrate chat %d to %d: %w", oldID, newID, err)
	}
	return nil
}

// mergeSubscription folds subscription from into into (same shipment): the
// label and "not received" mark carry over where into has none, from's
// outbox rows point at into, and from is deleted.
func mergeSubscription(ctx context.Context, tx *sql.Tx, from, into int64) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE subscriptions SET
			label = CASE WHEN label = '' THEN (SELECT label FROM subscriptions WHERE id = $1) ELSE label END,
			not_received_at = CASE WHEN not_received_at = 0 THEN (SELECT not_received_at FROM subscriptions WHERE id = $1) ELSE not_received_at END
		WHERE id = $2`, from, into)
	if err != nil {
		return fmt.Errorf("merge subscription %d into %d: %w", from, into, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET subscription_id = $1 WHERE subscription_id = $2`, into, from); err != nil {
		return fmt.Errorf("merge subscription %d outbox: %w", from, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE id = $1`, from); err != nil {
		return fmt.Errorf("merge subscription %d: delete: %w", from, err)
	}
	return nil
}

// SetChatLanguage stores the language a chat is written to in. With
// onlyIfUnset it fills in a chat that has none yet and leaves a chosen one
// alone, reporting whether it wrote; the chat row is created if missing.
func (s *Store) SetChatLanguage(ctx context.Context, id int64, lang string, onlyIfUnset bool) (bool, error) {
	now := time.Now().Unix()
	q := `
		INSERT INTO chats (id, language, active, created_at, updated_at) VALUES ($1, $2, 1, $3, $3)
		ON CONFLICT (id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`
	if onlyIfUnset {
		q += ` WHERE chats.language = ''`
	}
	res, err := s.w.ExecContext(ctx, q, id, lang, now)
	if err != nil {
		return false, fmt.Errorf("storage: set chat %d language: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("storage: set chat %d language: %w", id, err)
	}
	return n > 0, nil
}

// ChatLanguage is the stored language of a chat, "" when none is known (or
// the chat is unknown).
func (s *Store) ChatLanguage(ctx context.Context, id int64) (string, error) {
	var lang string
	err := s.r.QueryRowContext(ctx, `SELECT language FROM chats WHERE id = $1`, id).Scan(&lang)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("storage: chat %d language: %w", id, err)
	}
	return lang, nil
}

// ChatTime is how a chat reads times: its zone and quiet hours.
type ChatTime struct {
	TimeZone string // IANA name or "UTC+2"; "" when not set
	// QuietStart and QuietEnd are minutes after midnight in TimeZone; -1
	// when the chat has no quiet hours.
	QuietStart, QuietEnd int
}

// Quiet reports whether the chat has quiet hours.
func (t ChatTime) Quiet() bool { return t.QuietStart >= 0 && t.QuietEnd >= 0 }

// ChatTime returns a chat's time settings (none for an unknown chat).
func (s *Store) ChatTime(ctx context.Context, id int64) (ChatTime, error) {
	t := ChatTime{QuietStart: -1, QuietEnd: -1}
	err := s.r.QueryRowContext(ctx, `SELECT time_zone, quiet_start, quiet_end FROM chats WHERE id = $1`, id).
		Scan(&t.TimeZone, &t.QuietStart, &t.QuietEnd)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("storage: chat %d time: %w", id, err)
	}
	return t, nil
}

// SetChatTimeZone stores a chat's zone ("" clears it).
func (s *Store) SetChatTimeZone(ctx context.Context, id int64, zone string) error {
	return s.updateChat(ctx, id, "time zone", `UPDATE chats SET time_zone = $1, updated_at = $2 WHERE id = $3`,
		zone, time.Now().Unix(), id)
}

// SetChatQuiet stores a chat's quiet hours (minutes after midnight; -1, -1
// for none).
func (s *Store) SetChatQuiet(ctx context.Context, id int64, start, end int) error {
	return s.updateChat(ctx, id, "quiet hours", `UPDATE chats SET quiet_start = $1, quiet_end = $2, updated_at = $3 WHERE id = $4`,
		start, end, time.Now().Unix(), id)
}

func (s *Store) updateChat(ctx context.Context, id int64, what, q string, args ...any) error {
	res, err := s.w.ExecContext(ctx, q, args...)
	if err == nil {
		err = mustAffect(res)
	}
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("storage: set chat %d %s: %w", id, what, err)
	}
	return nil
}
