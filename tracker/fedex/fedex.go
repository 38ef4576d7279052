// Package fedex tracks parcels through the FedEx Track API
// (POST /track/v1/trackingnumbers, OAuth client credentials).
package fedex

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

const (
	// DefaultBaseURL is the production host; the sandbox is https://apis-sandbox.fedex.com.
	DefaultBaseURL = "https://apis.fedex.com"
	// MaxBatch is the documented maximum of trackingInfo entries per request.
	MaxBatch = 30
	// DefaultRate stays far below the project limit of 1,400 requests per 10 s:
	// the limit is shared by every FedEx API the project uses, and the
	// Track capability has a daily quota (100K) as well.
	DefaultRate = rate.Limit(10)

	tokenPath = "/oauth/token"
	trackPath = "/track/v1/trackingnumbers"
)

// Config configures a Client. Only the key and secret are required.
type Config struct {
	BaseURL    string // default DefaultBaseURL; only scheme, host and port are replaced
	APIKey     string // FEDEX_API_KEY (OAuth client_id)
	SecretKey  string // FEDEX_SECRET_KEY (OAuth client_secret)
	HTTPClient *http.Client
	Now        func() time.Time
	Timeout    time.Duration // per request; default 20s
	Rate       rate.Limit    // requests per second; default DefaultRate
	Burst      int           // default 1
}

// Client is a FedEx Track API client. It is safe for concurrent use.
type Client struct {
	base    string
	baseErr error // a bad BaseURL, reported by Track
	key     string
	secret  string
	http    *carrierhttp.Client
	bearer  *carrierhttp.Bearer
}

var _ tracker.Client = (*Client)(nil)

// New returns a Client for cfg, with defaults filled in.
func New(cfg Config) *Client {
	c := &Client{
		key:    cfg.APIKey,
		secret: cfg.SecretKey,
		http: carrierhttp.New(carrierhttp.Options{
			Carrier: "fedex",
			Timeout: cfg.Timeout,
			Rate:    carrierhttp.Positive(cfg.Rate, DefaultRate),
			Burst:   cfg.Burst,
			HTTP:    cfg.HTTPClient,
			Now:     cfg.Now,
		}),
	}
	c.base, c.baseErr = carrierhttp.BaseURL(cmp.Or(cfg.BaseURL, DefaultBaseURL))
	c.bearer = &carrierhttp.Bearer{HTTP: c.http, Tokens: &carrierhttp.TokenCache{Fetch: c.fetchToken, Now: cfg.Now}}
	return c
}

// Name implements tracker.Client.
func (c *Client) Name() string { return "fedex" }

// MaxBatch implements tracker.Client.
func (c *Client) MaxBatch() int { return MaxBatch }

// Track looks numbers up, MaxBatch per request. Numbers FedEx does not know
// come back with tracker.StatusNotFound.
func (c *Client) Track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	if c.baseErr != nil {
		return nil, fmt.Errorf("fedex: %w", c.baseErr)
	}
	// FedEx tracks the 12-digit number inside a pasted 32/34-digit barcode;
	// results go back under the number the caller asked about.
	asked := make(map[string][]string, len(numbers)) // trackable → numbers asked
	trackable := make([]string, 0, len(numbers))
	for _, n := range numbers {
		t := tracker.TrackableNumber("fedex", n)
		if _, dup := asked[t]; !dup {
			trackable = append(trackable, t)
		}
		asked[t] = append(asked[t], n)
	}
	out := make([]tracker.Result, 0, len(numbers))
	for len(trackable) > 0 {
		batch := trackable[:min(len(trackable), MaxBatch)]
		trackable = trackable[len(batch):]
		body, err := c.track(ctx, batch)
		if err != nil {
			return nil, fmt.Errorf("fedex: track %s: %w", describe(batch), err)
		}
		res, err := parseReply(body, batch)
		if err != nil {
			return nil, fmt.Errorf("fedex: track %s: %w", describe(batch), err)
		}
		for _, r := range res {
			ns, ok := asked[r.Number]
			if !ok {
				out = append(out, r)
				continue
			}
			for _, n := range ns {
				r.Number = n
				out = append(out, r)
			}
		}
	}
	return out, nil
}

type trackRequest struct {
	IncludeDetailedScans bool           `json:"includeDetailedScans"`
	TrackingInfo         []trackingInfo `json:"trackingInfo"`
}

type trackingInfo struct {
	TrackingNumberInfo struct {
		TrackingNumber string `json:"trackingNumber"`
	} `json:"trackingNumberInfo"`
}

// track posts one batch, refreshing the token once when FedEx says it has
// expired (tokens live 60 minutes and may be revoked early).
func (c *Client) track(ctx context.Context, batch []string) ([]byte, error) {
	req := trackRequest{IncludeDetailedScans: true, TrackingInfo: make([]trackingInfo, len(batch))}
	for i, n := range batch {
		req.TrackingInfo[i].TrackingNumberInfo.TrackingNumber = n
	}
	payload, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	return c.bearer.Do(ctx, func() (*http.Request, error) {
		hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+trackPath, bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Accept", "application/json")
		hr.Header.Set("X-locale", "en_US")
		return hr, nil
	})
}

func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.key},
		"client_secret": {c.secret},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+tokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	return c.http.FetchToken(ctx, req, time.Hour) // FedEx documents 60 minutes
}

// describe names a batch in errors without listing thirty numbers.
func describe(batch []string) string {
	switch len(batch) {
	case 0:
		return "(none)"
	case 1:
		return batch[0]
	default:
		return fmt.Sprintf("%s and %d more", batch[0], len(batch)-1)
	}
}
