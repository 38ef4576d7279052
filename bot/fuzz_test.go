package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
)

// Fuzz input modes: what the text is fed through.
const (
	modeMessage  = iota // a message (command, paste or question)
	modeClick           // a button press with the text as callback data
	modeClickSub        // a button press, "#" in the text replaced by a real subscription id
	modeRename          // a reply to a rename prompt for a real parcel
	modeCount
)

// fuzzEngine is an engine over a fresh SQLite file and the demo carrier,
// with a fixed clock so a failing input replays the same way.
func fuzzEngine(t testing.TB) (*Engine, *storage.Store) {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "fuzz.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{Now: clock})}, nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return newEngine(store, router, true, 8, log, clock), store
}

// fuzzUsers chat privately and share a group.
var (
	fuzzUsers      = []User{{ID: 11, Name: "Ann"}, {ID: 12, Name: "<b>Bob</b> & co"}, {ID: 13, Name: "\u202eevil\u202c"}}
	fuzzGroupTitle = "<i>Flat</i> 3 & friends"
)

func FuzzEngine(f *testing.F) {
	long := strings.Repeat("package ", 520) // 4,000+ characters
	var hundred []string
	for i := range 100 {
		hundred = append(hundred, upsNumber(i))
	}
	seeds := []string{
		"", " ", "\t\n \u00a0\u200b", long, "/track " + long,
		"👩‍👩‍👧‍👦🏳️‍🌈📦", "/track DEMO1 👩‍👩‍👧‍👦 for the kids", "שלום, איפה החבילה שלי? DEMO2", "مرحبا\u200f DEMO3",
		"\xff\xfe\xfd", "/track DEMO1 \xc3\x28 bad", "DEMO1\x00DEMO2", "/rename DEMO1 a\x00b",
		"<b>", "</code>", "&amp;", "&", "<a href=\"javascript:alert(1)\">x</a>", "*bold* _it_ `code` [x](http://e)",
		"/track DEMO4 </code><b>", "/track DEMO5 '); DROP TABLE subscriptions;--", "'); DROP TABLE subscriptions;--",
		"/list@otherbot", "/list@trackbot_fuzz_bot", "/stop@otherbot DEMO1", "/", "/ ", "//", "/@", "/track@", "/<b>hi</b>",
		"/track " + strings.Join(hundred, " "), strings.Join(hundred, "\n"),
		"/track", "/stop", "/rename", "/rename DEMO1", "/carrier", "/carrier DEMO1", "/carrier DEMO1 ups fedex",
		"/carrier DEMO1 <b>", "/status", "/status DEMO1 DEMO2 extra", "/list extra args", "/start track_", "/start track_</b>",
		"/help me please", "/stop nothing-here", "/stop D", "/TRACK demo1",
		"/track DEMO6 " + strings.Repeat("x", 1000), "DEMO6 " + strings.Repeat("é", 1000),
		"/rename DEMO1 " + strings.Repeat("ß", 1000), upsNumber(7) + " <b>gift</b>", typo(upsNumber(8)),
		"112-3456789-0123456", "where is my parcel?", "what does exception mean?", "it says delivered but I don't have it",
		"stop:-1", "stop:0", "stop:1", "cs:1:../../", "cs:#:../../", "cs:#:ups", "cs:#:demo", "cs:#:", "nr:99999999999999999999",
		"nr:#", "got:#", "ref:#", "ren:#", "car:#", "stop:#", "stop:#:extra:colons", "ref:9223372036854775807",
		"ＤＥＭＯ１ gift", "DEMO1\u00a0gift", "ﬁ DEMO2 ﬀ", "1Z\u200b" + upsNumber(9)[2:], "DEMO1 \u202egift",
		"ref:#\x00", ":", "::", "ref:1e3", "ref: 1", "ref:+1", "ref:0x1",
	}
	for i, s := range seeds {
		for mode := range modeCount {
			f.Add(s, uint8(mode), uint8(i))
		}
	}

	// One store per fuzzing process (opening and migrating one per input
	// would cost more than the input); each input gets chats of its own, so
	// inputs cannot see each other's parcels except through ids they guess,
	// which exercises the "not in this chat" checks.
	eng, store := fuzzEngine(f)
	eng.username = "trackbot_fuzz_bot"
	var round atomic.Int64

	f.Fuzz(func(t *testing.T, text string, mode, who uint8) {
		ctx := context.Background()
		base := round.Add(1) * 10
		user := fuzzUsers[int(who)%len(fuzzUsers)]
		chat := Chat{ID: base + user.ID%10, Type: "private", Title: user.Name}
		if who&0x80 != 0 {
			chat = Chat{ID: -base, Type: "supergroup", Title: fuzzGroupTitle}
		}
		// Something to act on: a named parcel added by someone else in the
		// group (so permission checks run) and one by this user.
		owner := fuzzUsers[(int(who)+1)%len(fuzzUsers)]
		seed := []Message{
			{Chat: chat, From: owner, Text: "/track DEMO1 Mum's <gift> & card"},
			{Chat: chat, From: user, Text: "/track DEMO3"},
		}
		for _, m := range seed {
			for _, r := range eng.HandleMessage(ctx, m) {
				checkReply(t, m.Text, r)
			}
		}
		before, err := store.ChatSubscriptions(ctx, chat.ID)
		if err != nil || len(before) != 2 {
			t.Fatalf("seeding: %d subscriptions, %v", len(before), err)
		}
		subID := before[int(who>>2)%len(before)].ID

		switch mode % modeCount {
		case modeMessage:
			m := Message{Chat: chat, From: user, Text: text}
			if chat.group() && who&0x40 != 0 {
				m.Text = "@trackbot_fuzz_bot " + text
			}
			for _, r := range eng.HandleMessage(ctx, m) {
				checkReply(t, text, r)
			}
		case modeClick, modeClickSub:
			data := text
			if mode%modeCount == modeClickSub {
				data = strings.ReplaceAll(text, "#", strconv.FormatInt(subID, 10))
			}
			res := eng.HandleClick(ctx, Click{Chat: chat, From: user, Data: data})
			if res.Answer == "" && len(res.Replies) == 0 {
				t.Errorf("click %q: no answer at all", data)
			}
			if n := utf8.RuneCountInString(res.Answer); n > 200 {
				t.Errorf("click %q: toast of %d characters", data, n)
			}
			for _, r := range res.Replies {
				checkReply(t, data, r)
			}
		case modeRename:
			prompt := eng.HandleClick(ctx, Click{Chat: chat, From: user, Data: CallbackData(ActRename, subID, "")})
			if len(prompt.Replies) != 1 || !prompt.Replies[0].ForceReply {
				t.Fatalf("rename prompt: %+v", prompt)
			}
			m := Message{Chat: chat, From: user, Text: text, ReplyToBot: true, ReplyToText: stripTags(prompt.Replies[0].Text)}
			for _, r := range eng.HandleMessage(ctx, m) {
				checkReply(t, text, r)
			}
		}

		// The store still answers, and nothing was lost that the input
		// could not legitimately remove.
		after, err := store.ChatSubscriptions(ctx, chat.ID)
		if err != nil {
			t.Fatalf("store after %q: %v", text, err)
		}
		if len(after) < len(before) && !mayRemoveParcels(text, mode) {
			t.Errorf("%q (mode %d) lost parcels: %d before, %d after", text, mode, len(before), len(after))
		}
		for _, s := range after {
			if !utf8.ValidString(s.Label) || strings.ContainsAny(s.Label, "\x00\n\u202e\u2067") || s.Label != strings.TrimSpace(s.Label) {
				t.Errorf("label %q stored from %q", s.Label, text)
			}
			if n := utf8.RuneCountInString(s.Label); n > maxLabel {
				t.Errorf("label of %d characters stored", n)
			}
		}
	})
}

// mayRemoveParcels: only a stop (command or button) or "Got it" removes a
// parcel; a carrier change may merge two into one.
func mayRemoveParcels(text string, mode uint8) bool {
	switch mode % modeCount {
	case modeMessage:
		t := strings.ToLower(strings.TrimSpace(text))
		return strings.HasPrefix(t, "/stop") || strings.HasPrefix(t, "/carrier")
	case modeClick, modeClickSub:
		return strings.HasPrefix(text, ActStop+":") || strings.HasPrefix(text, ActGotIt+":") || strings.HasPrefix(text, ActSetCarrier+":")
	}
	return false
}

// checkReply asserts what Telegram would accept: after splitting, every
// part is well-formed HTML of the tags we use, 1–4096 characters as the user
// sees them; buttons carry at most 64 bytes of data. Replies to valid UTF-8
// are valid UTF-8.
func checkReply(t *testing.T, input string, r Reply) {
	t.Helper()
	parts := Split(r.Text)
	if len(parts) == 0 {
		t.Errorf("input %q: empty reply %+v", tracker.Clip(input, 80), r)
	}
	for i, p := range parts {
		plain, err := checkHTML(p)
		if err != nil {
			t.Errorf("input %q: part %d: %v\n%s", tracker.Clip(input, 80), i, err, tracker.Clip(p, 2000))
			continue
		}
		if n := units(plain); n < 1 || n > MaxMessage || strings.TrimSpace(plain) == "" {
			t.Errorf("input %q: part %d is %d characters as shown", tracker.Clip(input, 80), i, n)
		}
		if utf8.ValidString(input) && !utf8.ValidString(p) {
			t.Errorf("input %q: part %d is not valid UTF-8", tracker.Clip(input, 80), i)
		}
	}
	for _, row := range r.Buttons {
		for _, b := range row {
			kinds := 0
			for _, set := range []bool{b.Data != "", b.URL != "", b.Copy != ""} {
				if set {
					kinds++
				}
			}
			if b.Text == "" || kinds != 1 || utf8.RuneCountInString(b.Copy) > 256 {
				t.Errorf("input %q: button %+v needs text and exactly one of data, URL or text to copy (1-256)", tracker.Clip(input, 80), b)
			}
			if len(b.Data) > MaxCallbackData {
				t.Errorf("input %q: callback data %q is %d bytes", tracker.Clip(input, 80), b.Data, len(b.Data))
			}
			if b.Data != "" {
				if _, err := ParseCallback(b.Data); err != nil {
					t.Errorf("input %q: our own button does not parse: %v", tracker.Clip(input, 80), err)
				}
			}
			if b.URL != "" && !strings.HasPrefix(b.URL, "https://") {
				t.Errorf("input %q: button URL %q", tracker.Clip(input, 80), b.URL)
			}
		}
	}
}

// allowedTags are the tags the bot may send (a subset of what Telegram takes).
var allowedTags = map[string]bool{"b": true, "i": true, "u": true, "s": true, "code": true, "pre": true, "a": true}

// checkHTML validates text as Telegram HTML the bot may send: only the
// allowed tags, balanced, <a> with exactly one quoted http(s) href; '<', '>'
// and '&' only as markup or entities. It returns the text as shown.
func checkHTML(s string) (string, error) {
	var out strings.Builder
	var stack []string
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("unclosed tag at %d", i)
			}
			tag := s[i+1 : i+end]
			i += end + 1
			if name, ok := strings.CutPrefix(tag, "/"); ok {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("unmatched </%s> (open: %v)", name, stack)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			name, attrs, _ := strings.Cut(tag, " ")
			if !allowedTags[name] {
				return "", fmt.Errorf("tag <%s> not allowed", tag)
			}
			if name == "a" {
				href, ok := strings.CutPrefix(attrs, `href="`)
				if !ok || !strings.HasSuffix(href, `"`) || strings.Contains(href[:len(href)-1], `"`) {
					return "", fmt.Errorf("bad link <%s>", tag)
				}
				if !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "http://") {
					return "", fmt.Errorf("link to %q", href)
				}
				if strings.ContainsAny(href, "<>") {
					return "", fmt.Errorf("unescaped link <%s>", tag)
				}
			} else if attrs != "" {
				return "", fmt.Errorf("attributes on <%s>", tag)
			}
			if len(stack) > 0 && (name == "a" && contains(stack, "a") || stack[len(stack)-1] == "code" || stack[len(stack)-1] == "pre") {
				return "", fmt.Errorf("<%s> inside %v", name, stack)
			}
			stack = append(stack, name)
		case '>':
			return "", fmt.Errorf("bare '>' at %d", i)
		case '&':
			semi := strings.IndexByte(s[i:], ';')
			if semi < 0 {
				return "", fmt.Errorf("bare '&' at %d", i)
			}
			ent := s[i+1 : i+semi]
			r, ok := htmlEntity(ent)
			if !ok {
				return "", fmt.Errorf("bad entity &%s; at %d", tracker.Clip(ent, 12), i)
			}
			out.WriteString(r)
			i += semi + 1
		default:
			out.WriteByte(s[i])
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("unclosed %v", stack)
	}
	return out.String(), nil
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func htmlEntity(e string) (string, bool) {
	switch e {
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "amp":
		return "&", true
	case "quot":
		return `"`, true
	case "#39": // html.EscapeString's apostrophe
		return "'", true
	case "#34":
		return `"`, true
	}
	return "", false
}

func TestCheckHTML(t *testing.T) {
	tests := map[string]struct {
		in, plain string
		ok        bool
	}{
		"plain":           {"hi there", "hi there", true},
		"nested":          {"<b>a <i>b</i></b> &amp; &lt;c&gt; it&#39;s", "a b & <c> it's", true},
		"link":            {`<a href="https://ups.com/t?a=1&amp;b=2">x</a>`, "x", true},
		"javascript link": {`<a href="javascript:alert(1)">x</a>`, "", false},
		"unclosed":        {"<b>x", "", false},
		"crossed":         {"<b><i>x</b></i>", "", false},
		"unknown tag":     {"<script>x</script>", "", false},
		"bare amp":        {"a & b", "", false},
		"bare lt":         {"a < b", "", false},
		"bare gt":         {"a > b", "", false},
		"tag in code":     {"<code><b>x</b></code>", "", false},
		"attribute":       {`<b class="x">y</b>`, "", false},
		"odd entity":      {"&nbsp;", "", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			plain, err := checkHTML(tc.in)
			if (err == nil) != tc.ok || plain != tc.plain {
				t.Fatalf("checkHTML(%q) = %q, %v; want %q, ok=%v", tc.in, plain, err, tc.plain, tc.ok)
			}
		})
	}
}
