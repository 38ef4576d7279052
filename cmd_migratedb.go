package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/trackbot/trackbot/storage"
)

// runMigrateDB is `trackbot migrate-db --from trackbot.db --to postgres://…`:
// every row of one database copied into another (usually SQLite into
// PostgreSQL), in one transaction, then the row counts of both compared.
// Running it again copies nothing and compares again.
func runMigrateDB(parent context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate-db", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the database to copy: a SQLite file (or a postgres:// URL)")
	to := fs.String("to", "", "the database to fill: a postgres:// URL (or a SQLite file)")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("migrate-db: %w", err)
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return errors.New("migrate-db: usage: trackbot migrate-db --from trackbot.db --to postgres://user@host/db")
	}
	if *from == *to {
		return errors.New("migrate-db: --from and --to name the same database")
	}
	// Open would create an empty SQLite file where a path is mistyped.
	if storage.EngineOf(*from) == storage.SQLite {
		if _, err := os.Stat(*from); err != nil {
			return fmt.Errorf("migrate-db: --from %s: no such database file", *from)
		}
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()

	src, err := storage.Open(ctx, *from)
	if err != nil {
		return fmt.Errorf("migrate-db: --from: %w", err)
	}
	defer src.Close()
	dst, err := storage.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("migrate-db: --to: %w", err)
	}
	defer dst.Close()

	report, err := storage.Copy(ctx, src, dst)
	for _, r := range report {
		fmt.Fprintf(stdout, "%-22s %8d rows, %8d copied now, %8d in the target\n", r.Table, r.Source, r.Copied, r.Target)
	}
	if errors.Is(err, storage.ErrCountMismatch) {
		return fmt.Errorf("migrate-db: %w (is a bot still writing to either database?)", err)
	}
	if err != nil {
		return fmt.Errorf("migrate-db: %w", err)
	}
	fmt.Fprintf(stdout, "done: %s (%s) → %s (%s), every table's row count matches\n",
		storage.Redacted(*from), src.Engine(), storage.Redacted(*to), dst.Engine())
	return nil
}
