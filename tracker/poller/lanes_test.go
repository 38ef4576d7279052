package poller

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
	"github.com/trackbot/trackbot/tracker/usps"
	"github.com/trackbot/trackbot/tracker/usps/uspstest"
)

// TestPacedCarrierDelaysNoOther: USPS paced to one call a minute holds five
// due parcels; 17TRACK's parcels are polled at once all the same, a second
// tick meanwhile polls 17TRACK's newly due parcels and returns, and the
// lanes report USPS busy with its queue.
func TestPacedCarrierDelaysNoOther(t *testing.T) {
	e := newEnv(t)
	uf := uspstest.NewServer()
	t.Cleanup(uf.Close)
	paced := usps.New(usps.Config{BaseURL: uf.URL(), ClientID: uspstest.ClientID, ClientSecret: uspstest.ClientSecret,
		Rate: rate.Every(time.Minute), Burst: 1, Logger: quietLogger()})
	agg := seventeen.New(seventeen.Config{BaseURL: e.fake.URL(), APIKey: seventeentest.APIKey, Rate: 1000, Logger: quietLogger(), Now: e.clock.Now})
	e.p = New(Config{Store: e.store, Router: tracker.NewRouter(map[string]tracker.Client{"usps": paced}, agg),
		Logger: quietLogger(), Now: e.clock.Now, Rand: func() float64 { return 0.5 }})

	var uspsSubs, aggSubs []storage.Subscription
	for i := range 5 {
		num := uspstest.TrackingNumber(40 + i)
		uf.SetShipment(num, uspstest.Shipment{Events: []uspstest.Event{{Time: e.clock.Now().Add(-time.Hour), Status: tracker.StatusInTransit, Type: "Arrived", City: "RENO", State: "NV"}}})
		uspsSubs = append(uspsSubs, e.followOn(t, 600, "usps", num))
	}
	for i := range 3 {
		num := s10("RL", 100+i, "DE")
		e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit"})
		aggSubs = append(aggSubs, e.follow(t, 601, num, ""))
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := make(chan TickStats, 1)
	go func() { first <- e.p.Tick(ctx) }()
	polled := func(subs []storage.Subscription) int {
		n := 0
		for _, s := range subs {
			sh, err := e.store.Shipment(context.Background(), s.Shipment.ID)
			if err == nil && !sh.PolledAt.IsZero() {
				n++
			}
		}
		return n
	}
	waitUntil(t, "17TRACK's parcels polled while USPS waits", func() bool { return polled(aggSubs) == 3 })
	if n := polled(uspsSubs); n > 1 {
		t.Fatalf("%d USPS parcels polled: the pacing is not one a minute", n)
	}
	select {
	case st := <-first:
		t.Fatalf("the first tick returned before its USPS work: %+v", st)
	default:
	}

	// A later tick: new 17TRACK parcels come due and are polled, although
	// the USPS lane is still busy with the first tick's parcels.
	var later []storage.Subscription
	for i := range 2 {
		num := s10("RL", 200+i, "DE")
		e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit"})
		later = append(later, e.follow(t, 601, num, ""))
	}
	began := time.Now()
	st := e.p.Tick(context.Background())
	if took := time.Since(began); took > 10*time.Second || polled(later) != 2 {
		t.Errorf("second tick took %v and polled %d of 2 (%+v): the paced lane held it up", took, polled(later), st)
	}
	busy := false
	for _, l := range e.p.Lanes() {
		if l.Client == paced.Name() && l.BusyFor > 0 && l.Queued == 5 {
			busy = true
		}
	}
	if !busy {
		t.Errorf("lanes %+v: want USPS busy with its 5 parcels", e.p.Lanes())
	}
	cancel() // shutdown: the paced lane stops waiting, its parcels stay due
	<-first
}

// followOn follows number with a given carrier in chat.
func (e *env) followOn(t testing.TB, chat int64, carrier, number string) storage.Subscription {
	t.Helper()
	ctx := context.Background()
	if err := e.store.TouchChat(ctx, storage.Chat{ID: chat, Type: "private", Title: "chat", Active: true}); err != nil {
		t.Fatal(err)
	}
	sub, _, err := e.store.Subscribe(ctx, storage.SubscribeParams{ChatID: chat, Carrier: carrier, Number: number, Now: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Two instances share a cycle by how fast each polls, not by who claimed
// first: the first starts its tick alone and is polling (the carrier
// answering each call after a round trip) when the second starts, yet the
// second still polls a good share, because the first claims a page only
// when its lane has room for it.
// followInTransit migrates dsn and has 20 chats follow total parcels that
// fake knows in transit, all due at at.
func followInTransit(t *testing.T, dsn string, fake *seventeentest.Server, total int, at time.Time) {
	t.Helper()
	first, err := storage.Open(context.Background(), dsn) // migrates
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	numbers := make([]string, total)
	for i := range numbers {
		numbers[i] = s10("RS", i, "DE")
		fake.SetShipment(numbers[i], seventeentest.Shipment{Status: "InTransit", Events: []seventeentest.Event{
			{Time: at.Add(-time.Hour), Description: "Departed", City: "Leipzig", Country: "DE", Stage: "Departure"}}})
	}
	fake.Register(numbers...)
	bulkFollow(t, dsn, 20, numbers, at)
}

func TestInstancesShareACycle(t *testing.T) { storagetest.Each(t, testInstancesShareACycle) }

func testInstancesShareACycle(t *testing.T, eng storagetest.Engine) {
	const total, page = 1200, 100
	ctx := context.Background()
	dsn := eng.DSN(t)
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	fake := seventeentest.NewServer()
	t.Cleanup(fake.Close)
	followInTransit(t, dsn, fake, total, at)
	fake.SetDelay(30 * time.Millisecond)

	var polled atomic.Int64
	pollers := make([]*Poller, 2)
	for i := range pollers {
		st, err := storage.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		client := seventeen.New(seventeen.Config{BaseURL: fake.URL(), APIKey: seventeentest.APIKey, Rate: 1000, Logger: quietLogger(), Now: func() time.Time { return at }})
		pollers[i] = New(Config{Store: st, Router: tracker.NewRouter(nil, client), Logger: quietLogger(),
			Now: func() time.Time { return at }, BatchLimit: page,
			Observe: func(string, string, time.Duration) { polled.Add(1) }})
	}
	got := make([]TickStats, len(pollers))
	var wg sync.WaitGroup
	for i, p := range pollers {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = p.Tick(ctx) }()
		if i == 0 {
			waitUntil(t, "the first instance polling", func() bool { return polled.Load() > 0 })
		}
	}
	wg.Wait()
	t.Logf("the first instance polled %d, the second %d", got[0].Polled, got[1].Polled)
	if sum := got[0].Polled + got[1].Polled; sum != total {
		t.Errorf("polled %d + %d, want %d in all", got[0].Polled, got[1].Polled, total)
	}
	for i, st := range got {
		if st.Polled < total/4 {
			t.Errorf("instance %d polled %d of %d (the other %d), want a substantial share", i, st.Polled, total, got[1-i].Polled)
		}
	}
}

// Three instances with one 17TRACK key keep its rate together, not each:
// on PostgreSQL their requests take turns on one shared schedule, so the
// carrier sees no more than the configured rate in any second however
// the cycle splits between them. (SQLite has one instance: its client's
// own limiter paces, as TestPacedCarrierDelaysNoOther shows.)
func TestInstancesShareACarrierRate(t *testing.T) {
	if storagetest.PostgresURL() == "" {
		t.Skip(storagetest.SkipMessage)
	}
	const perSecond, instances, total = 8, 3, 9 * seventeen.MaxNumbers
	ctx := context.Background()
	dsn := storagetest.Postgres.DSN(t)
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	fake := seventeentest.NewServer()
	t.Cleanup(fake.Close)
	target, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var arrivals []time.Time
	proxy := httputil.NewSingleHostReverseProxy(target)
	rec := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.Close)

	followInTransit(t, dsn, fake, total, at)

	pollers := make([]*Poller, instances)
	for i := range pollers {
		st, err := storage.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		client := seventeen.New(seventeen.Config{BaseURL: rec.URL, APIKey: seventeentest.APIKey, Rate: perSecond,
			Logger: quietLogger(), Now: func() time.Time { return at }})
		pollers[i] = New(Config{Store: st, Router: tracker.NewRouter(nil, client), Logger: quietLogger(),
			Now: func() time.Time { return at }, BatchLimit: seventeen.MaxNumbers})
	}
	got := make([]TickStats, instances)
	var wg sync.WaitGroup
	for i, p := range pollers {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = p.Tick(ctx) }()
	}
	wg.Wait()

	sum, busy := 0, 0
	for _, st := range got {
		sum += st.Polled
		if st.Polled > 0 {
			busy++
		}
	}
	t.Logf("polled per instance: %d %d %d; %d requests", got[0].Polled, got[1].Polled, got[2].Polled, len(arrivals))
	if sum != total {
		t.Fatalf("polled %d, want %d", sum, total)
	}
	if busy < 2 {
		t.Fatalf("only %d instance(s) polled: the test shows nothing about sharing", busy)
	}
	// In any second, at most the rate (and one for a request that arrived
	// late and bunched with the next).
	for i, a := range arrivals {
		n := 0
		for _, b := range arrivals[i:] {
			if b.Sub(a) < time.Second {
				n++
			}
		}
		if n > perSecond+1 {
			t.Errorf("%d requests in the second from request %d, want at most %d (+1 late)", n, i, perSecond)
		}
	}
	if n := len(arrivals); n > 1 {
		span := arrivals[n-1].Sub(arrivals[0])
		if want := time.Duration(n-1) * time.Second / perSecond * 9 / 10; span < want {
			t.Errorf("%d requests in %v, want them at least %v apart in all (%d a second)", n, span, want, perSecond)
		}
	}
}
