package bot

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/trackbot/trackbot/tracker"
)

func TestCleanLabel(t *testing.T) {
	tests := map[string]struct {
		in, want string
		tooLong  bool
	}{
		"plain":              {"new headphones", "new headphones", false},
		"spaces and lines":   {"  new \n\t headphones  ", "new headphones", false},
		"html kept as text":  {"<b>gift</b> & card", "<b>gift</b> & card", false},
		"sql kept as text":   {"'); DROP TABLE subscriptions;--", "'); DROP TABLE subscriptions;--", false},
		"nul bytes":          {"a\x00b", "a b", false},
		"other controls":     {"a\x07b\x1bc\u0085d", "a b c d", false},
		"invalid utf-8":      {"caf\xe9 \xff", "caf\ufffd \ufffd", false},
		"rtl override":       {"\u202egift\u202c for mum", "gift for mum", false},
		"isolates":           {"\u2067שלום\u2069 box", "שלום box", false},
		"rtl text kept":      {"חבילה לאמא", "חבילה לאמא", false},
		"zwj emoji kept":     {"👩‍👩‍👧‍👦 toys", "👩‍👩‍👧‍👦 toys", false},
		"only controls":      {"\x00\x01\u202e", "", false},
		"at the limit":       {strings.Repeat("é", maxLabel), strings.Repeat("é", maxLabel), false},
		"over the limit":     {strings.Repeat("é", maxLabel+1), "", true},
		"thousand":           {strings.Repeat("x", 1000), "", true},
		"spaces don't count": {strings.Repeat(" ", 500) + "lamp", "lamp", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := cleanLabel(tc.in)
			if (err != nil) != tc.tooLong || got != tc.want {
				t.Fatalf("cleanLabel(%q) = %q, %v; want %q, too long %v", tc.in, got, err, tc.want, tc.tooLong)
			}
		})
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

// TestRepliesEscapeUserText: labels, names and numbers with markup in them
// reach every reply escaped.
func TestRepliesEscapeUserText(t *testing.T) {
	eng, _, _ := raceEngine(t)
	ctx := t.Context()
	evil := User{ID: 7, Name: "<b>Eve</b> & \u202eco"}
	group := Chat{ID: -4242, Type: "group", Title: "<i>x</i>"}
	tests := []struct {
		from User
		text string
		want string
	}{
		{evil, "/track DEMO1 <a href=\"javascript:x\">gift</a>", "Following <b>&lt;a href=&#34;javascript:x&#34;&gt;gift&lt;/a&gt;</b>"},
		{raceAnn, "/track DEMO1", "Added by &lt;b&gt;Eve&lt;/b&gt; &amp; co."},
		{raceAnn, "/list", "added by &lt;b&gt;Eve&lt;/b&gt; &amp; co"},
		{raceAnn, "/stop DEMO1", "Only &lt;b&gt;Eve&lt;/b&gt; &amp; co, who added it,"},
		{evil, "/rename DEMO1 </code>&amp;", "is now called <b>&lt;/code&gt;&amp;amp;</b>"},
		{raceAnn, "/stop </i>", "anything called <b>&lt;/i&gt;</b>"},
		{evil, "/carrier DEMO1 <b>", "the carrier <code>&lt;b&gt;</code>"},
		{raceAnn, "/carrier DEMO1 ups", "Only &lt;b&gt;Eve&lt;/b&gt; &amp; co, who added it"},
		{raceAnn, "/<i>", "the command <code>/&lt;i&gt;</code>"},
		{raceAnn, "/track </b>", "<code>&lt;/b&gt;</code> doesn't look like"},
	}
	for _, tc := range tests {
		rs := eng.HandleMessage(ctx, Message{Chat: group, From: tc.from, Text: tc.text})
		if len(rs) == 0 {
			t.Fatalf("%q: no reply", tc.text)
		}
		all := strings.Join(texts(rs), "\n")
		if !strings.Contains(all, tc.want) {
			t.Errorf("%q: reply lacks %q:\n%s", tc.text, tc.want, all)
		}
		for _, r := range rs {
			checkReply(t, tc.text, r)
		}
	}
}

// TestRenderResultEscapesCarrierText: whatever a carrier says (markup,
// ampersands, a 10,000-character description) comes out as valid HTML with
// the carrier's words shown literally.
func TestRenderResultEscapesCarrierText(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		res  tracker.Result
		want []string
	}{
		"markup in every field": {
			res: tracker.Result{Number: "<b>1</b>", Carrier: "ups", Status: tracker.StatusException, StatusText: "Held: <i>address</i> & co",
				Events: []tracker.Event{{Time: now.Add(-time.Hour), Status: tracker.StatusException, Description: "</code><a href=\"javascript:x\">", Location: "A&B <Depot>"}}},
			want: []string{"Held: &lt;i&gt;address&lt;/i&gt; &amp; co", "&lt;/code&gt;&lt;a href=&#34;javascript:x&#34;&gt;", "A&amp;B &lt;Depot&gt;", "<code>&lt;b&gt;1&lt;/b&gt;</code>"},
		},
		"enormous description": {
			res: tracker.Result{Number: "DEMO1", Carrier: "demo", Status: tracker.StatusInTransit,
				Events: []tracker.Event{{Time: now, Status: tracker.StatusInTransit, Description: strings.Repeat("&<", 5000)}}},
			want: []string{"&amp;&lt;&amp;&lt;"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			eng, _, _ := raceEngine(t)
			out := lookedUp(eng, tc.res, now)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			checkReply(t, name, Reply{Text: out})
		})
	}
}
