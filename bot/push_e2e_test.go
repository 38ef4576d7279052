package bot_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/poller"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// s10Number is a generated UPU S10 number (registered parcel service RX).
func s10Number(serial int, country string) string {
	return seventeentest.S10Number("RX", serial, country)
}

const e2eToken = "123:e2e"

// process is one run of the bot's background half: a store, a poller and a
// notifier rendering with the bot, as main wires them.
type process struct {
	store *storage.Store
	p     *poller.Poller
	n     *notify.Notifier
}

func start(t *testing.T, path string, clk *testClock, carrier *seventeentest.Server, tg *telegramtest.Server) *process {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	client := seventeen.New(seventeen.Config{BaseURL: carrier.URL(), APIKey: seventeentest.APIKey, Rate: 100, Now: clk.Now, Logger: quiet})
	app, err := bot.New(ctx, bot.Config{Token: e2eToken, APIURL: tg.URL, Store: st, Logger: quiet, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &process{
		store: st,
		p:     poller.New(poller.Config{Store: st, Router: tracker.NewRouter(nil, client), Logger: quiet, Now: clk.Now}),
		// The notifier runs on the real clock: Telegram's limits are real time.
		n: notify.New(notify.Config{Store: st, Telegram: app.Telegram(), Logger: quiet, Render: app.RenderPush,
			Limits: notify.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerGroupPerMinute: 60000}}),
	}
}

// TestEndToEndChangesArriveOnceInOrderAcrossACrash follows a parcel from
// the carrier's fake API through the poller, SQLite and the notifier to the
// fake Bot API, with the process killed between a poll and its push.
func TestEndToEndChangesArriveOnceInOrderAcrossACrash(t *testing.T) {
	storagetest.Each(t, testEndToEndChangesArriveOnceInOrderAcrossACrash)
}

func testEndToEndChangesArriveOnceInOrderAcrossACrash(t *testing.T, eng storagetest.Engine) {
	ctx := context.Background()
	path := eng.DSN(t)
	clk := &testClock{t: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)}
	carrier := seventeentest.NewServer()
	defer carrier.Close()
	tg := telegramtest.NewServer(e2eToken)
	defer tg.Close()

	num := s10Number(31415926, "GB")
	const chat = 4242
	proc := start(t, path, clk, carrier, tg)
	if err := proc.store.TouchChat(ctx, storage.Chat{ID: chat, Type: "private", Title: "Ann", Active: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := proc.store.Subscribe(ctx, storage.SubscribeParams{ChatID: chat, Carrier: "s10", Number: num, Label: "tea & cups", Now: clk.Now()}); err != nil {
		t.Fatal(err)
	}

	var events []seventeentest.Event
	step := func(status, sub, desc, stage string) {
		clk.Add(2 * time.Hour) // past any next-poll time
		events = append([]seventeentest.Event{{Time: clk.Now().Add(-30 * time.Minute), Description: desc, City: "London", Country: "GB", SubStatus: sub, Stage: stage}}, events...)
		carrier.SetShipment(num, seventeentest.Shipment{Status: status, SubStatus: sub, Provider: "Royal Mail", Events: events})
	}

	step("InTransit", "InTransit_PickedUp", "Collected from sender", "PickedUp")
	proc.p.Tick(ctx)
	if err := proc.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	step("Exception", "Exception_Delayed", "Delayed by weather", "")
	proc.p.Tick(ctx)
	if err := proc.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	// Out for delivery is recorded, then the process dies before the push.
	step("OutForDelivery", "OutForDelivery_Other", "With courier", "OutForDelivery")
	if st := proc.p.Tick(ctx); st.Messages != 1 {
		t.Fatalf("tick before crash: %+v", st)
	}
	proc.store.Close()

	// Restart: polling again finds nothing new, and the pending push goes out once.
	proc = start(t, path, clk, carrier, tg)
	defer proc.store.Close()
	clk.Add(2 * time.Hour)
	if st := proc.p.Tick(ctx); st.Messages != 0 {
		t.Errorf("tick after restart queued %d again", st.Messages)
	}
	if err := proc.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	step("Delivered", "Delivered_Other", "Delivered to front door", "Delivered")
	proc.p.Tick(ctx)
	if err := proc.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := proc.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	sent := tg.SentTo(chat)
	want := []string{"In transit", "Exception", "Out for delivery", "Delivered"}
	if len(sent) != len(want) {
		for _, s := range sent {
			t.Logf("sent: %q", s.Text)
		}
		t.Fatalf("chat got %d messages, want %d", len(sent), len(want))
	}
	for i, w := range want {
		if !strings.Contains(sent[i].Text, "<b>"+w+"</b>") {
			t.Errorf("message %d = %q, want %q", i, sent[i].Text, w)
		}
		if !strings.Contains(sent[i].Text, "tea &amp; cups") {
			t.Errorf("message %d lacks the escaped label: %q", i, sent[i].Text)
		}
	}
	if b := sent[3].Markup.Buttons(); len(b) != 2 || !strings.HasPrefix(b[0].CallbackData, "got:") {
		t.Errorf("delivered buttons %+v", b)
	}
	if b := sent[0].Markup.Buttons(); len(b) != 1 || !strings.Contains(b[0].URL, num) {
		t.Errorf("in-transit buttons %+v", b)
	}
}
