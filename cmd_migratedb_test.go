package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
)

// A SQLite database with two chats following three parcels moves into the
// engine under test; the second run copies nothing and checks again.
func TestMigrateDB(t *testing.T) { storagetest.Each(t, testMigrateDB) }

func testMigrateDB(t *testing.T, db storagetest.Engine) {
	ctx := context.Background()
	from := filepath.Join(t.TempDir(), "old.db")
	src, err := storage.Open(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for i, p := range []struct {
		chat          int64
		number, label string
	}{{11, "1Z999AA10123456784", "boots"}, {11, "RB123456785DE", ""}, {-10022, "1Z999AA10123456784", "flat"}} {
		if err := src.TouchChat(ctx, storage.Chat{ID: p.chat, Type: "private", Title: "chat"}); err != nil {
			t.Fatal(err)
		}
		carrier := "ups"
		if i == 1 {
			carrier = "s10"
		}
		if _, _, err := src.Subscribe(ctx, storage.SubscribeParams{ChatID: p.chat, Carrier: carrier, Number: p.number, Label: p.label, Now: now}); err != nil {
			t.Fatal(err)
		}
	}
	want, err := src.ChatSubscriptions(ctx, 11)
	if err != nil {
		t.Fatal(err)
	}
	src.Close()

	to := db.DSN(t)
	for i, copied := range []string{"2 copied now", "0 copied now"} {
		var out, errOut bytes.Buffer
		if err := runContext(ctx, []string{"migrate-db", "--from", from, "--to", to}, strings.NewReader(""), &out, &errOut); err != nil {
			t.Fatalf("run %d: %v\n%s", i+1, err, errOut.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if !strings.HasPrefix(lines[len(lines)-1], "done: ") || !strings.Contains(out.String(), "shipments") {
			t.Fatalf("run %d printed:\n%s", i+1, out.String())
		}
		var shipments string
		for _, l := range lines {
			if strings.HasPrefix(l, "shipments ") {
				shipments = l
			}
		}
		if !strings.Contains(strings.Join(strings.Fields(shipments), " "), copied) {
			t.Errorf("run %d: shipments line %q, want %q", i+1, shipments, copied)
		}
	}
	dst, err := storage.Open(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	got, err := dst.ChatSubscriptions(ctx, 11)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Label != want[0].Label || got[0].ID != want[0].ID || got[1].Shipment.Number != want[1].Shipment.Number {
		t.Fatalf("subscriptions after migrate-db %+v, want %+v", got, want)
	}
}

// Wrong input is named in one line, and a password in a URL never shows.
func TestMigrateDBRefusals(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.db")
	cases := map[string]struct {
		args []string
		want string
	}{
		"no flags":          {nil, "usage: trackbot migrate-db --from"},
		"no target":         {[]string{"--from", "a.db"}, "usage"},
		"same database":     {[]string{"--from", "a.db", "--to", "a.db"}, "name the same database"},
		"missing source":    {[]string{"--from", missing, "--to", "postgres://x@127.0.0.1:1/db"}, "no such database file"},
		"unknown flag":      {[]string{"--form", "a.db"}, "flag provided but not defined"},
		"server not there":  {[]string{"--from", "postgres://bob:s3cr3t-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", "--to", "b.db"}, "--from"},
		"unparsable target": {[]string{"--from", writeEmptyDB(t), "--to", "postgres://bob:s3cr3t-pw@[::1/db"}, "not a valid PostgreSQL URL"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runContext(context.Background(), append([]string{"migrate-db"}, c.args...), strings.NewReader(""), &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to say %q", err, c.want)
			}
			if msg := oneLine(err); strings.Contains(msg, "s3cr3t-pw") || strings.Contains(out.String()+errOut.String(), "s3cr3t-pw") {
				t.Fatalf("the password reached the output: %s", msg)
			}
		})
	}
}

// writeEmptyDB makes a valid, empty SQLite database to copy from.
func writeEmptyDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "empty.db")
	s, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return path
}
