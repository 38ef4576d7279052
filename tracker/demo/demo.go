// Package demo is a simulated carrier for trying trackbot without carrier
// accounts (TRACKBOT_DEMO=1, and always in `trackbot console`). It needs no
// network: each demo number plays a scripted story on a compressed clock that
// starts the first time the number is tracked.
//
// Demo numbers (a whole story plays in about ten minutes by default):
//
//	| number | story                                                                  | ends as          |
//	|--------|------------------------------------------------------------------------|------------------|
//	| DEMO1  | plain delivery: label, pick-up, hubs, out for delivery, delivered       | delivered        |
//	| DEMO2  | weather delay (exception) that clears, then delivered a day late        | delivered        |
//	| DEMO3  | failed delivery attempt, parcel waits in a locker, then collected       | delivered        |
//	| DEMO4  | from Germany: export, held in customs for duties, released, local post  | delivered        |
//	| DEMO5  | label and one scan, then silence                                       | in_transit       |
//	| DEMO6  | marked delivered, then nothing more (for "not received" advice)        | delivered        |
//
// Any other DEMO number is not found.
package demo

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// DefaultSpeed compresses four story days into ten real minutes.
const DefaultSpeed = 576

// Config configures a Client.
type Config struct {
	// Speed is story time per real time; DefaultSpeed when 0.
	Speed float64
	// Now is the clock; time.Now when nil. Tests step it.
	Now func() time.Time
}

// Client is the demo carrier. It is safe for concurrent use.
type Client struct {
	speed float64
	now   func() time.Time

	mu      sync.Mutex
	started map[string]time.Time // when each number was first tracked
	resume  Started
}

// Started looks up when a number's story began in an earlier run: the time
// of its first scan stored (storage's FirstEventAt). ok false: never tracked.
type Started func(ctx context.Context, carrier, number string) (at time.Time, ok bool, err error)

// ResumeFrom makes the stories an earlier run began carry on from where
// they were instead of starting over: a restart never moves a demo parcel
// back a stage.
func (c *Client) ResumeFrom(f Started) {
	c.mu.Lock()
	c.resume = f
	c.mu.Unlock()
}

// New returns a demo carrier.
func New(cfg Config) *Client {
	if cfg.Speed <= 0 {
		cfg.Speed = DefaultSpeed
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Client{speed: cfg.Speed, now: cfg.Now, started: map[string]time.Time{}}
}

// Name implements tracker.Client.
func (c *Client) Name() string { return "demo" }

// MaxBatch implements tracker.Client.
func (c *Client) MaxBatch() int { return 50 }

// Numbers lists the demo numbers that have a story.
func Numbers() []string {
	out := make([]string, 0, len(stories))
	for i := range len(stories) {
		out = append(out, "DEMO"+string(rune('1'+i)))
	}
	return out
}

// Track implements tracker.Client. It never fails.
func (c *Client) Track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	now := c.now()
	out := make([]tracker.Result, 0, len(numbers))
	for _, n := range numbers {
		st, ok := stories[strings.ToUpper(strings.TrimSpace(n))]
		if !ok {
			out = append(out, tracker.Result{Number: n, Carrier: "demo", Status: tracker.StatusNotFound, StatusText: "Demo Express does not know this number"})
			continue
		}
		out = append(out, c.play(ctx, n, st, now))
	}
	return out, nil
}

// play returns the story of number as far as it has got by now.
func (c *Client) play(ctx context.Context, number string, st story, now time.Time) tracker.Result {
	key := strings.ToUpper(strings.TrimSpace(number))
	c.mu.Lock()
	start, ok := c.started[key]
	resume := c.resume
	c.mu.Unlock()
	if !ok {
		start = now.Truncate(time.Second)
		if resume != nil {
			// The story's first step is at its time 0: its scan is the start.
			if at, found, err := resume(ctx, "demo", key); err == nil && found && !at.After(now) {
				start = at
			}
		}
		c.mu.Lock()
		if first, ok := c.started[key]; ok { // another poll got here first
			start = first
		} else {
			c.started[key] = start
		}
		c.mu.Unlock()
	}

	// at converts story time to the real moment it happens.
	at := func(d time.Duration) time.Time {
		return start.Add(time.Duration(float64(d) / c.speed)).Truncate(time.Second)
	}
	r := tracker.Result{Number: number, Carrier: "demo", Service: st.service}
	// An ETA is a day at the destination, the place of the story's last
	// step; in the origin's zone it could name another date.
	dest := st.steps[len(st.steps)-1].place.zone
	for _, s := range st.steps {
		when := at(s.at)
		if when.After(now) {
			break
		}
		r.Events = append([]tracker.Event{{
			Time:        when.In(s.place.zone),
			Status:      s.status,
			Description: s.text,
			Location:    s.place.name,
		}}, r.Events...)
		if s.eta > 0 {
			r.ETA = at(s.eta).In(dest)
		} else if s.eta < 0 {
			r.ETA = time.Time{}
		}
	}
	latest, _ := r.Latest() // the first step is at story time 0, so there is one
	r.Status, r.StatusText = latest.Status, latest.Description
	if r.Status.Final() { // no promise to keep once it is over
		r.ETA = time.Time{}
	}
	return r
}
