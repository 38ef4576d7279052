package carrierhttp

import (
	"testing"
	"time"
)

func TestParseOffset(t *testing.T) {
	tests := map[string]struct {
		in   string
		secs int
		ok   bool
	}{
		"colon":        {"-05:00", -5 * 3600, true},
		"short hour":   {"-7:00", -7 * 3600, true},
		"no colon":     {"+0530", 5*3600 + 30*60, true},
		"hours only":   {"-5", -5 * 3600, true},
		"zulu":         {"Z", 0, true},
		"spaces":       {" +01:00 ", 3600, true},
		"no sign":      {"05:00", 0, false},
		"empty":        {"", 0, false},
		"too far":      {"+15:00", 0, false},
		"bad minutes":  {"+01:75", 0, false},
		"garbage":      {"-ab:cd", 0, false},
		"lonely sign":  {"-", 0, false},
		"three digits": {"+100", 3600, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			loc, ok := ParseOffset(tc.in)
			if ok != tc.ok {
				t.Fatalf("ParseOffset(%q) ok = %v, want %v", tc.in, ok, tc.ok)
			}
			if !ok {
				return
			}
			_, secs := time.Date(2026, 1, 1, 0, 0, 0, 0, loc).Zone()
			if secs != tc.secs {
				t.Errorf("ParseOffset(%q) = %ds, want %ds", tc.in, secs, tc.secs)
			}
		})
	}
}
