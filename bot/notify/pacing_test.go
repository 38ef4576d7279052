package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

// TestDefaultPacingPerChat: with the production limits, several pushes
// queued for one private chat go out at most one a second, and several for
// one group at most 20 a minute, so a Bot API that enforces Telegram's
// limits never answers 429.
func TestDefaultPacingPerChat(t *testing.T) {
	if testing.Short() {
		t.Skip("paces at Telegram's real per-chat limits (about 3 s)")
	}
	e := newEnv(t, DefaultLimits)
	e.tg.EnforceLimits(telegramtest.Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20})
	const private, group = 6101, -6102
	e.chat(t, private)
	e.chat(t, group)
	for i := range 3 {
		e.enqueue(t, msg(private, fmt.Sprintf("p%d", i), fmt.Sprintf("private %d", i)))
	}
	for i := range 2 {
		e.enqueue(t, msg(group, fmt.Sprintf("g%d", i), fmt.Sprintf("group %d", i)))
	}
	if err := e.n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := e.tg.Stats(); st.TooMany != 0 || st.Sends != 5 {
		t.Errorf("fake Bot API stats %+v, want 5 sends and no 429", st)
	}
	gaps := func(chat int64, min time.Duration) {
		var last time.Time
		n := 0
		for _, s := range e.tg.Sent() {
			if s.ChatID != chat {
				continue
			}
			if n > 0 && s.At.Sub(last) < min {
				t.Errorf("chat %d: sends %v apart, want at least %v", chat, s.At.Sub(last), min)
			}
			last = s.At
			n++
		}
		if n == 0 {
			t.Errorf("chat %d got nothing", chat)
		}
	}
	gaps(private, time.Second)
	gaps(group, 3*time.Second) // 20 a minute
}

// TestDirectAnswersAndPushesShareTheChat: answers sent outside the outbox
// (Pace, as on a full disk) and the notifier's own sends to the same chat
// hold the chat in turn, so a Bot API that enforces the per-chat limit
// never answers 429 however the two interleave. Time runs 20 times faster
// at both ends; the Bot API answers after a network's delay (through a
// slow proxy), so that sends overlap unless the chat is held.
func TestDirectAnswersAndPushesShareTheChat(t *testing.T) {
	const speedup = 20
	limits := Limits{
		PerSecond: 29 * speedup, PerChatPerSecond: 0.9 * speedup, PerGroupPerMinute: 19 * speedup,
		Window: time.Second / speedup,
	}
	e := newEnv(t, limits)
	e.tg.EnforceLimits(telegramtest.Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20, Speedup: speedup})
	target, err := url.Parse(e.tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxy.ServeHTTP(w, r)
		time.Sleep(30 * time.Millisecond) // the answer's way back
	}))
	t.Cleanup(slow.Close)
	b, err := bot.New(token, bot.WithServerURL(slow.URL), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	e.n = New(Config{Store: e.store, Telegram: b, Limits: limits, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	const chat, each = 6201, 15
	e.chat(t, chat)
	for i := range each {
		e.enqueue(t, msg(chat, fmt.Sprintf("push%d", i), fmt.Sprintf("push %d", i)))
	}
	ctx := context.Background()
	direct := make(chan error, 1)
	go func() {
		for i := range each {
			sent, err := e.n.Pace(ctx, chat, false)
			if err != nil {
				direct <- err
				return
			}
			_, err = b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: fmt.Sprintf("answer %d", i)})
			sent()
			if err != nil {
				direct <- fmt.Errorf("answer %d: %w", i, err)
				return
			}
		}
		direct <- nil
	}()
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-direct; err != nil {
		t.Error(err)
	}
	if st := e.tg.Stats(); st.TooManyChat != 0 || st.TooMany != 0 {
		t.Errorf("fake Bot API stats %+v, want no 429", st)
	}
	if got := len(e.tg.SentTo(chat)); got != 2*each {
		t.Errorf("chat got %d messages, want %d", got, 2*each)
	}
}
