package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// Store is the SQLite-backed store. Safe for concurrent use.
//
// It holds two pools on the same file. Every write goes through w, a pool of
// exactly one connection: writers queue in Go (honouring their contexts)
// instead of spinning on SQLite's lock, so concurrent handlers never see
// "database is locked", and a read-then-write inside a transaction can never
// hit the deadlock SQLite resolves with SQLITE_BUSY. Its transactions also
// BEGIN IMMEDIATE (_txlock), which keeps that guarantee against another
// process on the same file (a second instance, the sqlite3 shell), with
// busy_timeout as the wait. Reads go through r, several query-only
// connections that WAL lets run alongside the writer.
//
// The single writer has one consequence for callers: code running inside a
// write transaction (PollRecord.Compose) must not call the Store.
type Store struct {
	w *sql.DB // the one writer connection
	r *sql.DB // readers
}

// busyTimeout is how long a connection waits for a lock held by another
// process before giving up with "database is locked".
const busyTimeout = 10 * time.Second

// Open opens (creating if needed) the SQLite file at path and applies
// migrations. path is a file name; ":memory:" is not supported because the
// reader and writer pools must share one database.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("storage: open %q: need a file path", path)
	}
	// A file: URI with the path escaped, so names with '?', '#' or '%' work.
	name := "file:" + (&url.URL{Path: path}).EscapedPath()
	common := url.Values{}
	common.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	common.Set("_foreign_keys", "on")
	common.Set("_synchronous", "NORMAL") // durable enough with WAL: a crash loses no committed transaction, a power cut only the last ones
	common.Set("_stmt_cache_size", "64")

	wq := cloneValues(common)
	wq.Set("_journal_mode", "WAL")
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite3", name+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}

	// The journal mode is persistent in the file; the readers need not set it.
	rq := cloneValues(common)
	rq.Set("_query_only", "1")
	r, err := sql.Open("sqlite3", name+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("storage: open %s readers: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("storage: open %s readers: %w", path, err)
	}
	return &Store{w: w, r: r}, nil
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}

// Close closes both pools.
func (s *Store) Close() error {
	return errors.Join(s.r.Close(), s.w.Close())
}

// Ping checks that the database answers on both pools (for /healthz).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
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
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
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

// limitArg turns "0: no limit" into SQLite's LIMIT -1.
func limitArg(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
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
