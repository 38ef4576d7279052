package storage

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/storage/storagetest"
)

// schemaShape is what the two columns of migrations must agree on: every
// table's columns (name and whether NULL is allowed) and the indexes we
// name ourselves.
type schemaShape struct {
	Columns map[string][]string // table → "column" or "column NULL", sorted
	Indexes []string
}

func sqliteShape(t *testing.T, s *Store) schemaShape {
	t.Helper()
	ctx := context.Background()
	shape := schemaShape{Columns: map[string][]string{}}
	for _, table := range queryStrings(t, s, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`) {
		rows, err := s.r.QueryContext(ctx, `SELECT name, "notnull", pk FROM pragma_table_info($1)`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var (
				col         string
				notNull, pk int
			)
			if err := rows.Scan(&col, &notNull, &pk); err != nil {
				t.Fatal(err)
			}
			if notNull == 0 && pk == 0 {
				col += " NULL"
			}
			shape.Columns[table] = append(shape.Columns[table], col)
		}
		rows.Close()
		slices.Sort(shape.Columns[table])
	}
	shape.Indexes = queryStrings(t, s, `SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name`)
	return shape
}

func postgresShape(t *testing.T, s *Store) schemaShape {
	t.Helper()
	ctx := context.Background()
	shape := schemaShape{Columns: map[string][]string{}}
	rows, err := s.r.QueryContext(ctx, `
		SELECT table_name, column_name, is_nullable FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'schema_version'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var table, col, nullable string
		if err := rows.Scan(&table, &col, &nullable); err != nil {
			t.Fatal(err)
		}
		if nullable == "YES" {
			col += " NULL"
		}
		shape.Columns[table] = append(shape.Columns[table], col)
	}
	rows.Close()
	for table := range shape.Columns {
		slices.Sort(shape.Columns[table])
	}
	// Constraint indexes (primary keys, UNIQUE) are SQLite's autoindexes.
	shape.Indexes = queryStrings(t, s, `
		SELECT i.indexname FROM pg_indexes i
		WHERE i.schemaname = current_schema()
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
		ORDER BY i.indexname`)
	return shape
}

func queryStrings(t *testing.T, s *Store, query string) []string {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Both columns of every migration build the same tables, columns and
// indexes, so a step added to one engine alone fails here.
func TestEnginesHaveTheSameSchema(t *testing.T) {
	for i, m := range migrations {
		if strings.TrimSpace(m.sqlite) == "" || strings.TrimSpace(m.postgres) == "" {
			t.Errorf("migration %d lacks its SQLite or PostgreSQL text", i+1)
		}
	}
	lite, _ := openTest(t)
	pg, _ := openOn(t, storagetest.Postgres) // skips without TRACKBOT_TEST_POSTGRES
	want, got := sqliteShape(t, lite), postgresShape(t, pg)
	if len(want.Columns["outbox"]) == 0 || len(want.Indexes) == 0 {
		t.Fatalf("read no schema from SQLite: %+v", want)
	}
	for table, cols := range want.Columns {
		if !slices.Equal(got.Columns[table], cols) {
			t.Errorf("table %s: PostgreSQL columns %v, SQLite %v", table, got.Columns[table], cols)
		}
	}
	for table := range got.Columns {
		if _, ok := want.Columns[table]; !ok {
			t.Errorf("table %s exists on PostgreSQL only", table)
		}
	}
	if !slices.Equal(got.Indexes, want.Indexes) {
		t.Errorf("indexes: PostgreSQL %v, SQLite %v", got.Indexes, want.Indexes)
	}
	for _, s := range []*Store{lite, pg} {
		if v, err := s.SchemaVersion(context.Background()); err != nil || v != len(migrations) {
			t.Errorf("%s: SchemaVersion = %d, %v; want %d", s.Engine(), v, err, len(migrations))
		}
	}
}

// Migration 9 rebuilds subscriptions (AUTOINCREMENT) on a database in use:
// its rows, and the outbox rows that point at them, come through.
func TestMigrationKeepsSubscriptions(t *testing.T) {
	ctx := context.Background()
	path := storagetest.SQLite.DSN(t)
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range migrations[:8] {
		if _, err := db.ExecContext(ctx, m.sqlite); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	if _, err := db.ExecContext(ctx, `
		PRAGMA user_version = 8;
		INSERT INTO chats (id, created_at, updated_at) VALUES (1, 0, 0);
		INSERT INTO shipments (id, carrier, number, created_at, next_poll_at) VALUES (1, 'ups', 'A', 0, 0), (2, 'ups', 'B', 0, 0);
		INSERT INTO subscriptions (id, chat_id, shipment_id, label, created_at) VALUES (3, 1, 1, 'boots', 0), (4, 1, 2, '', 0);
		INSERT INTO outbox (chat_id, subscription_id, dedupe_key, text, created_at) VALUES (1, 3, 'k3', 'x', 0), (1, NULL, 'k0', 'y', 0);`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if sub, err := s.SubscriptionByID(ctx, 3); err != nil || sub.Label != "boots" || sub.Shipment.Number != "A" {
		t.Fatalf("subscription 3 after the migration: %+v, %v", sub, err)
	}
	links := queryStrings(t, s, `SELECT dedupe_key || '=' || COALESCE(subscription_id, 0) FROM outbox ORDER BY dedupe_key`)
	if !slices.Equal(links, []string{"k0=0", "k3=3"}) {
		t.Errorf("outbox links after the migration: %v", links)
	}
	if err := s.Unsubscribe(ctx, 4); err != nil {
		t.Fatal(err)
	}
	sub, _, err := s.Subscribe(ctx, SubscribeParams{ChatID: 1, Carrier: "ups", Number: "C", Now: t0})
	if err != nil || sub.ID <= 4 {
		t.Fatalf("new subscription after stopping #4: id %d, %v; want above 4", sub.ID, err)
	}
	// The outbox's foreign key names the rebuilt table: stopping #3 still
	// detaches its sent message.
	if _, err := s.w.ExecContext(ctx, `UPDATE outbox SET sent_at = 1 WHERE dedupe_key = 'k3'`); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(ctx, 3); err != nil {
		t.Fatal(err)
	}
	links = queryStrings(t, s, `SELECT dedupe_key || '=' || COALESCE(subscription_id, 0) FROM outbox ORDER BY dedupe_key`)
	if !slices.Equal(links, []string{"k0=0", "k3=0"}) {
		t.Errorf("outbox links after stopping #3: %v", links)
	}
}
