package locale

import (
	"strconv"
	"time"
)

// The clock is 24-hour in every supported language: it is what people in
// all six locales read on a parcel page (English included, as before).
const clock = "15:04"

// Weekday is the short weekday name ("Tue", "Di.", "mar.").
func (p *Printer) Weekday(d time.Weekday) string {
	return p.T("weekday_" + strconv.Itoa(int(d)))
}

// Month is the short month name ("Mar", "März", "mars").
func (p *Printer) Month(m time.Month) string {
	return p.T("month_" + strconv.Itoa(int(m)))
}

// Date is t's date in the language's order: "Tue 4 Mar", "Di., 4. März",
// with the year when withYear.
func (p *Printer) Date(t time.Time, withYear bool) string {
	args := []any{"Weekday", p.Weekday(t.Weekday()), "Day", t.Day(), "Month", p.Month(t.Month())}
	if withYear {
		return p.T("date_year", append(args, "Year", t.Year())...)
	}
	return p.T("date", args...)
}

// Day names t's calendar date relative to now: today, tomorrow,
// yesterday, a weekday within six days either side, else the date (with
// the year when it is not now's). Dates are compared in t's zone.
func (p *Printer) Day(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	n := now.In(t.Location())
	switch d := daysBetween(n, t); {
	case d == 0:
		return p.T("day_today")
	case d == 1:
		return p.T("day_tomorrow")
	case d == -1:
		return p.T("day_yesterday")
	case d > 1 && d < 7:
		return p.Weekday(t.Weekday())
	case d < -1 && d > -7:
		return p.T("weekday_past_" + strconv.Itoa(int(t.Weekday())))
	default:
		return p.Date(t, t.Year() != n.Year())
	}
}

// When is a moment as read on a phone: "today 14:05", "heute, 14:05 Uhr".
// The clock reading is t's own (carriers report the scan's local time); a
// time in UTC is marked so.
func (p *Printer) When(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	clk := t.Format(clock)
	if t.Location() == time.UTC {
		clk += " UTC"
	}
	return p.T("day_time", "Day", p.Day(t, now), "Time", clk)
}

// DayDate is Day for dates people act on, such as an ETA: the relative
// word where it helps and the date always; today is just "today".
func (p *Printer) DayDate(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	n := now.In(t.Location())
	date := p.Date(t, t.Year() != n.Year())
	switch d := daysBetween(n, t); d {
	case 0:
		return p.T("day_today")
	case 1, -1:
		return p.T("day_and_date", "Rel", p.Day(t, now), "Date", date)
	}
	return date
}

// Ago says when t was, looking back from now, as a note on a last update:
// "just now", "25 min ago", "5 h ago" while it is t's day, then the day.
func (p *Printer) Ago(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	since := now.Sub(t)
	days := daysBetween(now.In(t.Location()), t)
	switch {
	case since < time.Minute:
		return p.T("ago_now")
	case since < time.Hour:
		return p.N("ago_minutes", int(since.Minutes()))
	case days == 0:
		return p.N("ago_hours", int(since.Hours()))
	case days == -1 || days < -1 && days > -7:
		return p.Day(t, now)
	}
	return p.T("ago_on", "Date", p.Day(t, now))
}

// daysBetween counts calendar days from a to b (negative when b is
// earlier), both read in b's zone.
func daysBetween(a, b time.Time) int {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	da := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	db := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Round(24*time.Hour) / (24 * time.Hour))
}
