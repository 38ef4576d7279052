package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedFileIsNamed: a file that is no database, and a database whose
// pages were overwritten, stop Open with ErrCorrupt and the way out.
func TestDamagedFileIsNamed(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("this is not sqlite ", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, junk); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "backup") {
		t.Errorf("junk file: %v, want ErrCorrupt naming the backup", err)
	}

	damaged := filepath.Join(dir, "damaged.db")
	s, err := Open(ctx, damaged)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		mustTouch(t, s, int64(i+1), "private")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(damaged, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := f.Stat()
	// Garble the pages after the first (the schema stays readable).
	if _, err := f.WriteAt([]byte(strings.Repeat("\xde\xad\xbe\xef", 1024)), min(info.Size()-4096, 8192)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Open(ctx, damaged)
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("damaged pages: %v, want ErrCorrupt", err)
	}
}
