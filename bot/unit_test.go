package bot

import (
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

func TestCallbackRoundTrip(t *testing.T) {
	tests := map[string]struct {
		action string
		id     int64
		arg    string
	}{
		"refresh":         {ActRefresh, 1, ""},
		"stop big id":     {ActStop, 9223372036854775807, ""},
		"set carrier":     {ActSetCarrier, 42, "dhl_ecommerce"},
		"longest carrier": {ActSetCarrier, 9223372036854775807, "old_dominion"},
		"not received":    {ActNotReceived, 7, ""},
		"force":           {ActForce, 0, "ups:1Z999AA10123456784"},
		"longest zone":    {ActZone, 0, "America/Argentina/Buenos_Aires"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			data := CallbackData(tc.action, tc.id, tc.arg)
			if len(data) > MaxCallbackData {
				t.Fatalf("%q is %d bytes", data, len(data))
			}
			c, err := ParseCallback(data)
			if err != nil || c != (Callback{tc.action, tc.id, tc.arg}) {
				t.Fatalf("ParseCallback(%q) = %+v, %v", data, c, err)
			}
		})
	}
	for _, bad := range []string{"", "ref", "ref:", "ref:x", "ref:-1", "ref:0", "zap:1", "cs:5", "cs:5:", "fa:0", "fa:0:ups", "fa:0:ups:", "fa:-1:ups:1", "tz:0", "tz:0:", "tz:5:Europe/Berlin"} {
		if c, err := ParseCallback(bad); err == nil {
			t.Errorf("ParseCallback(%q) = %+v, want error", bad, c)
		}
	}
}

func TestParseCommand(t *testing.T) {
	tests := map[string]struct {
		text, cmd, args string
		isCmd           bool
	}{
		"plain":             {"/list", "list", "", true},
		"args":              {"/track 1Z 12  new headphones", "track", "1Z 12  new headphones", true},
		"addressed to us":   {"/list@Trackbot_Test_Bot", "list", "", true},
		"to us with args":   {"/stop@trackbot_test_bot lamp", "stop", "lamp", true},
		"to another bot":    {"/list@other_bot", "", "", true},
		"upper case":        {"/LIST", "list", "", true},
		"multi-line args":   {"/track DEMO1\nfor mum", "track", "DEMO1\nfor mum", true},
		"not a command":     {"hello /list", "", "", false},
		"lone slash":        {"/", "", "", false},
		"slash space":       {"/ list", "", "", false},
		"odd characters":    {"/<b>", "<b>", "", true},
		"deep link payload": {"/start track_DEMO1", "start", "track_DEMO1", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			cmd, args, isCmd := parseCommand(tc.text, "trackbot_test_bot")
			if cmd != tc.cmd || args != tc.args || isCmd != tc.isCmd {
				t.Fatalf("parseCommand(%q) = %q, %q, %v", tc.text, cmd, args, isCmd)
			}
		})
	}
}

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
