package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"

	"github.com/trackbot/trackbot/storage/storagetest"
)

func TestDueShipments(t *testing.T) { storagetest.Each(t, testDueShipments) }

func testDueShipments(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	mustTouch(t, s, 2, "group")
	mustTouch(t, s, 3, "private")

	early := mustSubscribe(t, s, 1, "ups", upsNumber(1), "")        // due at t0
	shared := mustSubscribe(t, s, 2, "ups", upsNumber(2), "")       // followed by 2 (inactive) and 3
	mustSubscribe(t, s, 3, "ups", upsNumber(2), "")                 //
	onlyInactive := mustSubscribe(t, s, 2, "ups", upsNumber(3), "") // only chat 2, which goes inactive
	future := mustSubscribe(t, s, 1, "ups", upsNumber(4), "")
	orphan := mustSubscribe(t, s, 1, "ups", upsNumber(5), "")

	if err := s.SetChatActive(ctx, 2, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(ctx, orphan.ID); err != nil {
		t.Fatal(err)
	}
	// shared is due before early; future is not due yet.
	if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: shared.Shipment.ID, PolledAt: t0, NextPollAt: t0.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: future.Shipment.ID, PolledAt: t0, NextPollAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		now   time.Time
		limit int
		want  []int64
	}{
		"due now, oldest first": {t0, 0, []int64{shared.Shipment.ID, early.Shipment.ID}},
		"limit":                 {t0, 1, []int64{shared.Shipment.ID}},
		"later includes future": {t0.Add(time.Hour), 0, []int64{shared.Shipment.ID, early.Shipment.ID, future.Shipment.ID}},
		"before anything":       {t0.Add(-time.Hour), 0, nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			due, err := s.DueShipments(ctx, c.now, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, sh := range due {
				ids = append(ids, sh.ID)
			}
			if !equalIDs(ids, c.want) {
				t.Fatalf("DueShipments = %v, want %v (inactive-only %d, orphan %d must never appear)",
					ids, c.want, onlyInactive.Shipment.ID, orphan.Shipment.ID)
			}
		})
	}

	// The chat comes back: its shipments are polled again, with all data kept.
	if err := s.SetChatActive(ctx, 2, true); err != nil {
		t.Fatal(err)
	}
	due, _ := s.DueShipments(ctx, t0, 0)
	if len(due) != 3 {
		t.Fatalf("after reactivation %d due, want 3", len(due))
	}

	// Following the orphan again brings its poll forward, even if it was far off.
	if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: orphan.Shipment.ID, PolledAt: t0, NextPollAt: t0.Add(30 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	again := mustSubscribe(t, s, 3, "ups", upsNumber(5), "")
	if !again.Shipment.NextPollAt.Equal(t0) {
		t.Fatalf("re-followed shipment next poll = %v, want %v", again.Shipment.NextPollAt, t0)
	}
}

// poll is a carrier answer for RecordPoll tests.
func poll(status tracker.Status, events ...tracker.Event) tracker.Result {
	return tracker.Result{Status: status, StatusText: "Carrier says " + string(status), Events: events}
}

// writePoll records one poll through RecordPoll or through a batch of one.
type writePoll func(ctx context.Context, s *Store, r PollRecord) ([]tracker.Event, error)

var pollWriters = map[string]writePoll{
	"RecordPoll": func(ctx context.Context, s *Store, r PollRecord) ([]tracker.Event, error) {
		return s.RecordPoll(ctx, r)
	},
	"RecordPolls": func(ctx context.Context, s *Store, r PollRecord) ([]tracker.Event, error) {
		outs, err := s.RecordPolls(ctx, []PollRecord{r})
		if err != nil {
			return nil, err
		}
		return outs[0].Fresh, outs[0].Err
	},
}

func TestRecordPoll(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, e storagetest.Engine) {
		for name, write := range pollWriters {
			t.Run(name, func(t *testing.T) { testRecordPoll(t, e, write) })
		}
	})
}

func testRecordPoll(t *testing.T, e storagetest.Engine, write writePoll) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	mustTouch(t, s, 2, "group")
	mustTouch(t, s, 3, "private")
	sub1 := mustSubscribe(t, s, 1, "ups", upsNumber(7), "")
	sub2 := mustSubscribe(t, s, 2, "ups", upsNumber(7), "")
	mustSubscribe(t, s, 3, "ups", upsNumber(7), "")
	if err := s.SetChatActive(ctx, 3, false); err != nil { // inactive: no push
		t.Fatal(err)
	}
	id := sub1.Shipment.ID

	ny := time.FixedZone("EST", -5*3600)
	e1 := tracker.Event{Time: time.Date(2026, 11, 19, 18, 5, 0, 0, ny), Status: tracker.StatusInfoReceived, Description: "Label created", Location: "Atlanta, GA, US"}
	e2 := tracker.Event{Time: time.Date(2026, 11, 20, 2, 40, 0, 0, ny), Status: tracker.StatusInTransit, Description: "Departed facility", Location: "Atlanta, GA, US"}
	e3 := tracker.Event{Time: time.Date(2026, 11, 20, 7, 10, 0, 0, ny), Status: tracker.StatusInTransit, Description: "Arrived at facility", Location: "Newark, NJ, US"}
	e4 := tracker.Event{Time: time.Date(2026, 11, 21, 14, 2, 0, 0, ny), Status: tracker.StatusDelivered, Description: "Delivered, front door", Location: "Newark, NJ, US"}

	steps := []struct {
		name       string
		at         time.Time
		result     tracker.Result
		wantFresh  []tracker.Event
		wantStatus tracker.Status
		wantSince  time.Time
		wantQueued int // outbox rows in total after the step
	}{
		{"first answer", t0, poll(tracker.StatusInTransit, e2, e1), []tracker.Event{e2, e1}, tracker.StatusInTransit, t0, 2},
		{"identical poll", t0.Add(time.Hour), poll(tracker.StatusInTransit, e2, e1), nil, tracker.StatusInTransit, t0, 2},
		// Out of order from the carrier: fresh still comes back newest first.
		{"one more scan", t0.Add(2 * time.Hour), poll(tracker.StatusInTransit, e1, e3, e2), []tracker.Event{e3}, tracker.StatusInTransit, t0, 2},
		{"delivered", t0.Add(3 * time.Hour), poll(tracker.StatusDelivered, e4, e3, e2, e1), []tracker.Event{e4}, tracker.StatusDelivered, t0.Add(3 * time.Hour), 4},
		{"delivered again", t0.Add(4 * time.Hour), poll(tracker.StatusDelivered, e4, e3, e2, e1), nil, tracker.StatusDelivered, t0.Add(3 * time.Hour), 4},
	}
	var expect time.Time
	for _, st := range steps {
		next := st.at.Add(time.Hour)
		// Keyed on the status, like a status push: the same change queued
		// twice (a repeated poll) gives the same key.
		n := &Notice{Kind: "parcel", Payload: `{"status":"` + string(st.result.Status) + `"}`,
			DedupeKey: fmt.Sprintf("status:%d:%s", id, st.result.Status)}
		fresh, err := write(ctx, s, PollRecord{ShipmentID: id, Result: st.result, PolledAt: st.at, NextPollAt: next, Notice: n, Expect: expect})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		expect = st.at
		if !sameEvents(fresh, st.wantFresh) {
			t.Fatalf("%s: fresh = %v, want %v", st.name, fresh, st.wantFresh)
		}
		sh, err := s.Shipment(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sh.Status != st.wantStatus || !sh.StatusSince.Equal(st.wantSince) || !sh.PolledAt.Equal(st.at) ||
			!sh.NextPollAt.Equal(next) || sh.StatusText != "Carrier says "+string(st.wantStatus) {
			t.Fatalf("%s: shipment = %+v", st.name, sh)
		}
		var queued int
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&queued); err != nil {
			t.Fatal(err)
		}
		if queued != st.wantQueued {
			t.Fatalf("%s: outbox has %d rows, want %d", st.name, queued, st.wantQueued)
		}
	}

	sh, _ := s.Shipment(ctx, id)
	if !sh.DeliveredAt.Equal(e4.Time) || !sh.LastEventAt.Equal(e4.Time) || sh.DeliveredAt.Location() != time.UTC {
		t.Fatalf("delivered_at %v, last_event_at %v; want %v in UTC", sh.DeliveredAt, sh.LastEventAt, e4.Time)
	}
	events, err := s.ShipmentEvents(ctx, id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !sameEvents(events, []tracker.Event{e4, e3, e2, e1}) {
		t.Fatalf("ShipmentEvents = %v", events)
	}
	if _, off := events[0].Time.Zone(); off != -5*3600 {
		t.Fatalf("event zone offset %d, want -18000", off)
	}
	if top, _ := s.ShipmentEvents(ctx, id, 2); !sameEvents(top, []tracker.Event{e4, e3}) {
		t.Fatalf("ShipmentEvents limit 2 = %v", top)
	}

	// One push per active follower per change; chat 3 (inactive) got none.
	items, _ := s.PendingOutbox(ctx, t0.Add(5*time.Hour), 0)
	want := []string{
		fmt.Sprintf("status:%d:in_transit:%d", id, sub1.ChatID), fmt.Sprintf("status:%d:in_transit:%d", id, sub2.ChatID),
		fmt.Sprintf("status:%d:delivered:%d", id, sub1.ChatID), fmt.Sprintf("status:%d:delivered:%d", id, sub2.ChatID),
	}
	if len(items) != len(want) {
		t.Fatalf("pending = %d, want %d", len(items), len(want))
	}
	for i, it := range items {
		if it.DedupeKey != want[i] || it.Kind != "parcel" || it.Text != "" {
			t.Fatalf("pending[%d] = %q, want %q", i, it.DedupeKey, want[i])
		}
	}
}

func sameEvents(a, b []tracker.Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Time.Equal(b[i].Time) || a[i].Status != b[i].Status ||
			a[i].Description != b[i].Description || a[i].Location != b[i].Location {
			return false
		}
	}
	return true
}

func TestRecordPollKeepsWhatTheCarrierOmits(t *testing.T) {
	storagetest.Each(t, testRecordPollKeepsWhatTheCarrierOmits)
}

func testRecordPollKeepsWhatTheCarrierOmits(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	id := mustSubscribe(t, s, 1, "ups", upsNumber(8), "").Shipment.ID
	eta := time.Date(2026, 11, 25, 0, 0, 0, 0, time.FixedZone("PST", -8*3600))

	if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: id, PolledAt: t0, NextPollAt: t0,
		Result: tracker.Result{Status: tracker.StatusInTransit, Service: "UPS Ground", ETA: eta}}); err != nil {
		t.Fatal(err)
	}
	// A later answer without status or service keeps them; an ETA it drops is gone.
	if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: id, PolledAt: t0.Add(time.Hour), NextPollAt: t0,
		Result: tracker.Result{}}); err != nil {
		t.Fatal(err)
	}
	sh, _ := s.Shipment(ctx, id)
	if sh.Status != tracker.StatusInTransit || sh.Service != "UPS Ground" || !sh.ETA.IsZero() || !sh.StatusSince.Equal(t0) {
		t.Fatalf("shipment = %+v", sh)
	}
	// Delivered without a delivery scan: delivered_at is the poll time.
	if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: id, PolledAt: t0.Add(2 * time.Hour), NextPollAt: t0,
		Result: tracker.Result{Status: tracker.StatusDelivered}}); err != nil {
		t.Fatal(err)
	}
	if sh, _ := s.Shipment(ctx, id); !sh.DeliveredAt.Equal(t0.Add(2 * time.Hour)) {
		t.Fatalf("delivered_at = %v", sh.DeliveredAt)
	}
}

func TestRecordPollFailure(t *testing.T) { storagetest.Each(t, testRecordPollFailure) }

func testRecordPollFailure(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	id := mustSubscribe(t, s, 1, "ups", upsNumber(9), "").Shipment.ID
	for i := 1; i <= 3; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		if err := s.RecordPollFailure(ctx, id, at, at.Add(time.Duration(i)*time.Hour), fmt.Sprintf("ups: HTTP 503 (%d)", i)); err != nil {
			t.Fatal(err)
		}
		sh, _ := s.Shipment(ctx, id)
		if sh.Failures != i || sh.LastError != fmt.Sprintf("ups: HTTP 503 (%d)", i) || !sh.LastErrorAt.Equal(at) ||
			!sh.NextPollAt.Equal(at.Add(time.Duration(i)*time.Hour)) || !sh.PolledAt.IsZero() {
			t.Fatalf("after failure %d: %+v", i, sh)
		}
	}
	if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: id, Result: poll(tracker.StatusNotFound), PolledAt: t0.Add(time.Hour), NextPollAt: t0.Add(5 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sh, _ := s.Shipment(ctx, id)
	if sh.Failures != 0 || sh.LastError != "" || !sh.LastErrorAt.IsZero() || sh.Status != tracker.StatusNotFound {
		t.Fatalf("after success: %+v", sh)
	}
}

func TestEventHash(t *testing.T) {
	base := tracker.Event{Time: t0, Status: tracker.StatusInTransit, Description: "Departed", Location: "Leeds, GB"}
	same := map[string]tracker.Event{
		"other zone, same instant": {Time: t0.In(time.FixedZone("X", 7200)), Status: base.Status, Description: base.Description, Location: base.Location},
		"padded text":              {Time: t0, Status: base.Status, Description: " Departed ", Location: "Leeds, GB "},
	}
	differs := map[string]tracker.Event{
		"time":        {Time: t0.Add(time.Second), Status: base.Status, Description: base.Description, Location: base.Location},
		"status":      {Time: t0, Status: tracker.StatusException, Description: base.Description, Location: base.Location},
		"description": {Time: t0, Status: base.Status, Description: "Arrived", Location: base.Location},
		"location":    {Time: t0, Status: base.Status, Description: base.Description, Location: "York, GB"},
		"field shift": {Time: t0, Status: base.Status, Description: "Departed" + "Leeds, GB", Location: ""},
	}
	// Stored hashes must not change: the digest is the one the first
	// schema's rows were written with (each field length-prefixed, streamed).
	streamed := func(e tracker.Event) string {
		h := sha256.New()
		for _, f := range []string{e.Time.UTC().Format(time.RFC3339Nano), string(e.Status), strings.TrimSpace(e.Description), strings.TrimSpace(e.Location)} {
			h.Write(binary.AppendUvarint(nil, uint64(len(f))))
			h.Write([]byte(f))
		}
		return hex.EncodeToString(h.Sum(nil)[:16])
	}
	long := base
	long.Description = strings.Repeat("Held at customs, awaiting documents. ", 12) // past the stack buffer
	for _, e := range []tracker.Event{base, long, differs["field shift"]} {
		if got, want := eventHash(e), streamed(e); got != want {
			t.Errorf("eventHash(%q) = %s, want %s as stored before", e.Description, got, want)
		}
	}
	for name, e := range same {
		if eventHash(e) != eventHash(base) {
			t.Errorf("%s: hash differs", name)
		}
	}
	for name, e := range differs {
		if eventHash(e) == eventHash(base) {
			t.Errorf("%s: hash equal", name)
		}
	}
}

// TestFirstEventAt: the oldest stored scan of a carrier's number, not
// another carrier's or number's; none before the first poll.
func TestFirstEventAt(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, e storagetest.Engine) {
		ctx := context.Background()
		s, _ := openOn(t, e)
		mustTouch(t, s, 1, "private")
		sub := mustSubscribe(t, s, 1, "demo", "DEMO1", "")
		other := mustSubscribe(t, s, 1, "demo", "DEMO2", "")
		if _, ok, err := s.FirstEventAt(ctx, "demo", "DEMO1"); err != nil || ok {
			t.Fatalf("before any poll: ok %v, %v", ok, err)
		}
		first := t0.Add(-3 * time.Hour)
		for _, r := range []PollRecord{
			{ShipmentID: sub.Shipment.ID, Result: poll(tracker.StatusInTransit,
				tracker.Event{Time: first.Add(2 * time.Hour), Status: tracker.StatusInTransit, Description: "Departed"},
				tracker.Event{Time: first, Status: tracker.StatusInfoReceived, Description: "Label created"}),
				PolledAt: t0, NextPollAt: t0.Add(time.Hour)},
			{ShipmentID: other.Shipment.ID, Result: poll(tracker.StatusInfoReceived,
				tracker.Event{Time: first.Add(-time.Hour), Status: tracker.StatusInfoReceived, Description: "Label created"}),
				PolledAt: t0, NextPollAt: t0.Add(time.Hour)},
		} {
			if _, err := s.RecordPolls(ctx, []PollRecord{r}); err != nil {
				t.Fatal(err)
			}
		}
		got, ok, err := s.FirstEventAt(ctx, "demo", "DEMO1")
		if err != nil || !ok || !got.Equal(first) {
			t.Errorf("FirstEventAt = %v, %v, %v; want %v", got, ok, err, first)
		}
		if _, ok, err := s.FirstEventAt(ctx, "ups", "DEMO1"); err != nil || ok {
			t.Errorf("another carrier's number: ok %v, %v", ok, err)
		}
	})
}
