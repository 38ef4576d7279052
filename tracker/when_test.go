package tracker

import (
	"testing"
	"time"
)

func TestDayAndDayDate(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	// Thu 12 Mar 2026, 10:00 UTC = 05:00 EST.
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		t          time.Time
		day, dated string
	}{
		"earlier today, UTC is said":    {time.Date(2026, 3, 12, 8, 5, 0, 0, time.UTC), "today", "today"},
		"yesterday in the place's zone": {time.Date(2026, 3, 11, 23, 30, 0, 0, est), "yesterday", "yesterday (Wed 11 Mar)"},
		// 23:30 EST on 12 Mar is already 13 Mar in UTC; the place's date counts.
		"late evening local, not tomorrow": {time.Date(2026, 3, 12, 23, 30, 0, 0, est), "today", "today"},
		"tomorrow":                         {time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC), "tomorrow", "tomorrow (Fri 13 Mar)"},
		"later this week":                  {time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC), "Mon", "Mon 16 Mar"},
		"earlier this week":                {time.Date(2026, 3, 9, 14, 0, 0, 0, est), "last Mon", "Mon 9 Mar"},
		"a week or more away":              {time.Date(2026, 3, 2, 9, 0, 0, 0, est), "Mon 2 Mar", "Mon 2 Mar"},
		"another year":                     {time.Date(2025, 12, 20, 9, 0, 0, 0, est), "Sat 20 Dec 2025", "Sat 20 Dec 2025"},
		"unknown":                          {time.Time{}, "", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Day(tc.t, now); got != tc.day {
				t.Errorf("Day = %q, want %q", got, tc.day)
			}
			if got := DayDate(tc.t, now); got != tc.dated {
				t.Errorf("DayDate = %q, want %q", got, tc.dated)
			}
		})
	}
}

func TestAgo(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	now := time.Date(2026, 3, 13, 2, 0, 0, 0, time.UTC) // Fri; still Thu 21:00 in EST
	tests := map[string]struct {
		t    time.Time
		want string
	}{
		"never":                  {time.Time{}, ""},
		"seconds":                {now.Add(-20 * time.Second), "just now"},
		"a clock ahead of ours":  {now.Add(30 * time.Second), "just now"},
		"minutes":                {now.Add(-25 * time.Minute), "25 min ago"},
		"hours, same day":        {now.Add(-90 * time.Minute), "1 h ago"},
		"hours, but yesterday":   {time.Date(2026, 3, 12, 23, 0, 0, 0, time.UTC), "yesterday"},
		"the place's day counts": {time.Date(2026, 3, 12, 9, 0, 0, 0, est), "12 h ago"},
		"this week":              {time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC), "last Mon"},
		"long ago":               {time.Date(2026, 2, 20, 8, 0, 0, 0, time.UTC), "on Fri 20 Feb"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Ago(tc.t, now); got != tc.want {
				t.Errorf("Ago(%v) = %q, want %q", tc.t, got, tc.want)
			}
		})
	}
}

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
