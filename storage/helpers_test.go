package storage

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// t0 is the tests' "now": a fixed instant, so expectations are exact.
var t0 = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// openOn opens a fresh, empty store on engine e and returns it with its
// TRACKBOT_DB value (to open it again). Tests that run on both engines
// (storagetest.Each) open through here; the store closes when t ends.
func openOn(t testing.TB, e storagetest.Engine) (*Store, string) {
	t.Helper()
	dsn := e.DSN(t)
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

// openTest opens a fresh SQLite store, for what only SQLite has.
func openTest(t testing.TB) (*Store, string) {
	t.Helper()
	return openOn(t, storagetest.SQLite)
}

// TestPostgreSQL says, in one line, whether this package's tests also ran
// on PostgreSQL.
func TestPostgreSQL(t *testing.T) { storagetest.RequirePostgres(t) }

// upsNumber is the i-th generated UPS number (upstest.TrackingNumber).
func upsNumber(i int) string { return upstest.TrackingNumber(i) }

// dhlNumber makes the i-th valid 10-digit DHL Express number: a 9-digit
// serial and its value mod 7.
func dhlNumber(i int) string {
	serial := 481000000 + i
	return fmt.Sprintf("%d%d", serial, serial%7)
}

func mustTouch(t testing.TB, s *Store, id int64, typ string) {
	t.Helper()
	if err := s.TouchChat(context.Background(), Chat{ID: id, Type: typ, Title: "chat " + strconv.FormatInt(id, 10)}); err != nil {
		t.Fatalf("TouchChat(%d): %v", id, err)
	}
}

func mustSubscribe(t testing.TB, s *Store, chat int64, carrier, number, label string) Subscription {
	t.Helper()
	sub, _, err := s.Subscribe(context.Background(), SubscribeParams{
		ChatID: chat, Carrier: carrier, Number: number, Label: label, Now: t0,
	})
	if err != nil {
		t.Fatalf("Subscribe(%d, %s): %v", chat, number, err)
	}
	return sub
}
