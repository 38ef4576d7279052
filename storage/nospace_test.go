package storage

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

func TestCannotWrite(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"sqlite full", fmt.Errorf("store updates: %w", sqlite3.Error{Code: sqlite3.ErrFull}), true},
		{"sqlite read-only", sqlite3.Error{Code: sqlite3.ErrReadonly}, true},
		{"sqlite busy", sqlite3.Error{Code: sqlite3.ErrBusy}, false},
		{"postgres disk full", fmt.Errorf("x: %w", &pgconn.PgError{Code: "53100"}), true},
		{"postgres read-only", &pgconn.PgError{Code: "25006"}, true},
		{"postgres unique", &pgconn.PgError{Code: "23505"}, false},
		{"other", errors.New("database or disk is full"), false}, // only the driver's code counts
		{"nil", nil, false},
	} {
		if got := CannotWrite(c.err); got != c.want {
			t.Errorf("%s: CannotWrite = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestSetMaxPagesFillsTheDatabase: once limited to its size and packed, the
// database refuses a write needing a page with an error CannotWrite knows,
// and takes it again when the limit is lifted.
func TestSetMaxPagesFillsTheDatabase(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, t.TempDir()+"/full.db")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SetMaxPages(ctx, 0); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, 2000)
	for i := range body {
		body[i] = 'x'
	}
	var werr error
	for id := int64(1); id < 10000 && werr == nil; id++ {
		_, werr = s.StoreUpdates(ctx, fromUnix(1), InboxUpdate{UpdateID: id, Body: body})
	}
	if !CannotWrite(werr) {
		t.Fatalf("writing past the limit: %v, want a full database", werr)
	}
	if _, err := s.SetMaxPages(ctx, 1<<30); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StoreUpdates(ctx, fromUnix(1), InboxUpdate{UpdateID: 20000, Body: body}); err != nil {
		t.Fatalf("after lifting the limit: %v", err)
	}
}
