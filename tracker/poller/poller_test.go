package poller

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// s10 is a generated UPU S10 number.
var s10 = seventeentest.S10Number

func TestS10CheckDigit(t *testing.T) {
	// 47312482: 4·8+7·6+3·4+1·2+2·3+4·5+8·9+2·7 = 200; 200 mod 11 = 2; 11−2 = 9.
	if got := s10("RR", 47312482, "CH"); got != "RR473124829CH" {
		t.Errorf("s10 = %s", got)
	}
}

type env struct {
	store *storage.Store
	fake  *seventeentest.Server
	down  *atomic.Bool // the carrier answers 503 to everything
	clock *clock
	p     *Poller
	path  string
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestPostgreSQL says, in one line, whether these tests also ran on PostgreSQL.
func TestPostgreSQL(t *testing.T) { storagetest.RequirePostgres(t) }

func newEnv(t testing.TB) *env { return newEnvOn(t, storagetest.SQLite) }

// newEnvOn is newEnv on a fresh database of the engine's.
func newEnvOn(t testing.TB, eng storagetest.Engine) *env {
	t.Helper()
	ctx := context.Background()
	path := eng.DSN(t)
	st, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fake := seventeentest.NewServer()
	fake.SetQuota(1 << 30)
	t.Cleanup(fake.Close)
	// A switch in front of the fake, to take the whole carrier down and up.
	down := &atomic.Bool{}
	target, _ := url.Parse(fake.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, `{"code":-1,"data":{}}`, http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	clk := &clock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	client := seventeen.New(seventeen.Config{BaseURL: front.URL, APIKey: seventeentest.APIKey, Rate: 1000, Logger: quietLogger(), Now: clk.Now})
	p := New(Config{
		Store: st, Router: tracker.NewRouter(nil, client), Logger: quietLogger(),
		Now: clk.Now, Rand: func() float64 { return 0.5 },
	})
	return &env{store: st, fake: fake, down: down, clock: clk, p: p, path: path}
}

func (e *env) follow(t testing.TB, chat int64, number, label string) storage.Subscription {
	t.Helper()
	ctx := context.Background()
	typ := "private"
	if chat < 0 {
		typ = "group"
	}
	if err := e.store.TouchChat(ctx, storage.Chat{ID: chat, Type: typ, Title: "chat", Active: true}); err != nil {
		t.Fatal(err)
	}
	sub, _, err := e.store.Subscribe(ctx, storage.SubscribeParams{ChatID: chat, Carrier: "s10", Number: number, Label: label, Now: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func (e *env) pending(t testing.TB) []storage.OutboxItem {
	t.Helper()
	items, err := e.store.PendingOutbox(context.Background(), e.clock.Now().AddDate(1, 0, 0), 0)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func (e *env) shipment(t testing.TB, id int64) storage.Shipment {
	t.Helper()
	s, err := e.store.Shipment(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTickFollowsAParcelToDelivery(t *testing.T) {
	storagetest.Each(t, testTickFollowsAParcelToDelivery)
}

func testTickFollowsAParcelToDelivery(t *testing.T, eng storagetest.Engine) {
	e := newEnvOn(t, eng)
	ctx := context.Background()
	num := s10("RB", 12345678, "DE")
	sub := e.follow(t, 100, num, "boots")
	e.follow(t, -200, num, "")
	base := e.clock.Now()
	e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit", Provider: "Deutsche Post", Events: []seventeentest.Event{
		{Time: base.Add(-2 * time.Hour), Description: "Departed hub", City: "Leipzig", Country: "DE", Stage: "Departure"},
	}})

	st := e.p.Tick(ctx)
	if st.Polled != 1 || st.Messages != 2 {
		t.Fatalf("first tick: %+v, want 1 polled, 2 messages", st)
	}
	items := e.pending(t)
	if len(items) != 2 || items[0].Kind != "parcel" || !strings.Contains(items[0].Payload, `"status":"in_transit"`) ||
		items[0].SubscriptionID != sub.ID {
		t.Fatalf("first look pushes: %+v", items)
	}
	s := e.shipment(t, sub.Shipment.ID)
	if got, want := s.NextPollAt.Sub(e.clock.Now()), time.Hour; got != want {
		t.Errorf("in transit next poll in %v, want %v", got, want)
	}

	// Not due yet: a second tick polls nothing.
	if st := e.p.Tick(ctx); st.Polled != 0 {
		t.Errorf("tick before due polled %d", st.Polled)
	}

	e.clock.Add(time.Hour)
	e.fake.SetShipment(num, seventeentest.Shipment{Status: "Delivered", Provider: "Deutsche Post", Events: []seventeentest.Event{
		{Time: e.clock.Now().Add(-10 * time.Minute), Description: "Delivered to mailbox", City: "Berlin", Country: "DE", Stage: "Delivered"},
		{Time: base.Add(-2 * time.Hour), Description: "Departed hub", City: "Leipzig", Country: "DE", Stage: "Departure"},
	}})
	if st := e.p.Tick(ctx); st.Polled != 1 || st.Messages != 2 {
		t.Fatalf("delivery tick: %+v", st)
	}
	items = e.pending(t)
	if len(items) != 4 {
		t.Fatalf("want 4 queued, got %d", len(items))
	}
	last := items[2]
	if !strings.Contains(last.Payload, `"status":"delivered"`) || !strings.Contains(last.Payload, "Delivered to mailbox") {
		t.Errorf("delivered notice: %s", last.Payload)
	}
	s = e.shipment(t, sub.Shipment.ID)
	if got := s.NextPollAt.Sub(e.clock.Now()); got < 6*time.Hour || got > 12*time.Hour {
		t.Errorf("confirming poll in %v, want 6–12 h", got)
	}

	// The confirming poll says the same: no push, and polling stops.
	e.clock.Add(12 * time.Hour)
	if st := e.p.Tick(ctx); st.Polled != 1 || st.Messages != 0 {
		t.Fatalf("confirming tick: %+v", st)
	}
	if s = e.shipment(t, sub.Shipment.ID); !s.NextPollAt.Equal(Never) {
		t.Errorf("after confirmation next poll %v, want never", s.NextPollAt)
	}
	e.clock.Add(30 * 24 * time.Hour)
	if st := e.p.Tick(ctx); st.Polled != 0 {
		t.Errorf("delivered parcel polled again: %+v", st)
	}
}

func TestTickBatchesToTheClientLimit(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const n = 95
	for i := range n {
		num := s10("RC", 1000+i, "NL")
		e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit"})
		e.follow(t, int64(1+i%7), num, "")
	}
	st := e.p.Tick(ctx)
	if st.Polled != n {
		t.Fatalf("polled %d, want %d", st.Polled, n)
	}
	// 95 numbers in batches of 40: three batches, each registered then fetched.
	if got := e.fake.Calls("register"); got != 3 {
		t.Errorf("register calls = %d, want 3", got)
	}
}

func TestUnfollowedShipmentsAreNotPolled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	num := s10("RD", 555, "FR")
	e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit"})
	e.follow(t, 300, num, "")
	if err := e.store.SetChatActive(ctx, 300, false); err != nil {
		t.Fatal(err)
	}
	if st := e.p.Tick(ctx); st.Polled != 0 || e.fake.Requests() != 0 {
		t.Errorf("shipment of an inactive chat polled: %+v, %d requests", st, e.fake.Requests())
	}
}

// TestOverlappingTicksPollOnce: a tick that starts while another waits on a
// slow carrier returns at once and does not ask the carrier again about the
// shipments the first one holds.
func TestOverlappingTicksPollOnce(t *testing.T) {
	e := newEnv(t)
	num := s10("RE", 777, "DE")
	e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit"})
	e.follow(t, 400, num, "")
	e.fake.SetDelay(300 * time.Millisecond)
	done := make(chan TickStats)
	go func() { done <- e.p.Tick(context.Background()) }()
	// Wait until the first tick is inside the carrier call.
	for e.fake.Requests() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if st := e.p.Tick(context.Background()); st.Polled != 0 {
		t.Errorf("overlapping tick polled again: %+v", st)
	}
	if st := <-done; st.Polled != 1 {
		t.Errorf("first tick: %+v", st)
	}
}

func TestTickStopsOnShutdown(t *testing.T) {
	e := newEnv(t)
	for i := range 3 {
		num := s10("RF", 900+i, "DE")
		e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit"})
		e.follow(t, 500, num, "")
	}
	e.fake.SetDelay(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	st := e.p.Tick(ctx)
	if took := time.Since(start); took > 800*time.Millisecond {
		t.Errorf("tick ignored cancellation for %v", took)
	}
	if st.Polled != 0 || st.Failed != 0 {
		t.Errorf("cancelled tick: %+v, want nothing polled or failed", st)
	}
	// Shutdown is not the carrier's fault: nothing is counted as failed.
	for _, s := range mustDue(t, e) {
		if s.Failures != 0 {
			t.Errorf("shipment %d failures = %d after shutdown", s.ID, s.Failures)
		}
	}
}

func mustDue(t *testing.T, e *env) []storage.Shipment {
	t.Helper()
	due, err := e.store.DueShipments(context.Background(), e.clock.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return due
}

func TestFailuresBackOff(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	num := s10("RG", 4242, "DE")
	sub := e.follow(t, 600, num, "")
	e.fake.FailNext(1, 503, 0)
	if st := e.p.Tick(ctx); st.Failed != 1 {
		t.Fatalf("tick: %+v", st)
	}
	s := e.shipment(t, sub.Shipment.ID)
	if s.Failures != 1 || s.NextPollAt.Sub(e.clock.Now()) != 30*time.Minute {
		t.Errorf("after one failure: failures %d, next in %v", s.Failures, s.NextPollAt.Sub(e.clock.Now()))
	}
}

func TestRateLimitedCarrierIsPausedForTheTick(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.p.cfg.BatchLimit = 40 // two pages, the second meeting a paused carrier
	for i := range 80 {
		num := s10("RH", 3000+i, "DE")
		e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit"})
		e.follow(t, 700, num, "")
	}
	e.fake.FailNext(1, 429, 120*time.Second)
	st := e.p.Tick(ctx)
	if st.Polled != 0 || st.Failed != 80 {
		t.Errorf("tick: %+v, want all 80 put off", st)
	}
	if got := e.fake.Requests(); got != 1 {
		t.Errorf("carrier got %d requests after its 429, want just the one", got)
	}
	for _, s := range mustDueAt(t, e, e.clock.Now().Add(119*time.Second)) {
		t.Errorf("shipment %d due before the carrier's Retry-After", s.ID)
	}
}

func mustDueAt(t *testing.T, e *env, at time.Time) []storage.Shipment {
	t.Helper()
	due, err := e.store.DueShipments(context.Background(), at, 0)
	if err != nil {
		t.Fatal(err)
	}
	return due
}

func TestOutageIsToldOnceAndSoIsRecovery(t *testing.T) {
	storagetest.Each(t, testOutageIsToldOnceAndSoIsRecovery)
}

func testOutageIsToldOnceAndSoIsRecovery(t *testing.T, eng storagetest.Engine) {
	e := newEnvOn(t, eng)
	ctx := context.Background()
	a, b := s10("RJ", 1, "DE"), s10("RJ", 2, "DE")
	e.follow(t, 800, a, "lamp")
	e.follow(t, 800, b, "")
	e.follow(t, 801, b, "")
	e.fake.SetShipment(a, seventeentest.Shipment{Status: "InTransit"})
	e.fake.SetShipment(b, seventeentest.Shipment{Status: "InTransit"})
	e.p.Tick(ctx) // first look: 3 pushes
	baseline := len(e.pending(t))

	e.down.Store(true)
	notices := func() []storage.OutboxItem {
		var out []storage.OutboxItem
		for _, it := range e.pending(t) {
			if strings.HasPrefix(it.DedupeKey, "outage:") || strings.HasPrefix(it.DedupeKey, "recovered:") {
				out = append(out, it)
			}
		}
		return out
	}
	// Fail for 10 hours, ticking as the schedule allows.
	for range 40 {
		e.clock.Add(15 * time.Minute)
		e.p.Tick(ctx)
	}
	got := notices()
	if len(got) != 2 {
		t.Fatalf("outage notices = %d, want one per chat (2): %+v", len(got), got)
	}
	if got[0].Kind != "outage" || !strings.Contains(got[0].Payload, `"carriers":["International post"]`) {
		t.Errorf("notice: %+v", got[0])
	}

	e.down.Store(false)
	for range 40 {
		e.clock.Add(15 * time.Minute)
		e.p.Tick(ctx)
	}
	got = notices()
	recovered := 0
	for _, it := range got {
		if strings.HasPrefix(it.DedupeKey, "recovered:") {
			recovered++
		}
	}
	if recovered != 2 {
		t.Errorf("recovery notices = %d, want 2 (queue %d, baseline %d)", recovered, len(e.pending(t)), baseline)
	}
}
