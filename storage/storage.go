package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
)

// Store is the storage API over one of two engines: SQLite (a file; the
// embedded default) or PostgreSQL (a server; several instances can share
// it). Safe for concurrent use. The queries are the same on both wherever
// that costs nothing; what differs lives in sqlite.go, postgres.go and the
// two columns of migrations.go.
//
// On SQLite it holds two pools on the same file. Every write goes through
// w, a pool of exactly one connection: writers queue in Go (honouring their
// contexts) instead of spinning on SQLite's lock, so concurrent handlers
// never see "database is locked", and a read-then-write inside a
// transaction can never hit the deadlock SQLite resolves with SQLITE_BUSY.
// Its transactions also BEGIN IMMEDIATE (_txlock), which keeps that
// guarantee against another process on the same file (a second instance,
// the sqlite3 shell), with busy_timeout as the wait. Reads go through r,
// several query-only connections that WAL lets run alongside the writer.
// On PostgreSQL w and r are one pool: the server orders the writers.
//
// The single writer has one consequence for callers: code running inside a
// write transaction (an UpdateTx) must use the Store bound to it, never the
// outer one.
type Store struct {
	w      querier // the one writer connection (SQLite); the pool (PostgreSQL); in an UpdateTx's Store, its transaction
	r      querier // readers (SQLite); the same pool as w (PostgreSQL); in an UpdateTx's Store, that transaction too
	engine Engine

	wdb, rdb *sql.DB // the pools behind w and r
	tx       *sql.Tx // set in a Store bound to one transaction (UpdateTx)
}

// Engine names a storage engine.
type Engine string

const (
	SQLite     Engine = "sqlite"
	PostgreSQL Engine = "postgresql"
)

// EngineOf tells which engine a TRACKBOT_DB value selects: a postgres:// or
// postgresql:// URL is PostgreSQL, anything else a SQLite file path.
func EngineOf(dsn string) Engine {
	lower := strings.ToLower(dsn)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		return PostgreSQL
	}
	return SQLite
}

// Open opens the database dsn names (see EngineOf) and applies the
// migrations it has not seen: a SQLite file (created if needed) or a
// PostgreSQL database (the schema in its search_path).
func Open(ctx context.Context, dsn string) (*Store, error) {
	if EngineOf(dsn) == PostgreSQL {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// Engine is the engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// Redacted is dsn fit for a log line or an error: a URL loses its password.
func Redacted(dsn string) string {
	if EngineOf(dsn) != PostgreSQL {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…" // unparsable: show nothing that may be a secret
	}
	return u.Redacted()
}

// Close closes both pools.
func (s *Store) Close() error {
	if s.rdb == s.wdb {
		return s.wdb.Close()
	}
	return errors.Join(s.rdb.Close(), s.wdb.Close())
}

// Ping checks that the database answers on both pools (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.wdb.PingContext(ctx); err != nil {
		return fmt.Errorf("storage: ping writer: %w", err)
	}
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("storage: ping reader: %w", err)
	}
	return nil
}

// Counts are row totals for metrics.
type Counts struct {
	Chats             int // every chat ever seen
	ActiveChats       int // chats the bot can still write to
	Shipments         int // every shipment ever followed
	FollowedShipments int // shipments at least one active chat follows (the ones polled)
	Subscriptions     int
}

// Counts returns row totals for metrics and health.
func (s *Store) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	err := s.r.QueryRowContext(ctx, `
		SELECT
			(SELECT COUNT(*) FROM chats),
			(SELECT COUNT(*) FROM chats WHERE active = 1),
			(SELECT COUNT(*) FROM shipments),
			(SELECT COUNT(DISTINCT sub.shipment_id) FROM subscriptions sub
				JOIN chats c ON c.id = sub.chat_id WHERE c.active = 1),
			(SELECT COUNT(*) FROM subscriptions)`,
	).Scan(&c.Chats, &c.ActiveChats, &c.Shipments, &c.FollowedShipments, &c.Subscriptions)
	if err != nil {
		return Counts{}, fmt.Errorf("storage: counts: %w", err)
	}
	return c, nil
}

// inTx runs fn in a write transaction on the writer connection, committing
// when fn returns nil.
//
// In a Store bound to a transaction (UpdateTx), fn runs inside it under a
// savepoint, so a failed step undoes only its own writes.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.tx != nil {
		if _, err := s.tx.ExecContext(ctx, `SAVEPOINT step`); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
		if err := fn(s.tx); err != nil {
			_, _ = s.tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT step`)
			_, _ = s.tx.ExecContext(ctx, `RELEASE SAVEPOINT step`)
			return err
		}
		if _, err := s.tx.ExecContext(ctx, `RELEASE SAVEPOINT step`); err != nil {
			return fmt.Errorf("release savepoint: %w", err)
		}
		return nil
	}
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// querier is what both *sql.DB and *sql.Tx offer, so lookups can run inside
// a write transaction or on the readers.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// Instants are stored as unix seconds, 0 for the zero time, and come back in UTC.
func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// leaseEnd is a lease's end as stored: the first whole second at or after
// t. Its holder counts its lease to t and stops sending (or polling) before
// then, so rounding up keeps the others out until the holder surely stopped;
// rounding down let them in up to a second early, when a send of the holder's
// could still be on its way to Telegram.
func leaseEnd(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

func fromUnix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// Carrier times (event times, ETAs) keep the carrier's zone offset as
// RFC 3339 text, "" for the zero time, so "Thursday" stays Thursday.
func zoned(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano)
}

func fromZoned(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}

// limitArg turns "0: no limit" into a LIMIT both engines take (SQLite's
// -1 is an error on PostgreSQL, PostgreSQL's NULL one on SQLite).
func limitArg(limit int) int64 {
	if limit <= 0 {
		return math.MaxInt64
	}
	return int64(limit)
}

// mustAffect maps "no row changed" to ErrNotFound.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
