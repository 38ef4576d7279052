package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/telegramtest"
)

func TestSplit(t *testing.T) {
	line := "🚚 <b>" + esc("a <label> & more") + "</b> <code>1Z</code>"
	tests := map[string]struct {
		text      string
		wantParts int
	}{
		"short":              {"hello", 1},
		"many lines":         {strings.Repeat(line+"\n", 300), 0},
		"one enormous line":  {strings.Repeat("x", 9000), 0},
		"emoji heavy":        {strings.Repeat("📦📦📦📦\n", 1500), 0},
		"exactly at the cut": {strings.Repeat("y", splitAt), 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			parts := Split(tc.text)
			if tc.wantParts > 0 && len(parts) != tc.wantParts {
				t.Fatalf("%d parts, want %d", len(parts), tc.wantParts)
			}
			if tc.wantParts == 0 && len(parts) < 2 {
				t.Fatalf("%d parts, want a split", len(parts))
			}
			total := 0
			for i, p := range parts {
				plain, err := telegramtest.ParseHTML(p)
				if err != nil {
					t.Fatalf("part %d is not valid Telegram HTML: %v", i, err)
				}
				if units(plain) > MaxMessage || strings.TrimSpace(plain) == "" {
					t.Fatalf("part %d has %d units", i, units(plain))
				}
				total += strings.Count(p, "📦")
			}
			if want := strings.Count(tc.text, "📦"); total != want {
				t.Fatalf("lost content: %d of %d parcels", total, want)
			}
		})
	}
}

func BenchmarkSplitList(b *testing.B) {
	var sb strings.Builder
	for range 50 {
		sb.WriteString("\n🚚 <b>" + esc(strings.Repeat("label ", 10)) + "</b>\nUPS <code>1ZA11EEF0301047297</code>\nIn transit · updated 3 h ago · ETA Tue 4 Mar\nadded by Ann\n")
	}
	text := sb.String()
	b.ReportAllocs()
	for b.Loop() {
		if len(Split(text)) < 2 {
			b.Fatal("no split")
		}
	}
}

// TestSplitLongLine: a single line over the limit is cut as plain text and
// escaped after the cut, so no entity is broken and nothing is lost.
func TestSplitLongLine(t *testing.T) {
	tests := map[string]string{
		"entities at every cut": strings.Repeat("a&b<c>\"d' ", 1200),
		"odd offset":            "x" + strings.Repeat("&", 9000),
		"emoji":                 strings.Repeat("📦&", 3000),
		"with our tags":         "<b>" + esc(strings.Repeat("<tag> & ", 900)) + "</b>",
		"blank run in between":  strings.Repeat("q", 3000) + strings.Repeat(" ", 5000) + strings.Repeat("r", 3000),
	}
	for name, line := range tests {
		t.Run(name, func(t *testing.T) {
			parts := Split(line)
			if len(parts) < 2 {
				t.Fatalf("%d parts", len(parts))
			}
			var shown strings.Builder
			for i, p := range parts {
				plain, err := checkHTML(p)
				if err != nil {
					t.Fatalf("part %d: %v", i, err)
				}
				if n := units(plain); n > MaxMessage || strings.TrimSpace(plain) == "" {
					t.Fatalf("part %d: %d units", i, n)
				}
				shown.WriteString(plain)
			}
			want := strings.Join(strings.Fields(stripTags(line)), "")
			if got := strings.Join(strings.Fields(shown.String()), ""); got != want {
				t.Fatalf("content changed: %d runes shown, %d sent", utf8.RuneCountInString(got), utf8.RuneCountInString(want))
			}
		})
	}
}

// TestServiceNameOutsideEnglish: a service reads in the chat's language —
// translated (S10), cut to the product's name, or left out when it is only
// an English description; English chats keep it whole.
func TestServiceNameOutsideEnglish(t *testing.T) {
	de, en := locale.For(locale.DE), locale.For(locale.EN)
	for _, tc := range []struct{ service, de string }{
		{"Registered letter post", de.T("service_s10_registered")},
		{"UPS Ground, signature required", "UPS Ground"},
		{"DPD Classic, cash on delivery", "DPD Classic"},
		{"Delivery Confirmation (Priority Mail or First-Class parcel)", "Delivery Confirmation"},
		{"UPS SurePost (delivered by USPS)", "UPS SurePost"},
		{"Online or vendor label", ""},
		{"DHL Paket", "DHL Paket"},
		{"", ""},
	} {
		if got := serviceName(de, tc.service); got != tc.de {
			t.Errorf("de: serviceName(%q) = %q, want %q", tc.service, got, tc.de)
		}
		if got := serviceName(en, tc.service); got != tc.service {
			t.Errorf("en: serviceName(%q) = %q, want it whole", tc.service, got)
		}
	}
}
