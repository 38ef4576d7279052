// Package seventeen is the client for the 17TRACK Tracking API v2.2, the
// aggregator trackbot uses for carriers without a direct client (Amazon,
// OnTrac, LaserShip, postal numbers, …).
//
// 17TRACK only reports numbers that were registered first, and registering
// consumes the account's quota. Track therefore asks gettrackinfo first,
// registers just the numbers 17TRACK says it does not know (one call for all
// of them), and never registers a number it has registered before.
package seventeen

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

const (
	// DefaultBaseURL is the production host; paths are appended to it.
	DefaultBaseURL = "https://api.17track.net"
	// MaxNumbers is the most numbers 17TRACK accepts in one call.
	MaxNumbers = 40
	// DefaultRate is 17TRACK's documented frequency limit per key.
	DefaultRate rate.Limit = 3
)

// 17TRACK's error codes that Track acts on.
const (
	CodeOK                = 0
	CodeIPNotWhitelisted  = -18010001
	CodeInvalidKey        = -18010002
	CodeInternal          = -18010003
	CodeAccountDisabled   = -18010004
	CodeUnauthorized      = -18010005
	CodeInvalidData       = -18010013
	CodeTooManyNumbers    = -18010014
	CodeAlreadyRegistered = -18019901
	CodeNotRegistered     = -18019902
	CodeCarrierUnknown    = -18019903
	CodeDailyLimit        = -18019907
	CodeQuotaExhausted    = -18019908
	CodeNoInfoYet         = -18019909
)

// Config configures a Client.
type Config struct {
	BaseURL    string // default DefaultBaseURL
	APIKey     string // sent as the 17token header
	HTTPClient *http.Client
	Now        func() time.Time
	Timeout    time.Duration // per request; default 20s
	Rate       rate.Limit    // requests per second; default DefaultRate
	Logger     *slog.Logger
}

// Client tracks numbers through 17TRACK. It is safe for concurrent use.
type Client struct {
	base string // scheme://host[:port]
	err  error  // a bad BaseURL, reported by Track
	key  string
	http *carrierhttp.Client
	log  *slog.Logger

	mu         sync.Mutex
	registered map[string]bool // numbers this client registered or was told are registered
}

// New returns a Client with defaults filled in.
func New(cfg Config) *Client {
	logger := cmp.Or(cfg.Logger, slog.Default())
	base, err := carrierhttp.BaseURL(cmp.Or(cfg.BaseURL, DefaultBaseURL))
	if err != nil {
		err = fmt.Errorf("17track: %w", err)
	}
	return &Client{
		base: base,
		err:  err,
		key:  cfg.APIKey,
		http: carrierhttp.New(carrierhttp.Options{
			Carrier: "17track",
			Timeout: cfg.Timeout,
			Rate:    carrierhttp.Positive(cfg.Rate, DefaultRate),
			HTTP:    cfg.HTTPClient,
			Now:     cfg.Now,
		}),
		log:        logger.With("component", "carrier", "carrier", "17track"),
		registered: map[string]bool{},
	}
}

// Name implements tracker.Client.
func (c *Client) Name() string { return "17track" }

// MaxBatch implements tracker.Client.
func (c *Client) MaxBatch() int { return MaxNumbers }

// APIError is a 17TRACK reply whose envelope code is not 0: the whole call
// was refused (bad key, too many numbers, invalid data, …).
type APIError struct {
	Code    int
	Message string
}

func (e *APIError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("17track: API code %d", e.Code)
	}
	return fmt.Sprintf("17track: API code %d: %s", e.Code, e.Message)
}

// Track looks numbers up. Numbers 17TRACK does not know yet are registered
// and fetched once more; those still without data come back as not found.
func (c *Client) Track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	if c.err != nil {
		return nil, c.err
	}
	numbers = unique(numbers)
	out := make([]tracker.Result, 0, len(numbers))
	for chunk := range slices.Chunk(numbers, MaxNumbers) {
		res, err := c.track(ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("17track: track %s: %w", describe(chunk), err)
		}
		out = append(out, res...)
	}
	return out, nil
}

func (c *Client) track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	accepted, rejected, err := c.getTrackInfo(ctx, numbers)
	if err != nil {
		return nil, err
	}
	out := make([]tracker.Result, 0, len(numbers))
	for _, it := range accepted {
		out = append(out, mapItem(it))
	}
	var unregistered []string
	for _, r := range rejected {
		n := string(r.Number)
		switch code := int(r.Error.Code); {
		case code == CodeNotRegistered && c.wasRegistered(n):
			out = append(out, notFound(n, "Registered with 17TRACK, waiting for the first update"))
		case code == CodeNotRegistered:
			unregistered = append(unregistered, n)
		default:
			out = append(out, notFound(n, string(r.Error.Message)))
		}
	}
	if len(unregistered) == 0 {
		return out, nil
	}

	refetch, regOut, err := c.register(ctx, unregistered)
	if err != nil {
		if len(out) == 0 {
			return nil, fmt.Errorf("register: %w", err)
		}
		// The other numbers' answers are good; the new ones are tried again
		// on the next poll.
		c.log.WarnContext(ctx, "register failed", "numbers", len(unregistered), slog.Any("error", err))
		for _, n := range unregistered {
			out = append(out, notFound(n, "Not yet registered with 17TRACK"))
		}
		return out, nil
	}
	out = append(out, regOut...)
	if len(refetch) == 0 {
		return out, nil
	}
	// 17TRACK fetches a newly registered number within seconds; one more look
	// often finds it, and costs a request but no quota.
	accepted, rejected, err = c.getTrackInfo(ctx, refetch)
	if err != nil {
		c.log.WarnContext(ctx, "fetch after register failed", "numbers", len(refetch), slog.Any("error", err))
		rejected = nil
		for _, n := range refetch {
			rejected = append(rejected, rejection{Number: carrierhttp.String(n)})
		}
		accepted = nil
	}
	for _, it := range accepted {
		out = append(out, mapItem(it))
	}
	for _, r := range rejected {
		out = append(out, notFound(string(r.Number), "Registered with 17TRACK, waiting for the first update"))
	}
	return out, nil
}

// register registers numbers in one call. It returns the numbers worth
// fetching again and not-found results for those 17TRACK refused.
func (c *Client) register(ctx context.Context, numbers []string) (refetch []string, refused []tracker.Result, err error) {
	var env envelope[registered]
	if err := c.call(ctx, "register", numbers, &env); err != nil {
		return nil, nil, err
	}
	for _, a := range env.Data.Accepted {
		n := string(a.Number)
		c.markRegistered(n)
		refetch = append(refetch, n)
	}
	for _, r := range env.Data.Rejected {
		n := string(r.Number)
		switch int(r.Error.Code) {
		case CodeAlreadyRegistered:
			c.markRegistered(n)
			refetch = append(refetch, n)
		case CodeQuotaExhausted, CodeDailyLimit:
			c.log.WarnContext(ctx, "17TRACK quota used up, number not registered", "code", int(r.Error.Code))
			refused = append(refused, notFound(n, "17TRACK quota used up; not tracked yet"))
		default:
			refused = append(refused, notFound(n, string(r.Error.Message)))
		}
	}
	return refetch, refused, nil
}

func (c *Client) getTrackInfo(ctx context.Context, numbers []string) ([]trackItem, []rejection, error) {
	var env envelope[trackItem]
	if err := c.call(ctx, "gettrackinfo", numbers, &env); err != nil {
		return nil, nil, err
	}
	for _, r := range env.Data.Rejected {
		if accountLevel(int(r.Error.Code)) {
			return nil, nil, &APIError{Code: int(r.Error.Code), Message: string(r.Error.Message)}
		}
	}
	return env.Data.Accepted, env.Data.Rejected, nil
}

// accountLevel codes concern the key, not the number: the whole call failed.
func accountLevel(code int) bool {
	switch code {
	case CodeIPNotWhitelisted, CodeInvalidKey, CodeInternal, CodeAccountDisabled, CodeUnauthorized, CodeDailyLimit:
		return true
	}
	return false
}

// call POSTs one item per number to /track/v2.2/<name> and decodes the
// envelope, turning a non-zero envelope code into *APIError.
func (c *Client) call(ctx context.Context, name string, numbers []string, env interface{ apiError() *APIError }) error {
	items := make([]numberItem, len(numbers))
	for i, n := range numbers {
		items[i] = numberItem{Number: n}
	}
	body, err := json.Marshal(items)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/track/v2.2/"+name, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("17token", c.key)
	reply, err := c.http.Do(ctx, req)
	if err != nil {
		var se *carrierhttp.StatusError
		if errors.As(err, &se) {
			if ae := parseAPIError(reply); ae != nil {
				return fmt.Errorf("%s: %w (%s)", name, err, ae.Error())
			}
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := json.Unmarshal(reply, env); err != nil {
		return fmt.Errorf("%s: malformed reply: %w", name, err)
	}
	if ae := env.apiError(); ae != nil {
		return fmt.Errorf("%s: %w", name, ae)
	}
	return nil
}

func parseAPIError(body []byte) *APIError {
	var env envelope[json.RawMessage]
	if json.Unmarshal(body, &env) != nil {
		return nil
	}
	return env.apiError()
}

// Check makes one authenticated call that spends no quota (getquota), so
// `trackbot carriers --check` can prove the key works.
func (c *Client) Check(ctx context.Context) error {
	var env envelope[json.RawMessage]
	if err := c.call(ctx, "getquota", nil, &env); err != nil {
		return fmt.Errorf("17track: %w", err)
	}
	return nil
}

func (c *Client) wasRegistered(n string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.registered[n]
}

func (c *Client) markRegistered(n string) {
	c.mu.Lock()
	c.registered[n] = true
	c.mu.Unlock()
}

func notFound(number, text string) tracker.Result {
	return tracker.Result{Number: number, Status: tracker.StatusNotFound, StatusText: strings.TrimSpace(text)}
}

func unique(numbers []string) []string {
	seen := make(map[string]bool, len(numbers))
	out := make([]string, 0, len(numbers))
	for _, n := range numbers {
		n = strings.TrimSpace(n)
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}

// describe names a batch in errors without listing forty numbers.
func describe(numbers []string) string {
	switch len(numbers) {
	case 0:
		return "(none)"
	case 1:
		return numbers[0]
	default:
		return fmt.Sprintf("%s and %d more", numbers[0], len(numbers)-1)
	}
}
