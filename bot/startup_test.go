package bot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
)

// TestStartupRetriesTransientErrors: getMe meets a 502 and a dropped
// connection before Telegram answers; start-up waits them out. A token
// Telegram refuses (401) stops at once with the BotFather steps.
func TestStartupRetriesTransientErrors(t *testing.T) {
	srv := telegramtest.NewServer(testToken)
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	var getMe atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getMe") {
			switch getMe.Add(1) {
			case 1:
				http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
				return
			case 2:
				hj, _ := w.(http.Hijacker)
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close() // the connection drops
				}
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	store, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	logs := &lockedBuf{}
	cfg := Config{Token: testToken, APIURL: front.URL, Store: store, Logger: newTestLogger(logs), HTTPClient: &http.Client{Timeout: 5 * time.Second}}
	app, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("start-up gave up on transient errors: %v", err)
	}
	if app.Username() == "" || getMe.Load() != 3 {
		t.Errorf("username %q after %d getMe calls, want the third to succeed", app.Username(), getMe.Load())
	}
	if !strings.Contains(logs.String(), "retrying") {
		t.Errorf("the retries were not logged:\n%s", logs)
	}

	cfg.Token = "4242:wrong-token"
	cfg.APIURL = srv.URL
	began := time.Now()
	_, err = New(context.Background(), cfg)
	if !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), "@BotFather") {
		t.Errorf("wrong token: %v, want ErrBadToken naming @BotFather", err)
	}
	if time.Since(began) > time.Second {
		t.Errorf("a refused token was retried for %v", time.Since(began))
	}
}

func newTestLogger(w *lockedBuf) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
