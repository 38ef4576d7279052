package carrierhttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

// oauthAPI is a minimal OAuth-protected API: POST /token issues numbered
// tokens, GET /thing wants the newest one. refuse401 makes the next n
// /thing calls answer 401 whatever the token; badCredentials makes /token 401.
type oauthAPI struct {
	mu             sync.Mutex
	issued         int
	tokenCalls     int
	thingCalls     int
	refuse401      int
	badCredentials bool
}

func (a *oauthAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch r.URL.Path {
	case "/token":
		a.tokenCalls++
		if a.badCredentials {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		a.issued++
		fmt.Fprintf(w, `{"access_token":"tok-%d","expires_in":"3600"}`, a.issued)
	case "/thing":
		a.thingCalls++
		if a.refuse401 > 0 {
			a.refuse401--
			http.Error(w, `{"error":"expired"}`, http.StatusUnauthorized)
			return
		}
		if r.Header.Get("Authorization") != fmt.Sprintf("Bearer tok-%d", a.issued) {
			http.Error(w, `{"error":"unknown token"}`, http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	default:
		http.NotFound(w, r)
	}
}

func TestBearerDo(t *testing.T) {
	tests := map[string]struct {
		refuse401      int
		badCredentials bool
		wantErr        string // "" for success
		wantTokenErr   bool
		wantTokens     int
		wantThings     int
	}{
		"fresh token":                   {wantTokens: 1, wantThings: 1},
		"one 401: new token, one retry": {refuse401: 1, wantTokens: 2, wantThings: 2},
		"two 401s: an error, no loop":   {refuse401: 2, wantErr: "HTTP 401", wantTokens: 2, wantThings: 2},
		"token endpoint 401: no retry":  {badCredentials: true, wantErr: "token: ", wantTokenErr: true, wantTokens: 1, wantThings: 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			api := &oauthAPI{refuse401: tc.refuse401, badCredentials: tc.badCredentials}
			srv := httptest.NewServer(api)
			defer srv.Close()
			hc := carrierhttp.New(carrierhttp.Options{Carrier: "test", Timeout: 5 * time.Second})
			b := &carrierhttp.Bearer{HTTP: hc}
			b.Tokens = &carrierhttp.TokenCache{Fetch: func(ctx context.Context) (string, time.Duration, error) {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/token", strings.NewReader("grant_type=client_credentials"))
				if err != nil {
					return "", 0, err
				}
				return hc.FetchToken(ctx, req, time.Hour)
			}}
			// A request with a body: each attempt must send it whole.
			body, err := b.Do(context.Background(), func() (*http.Request, error) {
				return http.NewRequest(http.MethodGet, srv.URL+"/thing", strings.NewReader("payload"))
			})
			switch {
			case tc.wantErr == "" && (err != nil || string(body) != `{"ok":true}`):
				t.Fatalf("Do = %q, %v; want the reply", body, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Do error = %v, want one containing %q", err, tc.wantErr)
			}
			if got := carrierhttp.IsTokenError(fmt.Errorf("wrapped: %w", err)); got != tc.wantTokenErr {
				t.Errorf("IsTokenError = %v, want %v (err %v)", got, tc.wantTokenErr, err)
			}
			if api.tokenCalls != tc.wantTokens || api.thingCalls != tc.wantThings {
				t.Errorf("token calls %d, API calls %d; want %d, %d", api.tokenCalls, api.thingCalls, tc.wantTokens, tc.wantThings)
			}
		})
	}
}

func TestFetchTokenReplies(t *testing.T) {
	tests := map[string]struct {
		reply   string
		wantTok string
		wantTTL time.Duration
		wantErr bool
	}{
		"string expires_in": {`{"access_token":"a","expires_in":"14399"}`, "a", 14399 * time.Second, false},
		"number expires_in": {`{"access_token":"b","expires_in":3599}`, "b", 3599 * time.Second, false},
		"no expires_in":     {`{"access_token":"c"}`, "c", 42 * time.Minute, false},
		"no token":          {`{"expires_in":3599}`, "", 0, true},
		"not JSON":          {`<html>`, "", 0, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tc.reply) }))
			defer srv.Close()
			hc := carrierhttp.New(carrierhttp.Options{Carrier: "test"})
			req, _ := http.NewRequest(http.MethodPost, srv.URL, nil)
			tok, ttl, err := hc.FetchToken(context.Background(), req, 42*time.Minute)
			if (err != nil) != tc.wantErr || tok != tc.wantTok || ttl != tc.wantTTL {
				t.Errorf("FetchToken = %q, %v, %v; want %q, %v, error %v", tok, ttl, err, tc.wantTok, tc.wantTTL, tc.wantErr)
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"host":          {"https://apis.example.com", "https://apis.example.com"},
		"port and path": {" http://127.0.0.1:8080/track/v2.2/ ", "http://127.0.0.1:8080"},
		"query dropped": {"https://h.example/x?k=v", "https://h.example"},
		"no scheme":     {"apis.example.com", ""},
		"empty":         {"", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := carrierhttp.BaseURL(tc.in)
			if got != tc.want || (err != nil) != (tc.want == "") {
				t.Errorf("BaseURL(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestPositive(t *testing.T) {
	if got := carrierhttp.Positive(0, 3); got != 3 {
		t.Errorf("Positive(0, 3) = %d", got)
	}
	if got := carrierhttp.Positive(-time.Second, time.Minute); got != time.Minute {
		t.Errorf("Positive(-1s, 1m) = %v", got)
	}
	if got := carrierhttp.Positive(0.5, 2.0); got != 0.5 {
		t.Errorf("Positive(0.5, 2) = %v", got)
	}
}
