package tracker

import (
	"testing"
	"time"
)

func TestSameDay(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	tests := map[string]struct {
		a, b time.Time
		want bool
	}{
		"same instant":                {time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), true},
		"morning and night":           {time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 4, 23, 59, 0, 0, time.UTC), true},
		"next day":                    {time.Date(2026, 3, 4, 23, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC), false},
		"b read in a's zone: same":    {time.Date(2026, 3, 4, 20, 0, 0, 0, est), time.Date(2026, 3, 5, 3, 0, 0, 0, time.UTC), true},
		"b read in a's zone: earlier": {time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 4, 18, 0, 0, 0, est), false},
		"a year apart":                {time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC), time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC), false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := SameDay(tc.a, tc.b); got != tc.want {
				t.Errorf("SameDay(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}
