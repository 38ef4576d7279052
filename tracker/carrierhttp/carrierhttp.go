// Package carrierhttp holds what every carrier client needs around net/http:
// a per-carrier rate limit and timeout, Retry-After handling, resting a
// carrier that keeps failing, cached OAuth tokens and lenient JSON types.
package carrierhttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxBody bounds what we read from a carrier: tracking replies are small, and
// a misbehaving server must not exhaust memory.
const maxBody = 8 << 20

// StatusError is a carrier reply with an HTTP status of 400 or more.
type StatusError struct {
	Carrier    string
	StatusCode int
	RetryAfter time.Duration // from the Retry-After header; 0 when absent
	Body       string        // the start of the body, for logs
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %s", e.Carrier, e.StatusCode, e.Body)
}

// Temporary reports whether retrying later may succeed (429 and 5xx).
func (e *StatusError) Temporary() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// RestingError is returned without contacting the carrier while it rests
// after a 429 or a run of failures.
type RestingError struct {
	Carrier string
	Until   time.Time
}

func (e *RestingError) Error() string {
	return fmt.Sprintf("%s: resting until %s after errors", e.Carrier, e.Until.Format(time.RFC3339))
}

// Options configure a Client.
type Options struct {
	Carrier string        // name used in errors
	Timeout time.Duration // per request; default 20s
	Rate    rate.Limit    // requests per second; 0 means unlimited
	Burst   int           // default 1
	// FailuresBeforeRest consecutive failures (network, 5xx) rest the carrier,
	// doubling from RestMin up to RestMax. Defaults: 3, 1m, 30m.
	FailuresBeforeRest int
	RestMin, RestMax   time.Duration
	HTTP               *http.Client // default: a client with Timeout
	Now                func() time.Time
}

// Client sends requests to one carrier politely.
type Client struct {
	opt     Options
	http    *http.Client
	limiter *rate.Limiter

	mu        sync.Mutex
	failures  int
	restUntil time.Time
}

// New returns a Client with defaults filled in.
func New(opt Options) *Client {
	if opt.Timeout <= 0 {
		opt.Timeout = 20 * time.Second
	}
	if opt.Burst <= 0 {
		opt.Burst = 1
	}
	if opt.FailuresBeforeRest <= 0 {
		opt.FailuresBeforeRest = 3
	}
	if opt.RestMin <= 0 {
		opt.RestMin = time.Minute
	}
	if opt.RestMax <= 0 {
		opt.RestMax = 30 * time.Minute
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	hc := opt.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: opt.Timeout}
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if opt.Rate > 0 {
		lim = rate.NewLimiter(opt.Rate, opt.Burst)
	}
	return &Client{opt: opt, http: hc, limiter: lim}
}

// Do sends req and returns the body of a 2xx reply. Replies of 400 and more
// come back as *StatusError (with the body read), so callers can still decode
// carriers' error envelopes from StatusError.Body when they need to.
func (c *Client) Do(ctx context.Context, req *http.Request) ([]byte, error) {
	if until, resting := c.resting(); resting {
		return nil, &RestingError{Carrier: c.opt.Carrier, Until: until}
	}
	if err := c.wait(ctx); err != nil {
		return nil, fmt.Errorf("%s: rate limit wait: %w", c.opt.Carrier, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		c.fail(0)
		return nil, fmt.Errorf("%s: %s %s: %w", c.opt.Carrier, req.Method, req.URL.Path, redact(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		c.fail(0)
		return nil, fmt.Errorf("%s: read reply: %w", c.opt.Carrier, err)
	}
	if resp.StatusCode >= 400 {
		se := &StatusError{
			Carrier:    c.opt.Carrier,
			StatusCode: resp.StatusCode,
			RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), c.opt.Now()),
			Body:       snippet(body),
		}
		if se.Temporary() {
			c.fail(se.RetryAfter)
		}
		return body, se
	}
	c.ok()
	return body, nil
}

// Pacer gives a request the next slot of a schedule that several
// processes share, one slot per every, for the carrier named key: wait is
// how long until the slot. ok false: no shared schedule (or it could not
// answer), and the client paces on its own limiter.
type Pacer func(ctx context.Context, key string, every time.Duration) (wait time.Duration, ok bool)

type pacerKey struct{}

// WithPacer makes the requests sent with ctx take their turns from p rather
// than from their client's own limiter, which paces only its process: two
// instances with one carrier key would otherwise send twice its rate.
func WithPacer(ctx context.Context, p Pacer) context.Context {
	return context.WithValue(ctx, pacerKey{}, p)
}

// wait holds a request until its turn: the shared slot when ctx has a
// Pacer that answers, else the client's own limiter.
func (c *Client) wait(ctx context.Context) error {
	p, _ := ctx.Value(pacerKey{}).(Pacer)
	if lim := c.limiter.Limit(); p == nil || lim == rate.Inf || lim <= 0 {
		return c.limiter.Wait(ctx)
	}
	every := time.Duration(float64(time.Second) / float64(c.limiter.Limit()))
	d, ok := p(ctx, c.opt.Carrier, every)
	if !ok {
		return c.limiter.Wait(ctx)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Resting reports whether the carrier is resting, and until when.
func (c *Client) resting() (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.restUntil, c.opt.Now().Before(c.restUntil)
}

func (c *Client) fail(retryAfter time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures++
	now := c.opt.Now()
	if retryAfter > 0 {
		c.restUntil = now.Add(retryAfter)
		return
	}
	if c.failures >= c.opt.FailuresBeforeRest {
		d := c.opt.RestMin << min(c.failures-c.opt.FailuresBeforeRest, 10)
		if d > c.opt.RestMax || d <= 0 {
			d = c.opt.RestMax
		}
		c.restUntil = now.Add(d)
	}
}

func (c *Client) ok() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = 0
	c.restUntil = time.Time{}
}

// ParseRetryAfter reads a Retry-After header: delay seconds or an HTTP date.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func snippet(b []byte) string {
	const n = 300
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

// redact drops the URL from *url.Error: query strings can carry keys.
func redact(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}
