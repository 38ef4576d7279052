package fakeapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker/carrierhttp/fakeapi"
)

// fake is the smallest fake carrier: GET /token issues a token, GET /track
// wants it and obeys the knobs.
type fake struct {
	fakeapi.Server
	tokens fakeapi.Tokens
}

func newFake(t *testing.T, ttl time.Duration) *fake {
	f := &fake{tokens: fakeapi.Tokens{Prefix: "t", TTL: ttl}}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		f.tokens.Count()
		fakeapi.WriteJSON(w, http.StatusOK, map[string]string{"access_token": f.tokens.Issue()})
	})
	mux.HandleFunc("/track", func(w http.ResponseWriter, r *http.Request) {
		k := f.Count()
		if !k.Wait(r) {
			return
		}
		switch {
		case f.tokens.Check(r) == fakeapi.AuthMissing:
			fakeapi.WriteJSON(w, http.StatusUnauthorized, "missing")
		case f.tokens.Check(r) == fakeapi.AuthInvalid:
			fakeapi.WriteJSON(w, http.StatusUnauthorized, "invalid")
		case k.Fail != nil:
			k.Fail.SetRetryAfter(w)
			fakeapi.WriteJSON(w, k.Fail.Status, "failed")
		case k.Malformed:
			fakeapi.WriteTruncated(w, `{"a":`)
		default:
			fakeapi.WriteJSON(w, http.StatusOK, "ok")
		}
	})
	f.Start(mux)
	t.Cleanup(f.Close)
	return f
}

func get(t *testing.T, url, token string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Retry-After")
}

func TestKnobs(t *testing.T) {
	tests := map[string]struct {
		setup      func(f *fake)
		token      string // "" none, "good" a fresh one, else sent as is
		wantStatus []int  // one request per entry
		wantBody   string // of the last reply
		wantRetry  string // Retry-After of the first reply
	}{
		"plain":            {token: "good", wantStatus: []int{200}, wantBody: `"ok"`},
		"no token":         {wantStatus: []int{401}, wantBody: `"missing"`},
		"unknown token":    {token: "forged", wantStatus: []int{401}, wantBody: `"invalid"`},
		"expired tokens":   {setup: func(f *fake) { f.tokens.Expire() }, token: "good", wantStatus: []int{401}, wantBody: `"invalid"`},
		"fail two then ok": {setup: func(f *fake) { f.FailNext(2, 503, 1500*time.Millisecond) }, token: "good", wantStatus: []int{503, 503, 200}, wantBody: `"ok"`, wantRetry: "2"},
		"later call wins":  {setup: func(f *fake) { f.FailNext(3, 500, 0); f.FailNext(1, 429, time.Minute) }, token: "good", wantStatus: []int{429, 200}, wantBody: `"ok"`, wantRetry: "60"},
		"cancelled":        {setup: func(f *fake) { f.FailNext(2, 500, 0); f.FailNext(0, 0, 0) }, token: "good", wantStatus: []int{200}, wantBody: `"ok"`},
		"malformed":        {setup: func(f *fake) { f.SetMalformed(true) }, token: "good", wantStatus: []int{200}, wantBody: `{"a":`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, 0)
			tok := tc.token
			if tok == "good" {
				if code, _, _ := get(t, f.URL()+"/token", ""); code != 200 {
					t.Fatalf("token: HTTP %d", code)
				}
				tok = f.tokens.Issue() // same store as the endpoint's
			}
			if tc.setup != nil {
				tc.setup(f)
			}
			var body string
			for i, want := range tc.wantStatus {
				code, b, retry := get(t, f.URL()+"/track", tok)
				if code != want {
					t.Errorf("request %d: HTTP %d, want %d", i+1, code, want)
				}
				if i == 0 && retry != tc.wantRetry {
					t.Errorf("Retry-After %q, want %q", retry, tc.wantRetry)
				}
				body = b
			}
			if body != tc.wantBody {
				t.Errorf("last body %q, want %q", body, tc.wantBody)
			}
			if f.Requests() != len(tc.wantStatus) {
				t.Errorf("Requests() = %d, want %d", f.Requests(), len(tc.wantStatus))
			}
		})
	}
}

func TestTokensTTL(t *testing.T) {
	tests := map[string]struct {
		ttl  time.Duration
		want int
	}{
		"no TTL":     {0, 200},
		"long TTL":   {time.Hour, 200},
		"TTL passed": {time.Nanosecond, 401},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, tc.ttl)
			if code, _, _ := get(t, f.URL()+"/track", f.tokens.Issue()); code != tc.want {
				t.Errorf("HTTP %d, want %d", code, tc.want)
			}
			if f.tokens.Requests() != 0 {
				t.Errorf("token requests %d, want 0 (Issue is not a request)", f.tokens.Requests())
			}
		})
	}
}

func TestDelayGivesWayToClient(t *testing.T) {
	f := newFake(t, 0)
	f.SetDelay(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.URL()+"/track", nil)
	_, err := http.DefaultClient.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the client's deadline", err)
	}
	// Close (in Cleanup) returns promptly only if the handler gave up too.
}
