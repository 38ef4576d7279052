// Package dhl tracks parcels through DHL's Shipment Tracking – Unified API
// (GET /track/shipments with a DHL-API-Key header). It serves both DHL
// Express and DHL eCommerce numbers, so Results carry no carrier code: the
// caller fills in the one it detected.
package dhl

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

const (
	// DefaultBaseURL is the production host from DHL's developer portal.
	DefaultBaseURL = "https://api-eu.dhl.com"
	// DefaultRate is the starter plan's limit of one call per second.
	DefaultRate = rate.Limit(1)

	trackPath = "/track/shipments"
)

// Config configures a Client. Only the key is required.
type Config struct {
	BaseURL string // default DefaultBaseURL; only scheme, host and port are replaced
	APIKey  string // DHL_API_KEY, sent as the DHL-API-Key header
	// Service narrows the lookup ("express", "parcel-de", "ecommerce", …).
	// Empty lets DHL choose, which suits numbers of several services.
	Service    string
	Language   string // ISO 639-1 for status texts; default "en"
	HTTPClient *http.Client
	Now        func() time.Time
	Timeout    time.Duration // per request; default 20s
	Rate       rate.Limit    // requests per second; default DefaultRate
	Burst      int           // default 1
	// DailyQuota caps calls per day (the starter plan allows 250); DHL resets
	// it at 00:00 GMT. Zero means no cap.
	DailyQuota int
}

// Client is a DHL Unified Tracking client. It is safe for concurrent use.
type Client struct {
	base     string
	baseErr  error // a bad BaseURL, reported by Track
	key      string
	service  string
	language string
	http     *carrierhttp.Client
	now      func() time.Time
	quota    quota
}

var _ tracker.Client = (*Client)(nil)

// New returns a Client for cfg, with defaults filled in.
func New(cfg Config) *Client {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c := &Client{
		key:      cfg.APIKey,
		service:  cfg.Service,
		language: cmp.Or(cfg.Language, "en"),
		now:      now,
		quota:    quota{limit: cfg.DailyQuota},
		http: carrierhttp.New(carrierhttp.Options{
			Carrier: "dhl",
			Timeout: cfg.Timeout,
			Rate:    carrierhttp.Positive(cfg.Rate, DefaultRate),
			Burst:   cfg.Burst,
			HTTP:    cfg.HTTPClient,
			Now:     now,
		}),
	}
	c.base, c.baseErr = carrierhttp.BaseURL(cmp.Or(cfg.BaseURL, DefaultBaseURL))
	return c
}

// Name implements tracker.Client.
func (c *Client) Name() string { return "dhl" }

// MaxBatch implements tracker.Client: the API takes one number per call.
func (c *Client) MaxBatch() int { return 1 }

// Track looks each number up in turn. A number DHL does not know comes back
// with tracker.StatusNotFound. Results leave Carrier empty (see the package
// comment).
func (c *Client) Track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	if c.baseErr != nil {
		return nil, fmt.Errorf("dhl: %w", c.baseErr)
	}
	return tracker.TrackEach(ctx, "dhl", numbers, 0, c.trackOne)
}

func (c *Client) trackOne(ctx context.Context, number string) (tracker.Result, error) {
	if until, ok := c.quota.take(c.now()); !ok {
		return tracker.Result{}, &carrierhttp.RestingError{Carrier: "dhl", Until: until}
	}
	q := url.Values{"trackingNumber": {number}, "language": {c.language}}
	if c.service != "" {
		q.Set("service", c.service)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+trackPath+"?"+q.Encode(), nil)
	if err != nil {
		return tracker.Result{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("DHL-API-Key", c.key)
	req.Header.Set("Accept", "application/json")
	body, err := c.http.Do(ctx, req)
	if re := (*carrierhttp.RestingError)(nil); errors.As(err, &re) {
		c.quota.refund() // the call never reached DHL
	}
	var se *carrierhttp.StatusError
	if errors.As(err, &se) && se.StatusCode == http.StatusNotFound {
		// {"title":"No result found","detail":"No shipment with given tracking number found.",…}
		return tracker.Result{Number: number, Status: tracker.StatusNotFound, StatusText: problemDetail(body)}, nil
	}
	if err != nil {
		return tracker.Result{}, err
	}
	return parseReply(body, number)
}

// quota counts calls per GMT day.
type quota struct {
	mu    sync.Mutex
	limit int
	day   time.Time
	used  int
}

// take books one call, or says until when the day's quota is spent.
func (q *quota) take(now time.Time) (time.Time, bool) {
	if q.limit <= 0 {
		return time.Time{}, true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	day := now.UTC().Truncate(24 * time.Hour)
	if !day.Equal(q.day) {
		q.day, q.used = day, 0
	}
	if q.used >= q.limit {
		return day.Add(24 * time.Hour), false
	}
	q.used++
	return time.Time{}, true
}

// refund gives back a call that was booked but not made.
func (q *quota) refund() {
	if q.limit <= 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.used > 0 {
		q.used--
	}
}
