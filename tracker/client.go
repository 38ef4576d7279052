package tracker

import (
	"context"
	"errors"
	"fmt"
)

// Client looks shipments up at one carrier API (or an aggregator).
//
// Track is called with at most MaxBatch numbers. It returns one Result per
// number the carrier answered for; a number the carrier does not know comes
// back with StatusNotFound, not as an error. An error means the carrier gave
// no usable answer for the batch (network, credentials, malformed reply); the
// caller backs off and retries later.
type Client interface {
	Name() string // short name for logs and metrics: "ups", "17track", "demo"
	MaxBatch() int
	Track(ctx context.Context, numbers []string) ([]Result, error)
}

// ErrNoClient means no configured client can look the carrier up; the user
// gets the carrier's tracking page link only.
var ErrNoClient = errors.New("no carrier client configured")

// Router picks the client that polls a carrier: its own API client when
// configured, otherwise the aggregator, otherwise none.
type Router struct {
	direct    map[string]Client // by detection carrier code
	aggregate Client            // may be nil
}

// NewRouter builds a Router. direct maps carrier codes to clients; nil
// entries are ignored. aggregator may be nil.
func NewRouter(direct map[string]Client, aggregator Client) *Router {
	r := &Router{direct: map[string]Client{}, aggregate: aggregator}
	for code, c := range direct {
		if c != nil {
			r.direct[code] = c
		}
	}
	return r
}

// ClientFor returns the client for a carrier code, or ErrNoClient.
func (r *Router) ClientFor(carrier string) (Client, error) {
	if c, ok := r.direct[carrier]; ok {
		return c, nil
	}
	if r.aggregate != nil {
		return r.aggregate, nil
	}
	return nil, ErrNoClient
}

// Lookup tracks one number through the client for its carrier.
func (r *Router) Lookup(ctx context.Context, carrier, number string) (Result, error) {
	c, err := r.ClientFor(carrier)
	if err != nil {
		return Result{}, err
	}
	res, err := c.Track(ctx, []string{number})
	if err != nil {
		return Result{}, err
	}
	for _, x := range res {
		if x.Number == number {
			if x.Carrier == "" {
				x.Carrier = carrier
			}
			return x, nil
		}
	}
	return Result{Number: number, Carrier: carrier, Status: StatusNotFound}, nil
}

// TrackEach is Track for clients whose API takes one number per request: it
// looks each number up with one, in order, and wraps a failure as
// "<name>: track <number>: …". max > 0 refuses calls with more numbers.
func TrackEach(ctx context.Context, name string, numbers []string, max int,
	one func(ctx context.Context, number string) (Result, error)) ([]Result, error) {
	if max > 0 && len(numbers) > max {
		return nil, fmt.Errorf("%s: %d numbers in one call, at most %d", name, len(numbers), max)
	}
	var out []Result
	for _, n := range numbers {
		r, err := one(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("%s: track %s: %w", name, n, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Aggregator is the client for carriers without a direct one, or nil.
func (r *Router) Aggregator() Client { return r.aggregate }

// Direct reports whether carrier has its own client (not the aggregator).
func (r *Router) Direct(carrier string) bool {
	_, ok := r.direct[carrier]
	return ok
}
