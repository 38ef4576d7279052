package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// Several instances on one PostgreSQL database share the work through
// what is here: leases on due shipments, so each is polled by one instance,
// and named locks, so one instance at a time holds a role (polling Telegram,
// the periodic sweeps). On SQLite there is one instance per file: the same
// calls work and every lock is granted.

// ClaimDueShipments is DueShipments for one of several instances: it
// returns shipments due at now that no live lease holds, oldest due first,
// at most limit, and leases them until now+lease in the same statement.
// RecordPoll and RecordPollFailure end a lease; a lease its instance never
// ended (it died) runs out, and the shipment is due again for the others.
// On PostgreSQL rows another instance is claiming are skipped (SKIP LOCKED),
// so two instances never claim one shipment.
func (s *Store) ClaimDueShipments(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]Shipment, error) {
	query := claimDueQuery
	if s.engine == PostgreSQL {
		query = claimDueQueryPostgres
	}
	rows, err := s.w.QueryContext(ctx, query, leaseEnd(now.Add(lease)), now.Unix(), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: claim due shipments: %w", err)
	}
	out, err := collectShipments(rows, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: claim due shipments: %w", err)
	}
	// RETURNING keeps no order.
	slices.SortFunc(out, func(a, b Shipment) int {
		if c := a.NextPollAt.Compare(b.NextPollAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	return out, nil
}

const claimDueWhere = `
	FROM shipments d
	WHERE d.next_poll_at <= $2 AND d.lease_until <= $2
	  AND EXISTS (
		SELECT 1 FROM subscriptions sub JOIN chats c ON c.id = sub.chat_id
		WHERE sub.shipment_id = d.id AND c.active = 1)
	ORDER BY d.next_poll_at, d.id
	LIMIT $3`

// SQLite numbers $n parameters in order of first appearance, so the
// lease, written first, is $1. (SQLite's RETURNING takes no table alias,
// hence the bare column names.)
//
// On PostgreSQL the claim also moves next_poll_at to the lease's end, where
// a lease that runs out makes the shipment due again anyway, and returns
// the due time it had. A tick claims pages well ahead of its lanes, and
// with next_poll_at left alone every later claim walked the index over all
// the claimed, unpolled rows before it found a free one (50,000 rows a
// claim at 100,000 shipments: the claims' cost grew with the cycle, and
// with the instances). SQLite keeps the plain lease: one instance claims,
// and its RETURNING sees only the new row, not the due time it replaced.
var (
	claimDueQuery = `
	UPDATE shipments SET lease_until = $1
	WHERE id IN (SELECT d.id` + claimDueWhere + `)
	RETURNING ` + strings.ReplaceAll(shipmentColumns, "s.", "")
	claimDueQueryPostgres = `
	WITH picked AS (SELECT d.id, d.next_poll_at AS due` + claimDueWhere + ` FOR UPDATE SKIP LOCKED)
	UPDATE shipments s SET lease_until = $1, next_poll_at = $1
	FROM picked WHERE s.id = picked.id
	RETURNING ` + strings.Replace(shipmentColumns, "s.next_poll_at", "picked.due", 1)
)

// Lock is a named lock one instance holds at a time: on PostgreSQL a
// session advisory lock on a connection of its own, released when the
// connection ends, so an instance that dies lets go at once (as soon as the
// server notices the connection is gone). On SQLite it is always granted.
type Lock struct {
	name string
	conn *sql.Conn // nil on SQLite
	key  int64
}

// lockKey maps a lock name into PostgreSQL's advisory lock space.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("trackbot:" + name))
	return int64(h.Sum64())
}

// ErrLockHeld: another instance holds the lock.
var ErrLockHeld = errors.New("storage: lock held by another instance")

// TryLock takes the named lock if no other instance holds it; ErrLockHeld
// if one does. The lock's connection stays out of the pool until Release.
func (s *Store) TryLock(ctx context.Context, name string) (*Lock, error) {
	if s.engine != PostgreSQL {
		return &Lock{name: name}, nil
	}
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("storage: lock %s: %w", name, err)
	}
	key := lockKey(name)
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("storage: lock %s: %w", name, err)
	}
	if !got {
		conn.Close()
		return nil, ErrLockHeld
	}
	return &Lock{name: name, conn: conn, key: key}, nil
}

// Check reports whether the lock is still held: its connection answers.
func (l *Lock) Check(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	var one int
	if err := l.conn.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("storage: lock %s lost: %w", l.name, err)
	}
	return nil
}

// Release lets the lock go for the other instances.
func (l *Lock) Release(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	_, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
	// Closing returns the connection to the pool; if the unlock failed the
	// session may still hold it, so the connection is thrown away instead.
	if err != nil {
		_ = l.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	cerr := l.conn.Close()
	if err != nil {
		return fmt.Errorf("storage: release lock %s: %w", l.name, err)
	}
	return cerr
}

// OutboxClaim is one instance's request for its share of the outbox.
type OutboxClaim struct {
	Owner    string        // the instance, unique per process
	Now      time.Time     // the instance's clock
	Lease    time.Duration // how long the chats it holds stay its own
	NewChats int           // chats nobody holds to take on, at most (0: keep only its own)
	Limit    int           // messages returned, at most (0: all)
}

// ClaimOutbox is PendingOutbox for one of several instances: a chat's
// messages are sent by the one instance that leases the chat, so they go
// in order. It renews the leases of the owner's chats that have something
// due, leases up to NewChats chats with something due that no live lease
// holds (those with a reply first, then the oldest), and returns the due
// messages of every chat the owner now holds, replies first, oldest first.
// A chat's lease lapses Lease after its last renewal: nothing left to send,
// or its instance died; then any instance may take it. On PostgreSQL chats
// another instance is claiming are skipped (SKIP LOCKED).
func (s *Store) ClaimOutbox(ctx context.Context, c OutboxClaim) ([]OutboxItem, error) {
	now, until := c.Now.Unix(), leaseEnd(c.Now.Add(c.Lease))
	var items []OutboxItem
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, renewOutboxQuery, until, c.Owner, now); err != nil {
			return fmt.Errorf("renew: %w", err)
		}
		if c.NewChats > 0 {
			query := claimChatsQuery
			if s.engine == PostgreSQL {
				query = claimChatsQueryPostgres
			}
			if _, err := tx.ExecContext(ctx, query, c.Owner, until, now, c.NewChats); err != nil {
				return fmt.Errorf("claim: %w", err)
			}
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT `+outboxColumns+`
			FROM outbox o JOIN chats c ON c.id = o.chat_id
			WHERE o.sent_at = 0 AND o.failed_at = 0 AND o.next_attempt_at <= $1 AND c.active = 1
			  AND c.send_owner = $2 AND c.send_lease_until > $1
			ORDER BY o.lane, o.id
			LIMIT $3`, now, c.Owner, limitArg(c.Limit))
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		items, err = collectOutbox(rows)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: claim outbox: %w", err)
	}
	return items, nil
}

// outboxDue is true for a chat c with a message due at $3.
const outboxDue = `EXISTS (
		SELECT 1 FROM outbox o
		WHERE o.chat_id = chats.id AND o.sent_at = 0 AND o.failed_at = 0 AND o.next_attempt_at <= $3)`

const renewOutboxQuery = `
	UPDATE chats SET send_lease_until = $1
	WHERE send_owner = $2 AND send_lease_until > $3 AND active = 1 AND ` + outboxDue

// claimChatsSelect picks the chats to take: free, active, with something
// due; those with a reply due first, then by their oldest due message.
const claimChatsSelect = `
	SELECT c.id FROM chats c
	JOIN (SELECT o.chat_id, MIN(o.lane) AS lane, MIN(o.id) AS first FROM outbox o
		WHERE o.sent_at = 0 AND o.failed_at = 0 AND o.next_attempt_at <= $3
		GROUP BY o.chat_id) d ON d.chat_id = c.id
	WHERE c.active = 1 AND c.send_lease_until <= $3
	ORDER BY d.lane, d.first
	LIMIT $4`

var (
	claimChatsQuery = `
	UPDATE chats SET send_owner = $1, send_lease_until = $2
	WHERE id IN (` + claimChatsSelect + `)`
	claimChatsQueryPostgres = `
	UPDATE chats SET send_owner = $1, send_lease_until = $2
	WHERE id IN (` + claimChatsSelect + ` FOR UPDATE OF c SKIP LOCKED)`
)

// ReleaseOutbox ends the owner's chat leases (it is shutting down, its
// queues sent or left in the outbox), so other instances take them at once
// rather than when the leases run out.
func (s *Store) ReleaseOutbox(ctx context.Context, owner string) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE chats SET send_lease_until = 0 WHERE send_owner = $1`, owner); err != nil {
		return fmt.Errorf("storage: release outbox: %w", err)
	}
	return nil
}

// SendPace is how the instances share Telegram's overall limit: one grant
// every Every, and at most Most sends in any Window, a send counting from
// its grant until one window after its answer; Hold bounds a send in
// flight, so a dead instance's sends leave the window in time.
type SendPace struct {
	Every, Window, Hold time.Duration
	Most                int
}

// SendGrant is one send's place in the shared window: Wait is how long to
// wait for its slot of the schedule, and the grant goes back with
// FinishSend once Telegram answered.
type SendGrant struct {
	Wait  time.Duration
	token int64
	stamp int64 // the token's free_at as granted: a lapsed grant frees nothing
}

// ReserveSend takes a token of the window and the next slot of the one
// schedule all instances send on, in one statement. ok false: the window is
// full, and retry is when its first token is due back (it may come back
// sooner, when a send in flight is answered). Times are the database's, so
// instances whose clocks differ still count together; a grant never given
// back (the instance died) lapses after Hold.
func (s *Store) ReserveSend(ctx context.Context, p SendPace) (g SendGrant, ok bool, retry time.Duration, err error) {
	step, hold, most := p.Every.Microseconds(), (p.Hold + p.Every).Microseconds(), max(p.Most, 1)
	var token, stamp, wait, first sql.NullInt64
	if s.engine == PostgreSQL {
		err = s.w.QueryRowContext(ctx, reserveSendPostgres, most, hold, step).Scan(&token, &stamp, &wait, &first)
	} else {
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			now := time.Now().UnixMicro()
			var next int64
			if err := tx.QueryRowContext(ctx, `SELECT next_at FROM send_pace WHERE id = 1`).Scan(&next); err != nil {
				return err
			}
			err := tx.QueryRowContext(ctx, `
				UPDATE send_tokens SET free_at = $1 WHERE id = (
					SELECT id FROM send_tokens WHERE id <= $2 AND free_at <= $3 ORDER BY free_at, id LIMIT 1)
				RETURNING id, free_at`, max(next, now)+hold, most, now).Scan(&token, &stamp)
			if errors.Is(err, sql.ErrNoRows) {
				return tx.QueryRowContext(ctx, `SELECT MIN(free_at) - $1 FROM send_tokens WHERE id <= $2`, now, most).Scan(&first)
			}
			if err != nil {
				return err
			}
			if err := tx.QueryRowContext(ctx, `
				UPDATE send_pace SET next_at = MAX(next_at, $1) + $2 WHERE id = 1 RETURNING next_at`, now, step).Scan(&next); err != nil {
				return err
			}
			wait = sql.NullInt64{Int64: next - step - now, Valid: true}
			return nil
		})
	}
	if err != nil {
		return SendGrant{}, false, 0, fmt.Errorf("storage: reserve send: %w", err)
	}
	if !token.Valid {
		if !first.Valid { // no tokens: MakeSendTokens was not called
			return SendGrant{}, false, 0, fmt.Errorf("storage: reserve send: no tokens for a window of %d", most)
		}
		return SendGrant{}, false, time.Duration(max(first.Int64, 0)) * time.Microsecond, nil
	}
	return SendGrant{Wait: time.Duration(max(wait.Int64, 0)) * time.Microsecond, token: token.Int64, stamp: stamp.Int64}, true, 0, nil
}

// reserveSendPostgres takes the least recently freed token that is free
// ($1 tokens, held for $2 µs past the schedule's next slot) and, if it got
// one, the next slot ($3 µs apart); else it says when the first token
// frees. A token another instance is taking is skipped, not waited for.
const reserveSendPostgres = `
	WITH now AS (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) AS t),
	free AS (
		SELECT id FROM send_tokens, now WHERE id <= $1 AND free_at <= now.t
		ORDER BY free_at, id LIMIT 1 FOR UPDATE OF send_tokens SKIP LOCKED),
	took AS (
		UPDATE send_tokens s SET free_at = GREATEST((SELECT next_at FROM send_pace WHERE id = 1), now.t) + CAST($2 AS BIGINT)
		FROM free, now WHERE s.id = free.id RETURNING s.id, s.free_at),
	slot AS (
		UPDATE send_pace p SET next_at = GREATEST(p.next_at, now.t) + CAST($3 AS BIGINT)
		FROM now WHERE p.id = 1 AND EXISTS (SELECT 1 FROM took)
		RETURNING p.next_at - CAST($3 AS BIGINT) - now.t AS wait)
	SELECT took.id, took.free_at, slot.wait, (SELECT MIN(free_at) FROM send_tokens WHERE id <= $1) - now.t
	FROM now LEFT JOIN took ON true LEFT JOIN slot ON true`

// MakeSendTokens makes the window's tokens 1…most that do not exist yet;
// an instance does once before its first ReserveSend.
func (s *Store) MakeSendTokens(ctx context.Context, most int) error {
	q := `INSERT INTO send_tokens (id) SELECT generate_series(1, CAST($1 AS INTEGER)) ON CONFLICT DO NOTHING`
	if s.engine != PostgreSQL {
		q = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
			INSERT OR IGNORE INTO send_tokens (id) SELECT i FROM n`
	}
	if _, err := s.w.ExecContext(ctx, q, most); err != nil {
		return fmt.Errorf("make send tokens: %w", err)
	}
	return nil
}

// FinishSend gives a grant back once Telegram answered its send, ago
// before now: the send stays in the window until one window after that.
func (s *Store) FinishSend(ctx context.Context, g SendGrant, window, ago time.Duration) error {
	var err error
	if s.engine == PostgreSQL {
		_, err = s.w.ExecContext(ctx, `
			UPDATE send_tokens SET free_at = CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) + CAST($3 AS BIGINT)
			WHERE id = $1 AND free_at = $2`, g.token, g.stamp, (window - ago).Microseconds())
	} else {
		_, err = s.w.ExecContext(ctx, `UPDATE send_tokens SET free_at = $1 WHERE id = $2 AND free_at = $3`,
			time.Now().Add(window-ago).UnixMicro(), g.token, g.stamp)
	}
	if err != nil {
		return fmt.Errorf("storage: finish send: %w", err)
	}
	return nil
}

// PauseSends keeps every instance's next slot at least d away (Telegram
// said "retry after").
func (s *Store) PauseSends(ctx context.Context, d time.Duration) error {
	var err error
	if s.engine == PostgreSQL {
		_, err = s.w.ExecContext(ctx, `
			UPDATE send_pace SET next_at = GREATEST(next_at, CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) + $1)
			WHERE id = 1`, d.Microseconds())
	} else {
		_, err = s.w.ExecContext(ctx, `UPDATE send_pace SET next_at = MAX(next_at, $1) WHERE id = 1`, time.Now().Add(d).UnixMicro())
	}
	if err != nil {
		return fmt.Errorf("storage: pause sends: %w", err)
	}
	return nil
}

// ListenOutbox calls wake whenever another transaction (any instance's)
// has queued outbox rows, until ctx ends; on PostgreSQL through LISTEN on a
// connection of its own, reconnecting after a failure. On SQLite it
// returns at once: its one instance wakes its notifier itself.
func (s *Store) ListenOutbox(ctx context.Context, wake func(), log *slog.Logger) {
	if s.engine != PostgreSQL {
		return
	}
	for ctx.Err() == nil {
		err := s.listen(ctx, "trackbot_outbox", wake)
		if ctx.Err() != nil {
			return
		}
		log.Warn("outbox: listen for new messages; trying again", "component", "storage", slog.Any("error", err))
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	}
}

func (s *Store) listen(ctx context.Context, channel string, wake func()) error {
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The connection ends with the wait (a cancelled wait leaves it
	// unusable); the pool must not hand it out again.
	defer conn.Raw(func(any) error { return driver.ErrBadConn })
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+channel); err != nil {
			return err
		}
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				return err
			}
			wake()
		}
	})
}

// ReserveCarrierSlot takes the next slot, every apart, of the schedule all
// instances send carrier key's requests on, in one statement, and says how
// long until it comes (the database's clock, as ReserveSend). On SQLite,
// one instance paces in process: shared is false and nothing is asked.
func (s *Store) ReserveCarrierSlot(ctx context.Context, key string, every time.Duration) (wait time.Duration, shared bool, err error) {
	if s.engine != PostgreSQL {
		return 0, false, nil
	}
	var w int64
	if err := s.w.QueryRowContext(ctx, reserveCarrierSlotPostgres, key, every.Microseconds()).Scan(&w); err != nil {
		return 0, false, fmt.Errorf("storage: reserve carrier slot %s: %w", key, err)
	}
	return time.Duration(max(w, 0)) * time.Microsecond, true, nil
}

// reserveCarrierSlotPostgres: the slot is the later of the key's next free
// one and now; the next free one moves $2 µs past it. The row lock makes
// concurrent instances take turns.
const reserveCarrierSlotPostgres = `
	WITH now AS (SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT) AS t)
	INSERT INTO carrier_pace AS c (carrier, next_at) SELECT $1, now.t + CAST($2 AS BIGINT) FROM now
	ON CONFLICT (carrier) DO UPDATE SET next_at = GREATEST(c.next_at, EXCLUDED.next_at - CAST($2 AS BIGINT)) + CAST($2 AS BIGINT)
	RETURNING c.next_at - CAST($2 AS BIGINT) - (SELECT t FROM now)`
