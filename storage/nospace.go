package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// CannotWrite reports whether err says the database accepts no writes at
// all for now: the disk (or the database's size limit) is full, or the
// database is read-only. Retrying at once will not help, but reads still
// work.
func CannotWrite(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrFull || se.Code == sqlite3.ErrReadonly
	}
	switch pgCode(err) {
	case "53100", "25006": // disk_full, read_only_sql_transaction
		return true
	}
	return false
}

// SetMaxPages limits the SQLite database to pages pages (0: the pages it
// has now), so that writes needing another page fail as on a full disk; it
// returns the limit in force. It lasts as long as the writer connection
// (the store's lifetime). For drills and tests of the full-disk behaviour;
// a large number lifts the limit.
func (s *Store) SetMaxPages(ctx context.Context, pages int64) (int64, error) {
	if s.engine != SQLite {
		return 0, errors.New("storage: max pages: SQLite only")
	}
	if pages <= 0 {
		if err := s.wdb.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
			return 0, fmt.Errorf("storage: max pages: %w", err)
		}
	}
	var got int64
	// PRAGMA takes no placeholders; pages is a number.
	if err := s.wdb.QueryRowContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)).Scan(&got); err != nil {
		return 0, fmt.Errorf("storage: max pages: %w", err)
	}
	return got, nil
}
