package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

// TestEndToEndWebhookAnswersFast: in webhook mode Telegram gets its 200 at
// once even when handling the updates takes seconds (here every reply meets
// a Bot API that takes two seconds to answer), and every update is still
// processed in the background.
func TestEndToEndWebhookAnswersFast(t *testing.T) {
	w := newWorld(t)
	const secret = "e2e_Fast-webhook_secret_77"
	w.setenv("TRACKBOT_WEBHOOK_URL", "https://bot.example.org/hook")
	w.setenv("TRACKBOT_WEBHOOK_SECRET", secret)
	w.setenv("TRACKBOT_WEBHOOK_LISTEN", "127.0.0.1:0")
	const slow = 2 * time.Second
	target, err := url.Parse(w.tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	sluggish := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/sendMessage") {
			time.Sleep(slow)
		}
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(sluggish.Close)
	w.setenv("TELEGRAM_API_URL", sluggish.URL)
	r := w.start("bot: taking updates by webhook")
	hook := "http://" + r.waitLog("webhook: listening")["addr"].(string) + "/hook"

	// More updates than a handful of workers, each with its own slow reply.
	const users = 12
	for i := range users {
		u := telegramtest.User{ID: int64(5551000 + i), FirstName: fmt.Sprintf("U%d", i)}
		start := time.Now()
		if code := postUpdate(t, hook, secret, webhookUpdate(t, int64(100+i), u, "/help")); code != http.StatusOK {
			t.Fatalf("update %d: status %d", i, code)
		}
		if took := time.Since(start); took > slow/2 {
			t.Errorf("update %d answered after %v: Telegram waits on the handling", i, took)
		}
	}
	for i := range users {
		got := w.waitChat(int64(5551000+i), 1)
		if !strings.Contains(got[0].Text, "How I work") {
			t.Errorf("user %d got %q", i, got[0].Text)
		}
	}
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
}
