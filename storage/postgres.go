package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL through pgx's database/sql adapter: the storage code is written
// against database/sql (transactions, prepared statements, the querier
// interface), so both engines share every method and pgx brings the wire
// protocol, statement caching and PostgreSQL's error codes.

const (
	pgMaxConns = 10 // per instance; the server's default max_connections is 100
	pgIdleTime = 5 * time.Minute
)

// openPostgres connects to the database the URL names and migrates the
// schema its search_path selects (public unless the URL says
// ?search_path=…).
func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	name := Redacted(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors may quote the URL, password and all.
		return nil, fmt.Errorf("storage: open %s: not a valid PostgreSQL URL (postgres://user[:password]@host[:port]/database[?sslmode=…])", name)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(pgMaxConns)
	db.SetMaxIdleConns(pgMaxConns / 2)
	db.SetConnMaxIdleTime(pgIdleTime)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", name, err)
	}
	if err := migrate(ctx, db, PostgreSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("storage: open %s: %w", name, err)
	}
	return &Store{w: db, r: db, wdb: db, rdb: db, engine: PostgreSQL}, nil
}

// pgCode is the SQLSTATE of a PostgreSQL error, "" for any other error.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// postgresMigrateLock serialises migrations per schema: instances starting
// together take turns, and the later ones find nothing left to do.
const postgresMigrateLock = `SELECT pg_advisory_xact_lock(hashtext('trackbot migrate ' || COALESCE(current_schema(), '')))`

// postgresVersion reads the applied migration count inside tx, creating the
// table that records it on first use.
func postgresVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	if _, err := tx.ExecContext(ctx, postgresMigrateLock); err != nil {
		return 0, fmt.Errorf("lock: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return 0, err
	}
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return 0, err
	}
	return v, nil
}

func setPostgresVersion(ctx context.Context, tx *sql.Tx, v int) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v)
	return err
}
