package tracker

import (
	"testing"
	"time"
)

func TestWhenAndDay(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	// Thu 12 Mar 2026, 10:00 UTC = 05:00 EST.
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		t                time.Time
		when, day, dated string
	}{
		"earlier today, UTC is said":    {time.Date(2026, 3, 12, 8, 5, 0, 0, time.UTC), "today 08:05 UTC", "today", "today"},
		"yesterday in the place's zone": {time.Date(2026, 3, 11, 23, 30, 0, 0, est), "yesterday 23:30", "yesterday", "yesterday (Wed 11 Mar)"},
		// 23:30 EST on 12 Mar is already 13 Mar in UTC; the place's date counts.
		"late evening local, not tomorrow": {time.Date(2026, 3, 12, 23, 30, 0, 0, est), "today 23:30", "today", "today"},
		"tomorrow":                         {time.Date(2026, 3, 13, 0, 0, 0, 0, time.UTC), "tomorrow 00:00 UTC", "tomorrow", "tomorrow (Fri 13 Mar)"},
		"later this week":                  {time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC), "Mon 00:00 UTC", "Mon", "Mon 16 Mar"},
		"earlier this week":                {time.Date(2026, 3, 9, 14, 0, 0, 0, est), "last Mon 14:00", "last Mon", "Mon 9 Mar"},
		"a week or more away":              {time.Date(2026, 3, 2, 9, 0, 0, 0, est), "Mon 2 Mar 09:00", "Mon 2 Mar", "Mon 2 Mar"},
		"another year":                     {time.Date(2025, 12, 20, 9, 0, 0, 0, est), "Sat 20 Dec 2025 09:00", "Sat 20 Dec 2025", "Sat 20 Dec 2025"},
		"unknown":                          {time.Time{}, "", "", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := When(tc.t, now); got != tc.when {
				t.Errorf("When = %q, want %q", got, tc.when)
			}
			if got := Day(tc.t, now); got != tc.day {
				t.Errorf("Day = %q, want %q", got, tc.day)
			}
			if got := DayDate(tc.t, now); got != tc.dated {
				t.Errorf("DayDate = %q, want %q", got, tc.dated)
			}
		})
	}
}
