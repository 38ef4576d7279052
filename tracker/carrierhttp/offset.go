package carrierhttp

import (
	"strconv"
	"strings"
	"time"
)

// ParseOffset reads a carrier's GMT offset ("-05:00", "-7:00", "+0530",
// "-5", "Z") as a fixed zone. Offsets beyond ±14h are rejected.
func ParseOffset(s string) (*time.Location, bool) {
	s = strings.TrimSpace(s)
	if s == "Z" || s == "z" {
		return time.UTC, true
	}
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return nil, false
	}
	sign, rest := 1, s[1:]
	if s[0] == '-' {
		sign = -1
	}
	var hs, ms string
	switch i := strings.IndexByte(rest, ':'); {
	case i >= 0:
		hs, ms = rest[:i], rest[i+1:]
	case len(rest) > 2:
		hs, ms = rest[:len(rest)-2], rest[len(rest)-2:]
	default:
		hs = rest
	}
	h, err := strconv.Atoi(hs)
	if err != nil || h < 0 || len(hs) > 2 {
		return nil, false
	}
	m := 0
	if ms != "" {
		if m, err = strconv.Atoi(ms); err != nil || m < 0 || m > 59 || len(ms) != 2 {
			return nil, false
		}
	}
	secs := sign * (h*3600 + m*60)
	if secs < -14*3600 || secs > 14*3600 {
		return nil, false
	}
	return time.FixedZone("", secs), true
}
