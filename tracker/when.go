package tracker

import (
	"strconv"
	"strings"
	"time"
)

// Day names t's calendar date relative to now: "today", "tomorrow",
// "yesterday", a weekday ("Mon") within six days either side, else
// "Tue 4 Mar" (and the year when it differs from now's). Dates are compared
// in t's zone, so an ETA given as a date at midnight keeps its date.
func Day(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	n := now.In(t.Location())
	d := daysBetween(n, t)
	switch {
	case d == 0:
		return "today"
	case d == 1:
		return "tomorrow"
	case d == -1:
		return "yesterday"
	case d > 1 && d < 7:
		return t.Format("Mon") // the coming days: "Fri" is plain enough
	case d < -1 && d > -7:
		return "last " + t.Format("Mon")
	case t.Year() != n.Year():
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan")
}

// DayDate is Day for dates people act on, such as an ETA: the relative
// word where it helps and the date always ("tomorrow (Tue 4 Mar)",
// "Fri 7 Mar"); today is just "today".
func DayDate(t, now time.Time) string {
	switch d := Day(t, now); d {
	case "", "today":
		return d
	case "tomorrow", "yesterday":
		return d + " (" + t.Format("Mon 2 Jan") + ")"
	default:
		if t.Year() != now.In(t.Location()).Year() {
			return t.Format("Mon 2 Jan 2006")
		}
		return t.Format("Mon 2 Jan")
	}
}

// Ago says when t was, looking back from now, as a note on a last update:
// "just now", "25 min ago", "5 h ago" while it is still t's day, then the
// day as Day names it: "yesterday", "last Mon", "on Tue 3 Mar". Zero is "".
func Ago(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := now.Sub(t)
	switch day := Day(t, now); {
	case d < time.Minute: // a clock a little ahead of ours too
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min ago"
	case day == "today":
		return strconv.Itoa(int(d.Hours())) + " h ago"
	case day == "yesterday" || strings.HasPrefix(day, "last "):
		return day
	default:
		return "on " + day
	}
}

// SameDay reports whether a and b fall on the same calendar date, both
// read in a's zone.
func SameDay(a, b time.Time) bool {
	return daysBetween(b.In(a.Location()), a) == 0
}

// daysBetween counts calendar days from a to b (negative when b is earlier),
// both read in b's zone.
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Round(24*time.Hour) / (24 * time.Hour))
}
