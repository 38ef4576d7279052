package storage

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"

	"github.com/trackbot/trackbot/storage/storagetest"
)

// A batch where one record is for an unknown shipment and one fails inside
// (its Compose queues a message without a dedupe key): those two store
// nothing, the rest is stored, all in one transaction.
func TestRecordPollsIsAllOrNothingPerShipment(t *testing.T) {
	storagetest.Each(t, testRecordPollsIsAllOrNothingPerShipment)
}

func testRecordPollsIsAllOrNothingPerShipment(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	var ids []int64
	for i := range 3 {
		ids = append(ids, mustSubscribe(t, s, 1, "ups", upsNumber(100+i), "").Shipment.ID)
	}
	scan := func(i int) tracker.Event {
		return tracker.Event{Time: t0.Add(-time.Duration(i) * time.Hour), Status: tracker.StatusInTransit, Description: "Departed facility", Location: fmt.Sprintf("Hub %d", i)}
	}
	push := func(key string) func(Shipment, []tracker.Event, []Subscription) []OutboxMessage {
		return func(_ Shipment, _ []tracker.Event, followers []Subscription) []OutboxMessage {
			var msgs []OutboxMessage
			for _, f := range followers {
				msgs = append(msgs, OutboxMessage{ChatID: f.ChatID, SubscriptionID: f.ID, DedupeKey: key, Text: "moved"})
			}
			return msgs
		}
	}
	next := t0.Add(time.Hour)
	records := []PollRecord{
		{ShipmentID: ids[0], PolledAt: t0, NextPollAt: next, Result: poll(tracker.StatusInTransit, scan(0)), Compose: push("a")},
		{ShipmentID: 999_999, PolledAt: t0, NextPollAt: next, Result: poll(tracker.StatusInTransit, scan(1))},
		{ShipmentID: ids[1], PolledAt: t0, NextPollAt: next, Result: poll(tracker.StatusInTransit, scan(2)), Compose: push("")},
		{ShipmentID: ids[2], PolledAt: t0, NextPollAt: next, Result: poll(tracker.StatusInTransit, scan(3), scan(4)), Compose: push("c")},
	}
	outs, err := s.RecordPolls(ctx, records)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != len(records) {
		t.Fatalf("%d outcomes for %d records", len(outs), len(records))
	}
	cases := []struct {
		name      string
		out       PollOutcome
		id        int64
		wantErr   error // nil, ErrNotFound, or errAny
		wantFresh []tracker.Event
	}{
		{"stored", outs[0], ids[0], nil, []tracker.Event{scan(0)}},
		{"unknown shipment", outs[1], 999_999, ErrNotFound, nil},
		{"compose failed", outs[2], ids[1], errAny, nil},
		{"stored after a failure", outs[3], ids[2], nil, []tracker.Event{scan(3), scan(4)}},
	}
	for _, c := range cases {
		switch {
		case c.wantErr == nil && c.out.Err != nil,
			c.wantErr == ErrNotFound && !errors.Is(c.out.Err, ErrNotFound),
			c.wantErr == errAny && (c.out.Err == nil || errors.Is(c.out.Err, ErrNotFound)):
			t.Errorf("%s: err = %v, want %v", c.name, c.out.Err, c.wantErr)
		}
		if !sameEvents(c.out.Fresh, c.wantFresh) {
			t.Errorf("%s: fresh = %v, want %v", c.name, c.out.Fresh, c.wantFresh)
		}
		if c.id == 999_999 {
			continue
		}
		sh, err := s.Shipment(ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		events, err := s.ShipmentEvents(ctx, c.id, 0)
		if err != nil {
			t.Fatal(err)
		}
		stored := c.wantErr == nil
		if stored != sh.PolledAt.Equal(t0) || stored != (sh.Status == tracker.StatusInTransit) || !sameEvents(events, c.wantFresh) {
			t.Errorf("%s: shipment %+v with events %v; stored should be %t", c.name, sh, events, stored)
		}
	}
	items, err := s.PendingOutbox(ctx, t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].DedupeKey != "a" || items[1].DedupeKey != "c" {
		t.Fatalf("outbox = %+v, want the pushes a and c", items)
	}
}

var errAny = errors.New("any error but ErrNotFound")

// Newsworthy false: no followers read, no Compose, yet the poll itself
// (events, polled_at, next_poll_at) is stored.
func TestRecordPollsNewsworthy(t *testing.T) { storagetest.Each(t, testRecordPollsNewsworthy) }

func testRecordPollsNewsworthy(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	id := mustSubscribe(t, s, 1, "ups", upsNumber(200), "").Shipment.ID
	e1 := tracker.Event{Time: t0.Add(-time.Hour), Status: tracker.StatusInTransit, Description: "Departed", Location: "Reno, NV, US"}
	e2 := tracker.Event{Time: t0, Status: tracker.StatusInTransit, Description: "Arrived", Location: "Ogden, UT, US"}
	for _, c := range []struct {
		name        string
		at          time.Time
		events      []tracker.Event
		newsworthy  bool
		wantAsked   []tracker.Event // the fresh events Newsworthy saw
		wantCompose bool
	}{
		{"first scan, news", t0, []tracker.Event{e1}, true, []tracker.Event{e1}, true},
		{"nothing new", t0.Add(time.Hour), []tracker.Event{e1}, false, nil, false},
		{"new scan, no news", t0.Add(2 * time.Hour), []tracker.Event{e2, e1}, false, []tracker.Event{e2}, false},
	} {
		var asked []tracker.Event
		var askedBefore Shipment
		composed := false
		next := c.at.Add(time.Hour)
		outs, err := s.RecordPolls(ctx, []PollRecord{{
			ShipmentID: id, PolledAt: c.at, NextPollAt: next, Result: poll(tracker.StatusInTransit, c.events...),
			Newsworthy: func(before Shipment, fresh []tracker.Event) bool {
				askedBefore, asked = before, append([]tracker.Event(nil), fresh...)
				return c.newsworthy
			},
			Compose: func(Shipment, []tracker.Event, []Subscription) []OutboxMessage {
				composed = true
				return nil
			},
		}})
		if err != nil || outs[0].Err != nil {
			t.Fatalf("%s: %v, %v", c.name, err, outs[0].Err)
		}
		if !sameEvents(asked, c.wantAsked) || askedBefore.ID != id || composed != c.wantCompose {
			t.Errorf("%s: Newsworthy saw %v (shipment %d); composed %t, want %t", c.name, asked, askedBefore.ID, composed, c.wantCompose)
		}
		sh, _ := s.Shipment(ctx, id)
		if !sh.PolledAt.Equal(c.at) || !sh.NextPollAt.Equal(next) {
			t.Errorf("%s: polled %v next %v, want %v and %v", c.name, sh.PolledAt, sh.NextPollAt, c.at, next)
		}
	}
	if events, _ := s.ShipmentEvents(ctx, id, 0); !sameEvents(events, []tracker.Event{e2, e1}) {
		t.Errorf("events = %v", events)
	}
}

func TestRecordPollsCancelled(t *testing.T) { storagetest.Each(t, testRecordPollsCancelled) }

func testRecordPollsCancelled(t *testing.T, e storagetest.Engine) {
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	id := mustSubscribe(t, s, 1, "ups", upsNumber(300), "").Shipment.ID
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.RecordPolls(ctx, []PollRecord{{ShipmentID: id, PolledAt: t0, NextPollAt: t0}}); err == nil {
		t.Fatal("RecordPolls with a cancelled context succeeded")
	}
	if sh, _ := s.Shipment(context.Background(), id); !sh.PolledAt.IsZero() {
		t.Fatalf("cancelled batch stored a poll: %+v", sh)
	}
}
