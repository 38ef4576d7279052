package carrierhttp

import (
	"context"
	"sync"
	"time"
)

// FetchToken obtains a fresh OAuth access token and how long it lives.
type FetchToken func(ctx context.Context) (token string, ttl time.Duration, err error)

// TokenCache keeps an OAuth token until shortly before it expires, and
// fetches at most one new token at a time.
type TokenCache struct {
	Fetch  FetchToken
	Margin time.Duration // refresh this long before expiry; default 5m (or ttl/10 when shorter)
	Now    func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// Token returns a valid cached token or fetches a new one.
func (t *TokenCache) Token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if t.token != "" && now.Before(t.expires) {
		return t.token, nil
	}
	tok, ttl, err := t.Fetch(ctx)
	if err != nil {
		return "", err
	}
	margin := t.Margin
	if margin <= 0 {
		margin = 5 * time.Minute
	}
	if margin > ttl/10 {
		margin = ttl / 10
	}
	t.token, t.expires = tok, now.Add(ttl-margin)
	return tok, nil
}

// Invalidate drops the cached token, e.g. after a 401.
func (t *TokenCache) Invalidate() {
	t.mu.Lock()
	t.token = ""
	t.mu.Unlock()
}

func (t *TokenCache) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}
