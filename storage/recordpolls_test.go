package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/trackbot/trackbot/tracker"

	"github.com/trackbot/trackbot/storage/storagetest"
)

// A batch where one record is for an unknown shipment and one is stale (its
// notice was worked out from a state that is no longer stored): those two
// store nothing, the rest is stored, all in one transaction.
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
	push := func(key string) *Notice { return &Notice{Kind: "parcel", Payload: `{"moved":true}`, DedupeKey: key} }
	next := t0.Add(time.Hour)
	records := []PollRecord{
		{ShipmentID: ids[0], PolledAt: t0, NextPollAt: next, Result: poll(tracker.StatusInTransit, scan(0)), Notice: push("a")},
		{ShipmentID: 999_999, PolledAt: t0, NextPollAt: next, Result: poll(tracker.StatusInTransit, scan(1))},
		{ShipmentID: ids[1], PolledAt: t0, NextPollAt: next, Result: poll(tracker.StatusInTransit, scan(2)), Notice: push("b"), Expect: t0.Add(-time.Hour)},
		{ShipmentID: ids[2], PolledAt: t0, NextPollAt: next, Result: poll(tracker.StatusInTransit, scan(3), scan(4)), Notice: push("c")},
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
		{"stale", outs[2], ids[1], ErrStale, nil},
		{"stored after a failure", outs[3], ids[2], nil, []tracker.Event{scan(3), scan(4)}},
	}
	for _, c := range cases {
		switch {
		case c.wantErr == nil && c.out.Err != nil,
			c.wantErr != nil && !errors.Is(c.out.Err, c.wantErr):
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
	if len(items) != 2 || items[0].DedupeKey != "a:1" || items[1].DedupeKey != "c:1" ||
		items[0].Kind != "parcel" || items[0].Payload != `{"moved":true}` || items[0].SubscriptionID == 0 {
		t.Fatalf("outbox = %+v, want the notices a and c for chat 1", items)
	}
	if outs[0].Queued != 1 || outs[2].Queued != 0 {
		t.Errorf("queued %d and %d, want 1 and 0", outs[0].Queued, outs[2].Queued)
	}
}

// A poll without a notice queues nothing yet stores the poll; a notice
// worked out from an older state is refused (ErrStale) and stores nothing;
// worked out again from the stored state it goes through.
func TestRecordPollsExpect(t *testing.T) { storagetest.Each(t, testRecordPollsExpect) }

func testRecordPollsExpect(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	id := mustSubscribe(t, s, 1, "ups", upsNumber(200), "").Shipment.ID
	e1 := tracker.Event{Time: t0.Add(-time.Hour), Status: tracker.StatusInTransit, Description: "Departed", Location: "Reno, NV, US"}
	e2 := tracker.Event{Time: t0, Status: tracker.StatusInTransit, Description: "Arrived", Location: "Ogden, UT, US"}
	n := &Notice{Kind: "parcel", Payload: "{}", DedupeKey: "n"}
	for _, c := range []struct {
		name       string
		at, expect time.Time
		notice     *Notice
		events     []tracker.Event
		wantErr    error
		wantQueued int
		wantPolled time.Time
	}{
		{"no notice", t0, time.Time{}, nil, []tracker.Event{e1}, nil, 0, t0},
		{"stale notice", t0.Add(time.Hour), time.Time{}, n, []tracker.Event{e2, e1}, ErrStale, 0, t0},
		{"notice from the stored state", t0.Add(time.Hour), t0, n, []tracker.Event{e2, e1}, nil, 1, t0.Add(time.Hour)},
	} {
		outs, err := s.RecordPolls(ctx, []PollRecord{{
			ShipmentID: id, PolledAt: c.at, NextPollAt: c.at.Add(time.Hour), Result: poll(tracker.StatusInTransit, c.events...),
			Notice: c.notice, Expect: c.expect,
		}})
		if err != nil || !errors.Is(outs[0].Err, c.wantErr) || (c.wantErr == nil && outs[0].Err != nil) || outs[0].Queued != c.wantQueued {
			t.Fatalf("%s: %v, %+v", c.name, err, outs[0])
		}
		if sh, _ := s.Shipment(ctx, id); !sh.PolledAt.Equal(c.wantPolled) {
			t.Errorf("%s: polled %v, want %v", c.name, sh.PolledAt, c.wantPolled)
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

// TestCarrierTextsAreCapped: whatever a carrier sends, what is stored of
// one event, the status text and a poll error stays within the caps.
func TestCarrierTextsAreCapped(t *testing.T) { storagetest.Each(t, testCarrierTextsAreCapped) }

func testCarrierTextsAreCapped(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	id := mustSubscribe(t, s, 1, "ups", upsNumber(900), "").Shipment.ID
	huge := strings.Repeat("Ä", 100_000)
	res := poll(tracker.StatusInTransit, tracker.Event{Time: t0, Status: tracker.StatusInTransit, Description: huge, Location: huge})
	res.StatusText, res.Service = huge, huge
	if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: id, PolledAt: t0, NextPollAt: t0.Add(time.Hour), Result: res}); err != nil {
		t.Fatal(err)
	}
	sh, err := s.Shipment(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	latest, err := s.LatestEvents(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	ev := latest[id]
	for what, v := range map[string]string{"status text": sh.StatusText, "service": sh.Service, "description": ev.Description, "location": ev.Location} {
		if n := utf8.RuneCountInString(v); n == 0 || n > maxCarrierText {
			t.Errorf("%s stored with %d characters", what, n)
		}
	}
	if err := s.RecordPollFailure(ctx, id, t0, t0.Add(time.Hour), huge); err != nil {
		t.Fatal(err)
	}
	if sh, _ := s.Shipment(ctx, id); utf8.RuneCountInString(sh.LastError) > maxCarrierText {
		t.Errorf("poll error stored with %d characters", utf8.RuneCountInString(sh.LastError))
	}
}

// A record that fails after it began writing (PostgreSQL refuses a NUL in
// text) is undone alone; the batch's other records are stored.
func TestRecordPollsFailureMidway(t *testing.T) {
	ctx := context.Background()
	s, _ := openOn(t, storagetest.Postgres)
	mustTouch(t, s, 1, "private")
	var ids []int64
	for i := range 3 {
		ids = append(ids, mustSubscribe(t, s, 1, "ups", upsNumber(200+i), "").Shipment.ID)
	}
	ev := func(i int) tracker.Event {
		return tracker.Event{Time: t0.Add(-time.Duration(i) * time.Hour), Status: tracker.StatusInTransit, Description: "Departed", Location: fmt.Sprintf("Hub %d", i)}
	}
	bad := poll(tracker.StatusInTransit, ev(1))
	bad.StatusText = "in\x00transit" // written after the events
	records := []PollRecord{
		{ShipmentID: ids[0], PolledAt: t0, NextPollAt: t0.Add(time.Hour), Result: poll(tracker.StatusInTransit, ev(0))},
		{ShipmentID: ids[1], PolledAt: t0, NextPollAt: t0.Add(time.Hour), Result: bad},
		{ShipmentID: ids[2], PolledAt: t0, NextPollAt: t0.Add(time.Hour), Result: poll(tracker.StatusInTransit, ev(2))},
	}
	outs, err := s.RecordPolls(ctx, records)
	if err != nil {
		t.Fatal(err)
	}
	if outs[0].Err != nil || outs[2].Err != nil || outs[1].Err == nil {
		t.Fatalf("outcomes %+v, want only the second to fail", outs)
	}
	for i, id := range ids {
		events, err := s.ShipmentEvents(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 0, false: 1}[i == 1]; len(events) != want {
			t.Errorf("shipment %d has %d events, want %d", i, len(events), want)
		}
	}
}
