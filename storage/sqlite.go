package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
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
		return nil, openError(path, err)
	}
	// SQLite opens a file it may not write read-only without a word, and
	// the bot would then fail on every write; a full disk, by contrast,
	// passes and is answered from reads until space is freed.
	if err := fileWritable(path); err != nil {
		w.Close()
		return nil, err
	}
	if err := quickCheck(ctx, w, path); err != nil {
		w.Close()
		return nil, err
	}
	if err := migrate(ctx, w, SQLite); err != nil {
		w.Close()
		return nil, openError(path, err)
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

// ErrCorrupt: the SQLite file failed PRAGMA quick_check (or is no database).
var ErrCorrupt = errors.New("the database file is damaged")

// quickCheck runs PRAGMA quick_check at start, so a damaged file is named
// plainly instead of failing later, query by query.
func quickCheck(ctx context.Context, db *sql.DB, path string) error {
	rows, err := db.QueryContext(ctx, `PRAGMA quick_check`)
	if err != nil {
		return openError(path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return openError(path, err)
		}
		if line != "ok" && len(problems) < 3 {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return openError(path, err)
	}
	if len(problems) > 0 {
		return corrupt(path, strings.Join(problems, "; "))
	}
	return nil
}

func corrupt(path, detail string) error {
	return fmt.Errorf("storage: %s: %w (%s): stop trackbot, keep a copy of the file, and restore the last backup "+
		"(README: Backup and upgrade), or try `sqlite3 %s .recover`", path, ErrCorrupt, detail, path)
}

// openError says plainly what stops SQLite from opening path: a damaged
// file, or a directory trackbot may not write to.
func openError(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "not a database"), strings.Contains(msg, "malformed"):
		return corrupt(path, msg)
	case strings.Contains(msg, "readonly"), strings.Contains(msg, "unable to open database file"),
		strings.Contains(msg, "permission denied"):
		dir := filepath.Dir(path)
		if f, werr := os.CreateTemp(dir, ".trackbot-write-test-*"); werr != nil {
			return fmt.Errorf("storage: %s: the directory %s is not writable (%v): trackbot keeps the database and its "+
				"-wal and -shm files there; give the user trackbot runs as write access (with Docker: the /data volume's owner)", path, dir, werr)
		} else {
			name := f.Name()
			f.Close()
			os.Remove(name)
		}
		if err := fileWritable(path); err != nil {
			return err
		}
	}
	return fmt.Errorf("storage: open %s: %w", path, err)
}

// fileWritable says plainly when the file at path exists and this process
// may not write it (its mode, its owner, a read-only mount): opening it
// for writing is the one test that asks the system, whoever we run as.
func fileWritable(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	switch {
	case err == nil:
		return f.Close()
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Errorf("storage: %s is read-only (%v): trackbot must write to its database; make the file writable "+
			"by the user trackbot runs as (with Docker: the /data volume's owner)", path, err)
	}
	return nil // missing or odd: SQLite's own error says more
}

func cloneValues(v url.Values) url.Values {
	c := make(url.Values, len(v))
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	return c
}
