package tracker

import (
	"strings"
	"unicode"
)

// FormatLocation joins a scan's place as "City, ST, CC", skipping empty
// parts. Carriers shout city names ("SPRINGFIELD GARDENS"); an all-capitals
// city is put in title case so messages read naturally.
func FormatLocation(city, state, country string) string {
	parts := make([]string, 0, 3)
	if c := strings.Join(strings.Fields(city), " "); c != "" {
		if strings.ToUpper(c) == c {
			c = titleCase(c)
		}
		parts = append(parts, c)
	}
	for _, p := range []string{state, country} {
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// titleCase upper-cases the first letter of every word (words split at
// spaces, hyphens and dots) and lower-cases the rest.
func titleCase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		if start {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = r == ' ' || r == '-' || r == '.'
	}
	return b.String()
}
