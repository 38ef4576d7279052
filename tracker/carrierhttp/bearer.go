package carrierhttp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Bearer sends requests that carry a cached OAuth bearer token, as the UPS,
// USPS and FedEx APIs want.
type Bearer struct {
	HTTP   *Client
	Tokens *TokenCache
	Log    *slog.Logger // default slog.Default()
}

// TokenError marks a failure to obtain a token, so that a 401 from the token
// endpoint (bad credentials) is not mistaken for a stale bearer token.
type TokenError struct{ Err error }

func (e *TokenError) Error() string { return "token: " + e.Err.Error() }
func (e *TokenError) Unwrap() error { return e.Err }

// IsTokenError reports whether err is, or wraps, a *TokenError.
func IsTokenError(err error) bool {
	_, ok := errors.AsType[*TokenError](err)
	return ok
}

// Do sends the request build makes, with the bearer token added, and returns
// what Client.Do returns. When the carrier refuses the token with a 401 (it
// was revoked or expired early), Do drops it and tries once more with a
// fresh one. build is called once per attempt, so request bodies are fresh.
// Failing to get a token returns a *TokenError and is never retried.
func (b *Bearer) Do(ctx context.Context, build func() (*http.Request, error)) ([]byte, error) {
	body, err := b.do(ctx, build)
	if se, ok := errors.AsType[*StatusError](err); ok && se.StatusCode == http.StatusUnauthorized && !IsTokenError(err) {
		b.log().InfoContext(ctx, b.HTTP.opt.Carrier+": bearer token refused, fetching a new one")
		b.Tokens.Invalidate()
		body, err = b.do(ctx, build)
	}
	return body, err
}

func (b *Bearer) do(ctx context.Context, build func() (*http.Request, error)) ([]byte, error) {
	tok, err := b.Tokens.Token(ctx)
	if err != nil {
		return nil, &TokenError{err}
	}
	req, err := build()
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return b.HTTP.Do(ctx, req)
}

func (b *Bearer) log() *slog.Logger {
	if b.Log != nil {
		return b.Log
	}
	return slog.Default()
}

// tokenReply holds the fields of an OAuth token reply that clients use.
// Carriers disagree on expires_in (a number at FedEx, a string at UPS and
// USPS), so it is decoded leniently.
type tokenReply struct {
	AccessToken String `json:"access_token"`
	ExpiresIn   Int    `json:"expires_in"`
}

// FetchToken sends a token request made by the caller (each carrier wants
// the credentials in its own place) and reads the OAuth reply. A reply
// without a usable expires_in gets defaultTTL. Errors never carry the
// request, so never the secret.
func (c *Client) FetchToken(ctx context.Context, req *http.Request, defaultTTL time.Duration) (string, time.Duration, error) {
	body, err := c.Do(ctx, req)
	if err != nil {
		return "", 0, err
	}
	var tr tokenReply
	if err := json.Unmarshal(body, &tr); err != nil {
		return "", 0, fmt.Errorf("decode reply: %w", err)
	}
	if tr.AccessToken == "" {
		return "", 0, errors.New("reply has no access_token")
	}
	ttl := time.Duration(tr.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = defaultTTL
	}
	return string(tr.AccessToken), ttl, nil
}
