package storage

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"

	"github.com/trackbot/trackbot/storage/storagetest"
)

func TestOpenMigratesAndSetsPragmas(t *testing.T) {
	ctx := context.Background()
	// A directory name with a space and a '?' proves the path is escaped.
	dir := filepath.Join(t.TempDir(), "bot data?x")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "trackbot.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not at %s: %v", path, err)
	}
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(migrations))
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}

	pragmas := []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
		{"busy_timeout", "10000"},
	}
	for _, db := range []struct {
		name string
		q    querier
	}{{"writer", s.w}, {"reader", s.r}} {
		for _, p := range pragmas {
			var got string
			if err := db.q.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				t.Fatalf("%s PRAGMA %s: %v", db.name, p.pragma, err)
			}
			if got != p.want {
				t.Errorf("%s PRAGMA %s = %q, want %q", db.name, p.pragma, got, p.want)
			}
		}
	}
	// The readers refuse writes, so a write can never bypass the single writer.
	if _, err := s.r.ExecContext(ctx, `INSERT INTO chats (id, created_at, updated_at) VALUES (1, 0, 0)`); err == nil {
		t.Error("reader pool accepted a write")
	}

	for _, table := range []string{"chats", "shipments", "events", "subscriptions", "outbox", "carrier_outages", "carrier_outage_chats"} {
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: count %d, %v", table, n, err)
		}
	}
	for _, index := range []string{"shipments_due", "outbox_pending", "subscriptions_shipment", "events_shipment_time"} {
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = $1`, index).Scan(&n); err != nil || n != 1 {
			t.Errorf("index %s: count %d, %v", index, n, err)
		}
	}
}

func TestReopenIsIdempotent(t *testing.T) { storagetest.Each(t, testReopenIsIdempotent) }

func testReopenIsIdempotent(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, path := openOn(t, e)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := 0; i < 3; i++ {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
			t.Fatalf("reopen %d: version %d, %v", i, v, err)
		}
		s.Close()
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) { storagetest.Each(t, testOpenRefusesNewerSchema) }

func testOpenRefusesNewerSchema(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, path := openOn(t, e)
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := setSchemaVersion(ctx, tx, s.engine, 999); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open of a newer schema: err = %v, want a 'newer' error", err)
	}
}

func TestOpenRejectsMemory(t *testing.T) {
	for _, path := range []string{"", ":memory:"} {
		if s, err := Open(context.Background(), path); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

// "Stop the bot, start it again, /list shows the same."
func TestReopenKeepsData(t *testing.T) { storagetest.Each(t, testReopenKeepsData) }

func testReopenKeepsData(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, path := openOn(t, e)
	mustTouch(t, s, 100, "private")
	a := mustSubscribe(t, s, 100, "ups", upsNumber(1), "<b>boots</b>")
	mustSubscribe(t, s, 100, "dhl", dhlNumber(2), "")
	berlin := time.FixedZone("CET", 3600)
	_, err := s.RecordPoll(ctx, PollRecord{
		ShipmentID: a.Shipment.ID,
		Result: tracker.Result{Status: tracker.StatusInTransit, StatusText: "On the way",
			ETA:    time.Date(2026, 11, 24, 23, 0, 0, 0, berlin),
			Events: []tracker.Event{{Time: t0.In(berlin), Status: tracker.StatusInTransit, Description: "Departed", Location: "Köln, DE"}}},
		PolledAt: t0, NextPollAt: t0.Add(time.Hour),
	})
	if err != nil {
		t.Fatalf("RecordPoll: %v", err)
	}
	beforeSubs, err := s.ChatSubscriptions(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	beforeEvents, err := s.ShipmentEvents(ctx, a.Shipment.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	afterSubs, err := s2.ChatSubscriptions(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(afterSubs) != 2 || !reflect.DeepEqual(beforeSubs, afterSubs) {
		t.Fatalf("subscriptions after reopen:\n got %+v\nwant %+v", afterSubs, beforeSubs)
	}
	afterEvents, err := s2.ShipmentEvents(ctx, a.Shipment.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(afterEvents) != 1 || !afterEvents[0].Time.Equal(beforeEvents[0].Time) || afterEvents[0] != beforeEvents[0] {
		t.Fatalf("events after reopen: %+v, want %+v", afterEvents, beforeEvents)
	}
	// The ETA keeps the carrier's offset, so its calendar day does not shift.
	eta := afterSubs[0].Shipment.ETA
	if _, off := eta.Zone(); off != 3600 || eta.Day() != 24 {
		t.Errorf("ETA after reopen = %v, want 24 Nov 23:00 +01:00", eta)
	}
	c, err := s2.Chat(ctx, 100)
	if err != nil || c != (Chat{ID: 100, Type: "private", Title: "chat 100", Active: true}) {
		t.Errorf("Chat after reopen = %+v, %v", c, err)
	}
}

func TestCounts(t *testing.T) { storagetest.Each(t, testCounts) }

func testCounts(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	mustTouch(t, s, 2, "group")
	mustSubscribe(t, s, 1, "ups", upsNumber(1), "")
	mustSubscribe(t, s, 2, "ups", upsNumber(1), "")
	mustSubscribe(t, s, 2, "ups", upsNumber(2), "")
	if err := s.SetChatActive(ctx, 2, false); err != nil {
		t.Fatal(err)
	}
	got, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{Chats: 2, ActiveChats: 1, Shipments: 2, FollowedShipments: 1, Subscriptions: 3}
	if got != want {
		t.Fatalf("Counts = %+v, want %+v", got, want)
	}
}

func TestTimesRoundTrip(t *testing.T) {
	cases := map[string]struct {
		in   time.Time
		want time.Time
	}{
		"zero":             {time.Time{}, time.Time{}},
		"utc":              {t0, t0},
		"offset to utc":    {t0.In(time.FixedZone("X", -5*3600)), t0},
		"sub-second drops": {t0.Add(700 * time.Millisecond), t0},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := fromUnix(unix(c.in))
			if !got.Equal(c.want) || (!got.IsZero() && got.Location() != time.UTC) {
				t.Fatalf("fromUnix(unix(%v)) = %v, want %v UTC", c.in, got, c.want)
			}
			z, err := fromZoned(zoned(c.in))
			if err != nil || !z.Equal(c.in) {
				t.Fatalf("fromZoned(zoned(%v)) = %v, %v", c.in, z, err)
			}
		})
	}
	if _, err := fromZoned("yesterday"); err == nil {
		t.Error("fromZoned accepted garbage")
	}
}

func TestNotFound(t *testing.T) { storagetest.Each(t, testNotFound) }

func testNotFound(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	checks := map[string]error{
		"Chat":               func() error { _, err := s.Chat(ctx, 9); return err }(),
		"SetChatActive":      s.SetChatActive(ctx, 9, false),
		"MigrateChat":        s.MigrateChat(ctx, 9, 10),
		"SubscriptionByID":   func() error { _, err := s.SubscriptionByID(ctx, 9); return err }(),
		"Unsubscribe":        s.Unsubscribe(ctx, 9),
		"RenameSubscription": s.RenameSubscription(ctx, 9, "x"),
		"ChangeCarrier":      func() error { _, err := s.ChangeCarrier(ctx, 9, "dhl", t0); return err }(),
		"MarkNotReceived":    s.MarkNotReceived(ctx, 9, t0),
		"Shipment":           func() error { _, err := s.Shipment(ctx, 9); return err }(),
		"RecordPoll":         func() error { _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: 9}); return err }(),
		"RecordPollFailure":  s.RecordPollFailure(ctx, 9, t0, t0, "x"),
		"MarkSent":           s.MarkSent(ctx, 9, t0),
		"RetryLater":         s.RetryLater(ctx, 9, t0, "x"),
		"MarkFailed":         s.MarkFailed(ctx, 9, "x"),
		"CarrierOutage":      func() error { _, err := s.CarrierOutage(ctx, "ups"); return err }(),
	}
	for name, err := range checks {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", name, err)
		}
	}
}
