package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// copyTables are every table the migrations make, parents before children
// so foreign keys hold while rows arrive. A table missing here fails
// TestCopyTablesCoverTheSchema.
var copyTables = []string{
	"chats", "shipments", "events", "subscriptions", "outbox",
	"carrier_outages", "carrier_outage_chats", "inbox",
}

// notCopied are tables that hold no data to move: send_pace, send_tokens
// and carrier_pace are the running instances' schedules and window, made
// afresh by the migrations and the instances.
var notCopied = []string{"send_pace", "send_tokens", "carrier_pace"}

// TableCopy is what Copy did with one table: rows in the source, rows it
// inserted, and rows in the target afterwards.
type TableCopy struct {
	Table                  string
	Source, Copied, Target int
}

// ErrCountMismatch: after a copy the target's row count of some table is
// not the source's (the target held other data, or the source changed).
var ErrCountMismatch = errors.New("storage: copy: row counts differ")

// Copy copies every row of from into to (another database, usually another
// engine: SQLite to PostgreSQL), ids and all, in one transaction on to, and
// then checks that each table holds as many rows in both. Rows already in
// to (same key) are left alone, so running it again copies nothing and
// checks again. Both stores are at the same schema version (Open migrated
// them). Stop the bot on from first: what it writes afterwards is not copied.
func Copy(ctx context.Context, from, to *Store) ([]TableCopy, error) {
	report := make([]TableCopy, len(copyTables))
	err := to.inTx(ctx, func(tx *sql.Tx) error {
		for i, table := range copyTables {
			n, err := copyTable(ctx, from.r, tx, table)
			if err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
			report[i] = TableCopy{Table: table, Copied: n}
			if to.engine == PostgreSQL {
				if err := bumpIdentity(ctx, tx, table); err != nil {
					return fmt.Errorf("%s: %w", table, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: copy: %w", err)
	}
	var mismatch []string
	for i := range report {
		r := &report[i]
		if err := countRows(ctx, from.r, r.Table, &r.Source); err != nil {
			return report, fmt.Errorf("storage: copy: count source %s: %w", r.Table, err)
		}
		if err := countRows(ctx, to.r, r.Table, &r.Target); err != nil {
			return report, fmt.Errorf("storage: copy: count target %s: %w", r.Table, err)
		}
		if r.Source != r.Target {
			mismatch = append(mismatch, fmt.Sprintf("%s %d in the source, %d in the target", r.Table, r.Source, r.Target))
		}
	}
	if len(mismatch) > 0 {
		return report, fmt.Errorf("%w: %s", ErrCountMismatch, strings.Join(mismatch, "; "))
	}
	return report, nil
}

// countRows: table names come from copyTables, never from input.
func countRows(ctx context.Context, q querier, table string, n *int) error {
	return q.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(n)
}

// copyBatchParams bounds one multi-row INSERT's parameters (SQLite allows
// 32766, PostgreSQL 65535).
const copyBatchParams = 30000

// copyTable streams table's rows from src into tx in multi-row INSERTs and
// returns how many were new.
func copyTable(ctx context.Context, src querier, tx *sql.Tx, table string) (int, error) {
	rows, err := src.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	per := max(1, min(500, copyBatchParams/len(cols)))
	var (
		batch  []any
		copied int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := insertRows(ctx, tx, table, cols, batch)
		copied += n
		batch = batch[:0]
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return copied, fmt.Errorf("read: %w", err)
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok { // a driver's text as bytes: PostgreSQL would take it for bytea
				v = string(b)
			}
			batch = append(batch, v)
		}
		if len(batch) >= per*len(cols) {
			if err := flush(); err != nil {
				return copied, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return copied, fmt.Errorf("read: %w", err)
	}
	return copied, flush()
}

// insertRows inserts len(args)/len(cols) rows, skipping those whose key is
// there already.
func insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, args []any) (int, error) {
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES `)
	for i := range args {
		switch {
		case i == 0:
			b.WriteString("(")
		case i%len(cols) == 0:
			b.WriteString("), (")
		default:
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", i+1)
	}
	b.WriteString(`) ON CONFLICT DO NOTHING`)
	res, err := tx.ExecContext(ctx, b.String(), args...)
	if err != nil {
		return 0, fmt.Errorf("write: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// bumpIdentity moves a PostgreSQL identity column's sequence past the
// copied ids, so the next row the bot inserts gets a fresh one. Tables
// whose id is not generated (chats: Telegram's ids) have none.
func bumpIdentity(ctx context.Context, tx *sql.Tx, table string) error {
	var seq sql.NullString
	err := tx.QueryRowContext(ctx, `
		SELECT pg_get_serial_sequence($1, 'id') FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'`, table).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) { // no id column
		return nil
	}
	if err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	if !seq.Valid {
		return nil
	}
	_, err = tx.ExecContext(ctx, `SELECT setval($1, (SELECT COALESCE(MAX(id), 0) + 1 FROM `+table+`), false)`, seq.String)
	if err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	return nil
}
