// Package usps tracks parcels through USPS Tracking API v3 (apis.usps.com):
// OAuth client credentials (JSON body, token cached until shortly before it
// expires) and one GET per number with expand=DETAIL.
//
// USPS quotas are tiny (about 60 calls an hour per app, token calls
// included), so the default rate is one call a minute; callers should poll
// USPS numbers rarely. A 404 "status update is not yet available" (error
// 150006) comes back as tracker.StatusNotFound.
package usps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

// Defaults, with the reason for each.
const (
	DefaultBaseURL = "https://apis.usps.com"
	// DefaultRate keeps within the ~60 calls an hour USPS grants an app by
	// default; the burst of 2 lets a token fetch and the first lookup go
	// together.
	DefaultRate  = rate.Limit(1.0 / 60)
	DefaultBurst = 2
	// DefaultTimeout bounds one HTTP exchange.
	DefaultTimeout = 20 * time.Second
	// defaultTokenTTL is used when a token reply has no usable expires_in;
	// USPS tokens are reported to live eight hours.
	defaultTokenTTL = time.Hour

	tokenPath    = "/oauth2/v3/token"
	trackingPath = "/tracking/v3/tracking/"
)

// Code is the detection carrier code of USPS numbers.
const Code = "usps"

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	BaseURL      string // USPS_API_URL; only scheme, host and port are used
	ClientID     string // USPS_CLIENT_ID
	ClientSecret string // USPS_CLIENT_SECRET
	HTTPClient   *http.Client
	Now          func() time.Time // for tests
	Timeout      time.Duration    // per HTTP exchange
	Rate         rate.Limit       // requests per second; rate.Inf for none
	Burst        int
	Logger       *slog.Logger
}

// Client looks parcels up at USPS. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   string
	err    error
	http   *carrierhttp.Client
	tokens *carrierhttp.TokenCache
	log    *slog.Logger
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Rate <= 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Burst <= 0 {
		cfg.Burst = DefaultBurst
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{cfg: cfg, log: cfg.Logger}
	if c.log == nil {
		c.log = slog.Default()
	}
	c.base, c.err = baseURL(cfg.BaseURL)
	c.http = carrierhttp.New(carrierhttp.Options{
		Carrier: Code,
		Timeout: cfg.Timeout,
		Rate:    cfg.Rate,
		Burst:   cfg.Burst,
		HTTP:    cfg.HTTPClient,
		Now:     cfg.Now,
	})
	c.tokens = &carrierhttp.TokenCache{Fetch: c.fetchToken, Now: cfg.Now}
	return c
}

func baseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("usps: base URL %q is not an absolute URL", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Name implements tracker.Client.
func (c *Client) Name() string { return Code }

// MaxBatch implements tracker.Client: v3 tracks one number per request.
func (c *Client) MaxBatch() int { return 1 }

// Track implements tracker.Client. It accepts at most MaxBatch numbers.
func (c *Client) Track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	if len(numbers) > c.MaxBatch() {
		return nil, fmt.Errorf("usps: %d numbers in one call, at most %d", len(numbers), c.MaxBatch())
	}
	if c.err != nil {
		return nil, c.err
	}
	n := numbers[0]
	res, err := c.trackOne(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("usps: track %s: %w", n, err)
	}
	return []tracker.Result{res}, nil
}

func (c *Client) trackOne(ctx context.Context, n string) (tracker.Result, error) {
	body, err := c.details(ctx, n)
	if se, ok := errors.AsType[*carrierhttp.StatusError](err); ok && se.StatusCode == http.StatusUnauthorized && !isTokenErr(err) {
		// The cached token was revoked or expired early: one fresh try.
		c.log.InfoContext(ctx, "usps: bearer token refused, fetching a new one")
		c.tokens.Invalidate()
		body, err = c.details(ctx, n)
	}
	if err != nil {
		if se, ok := errors.AsType[*carrierhttp.StatusError](err); ok && !isTokenErr(err) {
			if text, nf := notFoundReply(se.StatusCode, body); nf {
				return tracker.Result{Number: n, Carrier: Code, Status: tracker.StatusNotFound, StatusText: text}, nil
			}
		}
		return tracker.Result{}, err
	}
	return parseReply(n, body)
}

// tokenError marks failures to obtain a token, so a 401 from the token
// endpoint (bad credentials) is not mistaken for a stale bearer token.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "token: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }

func isTokenErr(err error) bool {
	_, ok := errors.AsType[*tokenError](err)
	return ok
}

func (c *Client) details(ctx context.Context, n string) ([]byte, error) {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return nil, &tokenError{err}
	}
	u := c.base + trackingPath + url.PathEscape(n) + "?expand=DETAIL"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	return c.http.Do(ctx, req)
}

// tokenReply is the OAuth reply; USPS documents expires_in as a string,
// some deployments send a number.
type tokenReply struct {
	AccessToken carrierhttp.String `json:"access_token"`
	TokenType   carrierhttp.String `json:"token_type"`
	ExpiresIn   carrierhttp.Int    `json:"expires_in"`
}

// fetchToken asks for a client-credentials token with the JSON body USPS
// documents. Errors never carry the secret.
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	payload, err := json.Marshal(map[string]string{
		"client_id":     c.cfg.ClientID,
		"client_secret": c.cfg.ClientSecret,
		"grant_type":    "client_credentials",
	})
	if err != nil {
		return "", 0, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+tokenPath, bytes.NewReader(payload))
	if err != nil {
		return "", 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	body, err := c.http.Do(ctx, req)
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
		ttl = defaultTokenTTL
	}
	c.log.DebugContext(ctx, "usps: new access token", "ttl", ttl)
	return string(tr.AccessToken), ttl, nil
}
