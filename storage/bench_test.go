package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
)

const (
	benchShipments = 100_000
	benchChats     = 2_000 // 50 parcels each
)

// benchStore builds a database with benchShipments followed shipments in one
// transaction. Their next polls are spread one second apart around t0, so
// half are due at t0.
func benchStore(b *testing.B) *Store { return benchStoreOn(b, storagetest.SQLite) }

// benchStoreOn is benchStore on the engine's database.
func benchStoreOn(b *testing.B, e storagetest.Engine) *Store {
	b.Helper()
	ctx := context.Background()
	s, _ := openOn(b, e)
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	now := t0.Unix()
	for c := 1; c <= benchChats; c++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO chats (id, type, active, created_at, updated_at) VALUES ($1, 'private', 1, $2, $3)`, c, now, now); err != nil {
			b.Fatal(err)
		}
	}
	shipStmt, err := tx.PrepareContext(ctx, `INSERT INTO shipments (carrier, number, status, created_at, next_poll_at) VALUES ('ups', $1, 'in_transit', $2, $3) RETURNING id`)
	if err != nil {
		b.Fatal(err)
	}
	subStmt, err := tx.PrepareContext(ctx, `INSERT INTO subscriptions (chat_id, shipment_id, created_at) VALUES ($1, $2, $3)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchShipments; i++ {
		var id int64
		if err := shipStmt.QueryRowContext(ctx, upsNumber(i), now, now-benchShipments/2+int64(i)).Scan(&id); err != nil {
			b.Fatal(err)
		}
		if _, err := subStmt.ExecContext(ctx, 1+i%benchChats, id, now); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkDueShipments(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	for _, limit := range []int{100, 1000} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				due, err := s.DueShipments(ctx, t0, limit)
				if err != nil || len(due) != limit {
					b.Fatalf("DueShipments = %d, %v", len(due), err)
				}
			}
		})
	}
}

// BenchmarkRecordPoll records one poll per op: the carrier repeats two known
// scans and adds a new one, the status changes every other poll, and a
// notice is queued for the follower.
func BenchmarkRecordPoll(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	polled := map[int64]time.Time{}
	old := []tracker.Event{
		{Time: t0.Add(-2 * time.Hour), Status: tracker.StatusInTransit, Description: "Departed facility", Location: "Louisville, KY, US"},
		{Time: t0.Add(-5 * time.Hour), Status: tracker.StatusInfoReceived, Description: "Label created", Location: "Austin, TX, US"},
	}
	statuses := []tracker.Status{tracker.StatusInTransit, tracker.StatusOutForDelivery}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := int64(i%benchShipments + 1)
		at := t0.Add(time.Duration(i) * time.Second)
		ev := tracker.Event{Time: at, Status: statuses[i%2], Description: "Arrived at facility", Location: "Newark, NJ, US"}
		fresh, err := s.RecordPoll(ctx, PollRecord{
			ShipmentID: id,
			Result:     tracker.Result{Status: statuses[i%2], StatusText: "On the way", Events: []tracker.Event{ev, old[0], old[1]}},
			PolledAt:   at, NextPollAt: at.Add(time.Hour),
			Notice: &Notice{Kind: "parcel", Payload: `{"status":"in_transit"}`, DedupeKey: fmt.Sprintf("ev:%d:%d", id, at.Unix())},
			Expect: polled[id],
		})
		polled[id] = at
		if err != nil || len(fresh) == 0 {
			b.Fatalf("RecordPoll = %d fresh, %v", len(fresh), err)
		}
		i++
	}
}

// BenchmarkRecordPolls records a carrier batch of 40 polls per op, the common
// case of a poll cycle: the carrier repeats a known scan, nothing changed,
// and the poller has no notice, so no followers are read.
func BenchmarkRecordPolls(b *testing.B) {
	const batch = 40
	s := benchStore(b)
	ctx := context.Background()
	ev := tracker.Event{Time: t0.Add(-2 * time.Hour), Status: tracker.StatusInTransit, Description: "Departed facility", Location: "Louisville, KY, US"}
	records := make([]PollRecord, batch)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		at := t0.Add(time.Duration(i) * time.Second)
		for j := range records {
			records[j] = PollRecord{
				ShipmentID: int64((i*batch+j)%benchShipments + 1),
				Result:     tracker.Result{Status: tracker.StatusInTransit, StatusText: "On the way", Events: []tracker.Event{ev}},
				PolledAt:   at, NextPollAt: at.Add(time.Hour),
			}
		}
		outs, err := s.RecordPolls(ctx, records)
		if err != nil || len(outs) != batch || outs[0].Err != nil {
			b.Fatalf("RecordPolls = %v, %v", outs, err)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/shipment")
}

// BenchmarkClaimDueShipments claims a page of 500 due shipments per op, as
// a poll tick of one instance does, on each engine; the clock moves past
// the previous claims' lease each time, so the page is always full.
//
//	TRACKBOT_TEST_POSTGRES=postgres://… go test -run '^$' -bench ClaimDue -benchmem ./storage/
func BenchmarkClaimDueShipments(b *testing.B) {
	for _, e := range storagetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			s := benchStoreOn(b, e)
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				now := t0.Add(time.Duration(i) * 2 * time.Minute)
				got, err := s.ClaimDueShipments(ctx, now, 500, time.Minute)
				if err != nil || len(got) != 500 {
					b.Fatalf("ClaimDueShipments = %d, %v", len(got), err)
				}
				i++
			}
		})
	}
}

// BenchmarkClaimBehindClaims claims page after page at one moment, as a
// tick does ahead of its lanes: each claim finds the pages before it still
// leased, unpolled. Its cost must not grow with them. When the shipments
// run out, the leases are reset (untimed) and the pass starts again.
func BenchmarkClaimBehindClaims(b *testing.B) {
	for _, e := range storagetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			s := benchStoreOn(b, e)
			ctx := context.Background()
			reset := func() {
				if _, err := s.w.ExecContext(ctx, `UPDATE shipments SET lease_until = 0, next_poll_at = $1`, t0.Unix()); err != nil {
					b.Fatal(err)
				}
			}
			reset()
			b.ReportAllocs()
			for b.Loop() {
				got, err := s.ClaimDueShipments(ctx, t0, 500, time.Hour)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) < 500 {
					b.StopTimer()
					reset()
					b.StartTimer()
				}
			}
		})
	}
}
