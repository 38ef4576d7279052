package tracker

import "testing"

func TestClip(t *testing.T) {
	tests := map[string]struct {
		s    string
		n    int
		want string
	}{
		"short enough":           {"Memphis", 7, "Memphis"},
		"cut":                    {"Memphis, TN", 5, "Memp…"},
		"runes, not bytes":       {"Zürich Flughafen", 3, "Zü…"},
		"empty":                  {"", 3, ""},
		"no room":                {"abc", 0, ""},
		"room for the mark only": {"abc", 1, "…"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Clip(tc.s, tc.n); got != tc.want {
				t.Errorf("Clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"plain":                  {"Memphis, TN", "Memphis, TN"},
		"newline and tab stay":   {"Line 1\n\tLine 2", "Line 1\n\tLine 2"},
		"NUL and escape":         {"Depot\x00A\x1b[2J", "Depot A [2J"},
		"C1 control":             {"Hub\u0085North", "Hub North"},
		"right-to-left override": {"Delivered to \u202Eroob tnorf\u202C ok", "Delivered to roob tnorf ok"},
		"isolates":               {"\u2067مركز\u2069 Dubai", "مركز Dubai"},
		"line separator":         {"Leipzig\u2028Hub", "Leipzig Hub"},
		"invalid UTF-8":          {"Z\xffrich", "Z\uFFFDrich"},
		"Arabic and marks kept":  {"دبي \u200F(DXB)", "دبي \u200F(DXB)"},
		"HTML is not escaped":    {"<b>&amp;</b>", "<b>&amp;</b>"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := PlainText(tc.in); got != tc.want {
				t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
