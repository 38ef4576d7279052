package poller

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

// BenchmarkPollCycleInstances is BenchmarkPollCycle with several instances
// sharing the work: 100,000 followed shipments, every one due each cycle,
// polled by 1, 2 or 3 pollers on one database (each with its own store and
// its own carrier client, as separate processes would have), which claim
// due shipments in pages with a lease. It runs on SQLite (one instance: the
// embedded engine has one per file) and, with TRACKBOT_TEST_POSTGRES, on
// PostgreSQL with 1, 2 and 3. The carrier fake answers each call after
// carrierLatency, as a carrier across the internet does, so an instance is
// bound by the round trips of its lane (one batch of 40 asked at a time,
// the next asked while the last is recorded), not by CPU, and instances add
// throughput until the database or the machine's cores run out (a carrier
// key's own rate limit, shared by the instances, comes first in life). The
// first cycle (registration, first-look notices) runs with no latency, as
// set-up. Run with -benchtime=1x: a measured cycle takes about 40 s to
// two minutes.
//
//	TRACKBOT_TEST_POSTGRES=postgres://… go test -run '^$' -bench PollCycleInstances -benchtime 1x -timeout 30m ./tracker/poller/
func BenchmarkPollCycleInstances(b *testing.B) {
	const chats, perChat = 1000, 100
	const total = chats * perChat
	for _, eng := range storagetest.Engines() {
		counts := []int{1}
		if eng.Name == "postgres" {
			counts = []int{1, 2, 3}
		}
		for _, n := range counts {
			b.Run(fmt.Sprintf("%s/instances=%d", eng.Name, n), func(b *testing.B) {
				benchInstances(b, eng, n, chats, perChat)
			})
		}
	}
}

// carrierLatency is the benchmarks' carrier round trip, typical of a
// tracking API called from another continent.
const carrierLatency = 50 * time.Millisecond

func benchInstances(b *testing.B, eng storagetest.Engine, n, chats, perChat int) {
	total := chats * perChat
	ctx := context.Background()
	dsn := eng.DSN(b)
	clk := &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	fake := seventeentest.NewServer()
	fake.SetQuota(1 << 30)
	b.Cleanup(fake.Close)

	first, err := storage.Open(ctx, dsn) // migrates
	if err != nil {
		b.Fatal(err)
	}
	first.Close()
	at := clk.Now()
	numbers := make([]string, total)
	for i := range total {
		numbers[i] = s10("RP", i, "DE")
		fake.SetShipment(numbers[i], seventeentest.Shipment{Status: "InTransit", Events: []seventeentest.Event{
			{Time: at.Add(-time.Hour), Description: "Departed", City: "Leipzig", Country: "DE", Stage: "Departure"}}})
	}
	bulkFollow(b, dsn, chats, numbers, at)

	pollers := make([]*Poller, n)
	for i := range pollers {
		st, err := storage.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		client := seventeen.New(seventeen.Config{BaseURL: fake.URL(), APIKey: seventeentest.APIKey, Rate: 1000, Logger: quietLogger(), Now: clk.Now})
		pollers[i] = New(Config{Store: st, Router: tracker.NewRouter(nil, client), Logger: quietLogger(), Now: clk.Now})
	}
	cycle := func() TickStats {
		var (
			mu  sync.Mutex
			sum TickStats
			wg  sync.WaitGroup
		)
		for _, p := range pollers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := p.Tick(ctx)
				mu.Lock()
				sum.Polled += st.Polled
				sum.Failed += st.Failed
				sum.Messages += st.Messages
				mu.Unlock()
			}()
		}
		wg.Wait()
		return sum
	}
	start := time.Now()
	if st := cycle(); st.Polled != total {
		b.Fatalf("first cycle polled %d of %d (%+v)", st.Polled, total, st)
	}
	b.Logf("first cycle (register + first-look notices for %d): %v", total, time.Since(start))
	fake.SetDelay(carrierLatency)

	b.ReportAllocs()
	for b.Loop() {
		clk.Add(30 * 24 * time.Hour)
		if st := cycle(); st.Polled != total || st.Messages != 0 {
			b.Fatalf("cycle: %+v", st)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/shipment")
	b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "shipments/s")
}

// bulkFollow makes chats 1..chats follow numbers (17TRACK's, all due at
// at) round-robin: see bulkFollowShipments.
func bulkFollow(b testing.TB, dsn string, chats int, numbers []string, at time.Time) {
	b.Helper()
	ships := make([]seeded, len(numbers))
	for i, num := range numbers {
		ships[i] = seeded{carrier: "s10", number: num, due: at}
	}
	bulkFollowShipments(b, dsn, chats, ships, at)
}

// seeded is a shipment for bulkFollowShipments: its carrier, its number
// and when it is first due.
type seeded struct {
	carrier, number string
	due             time.Time
}

// bulkFollowShipments makes chats 1..chats follow ships round-robin,
// straight in SQL (multi-row INSERTs in one transaction): the storage API's
// one transaction per follow would take minutes for 100,000. Shipment ids
// are 1..len(ships) in order.
func bulkFollowShipments(b testing.TB, dsn string, chats int, ships []seeded, at time.Time) {
	b.Helper()
	db, err := storagetest.OpenSQL(dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	now := at.Unix()
	insert := func(prefix string, rows [][]any) {
		const per = 500
		for len(rows) > 0 {
			k := min(per, len(rows))
			var (
				q    strings.Builder
				args []any
			)
			q.WriteString(prefix)
			for i, r := range rows[:k] {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(")
				for j, v := range r {
					if j > 0 {
						q.WriteString(", ")
					}
					args = append(args, v)
					fmt.Fprintf(&q, "$%d", len(args))
				}
				q.WriteString(")")
			}
			if _, err := tx.Exec(q.String(), args...); err != nil {
				b.Fatal(err)
			}
			rows = rows[k:]
		}
	}
	var rows [][]any
	for c := 1; c <= chats; c++ {
		rows = append(rows, []any{c, "private", now, now})
	}
	insert(`INSERT INTO chats (id, type, created_at, updated_at) VALUES `, rows)
	rows = rows[:0]
	for i, s := range ships {
		rows = append(rows, []any{i + 1, s.carrier, s.number, now, s.due.Unix()})
	}
	insert(`INSERT INTO shipments (id, carrier, number, created_at, next_poll_at) VALUES `, rows)
	rows = rows[:0]
	for i := range ships {
		rows = append(rows, []any{i%chats + 1, i + 1, now})
	}
	insert(`INSERT INTO subscriptions (chat_id, shipment_id, created_at) VALUES `, rows)
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
}
