package main

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

// TestEchoedURLNeverLogged: a proxy in front of the Bot API answers some
// getUpdates and sendMessage calls with a large error page that echoes the
// request URL, token included, as misconfigured proxies do. Nothing the
// program logs holds the token, and no logged value is longer than the cap.
func TestEchoedURLNeverLogged(t *testing.T) {
	w := newWorld(t)
	target, _ := url.Parse(w.tg.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	var echoed atomic.Int64
	echo := func(rw http.ResponseWriter, r *http.Request) {
		echoed.Add(1)
		rw.Header().Set("Content-Type", "text/html")
		rw.WriteHeader(http.StatusBadGateway)
		page := fmt.Sprintf("<html><body><h1>502 Bad Gateway</h1><p>upstream failed for %s</p>%s</body></html>",
			r.URL.String(), strings.Repeat("<!-- padding -->", 400))
		fmt.Fprint(rw, page)
	}
	var updates, sends atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/getUpdates") && updates.Add(1) <= 2:
			echo(rw, r)
		case strings.HasSuffix(r.URL.Path, "/sendMessage") && sends.Add(1) <= 2:
			echo(rw, r)
		default:
			rp.ServeHTTP(rw, r)
		}
	}))
	t.Cleanup(proxy.Close)
	w.setenv("TELEGRAM_API_URL", proxy.URL)

	gus := telegramtest.User{ID: 5550808, FirstName: "Gus"}
	r := w.startPolling()
	w.say(telegramtest.Private(gus), gus, "/help") // answered after the echoed failures
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	if echoed.Load() < 4 {
		t.Fatalf("only %d echoed error pages: the test proves nothing", echoed.Load())
	}
	log := r.log.String()
	_, half, _ := strings.Cut(e2eToken, ":")
	if strings.Contains(log, half) {
		i := strings.Index(log, half)
		t.Errorf("the bot token is in the log: …%s…", log[max(0, i-200):min(len(log), i+80)])
	}
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if len(sc.Text()) > 2048 {
			t.Errorf("a log line of %d bytes: bodies are not capped: %.300s…", len(sc.Text()), sc.Text())
		}
	}
	if !strings.Contains(log, "502") {
		t.Errorf("the failures were not logged at all:\n%s", log)
	}
}
