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
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
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
	bearer *carrierhttp.Bearer
	log    *slog.Logger
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	c := &Client{cfg: cfg, log: cmp.Or(cfg.Logger, slog.Default()).With("component", "carrier", "carrier", "usps")}
	c.base, c.err = carrierhttp.BaseURL(cmp.Or(cfg.BaseURL, DefaultBaseURL))
	if c.err != nil {
		c.err = fmt.Errorf("usps: %w", c.err)
	}
	c.http = carrierhttp.New(carrierhttp.Options{
		Carrier: Code,
		Timeout: carrierhttp.Positive(cfg.Timeout, DefaultTimeout),
		Rate:    carrierhttp.Positive(cfg.Rate, DefaultRate),
		Burst:   carrierhttp.Positive(cfg.Burst, DefaultBurst),
		HTTP:    cfg.HTTPClient,
		Now:     cfg.Now,
	})
	c.bearer = &carrierhttp.Bearer{
		HTTP:   c.http,
		Tokens: &carrierhttp.TokenCache{Fetch: c.fetchToken, Now: cfg.Now},
		Log:    c.log,
	}
	return c
}

// Name implements tracker.Client.
func (c *Client) Name() string { return Code }

// MaxBatch implements tracker.Client: v3 tracks one number per request.
func (c *Client) MaxBatch() int { return 1 }

// Track implements tracker.Client. It accepts at most MaxBatch numbers.
func (c *Client) Track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	if len(numbers) > 0 && len(numbers) <= c.MaxBatch() && c.err != nil {
		return nil, c.err
	}
	return tracker.TrackEach(ctx, "usps", numbers, c.MaxBatch(), c.trackOne)
}

func (c *Client) trackOne(ctx context.Context, n string) (tracker.Result, error) {
	body, err := c.details(ctx, n)
	if err != nil {
		if se, ok := errors.AsType[*carrierhttp.StatusError](err); ok && !carrierhttp.IsTokenError(err) {
			if text, nf := notFoundReply(se.StatusCode, body); nf {
				return tracker.Result{Number: n, Carrier: Code, Status: tracker.StatusNotFound, StatusText: text}, nil
			}
		}
		return tracker.Result{}, err
	}
	return parseReply(n, body)
}

func (c *Client) details(ctx context.Context, n string) ([]byte, error) {
	u := c.base + trackingPath + url.PathEscape(n) + "?expand=DETAIL"
	return c.bearer.Do(ctx, func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		return req, nil
	})
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
	tok, ttl, err := c.http.FetchToken(ctx, req, defaultTokenTTL)
	if err == nil {
		c.log.DebugContext(ctx, "usps: new access token", "ttl", ttl)
	}
	return tok, ttl, err
}
