package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
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
	rows, err := s.w.QueryContext(ctx, query, now.Add(lease).Unix(), now.Unix(), limitArg(limit))
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

const claimDueSelect = `
	SELECT d.id FROM shipments d
	WHERE d.next_poll_at <= $2 AND d.lease_until <= $2
	  AND EXISTS (
		SELECT 1 FROM subscriptions sub JOIN chats c ON c.id = sub.chat_id
		WHERE sub.shipment_id = d.id AND c.active = 1)
	ORDER BY d.next_poll_at, d.id
	LIMIT $3`

// SQLite numbers $n parameters in order of first appearance, so the
// lease, written first, is $1. The two engines differ only in the row locks: SQLite's single writer
// already runs claims one at a time. (SQLite's RETURNING takes no table
// alias, hence the bare column names.)
var (
	claimDueQuery = `
	UPDATE shipments SET lease_until = $1
	WHERE id IN (` + claimDueSelect + `)
	RETURNING ` + strings.ReplaceAll(shipmentColumns, "s.", "")
	claimDueQueryPostgres = `
	UPDATE shipments SET lease_until = $1
	WHERE id IN (` + claimDueSelect + ` FOR UPDATE SKIP LOCKED)
	RETURNING ` + strings.ReplaceAll(shipmentColumns, "s.", "")
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
