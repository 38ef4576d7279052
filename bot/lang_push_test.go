package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/poller"
)

// TestPushesInTheChatsLanguage fills the gap between
// TestEveryLanguageEndToEnd (the fake Bot API, but no push) and
// TestDemoStoriesInEveryLanguage (every push, but rendered in-process): a
// demo story's status changes travel poller → outbox → the real notifier →
// the Bot API fake to an Italian and a Brazilian chat (language taken from
// the Telegram client at /start), each push in its language with no English
// sentence left. An English chat is the control that the scan sees English.
func TestPushesInTheChatsLanguage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	// Story time runs on this clock; it stays before the real date, so what
	// the poller queues is due for the notifier, which paces on real time.
	clk := &walkClock{t: time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)}
	srv := telegramtest.NewServer(testToken)
	store, err := storage.Open(ctx, storagetest.SQLite.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{Speed: 1, Now: clk.Now})}, nil)
	app, err := New(ctx, Config{Token: testToken, APIURL: srv.URL, Store: store, Router: router, Demo: true,
		Logger: quiet, Now: clk.Now, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	n := notify.New(notify.Config{Store: store, Telegram: app.Telegram(), Logger: quiet, Render: app.RenderPush,
		Limits: notify.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerGroupPerMinute: 60000}})
	app.OnQueued(n.Wake)
	ran, notified := make(chan error, 1), make(chan error, 1)
	go func() { ran <- app.Run(ctx) }()
	go func() { notified <- n.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ran; err != nil && !errors.Is(err, ErrConflict) {
			t.Errorf("Run: %v", err)
		}
		<-notified
		store.Close()
		srv.Close()
	})
	h := &harness{t: t, srv: srv, store: store, app: app}
	p := poller.New(poller.Config{Store: store, Router: router, Now: clk.Now, Logger: quiet, Rand: func() float64 { return 0.5 }})

	// DEMO4 comes from Germany: customs, released, out for delivery, delivered.
	type chat struct {
		lang  locale.Lang
		user  telegramtest.User
		seen  int // messages before the pushes
		chat  telegramtest.Chat
		lines []string
	}
	var chats []*chat
	for i, c := range []struct {
		lang locale.Lang
		code string
	}{{locale.IT, "it"}, {locale.PT, "pt-BR"}, {locale.EN, "en"}} {
		u := telegramtest.User{ID: int64(9500 + i), FirstName: "Kim", LanguageCode: c.code}
		ch := &chat{lang: c.lang, user: u, chat: telegramtest.Private(u)}
		srv.SendText(ch.chat, u, "/start")
		h.waitChat(ch.chat.ID, 1)
		srv.SendText(ch.chat, u, "/track DEMO4")
		ch.seen = len(h.waitChat(ch.chat.ID, 2))
		chats = append(chats, ch)
	}

	delivered := func(c *chat) bool {
		for _, s := range srv.SentTo(c.chat.ID)[c.seen:] {
			if strings.Contains(s.Text, esc(statusTitle(locale.For(c.lang), tracker.StatusDelivered))) {
				return true
			}
		}
		return false
	}
	for range 6 * 24 {
		if delivered(chats[0]) && delivered(chats[1]) && delivered(chats[2]) {
			break
		}
		clk.Add(time.Hour)
		p.Tick(ctx)
		n.Wake()
		drained(t, store, clk.Now())
	}

	carrier := carrierWords(t)
	for _, c := range chats {
		pr := locale.For(c.lang)
		pushes := srv.SentTo(c.chat.ID)[c.seen:]
		var all []string
		english := 0
		for _, s := range pushes {
			all = append(all, s.Text)
			texts := []string{s.Text}
			for _, b := range s.Markup.Buttons() {
				texts = append(texts, b.Text)
			}
			for _, text := range texts {
				for _, e := range englishSentences(withoutCarrierWords(text, carrier)) {
					english++
					if c.lang != locale.EN {
						t.Errorf("%s push: English left: %q\nin: %q", c.lang, e, text)
					}
				}
			}
		}
		if len(pushes) < 3 {
			t.Errorf("%s: %d pushes through the notifier, want the story's status changes", c.lang, len(pushes))
		}
		joined := strings.Join(all, "\n")
		for _, st := range []tracker.Status{tracker.StatusCustoms, tracker.StatusOutForDelivery, tracker.StatusDelivered} {
			if title := esc(statusTitle(pr, st)); !strings.Contains(joined, title) {
				t.Errorf("%s: no push said %q", c.lang, title)
			}
		}
		if c.lang == locale.EN && english == 0 {
			t.Error("the English chat's pushes show no English sentence: is the scan blind?")
		}
	}
}

// drained waits until the notifier has sent every outbox row due at now.
func drained(t *testing.T, store *storage.Store, now time.Time) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		items, err := store.PendingOutbox(context.Background(), now, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d outbox rows still unsent", len(items))
		}
		time.Sleep(5 * time.Millisecond)
	}
}
