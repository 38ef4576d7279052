package demo

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// clock is a test clock the test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// statusesOverTime tracks number every story hour for five story days and
// returns the distinct statuses it went through, in order, plus the last result.
func statusesOverTime(t *testing.T, number string) ([]tracker.Status, tracker.Result) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)}
	c := New(Config{Now: clk.now})
	var seen []tracker.Status
	var last tracker.Result
	realHour := time.Duration(float64(time.Hour) / DefaultSpeed)
	for range 5 * 24 {
		res, err := c.Track(context.Background(), []string{number})
		if err != nil {
			t.Fatal(err)
		}
		if len(res) != 1 || res[0].Number != number || res[0].Carrier != "demo" {
			t.Fatalf("got %+v", res)
		}
		last = res[0]
		checkResult(t, last, clk.t)
		if len(seen) == 0 || seen[len(seen)-1] != last.Status {
			seen = append(seen, last.Status)
		}
		clk.t = clk.t.Add(realHour)
	}
	return seen, last
}

// checkResult holds for every demo answer: newest first, nothing from the
// future, status and text from the newest event, places named.
func checkResult(t *testing.T, r tracker.Result, now time.Time) {
	t.Helper()
	if len(r.Events) == 0 {
		t.Fatalf("%s: no events", r.Number)
	}
	for i, e := range r.Events {
		if e.Time.After(now) {
			t.Errorf("%s: event %q at %v is after now %v", r.Number, e.Description, e.Time, now)
		}
		if i > 0 && e.Time.After(r.Events[i-1].Time) {
			t.Errorf("%s: events not newest first at %d", r.Number, i)
		}
		if e.Location == "" || e.Description == "" || !e.Status.Valid() {
			t.Errorf("%s: incomplete event %+v", r.Number, e)
		}
	}
	if r.Status != r.Events[0].Status || r.StatusText != r.Events[0].Description {
		t.Errorf("%s: status %s %q does not follow the newest event", r.Number, r.Status, r.StatusText)
	}
	if r.Status == tracker.StatusDelivered && !r.ETA.IsZero() {
		t.Errorf("%s: delivered with an ETA", r.Number)
	}
	// An ETA is a day at the destination: read in another zone (the origin
	// hub's) it can name the wrong date.
	if st := stories[r.Number]; !r.ETA.IsZero() {
		_, got := r.ETA.Zone()
		_, want := time.Time{}.In(st.steps[len(st.steps)-1].place.zone).Zone()
		if got != want {
			t.Errorf("%s: ETA %v not in the destination's zone (offset %d)", r.Number, r.ETA, want)
		}
	}
}

func TestStories(t *testing.T) {
	s := func(v ...tracker.Status) []tracker.Status { return v }
	const (
		info    = tracker.StatusInfoReceived
		transit = tracker.StatusInTransit
		ofd     = tracker.StatusOutForDelivery
		done    = tracker.StatusDelivered
	)
	tests := []struct {
		number string
		want   []tracker.Status
	}{
		{"DEMO1", s(info, transit, ofd, done)},
		{"DEMO2", s(info, transit, tracker.StatusException, transit, ofd, done)},
		{"DEMO3", s(info, transit, ofd, tracker.StatusAttemptFailed, tracker.StatusAvailableForPickup, done)},
		{"DEMO4", s(info, transit, tracker.StatusCustoms, transit, ofd, done)},
		{"DEMO5", s(info, transit)},
		{"DEMO6", s(info, transit, ofd, done)},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			got, last := statusesOverTime(t, tt.number)
			if !slices.Equal(got, tt.want) {
				t.Errorf("statuses %v, want %v", got, tt.want)
			}
			if len(last.Events) != len(stories[tt.number].steps) {
				t.Errorf("%d events at the end, want all %d", len(last.Events), len(stories[tt.number].steps))
			}
		})
	}
}

func TestStoryDetails(t *testing.T) {
	start := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	clk := &clock{t: start}
	c := New(Config{Now: clk.now})
	ctx := context.Background()
	first, _ := c.Track(ctx, []string{"DEMO1", "DEMO4"})
	if eta := first[0].ETA; eta.IsZero() || !eta.After(start) {
		t.Errorf("DEMO1 should promise a future ETA at first, got %v", eta)
	}
	if got := first[0].Events[0].Time.Format(time.RFC3339); got != "2026-05-04T01:30:00-08:00" {
		t.Errorf("DEMO1 label time %s, want it in Portland's zone", got)
	}
	if first[1].Service != "Deutsche Post → USPS" {
		t.Errorf("DEMO4 service %q", first[1].Service)
	}

	// Ten real minutes play a whole story.
	clk.t = start.Add(10 * time.Minute)
	res, _ := c.Track(ctx, []string{"DEMO1", "DEMO4", "DEMO9", "demo3"})
	if res[0].Status != tracker.StatusDelivered || res[1].Status != tracker.StatusDelivered {
		t.Errorf("after 10 minutes: %s, %s", res[0].Status, res[1].Status)
	}
	if res[2].Status != tracker.StatusNotFound || len(res[2].Events) != 0 {
		t.Errorf("DEMO9: %+v", res[2])
	}
	// DEMO3 starts its own clock when first asked, and keeps the caller's spelling.
	if res[3].Number != "demo3" || res[3].Status != tracker.StatusInfoReceived {
		t.Errorf("demo3: %s %s", res[3].Number, res[3].Status)
	}
	var customs *tracker.Event
	for i, e := range res[1].Events {
		if e.Status == tracker.StatusCustoms {
			customs = &res[1].Events[i]
		}
	}
	if customs == nil || customs.Location != "Jamaica, NY, US" {
		t.Errorf("DEMO4 customs event: %+v", customs)
	} else if _, off := customs.Time.Zone(); off != -5*3600 {
		t.Errorf("customs event offset %d, want New York's", off)
	}

	// A faster clock finishes sooner.
	fast := New(Config{Now: clk.now, Speed: DefaultSpeed * 10})
	fast.Track(ctx, []string{"DEMO2"})
	clk.t = clk.t.Add(time.Minute)
	if res, _ := fast.Track(ctx, []string{"DEMO2"}); res[0].Status != tracker.StatusDelivered {
		t.Errorf("fast DEMO2 after a minute: %s", res[0].Status)
	}
}

func TestNumbers(t *testing.T) {
	if got := Numbers(); !slices.Equal(got, []string{"DEMO1", "DEMO2", "DEMO3", "DEMO4", "DEMO5", "DEMO6"}) {
		t.Errorf("Numbers() = %v", got)
	}
}
