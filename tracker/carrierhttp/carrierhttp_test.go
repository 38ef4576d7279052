package carrierhttp

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"-5":                            0,
		"Wed, 25 Nov 2026 10:02:00 GMT": 2 * time.Minute,
		"Wed, 25 Nov 2026 09:00:00 GMT": 0, // in the past
		"soon":                          0,
	}
	for in, want := range tests {
		if got := ParseRetryAfter(in, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// A 429 rests the carrier for Retry-After; repeated 5xx rest it with
// back-off; while resting nothing is sent; a success clears it all.
func TestClientRestsAfterErrors(t *testing.T) {
	var calls atomic.Int32
	status := atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if s := int(status.Load()); s != 200 {
			w.Header().Set("Retry-After", "120")
			if s != 429 {
				w.Header().Del("Retry-After")
			}
			w.WriteHeader(s)
			w.Write([]byte(`{"error":"x"}`))
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	c := New(Options{Carrier: "test", Now: func() time.Time { return now }, FailuresBeforeRest: 2, RestMin: time.Minute})
	do := func() error {
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		_, err := c.Do(context.Background(), req)
		return err
	}

	status.Store(429)
	var se *StatusError
	if err := do(); !errors.As(err, &se) || se.StatusCode != 429 || se.RetryAfter != 2*time.Minute || !se.Temporary() {
		t.Fatalf("429: got %v", err)
	}
	var re *RestingError
	if err := do(); !errors.As(err, &re) || !re.Until.Equal(now.Add(2*time.Minute)) {
		t.Fatalf("while resting: got %v", err)
	}
	if calls.Load() != 1 {
		t.Fatalf("a resting carrier was contacted: %d calls", calls.Load())
	}

	now = now.Add(3 * time.Minute)
	status.Store(200)
	if err := do(); err != nil {
		t.Fatalf("after the rest: %v", err)
	}

	status.Store(503) // failures count up: the second one rests the carrier
	if err := do(); !errors.As(err, &se) || se.StatusCode != 503 {
		t.Fatalf("503: got %v", err)
	}
	if err := do(); !errors.As(err, &se) {
		t.Fatalf("second 503: got %v", err)
	}
	if err := do(); !errors.As(err, &re) {
		t.Fatalf("after two failures: want resting, got %v", err)
	}

	status.Store(404) // a client error is an answer, not a carrier failure
	now = now.Add(time.Hour)
	for range 3 {
		if err := do(); !errors.As(err, &se) || se.StatusCode != 404 || se.Temporary() {
			t.Fatalf("404: got %v", err)
		}
	}
}

// A Pacer in the context paces the requests in place of the client's own
// limiter, with the carrier's name and the limiter's spacing; one that
// cannot answer leaves the limiter in charge.
func TestClientTakesTurnsFromAPacer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		answers bool // the pacer gives a slot
		wantErr bool // the second request, an hour's spacing early
	}{
		{"shared slots", true, false},
		{"pacer down", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{Carrier: "test", Rate: 1.0 / 3600})
			var asked atomic.Int32
			ctx := WithPacer(context.Background(), func(_ context.Context, key string, every time.Duration) (time.Duration, bool) {
				asked.Add(1)
				if key != "test" || every != time.Hour {
					t.Errorf("pacer asked for %q every %v, want \"test\" every 1h", key, every)
				}
				return 0, tt.answers
			})
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			var err error
			for range 2 {
				req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
				if _, err = c.Do(ctx, req); err != nil {
					break
				}
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("second request: err %v, want error %v", err, tt.wantErr)
			}
			if asked.Load() != 2 {
				t.Errorf("pacer asked %d times, want 2", asked.Load())
			}
		})
	}
}
