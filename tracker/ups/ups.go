// Package ups tracks parcels through the UPS Track API: OAuth client
// credentials (HTTP Basic, token cached until shortly before it expires) and
// one GET per tracking number.
//
// UPS answers an unknown number with HTTP 200 and a TW0001 warning, and a
// malformed one with error TV1002; both come back as tracker.StatusNotFound.
package ups

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
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
	bearer *carrierhttp.Bearer
	log    *slog.Logger
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	c := &Client{cfg: cfg, log: cmp.Or(cfg.Logger, slog.Default()).With("component", "carrier", "carrier", "ups")}
	c.base, c.err = carrierhttp.BaseURL(cmp.Or(cfg.BaseURL, DefaultBaseURL))
	if c.err != nil {
		c.err = fmt.Errorf("ups: %w", c.err)
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

// MaxBatch implements tracker.Client: the details endpoint takes one number.
func (c *Client) MaxBatch() int { return 1 }

// Track implements tracker.Client. It accepts at most MaxBatch numbers.
func (c *Client) Track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	if len(numbers) > 0 && len(numbers) <= c.MaxBatch() && c.err != nil {
		return nil, c.err
	}
	return tracker.TrackEach(ctx, "ups", numbers, c.MaxBatch(), c.trackOne)
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

// details fetches the raw tracking reply for n. On a carrier error status
// the body is returned too, for its error envelope.
func (c *Client) details(ctx context.Context, n string) ([]byte, error) {
	u := c.base + detailsPath + url.PathEscape(n) + "?" + detailsQuery
	return c.bearer.Do(ctx, func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("transId", newTransID()) // one per attempt: UPS support looks requests up by it
		req.Header.Set("transactionSrc", transactionSrc)
		return req, nil
	})
}

// newTransID returns a unique 32-character id: UPS documents transId as
// length 32, and it lets UPS support find one request.
func newTransID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return hex.EncodeToString(b[:])
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
	tok, ttl, err := c.http.FetchToken(ctx, req, defaultTokenTTL)
	if err == nil {
		c.log.DebugContext(ctx, "ups: new access token", "ttl", ttl)
	}
	return tok, ttl, err
}
