package fakeapi

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Tokens issues OAuth access tokens and checks bearer headers against them.
// The zero value is ready; its methods are safe for concurrent use.
type Tokens struct {
	Prefix string        // start of every token, to tell fakes apart in logs
	TTL    time.Duration // how long a token lives; 0: until Expire

	mu       sync.Mutex
	issued   map[string]time.Time // token → expiry (zero: none)
	seq      int
	requests int
}

// Count counts a request to the token endpoint.
func (t *Tokens) Count() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.requests++
}

// Requests counts token requests received.
func (t *Tokens) Requests() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.requests
}

// Issue returns a new valid token.
func (t *Tokens) Issue() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.issued == nil {
		t.issued = map[string]time.Time{}
	}
	t.seq++
	tok := fmt.Sprintf("%s-%d-%d", t.Prefix, t.seq, time.Now().UnixNano())
	var exp time.Time
	if t.TTL > 0 {
		exp = time.Now().Add(t.TTL)
	}
	t.issued[tok] = exp
	return tok
}

// Expire makes every token issued so far invalid, as when a carrier revokes
// them or they expire early.
func (t *Tokens) Expire() {
	t.mu.Lock()
	defer t.mu.Unlock()
	clear(t.issued)
}

// Auth is the outcome of checking a request's bearer token.
type Auth int

const (
	AuthOK      Auth = iota
	AuthMissing      // no "Authorization: Bearer …" header
	AuthInvalid      // a token never issued, expired or revoked
)

// Check reads r's bearer token.
func (t *Tokens) Check(r *http.Request) Auth {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return AuthMissing
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, issued := t.issued[tok]
	if !issued || (!exp.IsZero() && !time.Now().Before(exp)) {
		return AuthInvalid
	}
	return AuthOK
}
