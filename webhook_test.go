package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gotgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

const (
	hookToken  = "7005550123:AAFwebhookTestToken-abc"
	hookSecret = "s3cret_Hook-token_42"
)

// updateLog records the updates a go-telegram bot handed to its handler.
type updateLog struct {
	mu  sync.Mutex
	ids []int64
	got chan struct{}
}

func (l *updateLog) handle(_ context.Context, _ *gotgbot.Bot, u *models.Update) {
	l.mu.Lock()
	l.ids = append(l.ids, u.ID)
	l.mu.Unlock()
	l.got <- struct{}{}
}

func (l *updateLog) seen() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ids)
}

// webhookBot starts a real go-telegram bot in webhook mode against the fake
// Bot API, behind webhookHandler on a real HTTP server.
func webhookBot(t *testing.T, secret string) (*updateLog, string) {
	t.Helper()
	fake := telegramtest.NewServer(hookToken)
	t.Cleanup(fake.Close)
	log := &updateLog{got: make(chan struct{}, 16)}
	b, err := gotgbot.New(hookToken, gotgbot.WithServerURL(fake.URL), gotgbot.WithDefaultHandler(log.handle))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.StartWebhook(ctx); close(done) }()
	srv := httptest.NewServer(webhookHandler(secret, b.WebhookHandler()))
	t.Cleanup(func() { srv.Close(); cancel(); <-done })
	return log, srv.URL
}

func updateJSON(t *testing.T, id int64, text string) []byte {
	t.Helper()
	from := telegramtest.User{ID: 4242, FirstName: "Ada"}
	u := telegramtest.Update{UpdateID: id, Message: &telegramtest.Message{MessageID: int(id), From: &from,
		Chat: telegramtest.Private(from), Date: time.Now().Unix(), Text: text}}
	body, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

func TestWebhookHandler(t *testing.T) {
	log, url := webhookBot(t, hookSecret)
	tests := []struct {
		name     string
		id       int64
		method   string
		secret   string // "" sends no header
		body     []byte
		wantCode int
		reaches  bool
	}{
		{"no secret", 101, http.MethodPost, "", updateJSON(t, 101, "no secret"), http.StatusUnauthorized, false},
		{"wrong secret", 102, http.MethodPost, "guess", updateJSON(t, 102, "wrong"), http.StatusUnauthorized, false},
		{"wrong secret same length", 103, http.MethodPost, strings.Repeat("x", len(hookSecret)), updateJSON(t, 103, "wrong"), http.StatusUnauthorized, false},
		{"secret with a suffix", 104, http.MethodPost, hookSecret + "x", updateJSON(t, 104, "suffix"), http.StatusUnauthorized, false},
		{"GET with the secret", 0, http.MethodGet, hookSecret, nil, http.StatusMethodNotAllowed, false},
		{"body over 1 MiB", 105, http.MethodPost, hookSecret, append(updateJSON(t, 105, "big"), bytes.Repeat([]byte(" "), maxUpdateBytes)...), http.StatusRequestEntityTooLarge, false},
		{"right secret", 106, http.MethodPost, hookSecret, updateJSON(t, 106, "hello"), http.StatusOK, true},
		{"right secret again", 107, http.MethodPost, hookSecret, updateJSON(t, 107, "track this"), http.StatusOK, true},
	}
	var want []int64
	for _, tc := range tests {
		req, err := http.NewRequest(tc.method, url, bytes.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if tc.secret != "" {
			req.Header.Set(secretHeader, tc.secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.wantCode {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.wantCode)
		}
		if tc.reaches {
			want = append(want, tc.id)
			select {
			case <-log.got:
			case <-time.After(5 * time.Second):
				t.Fatalf("%s: update never reached the bot's handler", tc.name)
			}
		}
	}
	// Refused requests were never queued, so only the accepted ones arrived.
	got := log.seen()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("bot handled updates %v, want %v", got, want)
	}
}

func TestWebhookHandlerEmptySecretRefusesAll(t *testing.T) {
	reached := false
	h := webhookHandler("", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, header := range []string{"", "anything"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("{}"))
		if header != "" {
			req.Header.Set(secretHeader, header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("header %q: status %d, want 401", header, resp.StatusCode)
		}
	}
	if reached {
		t.Error("a request got through a handler with no secret configured")
	}
}

// recordingFront forwards to the fake Bot API and keeps the form fields of
// every setWebhook call, so the test can see allowed_updates too.
type recordingFront struct {
	next http.Handler
	mu   sync.Mutex
	sets []map[string]string
}

func (f *recordingFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/setWebhook") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		peek := r.Clone(r.Context())
		peek.Body = io.NopCloser(bytes.NewReader(body))
		fields := map[string]string{}
		if err := peek.ParseMultipartForm(1 << 20); err == nil {
			for k, v := range peek.MultipartForm.Value {
				fields[k] = v[0]
			}
		}
		f.mu.Lock()
		f.sets = append(f.sets, fields)
		f.mu.Unlock()
	}
	f.next.ServeHTTP(w, r)
}

func TestRegisterAndDropWebhook(t *testing.T) {
	fake := telegramtest.NewServer(hookToken)
	defer fake.Close()
	front := &recordingFront{next: fake.Config.Handler}
	srv := httptest.NewServer(front)
	defer srv.Close()
	tg, err := gotgbot.New(hookToken, gotgbot.WithServerURL(srv.URL), gotgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const hookURL = "https://bot.example.test/telegram"

	if err := switchUpdateMode(ctx, tg, hookURL, hookSecret); err != nil {
		t.Fatalf("webhook mode: %v", err)
	}
	if u, s := fake.Webhook(); u != hookURL || s != hookSecret {
		t.Fatalf("fake holds webhook %q secret %q, want %q %q", u, s, hookURL, hookSecret)
	}
	info, err := tg.GetWebhookInfo(ctx)
	if err != nil || info.URL != hookURL {
		t.Fatalf("getWebhookInfo = %+v, %v", info, err)
	}
	front.mu.Lock()
	fields := front.sets[len(front.sets)-1]
	front.mu.Unlock()
	var allowed []string
	if err := json.Unmarshal([]byte(fields["allowed_updates"]), &allowed); err != nil ||
		!slices.Equal(allowed, []string{"message", "edited_message", "callback_query", "my_chat_member"}) {
		t.Errorf("allowed_updates = %q (%v)", fields["allowed_updates"], err)
	}
	if fields["drop_pending_updates"] == "true" {
		t.Error("registering the webhook dropped pending updates")
	}

	// Back to long polling: the webhook goes.
	if err := switchUpdateMode(ctx, tg, "", ""); err != nil {
		t.Fatalf("polling mode: %v", err)
	}
	if u, s := fake.Webhook(); u != "" || s != "" {
		t.Errorf("webhook still set after switching to polling: %q %q", u, s)
	}
	if n := fake.Calls("deleteWebhook"); n != 1 {
		t.Errorf("deleteWebhook called %d times, want 1", n)
	}
}

func TestWebhookRegistrationErrorsHideToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The Bot API refuses the token (401).
	other := telegramtest.NewServer("1:another-token")
	defer other.Close()
	// Nothing listening at all.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	for name, url := range map[string]string{"unauthorized": other.URL, "unreachable": gone.URL} {
		tg, err := gotgbot.New(hookToken, gotgbot.WithServerURL(url), gotgbot.WithSkipGetMe())
		if err != nil {
			t.Fatal(err)
		}
		for op, err := range map[string]error{
			"setWebhook":    registerWebhook(ctx, tg, "https://bot.example.test/hook", hookSecret),
			"deleteWebhook": dropWebhook(ctx, tg),
		} {
			if err == nil {
				t.Errorf("%s %s: no error", name, op)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, op) || strings.Contains(msg, hookToken) || strings.Contains(msg, "AAFwebhookTestToken") || strings.Contains(msg, hookSecret) {
				t.Errorf("%s %s: error %q should name the call and hide the token and secret", name, op, msg)
			}
		}
	}
}

func TestNewServersHaveTimeouts(t *testing.T) {
	for name, srv := range map[string]*http.Server{
		"webhook": newWebhookServer(":0", http.NotFoundHandler()),
		"ops":     newOpsServer(":0", newMetrics(nil, nil), newHealth(okPing, time.Minute)),
	} {
		if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 {
			t.Errorf("%s server without timeouts: %+v", name, srv)
		}
	}
}
