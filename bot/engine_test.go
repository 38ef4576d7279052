package bot

import (
	"context"
	"strings"
	"testing"
)

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

func TestStripMention(t *testing.T) {
	tests := map[string]struct {
		text, user string
		want       string
		mentioned  bool
	}{
		"at the start":               {"@TrackBot where is it?", "trackbot", "  where is it?", true},
		"any case":                   {"hey @TRACKBOT, status", "TrackBot", "hey  , status", true},
		"twice":                      {"@trackbot @trackbot hi", "trackbot", "    hi", true},
		"at the end":                 {"thanks @trackbot", "trackbot", "thanks  ", true},
		"someone else's longer name": {"ask @trackbot_fan", "trackbot", "ask @trackbot_fan", false},
		"a name inside a word":       {"mail@trackbotx.test", "trackbot", "mail@trackbotx.test", false},
		"no mention":                 {"where is it?", "trackbot", "where is it?", false},
		"no username (console)":      {"@trackbot hi", "", "@trackbot hi", false},
		"non-ASCII around it":        {"Grüße @trackbot… İstanbul", "trackbot", "Grüße  … İstanbul", true},
		"only the at sign":           {"@", "trackbot", "@", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := stripMention(tc.text, tc.user)
			if got != tc.want || ok != tc.mentioned {
				t.Errorf("stripMention(%q, %q) = %q, %v; want %q, %v", tc.text, tc.user, got, ok, tc.want, tc.mentioned)
			}
		})
	}
}

// A group message that mentions the bot is answered; one that names a
// longer username is chatter.
func TestGroupMentionOnly(t *testing.T) {
	eng, _, logs := raceEngine(t)
	eng.username = "TrackBot"
	ctx := context.Background()
	if r := eng.HandleMessage(ctx, Message{Chat: raceGroup, From: raceAnn, Text: "@trackbot_fan what is customs?"}); len(r) != 0 {
		t.Errorf("answered chatter: %v", texts(r))
	}
	r := eng.HandleMessage(ctx, Message{Chat: raceGroup, From: raceAnn, Text: "@trackbot DEMO1"})
	if len(r) != 1 || !strings.Contains(r[0].Text, "Following") || !strings.Contains(r[0].Text, "DEMO1") {
		t.Errorf("mention not answered: %v", texts(r))
	}
	noTrouble(t, logs, texts(r)...)
}

func BenchmarkStripMention(b *testing.B) {
	text := "@TrackBot where is the parcel from grandma? It said out for delivery yesterday"
	for b.Loop() {
		if _, ok := stripMention(text, "trackbot"); !ok {
			b.Fatal("no mention")
		}
	}
}
