// Package fakeapi holds what the in-process fakes of carrier APIs (upstest,
// uspstest, fedextest, dhltest, seventeentest) share: the httptest server,
// the fault knobs tests turn (FailNext, SetDelay, SetMalformed), request
// counters, OAuth bearer tokens and JSON replies. Each fake keeps its own
// routes, payloads and error envelopes.
package fakeapi

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Server is the embeddable part of a fake API: it serves the fake's handler
// and holds the knobs. Its exported methods become the fake's own.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	failN     int
	fail      Failure
	delay     time.Duration
	malformed bool
	requests  int
}

// Start serves h on a new local listener.
func (s *Server) Start(h http.Handler) { s.srv = httptest.NewServer(h) }

// URL is the base URL to configure the client with (scheme, host and port).
func (s *Server) URL() string { return s.srv.URL }

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// FailNext makes the next n requests the fake counts fail with status and
// the carrier's error envelope (429, 500, 503, 401, …); retryAfter > 0 adds
// a Retry-After header in whole seconds, rounded up. It replaces failures
// still pending; n = 0 cancels them.
func (s *Server) FailNext(n, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.fail = n, Failure{Status: status, RetryAfter: retryAfter}
}

// SetDelay holds every counted reply for d (or until the client gives up).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetMalformed makes counted replies truncated JSON with HTTP 200.
func (s *Server) SetMalformed(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.malformed = on
}

// Requests counts the requests the fake counted (its lookups), failed ones
// included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Knobs is what the knobs say about one request.
type Knobs struct {
	Fail      *Failure // nil: no injected failure
	Delay     time.Duration
	Malformed bool
}

// Count counts a request and takes the knobs for it, using up one of the
// failures FailNext scripted.
func (s *Server) Count() Knobs {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	k := Knobs{Delay: s.delay, Malformed: s.malformed}
	if s.failN > 0 {
		s.failN--
		f := s.fail
		k.Fail = &f
	}
	return k
}

// Wait holds the reply for k.Delay. It reports false when the client gave up
// first, and the handler should then return without replying.
func (k Knobs) Wait(r *http.Request) bool {
	if k.Delay <= 0 {
		return true
	}
	select {
	case <-time.After(k.Delay):
		return true
	case <-r.Context().Done():
		return false
	}
}

// Failure is one injected failure.
type Failure struct {
	Status     int
	RetryAfter time.Duration
}

// SetRetryAfter adds the Retry-After header, if any, before the reply is written.
func (f Failure) SetRetryAfter(w http.ResponseWriter) { SetRetryAfter(w, f.RetryAfter) }

// SetRetryAfter sets Retry-After to d in whole seconds, rounded up; d <= 0
// sets nothing.
func SetRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
}

// WriteJSON writes v as a JSON reply with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "fakeapi: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteTruncated writes the start of a JSON document with HTTP 200, as a
// carrier does when a reply is cut off.
func WriteTruncated(w http.ResponseWriter, start string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, start)
}
