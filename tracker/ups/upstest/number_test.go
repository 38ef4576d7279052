package upstest

import (
	"testing"

	"github.com/trackbot/trackbot/tracker"
)

// The generated numbers must pass trackbot's own detector, which implements
// the check digit independently.
func TestTrackingNumberIsValidUPS(t *testing.T) {
	seen := map[string]bool{}
	for i := range 50 {
		n := TrackingNumber(i * 104729)
		if seen[n] {
			t.Fatalf("%s repeats", n)
		}
		seen[n] = true
		found := false
		for _, c := range tracker.Detect(n) {
			found = found || c.Carrier == "ups" && c.Valid && c.Number == n
		}
		if !found {
			t.Errorf("%s is not detected as a valid UPS number: %+v", n, tracker.Detect(n))
		}
	}
}
