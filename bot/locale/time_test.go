package locale

import (
	"testing"
	"time"
)

// TestEnglishDays pins the English day words, dates read in the moment's
// own zone (an ETA given as a date at the destination keeps its date).
func TestEnglishDays(t *testing.T) {
	p := For(EN)
	est := time.FixedZone("EST", -5*3600)
	// Thu 12 Mar 2026, 10:00 UTC = 05:00 EST.
	now := time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		t          time.Time
		day, dated string
	}{
		"earlier today":                 {time.Date(2026, 3, 12, 8, 5, 0, 0, time.UTC), "today", "today"},
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
			if got := p.Day(tc.t, now); got != tc.day {
				t.Errorf("Day = %q, want %q", got, tc.day)
			}
			if got := p.DayDate(tc.t, now); got != tc.dated {
				t.Errorf("DayDate = %q, want %q", got, tc.dated)
			}
		})
	}
}

// TestEnglishAgo pins the English "last update" notes.
func TestEnglishAgo(t *testing.T) {
	p := For(EN)
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
			if got := p.Ago(tc.t, now); got != tc.want {
				t.Errorf("Ago(%v) = %q, want %q", tc.t, got, tc.want)
			}
		})
	}
}
