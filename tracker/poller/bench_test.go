package poller

import (
	"context"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

// BenchmarkPollCycle runs poll cycles over 100,000 followed shipments (1,000
// chats × 100 parcels) against the in-process 17TRACK fake and a SQLite file.
// Each iteration moves the clock a month on, so every shipment is due, and
// polls them all: DueShipments pages, batches of 40, one RecordPolls
// transaction per batch. Nothing changed, so nothing is queued; the first
// cycle (registration, first-look pushes) runs before the timer.
// Run with -benchtime=1x or 2x: one cycle takes seconds.
func BenchmarkPollCycle(b *testing.B) {
	const chats, perChat = 1000, 100
	const total = chats * perChat
	e := newEnv(b)
	// Straight to the fake, without the test's on/off switch in between.
	client := seventeen.New(seventeen.Config{BaseURL: e.fake.URL(), APIKey: seventeentest.APIKey, Rate: 1000, Logger: quietLogger(), Now: e.clock.Now})
	e.p = New(Config{Store: e.store, Router: tracker.NewRouter(nil, client), Logger: quietLogger(), Now: e.clock.Now})
	ctx := context.Background()
	at := e.clock.Now()
	for c := range chats {
		if err := e.store.TouchChat(ctx, storage.Chat{ID: int64(c + 1), Type: "private", Title: "c", Active: true}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range total {
		num := s10("RP", i, "DE")
		e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit", Events: []seventeentest.Event{
			{Time: at.Add(-time.Hour), Description: "Departed", City: "Leipzig", Country: "DE", Stage: "Departure"}}})
		if _, _, err := e.store.Subscribe(ctx, storage.SubscribeParams{ChatID: int64(i%chats + 1), Carrier: "s10", Number: num, Now: at}); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	if st := e.p.Tick(ctx); st.Polled != total {
		b.Fatalf("first cycle polled %d of %d", st.Polled, total)
	}
	b.Logf("first cycle (register + first-look pushes for %d): %v", total, time.Since(start))

	b.ReportAllocs()
	for b.Loop() {
		e.clock.Add(30 * 24 * time.Hour)
		if st := e.p.Tick(ctx); st.Polled != total || st.Messages != 0 {
			b.Fatalf("cycle: %+v", st)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/shipment")
	b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "shipments/s")
}
