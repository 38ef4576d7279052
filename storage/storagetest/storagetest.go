// Package storagetest gives tests a fresh, empty database on each storage
// engine: a SQLite file in the test's temporary directory, and, when
// TRACKBOT_TEST_POSTGRES holds a PostgreSQL URL, a schema of its own in that
// database (dropped when the test ends), so tests on both engines can run in
// parallel. It deals in TRACKBOT_DB values only, so storage's own tests can
// use it too.
package storagetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "github.com/mattn/go-sqlite3"    // registers the "sqlite3" driver
)

// EnvPostgres names the variable that holds the test server's URL, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvPostgres = "TRACKBOT_TEST_POSTGRES"

// SkipMessage is the one line a package's tests give when PostgreSQL is
// not configured.
const SkipMessage = EnvPostgres + " is not set: the PostgreSQL runs of these tests are skipped (set it to a postgres:// URL to run them)"

// Engine is one storage engine under test. DSN makes a fresh, empty
// database for t and returns its TRACKBOT_DB value.
type Engine struct {
	Name string // "sqlite" or "postgres"
	DSN  func(t testing.TB) string
}

// SQLite is the embedded engine: a new file per call.
var SQLite = Engine{Name: "sqlite", DSN: func(t testing.TB) string {
	return filepath.Join(t.TempDir(), "trackbot.db")
}}

// Postgres is the server engine: a new schema per call. It skips t when
// TRACKBOT_TEST_POSTGRES is unset.
var Postgres = Engine{Name: "postgres", DSN: PostgresDSN}

// PostgresURL is TRACKBOT_TEST_POSTGRES ("" when unset).
func PostgresURL() string { return strings.TrimSpace(os.Getenv(EnvPostgres)) }

// Engines is SQLite, and PostgreSQL when it is configured.
func Engines() []Engine {
	if PostgresURL() == "" {
		return []Engine{SQLite}
	}
	return []Engine{SQLite, Postgres}
}

// Each runs test once per engine, as parallel subtests named after it.
func Each(t *testing.T, test func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			test(t, e)
		})
	}
}

// EachInTurn runs test once per engine, as subtests one after the other,
// for tests that cannot run in parallel (t.Setenv).
func EachInTurn(t *testing.T, test func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { test(t, e) })
	}
}

// RequirePostgres is the one test per package that tells whether the
// PostgreSQL runs happen: it skips with SkipMessage when they do not.
func RequirePostgres(t *testing.T) {
	t.Helper()
	if PostgresURL() == "" {
		t.Skip(SkipMessage)
	}
}

// OpenSQL opens the database a TRACKBOT_DB value names with database/sql,
// for tests that reach past the storage API (to make a parcel due now).
// Write $1-numbered SQL: both engines take it.
func OpenSQL(dsn string) (*sql.DB, error) {
	lower := strings.ToLower(dsn)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		return sql.Open("pgx", dsn)
	}
	return sql.Open("sqlite3", "file:"+(&url.URL{Path: dsn}).EscapedPath()+"?_busy_timeout=10000&_txlock=immediate")
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
	schemaSeq atomic.Int64
)

func adminDB() (*sql.DB, error) {
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", PostgresURL())
		if adminErr == nil {
			admin.SetMaxOpenConns(4)
		}
	})
	return admin, adminErr
}

var unsafeName = regexp.MustCompile(`[^a-z0-9]+`)

// PostgresDSN creates a schema for t in the TRACKBOT_TEST_POSTGRES database
// and returns the URL that selects it (search_path). The schema is dropped
// when t ends. t is skipped when the variable is unset.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Skip(SkipMessage)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s does not parse as a URL", EnvPostgres)
	}
	db, err := adminDB()
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	// Readable (the test's name) and unique across parallel test binaries.
	name := strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(t.Name()), "_"), "_")
	if len(name) > 32 {
		name = name[len(name)-32:]
	}
	schema := fmt.Sprintf("t%d_%d_%s", os.Getpid(), schemaSeq.Add(1), name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
