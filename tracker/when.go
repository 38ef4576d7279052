package tracker

import "time"

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
