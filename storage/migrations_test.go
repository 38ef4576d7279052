package storage

import (
	"context"
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
