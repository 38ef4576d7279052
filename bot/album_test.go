package bot

import (
	"context"
	"image"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
)

// drained waits until every reply queued for chat has been sent.
func (h *harness) drained(chat int64) {
	h.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		n, err := h.store.PendingReplies(context.Background(), chat)
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%d replies still unsent", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// albumBot is one run of the bot on a shared store, Bot API fake and clock.
type albumBot struct {
	app    *App
	sweeps chan struct{}
	stop   func()
}

func startAlbumBot(t *testing.T, srv *telegramtest.Server, store *storage.Store, clk *walkClock) *albumBot {
	t.Helper()
	return startAlbumBotWith(t, srv, store, clk, &http.Client{Timeout: 10 * time.Second}, 0)
}

// startAlbumBotWith is startAlbumBot with its HTTP client and its budget
// for one update's photos (0: albumBudget).
func startAlbumBotWith(t *testing.T, srv *telegramtest.Server, store *storage.Store, clk *walkClock, client *http.Client, scanBudget time.Duration) *albumBot {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{Now: clk.Now})}, nil)
	app, err := New(ctx, Config{Token: testToken, APIURL: srv.URL, Store: store, Router: router, Demo: true, Now: clk.Now,
		Logger: slog.New(slog.DiscardHandler), HTTPClient: client, ScanTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	app.eng.scanBudget = scanBudget
	b := &albumBot{app: app, sweeps: make(chan struct{}, 1)}
	app.swept = func() {
		select {
		case b.sweeps <- struct{}{}:
		default:
		}
	}
	n := notify.New(notify.Config{Store: store, Telegram: app.Telegram(), Render: app.RenderPush, Now: clk.Now,
		Logger: slog.New(slog.DiscardHandler), Limits: notify.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerGroupPerMinute: 60000}})
	app.OnQueued(n.Wake)
	done := make(chan error, 2)
	go func() { done <- app.Run(ctx) }()
	go func() { done <- n.Run(ctx) }()
	b.stop = func() {
		cancel()
		for i := 0; i < 2; i++ {
			if err := <-done; err != nil {
				t.Errorf("stop: %v", err)
			}
		}
	}
	return b
}

// albumWorld is a store on db, a Bot API fake and a clock for album bots,
// closed when the test ends.
func albumWorld(t *testing.T, db storagetest.Engine) (*storage.Store, *telegramtest.Server, *walkClock) {
	t.Helper()
	store, err := storage.Open(context.Background(), db.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := telegramtest.NewServer(testToken)
	t.Cleanup(srv.Close)
	return store, srv, &walkClock{t: time.Now().UTC()}
}

// waitStored waits until the inbox holds n updates not yet handled.
func waitStored(t *testing.T, store *storage.Store, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ups, err := store.PendingUpdates(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ups) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d photos stored", len(ups), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sweep makes the worker look at the inbox and waits until it has, twice
// (the first may have begun before the call).
func (b *albumBot) sweep(t *testing.T) {
	t.Helper()
	for i := 0; i < 2; i++ {
		select {
		case <-b.sweeps:
		default:
		}
		b.app.Wake()
		select {
		case <-b.sweeps:
		case <-time.After(30 * time.Second):
			t.Fatal("the worker did not look at the inbox")
		}
	}
}

// An album waits in the inbox until no photo of it has arrived for a
// moment, survives a restart meanwhile, and gets one answer for all its
// photos: the numbers of two labels, a blank photo counted as unread.
func TestAlbumWaitsForItsLastPhotoAcrossARestart(t *testing.T) {
	storagetest.Each(t, testAlbumWaitsForItsLastPhotoAcrossARestart)
}

func testAlbumWaitsForItsLastPhotoAcrossARestart(t *testing.T, db storagetest.Engine) {
	ctx := context.Background()
	store, srv, clk := albumWorld(t, db)
	chat := telegramtest.Private(bob)
	n1, n2 := upsNumber(41), upsNumber(42)

	first := startAlbumBot(t, srv, store, clk)
	srv.SendPhoto(chat, bob, photoSizes(t, labelImage(t, n1, false)), "", "album-7")
	srv.SendPhoto(chat, bob, photoSizes(t, image.NewGray(image.Rect(0, 0, 640, 480))), "", "album-7")
	srv.SendPhoto(chat, bob, photoSizes(t, labelImage(t, n2, true)), "", "album-7")
	waitStored(t, store, 3)
	first.sweep(t)
	if sent, d := srv.Sent(), srv.Downloads(); len(sent) != 0 || len(d) != 0 {
		t.Fatalf("an album still arriving was answered: sent %+v, downloaded %v", sent, d)
	}
	first.stop()

	second := startAlbumBot(t, srv, store, clk)
	defer second.stop()
	second.sweep(t)
	if sent := srv.Sent(); len(sent) != 0 {
		t.Fatalf("answered before the album went quiet: %+v", sent)
	}
	clk.Add(albumQuiet + time.Second)
	second.app.Wake()
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	got, err := srv.WaitSent(wctx, 2)
	if err != nil {
		t.Fatalf("%v; sent %+v", err, got)
	}
	has(t, got[0], "Read from 2 of 3 photos: <code>"+n1+"</code> (Code 128), <code>"+n2+"</code> (Code 128)", "Following", n1)
	has(t, got[1], "Following", n2)
	h := &harness{t: t, store: store}
	h.drained(chat.ID)
	if sent := srv.Sent(); len(sent) != 2 {
		t.Fatalf("album answers: %+v", sent)
	}
	if d := srv.Downloads(); len(d) != 3 {
		t.Errorf("downloads = %v, want each photo once", d)
	}
	outcomes, err := store.UpdateOutcomes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if outcomes["handled"] != 1 || outcomes["album"] != 2 {
		t.Errorf("outcomes = %v, want one handled and two closed with it", outcomes)
	}
	subs, err := store.ChatSubscriptions(ctx, chat.ID)
	if err != nil || len(subs) != 2 {
		t.Fatalf("subscriptions = %+v, %v", subs, err)
	}
}
