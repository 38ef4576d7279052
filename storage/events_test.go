package storage

import (
	"context"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"

	"github.com/trackbot/trackbot/storage/storagetest"
)

func TestLatestEvents(t *testing.T) { storagetest.Each(t, testLatestEvents) }

func testLatestEvents(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	mustTouch(t, s, 2, "private")

	est := time.FixedZone("EST", -5*3600)
	moving := mustSubscribe(t, s, 1, "ups", upsNumber(1), "")
	silent := mustSubscribe(t, s, 1, "ups", upsNumber(2), "") // followed, never scanned
	shared := mustSubscribe(t, s, 1, "dhl", dhlNumber(1), "")
	other := mustSubscribe(t, s, 2, "ups", upsNumber(3), "") // another chat's parcel
	mustSubscribe(t, s, 2, "dhl", dhlNumber(1), "")

	older := tracker.Event{Time: time.Date(2026, 11, 18, 8, 0, 0, 0, est), Status: tracker.StatusInTransit, Description: "Departed", Location: "Newark, NJ"}
	newest := tracker.Event{Time: time.Date(2026, 11, 19, 7, 15, 0, 0, est), Status: tracker.StatusOutForDelivery, Description: "Out for delivery", Location: "Trenton, NJ"}
	// Two scans at the same instant: the one stored later wins, as in ShipmentEvents.
	tieA := tracker.Event{Time: time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC), Status: tracker.StatusInTransit, Description: "Arrived", Location: "Leipzig"}
	tieB := tracker.Event{Time: tieA.Time, Status: tracker.StatusCustoms, Description: "Customs clearance", Location: "Leipzig"}
	foreign := tracker.Event{Time: t0, Status: tracker.StatusDelivered, Description: "Delivered"}

	record := func(id int64, evs ...tracker.Event) {
		t.Helper()
		if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: id, PolledAt: t0, NextPollAt: t0.Add(time.Hour),
			Result: tracker.Result{Status: evs[0].Status, Events: evs}}); err != nil {
			t.Fatal(err)
		}
	}
	record(moving.Shipment.ID, older, newest)
	record(shared.Shipment.ID, tieA)
	record(shared.Shipment.ID, tieB, tieA)
	record(other.Shipment.ID, foreign)

	tests := map[string]struct {
		chat int64
		want map[int64]tracker.Event
	}{
		"newest per shipment, none for the silent one": {1, map[int64]tracker.Event{moving.Shipment.ID: newest, shared.Shipment.ID: tieB}},
		"only the chat's own shipments":                {2, map[int64]tracker.Event{other.Shipment.ID: foreign, shared.Shipment.ID: tieB}},
		"a chat following nothing":                     {3, map[int64]tracker.Event{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := s.LatestEvents(ctx, tc.chat)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("LatestEvents = %v, want %v", got, tc.want)
			}
			for id, w := range tc.want {
				if g, ok := got[id]; !ok || !sameEvents([]tracker.Event{g}, []tracker.Event{w}) {
					t.Errorf("shipment %d: %+v, want %+v", id, g, w)
				}
			}
			if _, ok := got[silent.Shipment.ID]; ok {
				t.Errorf("shipment without events is present")
			}
		})
	}
	// The zone the carrier gave comes back, as from ShipmentEvents.
	got, _ := s.LatestEvents(ctx, 1)
	if _, off := got[moving.Shipment.ID].Time.Zone(); off != -5*3600 {
		t.Errorf("zone offset %d, want -18000", off)
	}
}

// BenchmarkLatestEvents: a chat at the 50-parcel limit, five scans each;
// one query for all against one query per parcel (what answers did before).
func BenchmarkLatestEvents(b *testing.B) {
	ctx := context.Background()
	s, _ := openTest(b)
	mustTouch(b, s, 1, "private")
	var ids []int64
	for i := range 50 {
		sub := mustSubscribe(b, s, 1, "ups", upsNumber(i), "")
		ids = append(ids, sub.Shipment.ID)
		var evs []tracker.Event
		for j := range 5 {
			evs = append(evs, tracker.Event{Time: t0.Add(-time.Duration(j) * time.Hour), Status: tracker.StatusInTransit, Description: "Scan", Location: "Hub"})
		}
		if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: sub.Shipment.ID, PolledAt: t0, NextPollAt: t0, Result: tracker.Result{Status: tracker.StatusInTransit, Events: evs}}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("one query", func(b *testing.B) {
		for b.Loop() {
			if m, err := s.LatestEvents(ctx, 1); err != nil || len(m) != 50 {
				b.Fatal(len(m), err)
			}
		}
	})
	b.Run("query per parcel", func(b *testing.B) {
		for b.Loop() {
			for _, id := range ids {
				if evs, err := s.ShipmentEvents(ctx, id, 1); err != nil || len(evs) != 1 {
					b.Fatal(err)
				}
			}
		}
	})
}
