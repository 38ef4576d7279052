package tracker

import "testing"

func TestStatusLine(t *testing.T) {
	tests := map[string]struct {
		st   Status
		text string
		want string
	}{
		"no carrier text":                {StatusInTransit, "", "In transit"},
		"blank carrier text":             {StatusInTransit, " \t\n", "In transit"},
		"same words, other case":         {StatusDelivered, "DELIVERED", "Delivered"},
		"carrier text says it already":   {StatusDelivered, "Delivered, left in the parcel box", "Delivered, left in the parcel box"},
		"prefix in another case":         {StatusOutForDelivery, "out for delivery today", "out for delivery today"},
		"prefix ends inside a word":      {StatusInTransit, "In transitional hub", "In transit: In transitional hub"},
		"carrier text adds something":    {StatusInTransit, "Departed from facility", "In transit: Departed from facility"},
		"kept on one line":               {StatusException, "Held at depot\r\n  call   us", "Exception: Held at depot call us"},
		"unknown status":                 {StatusUnknown, "Shipment information sent", "Waiting for first update: Shipment information sent"},
		"shorter than the title":         {StatusCustoms, "In", "In customs: In"},
		"multi-byte text against title":  {StatusReturned, "Retour à l'expéditeur", "Returned to sender: Retour à l'expéditeur"},
		"title followed by a digit only": {StatusInTransit, "In transit2", "In transit: In transit2"},
		"controls and an override":       {StatusException, "Held\x00 at \u202Edepot\x1b[31m", "Exception: Held at depot [31m"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := StatusLine(tc.st, tc.text); got != tc.want {
				t.Errorf("StatusLine(%s, %q) = %q, want %q", tc.st, tc.text, got, tc.want)
			}
		})
	}
}

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
