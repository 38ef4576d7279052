package storage

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"runtime"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// busyTimeout is how long a connection waits for a lock held by another
// process before giving up with "database is locked".
const busyTimeout = 10 * time.Second

// openSQLite opens (creating if needed) the SQLite file at path and applies
// migrations. path is a file name; ":memory:" is not supported because the
// reader and writer pools must share one database.
func openSQLite(ctx context.Context, path string) (*Store, error) {
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
	if err := migrate(ctx, w, SQLite); err != nil {
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
	return &Store{w: w, r: r, wdb: w, rdb: r, engine: SQLite}, nil
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}
