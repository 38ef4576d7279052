package poller

import (
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

func TestInterval(t *testing.T) {
	const base = time.Hour
	day := 24 * time.Hour
	tests := map[string]struct {
		before       tracker.Status
		polledBefore bool
		status       tracker.Status
		age          time.Duration
		want         time.Duration
	}{
		"out for delivery is polled often":      {tracker.StatusInTransit, true, tracker.StatusOutForDelivery, day, base / 4},
		"in transit at the base":                {tracker.StatusInTransit, true, tracker.StatusInTransit, day, base},
		"customs at the base":                   {tracker.StatusInTransit, true, tracker.StatusCustoms, day, base},
		"exception at the base":                 {tracker.StatusInTransit, true, tracker.StatusException, day, base},
		"pickup point waits longer":             {tracker.StatusInTransit, true, tracker.StatusAvailableForPickup, day, 2 * base},
		"new label rarely":                      {tracker.StatusUnknown, false, tracker.StatusInfoReceived, time.Hour, 2 * base},
		"not found backs off after a day":       {tracker.StatusNotFound, true, tracker.StatusNotFound, 2 * day, 4 * base},
		"not found backs off more after 3 days": {tracker.StatusNotFound, true, tracker.StatusNotFound, 4 * day, 8 * base},
		"not found after a week: daily":         {tracker.StatusNotFound, true, tracker.StatusNotFound, 8 * day, 24 * base},
		"first delivered: one confirming poll":  {tracker.StatusOutForDelivery, true, tracker.StatusDelivered, day, 9 * base},
		"first seen delivered: confirm too":     {tracker.StatusUnknown, false, tracker.StatusDelivered, 0, 9 * base},
		"delivered confirmed: stop":             {tracker.StatusDelivered, true, tracker.StatusDelivered, day, 0},
		"returned confirmed: stop":              {tracker.StatusReturned, true, tracker.StatusReturned, day, 0},
		"expired confirmed: stop":               {tracker.StatusExpired, true, tracker.StatusExpired, day, 0},
		"delivered then returned: confirm":      {tracker.StatusDelivered, true, tracker.StatusReturned, day, 9 * base},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := interval(base, tc.before, tc.polledBefore, tc.status, tc.age); got != tc.want {
				t.Errorf("interval = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestJitterBounds(t *testing.T) {
	tests := map[string]struct {
		d      time.Duration
		spread float64
		r      float64
		want   time.Duration
	}{
		"low end":            {time.Hour, jitterSpread, 0, 54 * time.Minute},
		"middle":             {time.Hour, jitterSpread, 0.5, time.Hour},
		"confirm low is 6h":  {9 * time.Hour, confirmSpread, 0, 6 * time.Hour},
		"confirm high is 12": {9 * time.Hour, confirmSpread, 1, 12 * time.Hour},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := jitter(tc.d, tc.spread, tc.r)
			if diff := got - tc.want; diff > time.Second || diff < -time.Second {
				t.Errorf("jitter = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFailureBackoff(t *testing.T) {
	const base = time.Hour
	tests := []struct {
		n    int
		want time.Duration
	}{{1, 30 * time.Minute}, {2, time.Hour}, {3, 2 * time.Hour}, {4, 4 * time.Hour}, {5, 8 * time.Hour}, {9, 8 * time.Hour}, {60, 8 * time.Hour}}
	for _, tc := range tests {
		if got := failureBackoff(base, tc.n); got != tc.want {
			t.Errorf("failureBackoff(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}
