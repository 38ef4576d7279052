package tracker

import "testing"

func TestFormatLocation(t *testing.T) {
	tests := map[string]struct {
		city, state, country, want string
	}{
		"all parts":       {"HERNANDO", "FL", "US", "Hernando, FL, US"},
		"two words":       {"SPRINGFIELD  GARDENS", "NY", "", "Springfield Gardens, NY"},
		"hyphen":          {"WINSTON-SALEM", "NC", "US", "Winston-Salem, NC, US"},
		"mixed case kept": {"McAllen", "TX", "US", "McAllen, TX, US"},
		"country only":    {"", "", "DE", "DE"},
		"nothing":         {" ", "", "", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := FormatLocation(tc.city, tc.state, tc.country); got != tc.want {
				t.Errorf("FormatLocation(%q, %q, %q) = %q, want %q", tc.city, tc.state, tc.country, got, tc.want)
			}
		})
	}
}
