package storage

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
)

// Every table the migrations make is copied.
func TestCopyTablesCoverTheSchema(t *testing.T) {
	s, _ := openTest(t)
	tables := queryStrings(t, s, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	want := slices.Sorted(slices.Values(append(slices.Clone(copyTables), notCopied...)))
	if !slices.Equal(tables, want) {
		t.Fatalf("schema tables %v, copyTables %v: add the new table to copyTables (parents first)", tables, want)
	}
}

// fillForCopy gives a store one of everything: chats (one inactive), a
// parcel two chats follow with events, a pending and a sent message, and
// an open carrier outage with a told chat.
func fillForCopy(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	mustTouch(t, s, 1, "private")
	mustTouch(t, s, -1002, "supergroup")
	mustTouch(t, s, 3, "private")
	a := mustSubscribe(t, s, 1, "ups", upsNumber(1), "boots <b>")
	mustSubscribe(t, s, -1002, "ups", upsNumber(1), "")
	mustSubscribe(t, s, 3, "dhl", dhlNumber(2), "lamp")
	if err := s.SetChatActive(ctx, 3, false); err != nil {
		t.Fatal(err)
	}
	berlin := time.FixedZone("CET", 3600)
	_, err := s.RecordPoll(ctx, PollRecord{
		ShipmentID: a.Shipment.ID,
		Result: tracker.Result{Status: tracker.StatusInTransit, StatusText: "On the way", ETA: t0.Add(48 * time.Hour).In(berlin),
			Events: []tracker.Event{
				{Time: t0.In(berlin), Status: tracker.StatusInTransit, Description: "Departed", Location: "Köln, DE"},
				{Time: t0.Add(-time.Hour).In(berlin), Status: tracker.StatusInfoReceived, Description: "Label"},
			}},
		PolledAt: t0, NextPollAt: t0.Add(time.Hour),
		Notice: &Notice{Kind: "parcel", Payload: `{"status":"in_transit"}`, DedupeKey: "copy:" + a.Shipment.Number},
	})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingOutbox(ctx, t0, 0)
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending = %d, %v", len(pending), err)
	}
	if err := s.MarkSent(ctx, pending[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StoreUpdates(ctx, t0, InboxUpdate{UpdateID: 900, ChatID: 3, Body: []byte(`{"update_id":900}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordCarrierFailure(ctx, "dhl", t0.Add(-4*time.Hour), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordOutageNotices(ctx, "dhl", t0, []OutageNotice{{Notice: ChatNotice{ChatID: 3, DedupeKey: "outage:dhl:3", Kind: "outage", Payload: "{}"}, Carriers: "DHL"}}); err != nil {
		t.Fatal(err)
	}
}

// What the bot reads back is the same on both sides of a copy.
type copyView struct {
	Subs     map[int64][]Subscription
	Chats    []Chat
	Events   [][]tracker.Event
	Pending  []OutboxItem
	Outage   CarrierOutage
	Counts   Counts
	Versions int
}

func viewForCopy(t *testing.T, s *Store) copyView {
	t.Helper()
	ctx := context.Background()
	v := copyView{Subs: map[int64][]Subscription{}}
	for _, id := range []int64{1, -1002, 3} {
		subs, err := s.ChatSubscriptions(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		v.Subs[id] = subs
		c, err := s.Chat(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		v.Chats = append(v.Chats, c)
		for _, sub := range subs {
			ev, err := s.ShipmentEvents(ctx, sub.Shipment.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			v.Events = append(v.Events, ev)
		}
	}
	var err error
	if v.Pending, err = s.PendingOutbox(ctx, t0.Add(time.Hour), 0); err != nil {
		t.Fatal(err)
	}
	if v.Outage, err = s.CarrierOutage(ctx, "dhl"); err != nil {
		t.Fatal(err)
	}
	if v.Counts, err = s.Counts(ctx); err != nil {
		t.Fatal(err)
	}
	if v.Versions, err = s.SchemaVersion(ctx); err != nil {
		t.Fatal(err)
	}
	return v
}

// SQLite to the engine under test: everything arrives with its ids, a
// second run copies nothing and still checks, and new rows get fresh ids.
func TestCopy(t *testing.T) { storagetest.Each(t, testCopy) }

func testCopy(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	src, _ := openTest(t)
	fillForCopy(t, src)
	dst, _ := openOn(t, e)

	report, err := Copy(ctx, src, dst)
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	copied := map[string]int{}
	for _, r := range report {
		if r.Source != r.Target || r.Copied != r.Source {
			t.Errorf("%s: %+v, want every source row copied", r.Table, r)
		}
		copied[r.Table] = r.Copied
	}
	want := map[string]int{"chats": 3, "shipments": 2, "events": 2, "subscriptions": 3, "outbox": 3, "carrier_outages": 1, "carrier_outage_chats": 1, "inbox": 1}
	if !reflect.DeepEqual(copied, want) {
		t.Errorf("copied %v, want %v", copied, want)
	}
	if got, want := viewForCopy(t, dst), viewForCopy(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the copy the target reads\n%+v\nthe source\n%+v", got, want)
	}

	again, err := Copy(ctx, src, dst)
	if err != nil {
		t.Fatalf("second Copy: %v", err)
	}
	for _, r := range again {
		if r.Copied != 0 || r.Source != r.Target {
			t.Errorf("second copy of %s: %+v, want nothing copied and equal counts", r.Table, r)
		}
	}

	// The bot goes on on the target: new rows must not collide with copied ids.
	sub, created, err := dst.Subscribe(ctx, SubscribeParams{ChatID: 1, Carrier: "ups", Number: upsNumber(9), Now: t0})
	if err != nil || !created {
		t.Fatalf("Subscribe on the target: %v, created %v", err, created)
	}
	if n, err := dst.Enqueue(ctx, OutboxMessage{ChatID: 1, SubscriptionID: sub.ID, DedupeKey: "after-copy", Text: "hi"}); err != nil || n != 1 {
		t.Fatalf("Enqueue on the target: %d, %v", n, err)
	}

	// Now the target has rows the source lacks: the check says so.
	_, err = Copy(ctx, src, dst)
	if !errors.Is(err, ErrCountMismatch) {
		t.Fatalf("copy onto a target with more rows: err = %v, want ErrCountMismatch", err)
	}
}
