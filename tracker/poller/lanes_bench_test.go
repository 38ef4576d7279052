package poller

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/fedex"
	"github.com/trackbot/trackbot/tracker/fedex/fedextest"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
	"github.com/trackbot/trackbot/tracker/ups"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
	"github.com/trackbot/trackbot/tracker/usps"
	"github.com/trackbot/trackbot/tracker/usps/uspstest"
)

// BenchmarkLanes: due shipments over four carriers (laneEach each: UPS,
// FedEx, 17TRACK, and USPS paced to one call a minute), each carrier's
// in-process fake behind its real client. It measures how long the three
// unpaced carriers take to poll all of theirs while USPS crawls, against
// the time the same take with no USPS parcels at all: the paced lane must
// not delay the others. (DHL is left out: its fake enforces DHL's 1 call a
// second, which would make it a second paced lane.)
//
//	go test -run '^$' -bench BenchmarkLanes -benchtime 1x -timeout 30m ./tracker/poller
func BenchmarkLanes(b *testing.B) {
	for _, withUSPS := range []bool{false, true} {
		name := "without-usps"
		if withUSPS {
			name = "with-paced-usps"
		}
		b.Run(name, func(b *testing.B) {
			for range b.N {
				laneRun(b, withUSPS)
			}
		})
	}
}

// laneEach is the shipments per carrier: 4 × 25,000 = 100,000.
const laneEach = 25_000

func laneRun(b *testing.B, withUSPS bool) {
	const each = laneEach
	b.StopTimer()
	e := newEnv(b)
	uf, ff := upstest.NewServer(), fedextest.NewServer()
	usf := uspstest.NewServer()
	b.Cleanup(uf.Close)
	b.Cleanup(ff.Close)
	b.Cleanup(usf.Close)
	q := quietLogger()
	clients := map[string]tracker.Client{
		"ups":   ups.New(ups.Config{BaseURL: uf.URL(), ClientID: upstest.ClientID, ClientSecret: upstest.ClientSecret, Rate: rate.Inf, Logger: q}),
		"fedex": fedex.New(fedex.Config{BaseURL: ff.URL(), APIKey: fedextest.APIKey, SecretKey: fedextest.SecretKey, Rate: rate.Inf}),
		"usps": usps.New(usps.Config{BaseURL: usf.URL(), ClientID: uspstest.ClientID, ClientSecret: uspstest.ClientSecret,
			Rate: rate.Every(time.Minute), Burst: 1, Logger: q}),
	}
	agg := seventeen.New(seventeen.Config{BaseURL: e.fake.URL(), APIKey: seventeentest.APIKey, Rate: 1000, Logger: q, Now: e.clock.Now})
	var mu sync.Mutex
	polled := map[string]int{}
	e.p = New(Config{Store: e.store, Router: tracker.NewRouter(clients, agg), Logger: q, Now: e.clock.Now,
		Rand: func() float64 { return 0.5 },
		Observe: func(client, outcome string, _ time.Duration) {
			mu.Lock()
			polled[client]++
			mu.Unlock()
		}})
	ctx := context.Background()
	at := e.clock.Now()
	const chats = 1000
	for c := range chats {
		if err := e.store.TouchChat(ctx, storage.Chat{ID: int64(c + 1), Type: "private", Title: "c", Active: true}); err != nil {
			b.Fatal(err)
		}
	}
	carriers := []string{"ups", "fedex", "s10"}
	if withUSPS {
		carriers = append(carriers, "usps")
	}
	i := 0
	for _, carrier := range carriers {
		for k := range each {
			num := fmt.Sprintf("%s%09d", carrier, k)
			if carrier == "s10" {
				num = s10("RB", k, "DE")
			}
			if _, _, err := e.store.Subscribe(ctx, storage.SubscribeParams{ChatID: int64(i%chats + 1), Carrier: carrier, Number: num, Now: at}); err != nil {
				b.Fatal(err)
			}
			i++
		}
	}
	others := func() int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for c, k := range polled {
			if c != clients["usps"].Name() {
				n += k
			}
		}
		return n
	}
	tctx, cancel := context.WithCancel(ctx)
	done := make(chan TickStats, 1)
	b.StartTimer()
	began := time.Now()
	go func() { done <- e.p.Tick(tctx) }()
	deadline := time.After(10 * time.Minute)
	for others() < 3*each {
		select {
		case <-deadline:
			b.Fatalf("others polled %d of %d in 10 min: %v", others(), 3*each, polled)
		case st := <-done:
			if !withUSPS {
				goto finished
			}
			b.Fatalf("tick ended early: %+v, others polled %d", st, others())
		case <-time.After(10 * time.Millisecond):
		}
	}
finished:
	took := time.Since(began)
	b.StopTimer()
	cancel()
	<-done
	mu.Lock()
	uspsPolled := polled[clients["usps"].Name()]
	mu.Unlock()
	b.ReportMetric(took.Seconds(), "s-for-others")
	b.ReportMetric(float64(3*each)/took.Seconds(), "others/s")
	b.ReportMetric(float64(uspsPolled), "usps-polled")
}
