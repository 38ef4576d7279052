// Package ups tracks parcels through the UPS Track API: OAuth client
// credentials (HTTP Basic, token cached until shortly before it expires) and
// one GET per tracking number.
//
// UPS answers an unknown number with HTTP 200 and a TW0001 warning, and a
// malformed one with error TV1002; both come back as tracker.StatusNotFound.
package ups

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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
	DefaultBaseURL = "https://onlinetools.ups.com"
	// UPS publishes no rate limit and sends no rate headers; two a second
	// (burst 4) is far below what developers report hitting 429s at.
	DefaultRate  = rate.Limit(2)
	DefaultBurst = 4
	// DefaultTimeout bounds one HTTP exchange; UPS usually answers in under a second.
	DefaultTimeout = 20 * time.Second
	// defaultTokenTTL is used when a token reply has no usable expires_in;
	// UPS tokens live four hours, so an hour is safe.
	defaultTokenTTL = time.Hour

	tokenPath      = "/security/v1/oauth/token"
	detailsPath    = "/api/track/v1/details/"
	detailsQuery   = "locale=en_US&returnSignature=false&returnMilestones=false&returnPOD=false"
	transactionSrc = "trackbot"
)

// Code is the detection carrier code of UPS numbers.
const Code = "ups"

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	BaseURL      string // UPS_API_URL; only scheme, host and port are used
	ClientID     string // UPS_CLIENT_ID
	ClientSecret string // UPS_CLIENT_SECRET
	HTTPClient   *http.Client
	Now          func() time.Time // for tests
	Timeout      time.Duration    // per HTTP exchange
	Rate         rate.Limit       // requests per second; rate.Inf for none
	Burst        int
	Logger       *slog.Logger
}

// Client looks parcels up at UPS. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   string // scheme://host[:port]
	err    error  // a bad BaseURL, reported by Track
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

// baseURL keeps only scheme, host and port: the documented paths are
// appended unchanged.
func baseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("ups: base URL %q is not an absolute URL", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Name implements tracker.Client.
func (c *Client) Name() string { return Code }

// MaxBatch implements tracker.Client: the details endpoint takes one number.
func (c *Client) MaxBatch() int { return 1 }

// Track implements tracker.Client. It accepts at most MaxBatch numbers.
func (c *Client) Track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	if len(numbers) > c.MaxBatch() {
		return nil, fmt.Errorf("ups: %d numbers in one call, at most %d", len(numbers), c.MaxBatch())
	}
	if c.err != nil {
		return nil, c.err
	}
	n := numbers[0]
	res, err := c.trackOne(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("ups: track %s: %w", n, err)
	}
	return []tracker.Result{res}, nil
}

func (c *Client) trackOne(ctx context.Context, n string) (tracker.Result, error) {
	body, err := c.details(ctx, n)
	if se, ok := errors.AsType[*carrierhttp.StatusError](err); ok && se.StatusCode == http.StatusUnauthorized && !isTokenErr(err) {
		// The cached token was revoked or expired early: one fresh try.
		c.log.InfoContext(ctx, "ups: bearer token refused, fetching a new one")
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

// details fetches the raw tracking reply for n. On a carrier error status
// the body is returned too, for its error envelope.
func (c *Client) details(ctx context.Context, n string) ([]byte, error) {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return nil, &tokenError{err}
	}
	u := c.base + detailsPath + url.PathEscape(n) + "?" + detailsQuery
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("transId", newTransID())
	req.Header.Set("transactionSrc", transactionSrc)
	return c.http.Do(ctx, req)
}

// newTransID returns a unique 32-character id: UPS documents transId as
// length 32, and it lets UPS support find one request.
func newTransID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return hex.EncodeToString(b[:])
}

// tokenReply is UPS's tokenSuccessResponse: every field a string in the
// spec, numbers included; decoded leniently in case that changes.
type tokenReply struct {
	TokenType   carrierhttp.String `json:"token_type"`
	AccessToken carrierhttp.String `json:"access_token"`
	ExpiresIn   carrierhttp.Int    `json:"expires_in"`
	IssuedAt    carrierhttp.String `json:"issued_at"`
	Status      carrierhttp.String `json:"status"`
}

// fetchToken asks for a client-credentials token. The secret travels only
// in the Basic header; errors never carry it.
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+tokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("build request: %w", err)
	}
	req.SetBasicAuth(c.cfg.ClientID, c.cfg.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
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
	c.log.DebugContext(ctx, "ups: new access token", "ttl", ttl)
	return string(tr.AccessToken), ttl, nil
}
