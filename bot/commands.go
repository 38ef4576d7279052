package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

// deepLinkPrefix is the /start payload that follows a number:
// https://t.me/<bot>?start=track_<number>.
const deepLinkPrefix = "track_"

// lookupTimeout bounds a live look-up made while the user waits.
const lookupTimeout = 20 * time.Second

func helpText(demo bool) string {
	var b strings.Builder
	b.WriteString("<b>How I work</b>\n")
	b.WriteString("Paste a tracking number, or a whole shipping email, and I follow every parcel in it. ")
	b.WriteString("I check the carriers regularly and message you here when something changes, with what to do next.\n\n")
	b.WriteString("<b>Commands</b>\n")
	b.WriteString("/track NUMBER [name] — follow a number, optionally with a name\n")
	b.WriteString("/list — everything followed in this chat\n")
	b.WriteString("/status NUMBER — look a number up once, without following\n")
	b.WriteString("/rename NUMBER new name — change a parcel's name\n")
	b.WriteString("/carrier NUMBER CODE — set the carrier when I guessed wrong\n")
	b.WriteString("/stop NUMBER or name — stop following\n\n")
	b.WriteString("<b>Questions</b>\n")
	b.WriteString("Ask in plain words: “where is my parcel?”, “what does exception mean?”, “it says delivered but I don't have it”.\n\n")
	b.WriteString("In groups, use commands or mention me; everyone in the group sees the updates.")
	if demo {
		b.WriteString("\n\nDemo mode is on: DEMO1 to DEMO6 play made-up journeys (delivery, delay, missed delivery, customs, silence, missing parcel) in about ten minutes.")
	}
	return b.String()
}

func (e *Engine) start(ctx context.Context, m Message, args string) []Reply {
	if n, ok := strings.CutPrefix(args, deepLinkPrefix); ok && n != "" {
		return e.track(ctx, m, n)
	}
	welcome := "👋 Hi! I follow parcels for you.\n\n" +
		"Paste a tracking number, or a whole shipping email, and I'll tell you which carrier it is " +
		"and message you here whenever it moves. To give it a name:\n" +
		"<code>/track 1Z… new headphones</code>\n\n" +
		"You can also ask me things like “where is my parcel?”. /help has everything."
	if e.demo {
		welcome += "\n\nDemo mode: send <code>DEMO1</code> to watch a made-up parcel travel (DEMO1 to DEMO6 tell different stories)."
	}
	return []Reply{{Text: welcome}}
}

// track follows "NUMBER [label]".
func (e *Engine) track(ctx context.Context, m Message, args string) []Reply {
	if args == "" {
		return []Reply{{Text: "Which number? Send <code>/track NUMBER</code>, optionally followed by a name, e.g. <code>/track 1Z… new headphones</code>."}}
	}
	first, rest, _ := strings.Cut(args, " ")
	label, err := cleanLabel(rest)
	if err != nil {
		return []Reply{{Text: "That name is too long: " + esc(err.Error()) + "."}}
	}
	cands := detect(first, e.demo)
	if len(cands) == 0 {
		// The number may have been written with spaces: try the whole text.
		cands = detect(args, e.demo)
		label = ""
	}
	if len(cands) == 0 {
		return []Reply{{Text: "<code>" + esc(tracker.Clip(first, 40)) + "</code> doesn't look like a tracking number I know. " +
			"Copy it again from the shipping email (letters and digits only), or send the whole email and I'll find it."}}
	}
	if len(cands) == 1 && !cands[0].Valid && cands[0].Kind == tracker.KindTracking {
		return []Reply{e.typoInsisted(cands[0])}
	}
	return e.candidates(ctx, m, cands, label)
}

// paste handles free text: every number in it is followed; text without any
// is a question.
func (e *Engine) paste(ctx context.Context, m Message, text string) []Reply {
	if text == "" {
		return []Reply{{Text: "Yes? Paste a tracking number, or ask me about your parcels. /help has everything."}}
	}
	cands := detect(text, e.demo)
	if len(cands) == 0 {
		subs, err := e.store.ChatSubscriptions(ctx, m.Chat.ID)
		if err != nil {
			return e.fail(ctx, "chat subscriptions", err)
		}
		return []Reply{{Text: esc(e.answerQuestion(ctx, m.Chat.ID, text, subs))}}
	}
	return e.candidates(ctx, m, cands, pastedLabel(text, cands))
}

// pastedLabel reads "NUMBER a few words" — one number first, a short name
// after it on the same line — as /track would: the words name the parcel.
func pastedLabel(text string, cands []tracker.Candidate) string {
	if len(cands) != 1 || cands[0].Kind != tracker.KindTracking || strings.TrimSpace(text[:cands[0].Start]) != "" {
		return ""
	}
	rest := strings.TrimRight(text[cands[0].End:], " \t\r\n")
	if strings.Contains(rest, "\n") { // more lines: an e-mail, not a name
		return ""
	}
	rest = strings.TrimSpace(rest)
	if rest == "" || len([]rune(rest)) > maxLabel || len(strings.Fields(rest)) > 6 {
		return ""
	}
	label, err := cleanLabel(strings.TrimLeft(rest, "-–—:,;"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(label)
}

// manyAtOnce: more new parcels than this from one message are confirmed in
// one summary, not one message (with five rows of buttons) each.
const manyAtOnce = 3

// candidates answers each number found: follows the valid ones, explains
// typos and order numbers. One number matching several carriers is followed
// once, with the others offered through "Wrong carrier?".
func (e *Engine) candidates(ctx context.Context, m Message, cands []tracker.Candidate, label string) []Reply {
	var out []Reply
	var follows []followed
	seen := map[string]bool{}
	for _, c := range cands {
		if seen[c.Number] {
			continue
		}
		seen[c.Number] = true
		switch {
		case c.Kind == tracker.KindOrder:
			out = append(out, orderNumber(c))
		case !c.Valid:
			out = append(out, e.typo(c))
		default:
			follows = append(follows, e.follow(ctx, m, c, label))
		}
	}
	if len(follows) > manyAtOnce {
		out = append([]Reply{followSummary(follows)}, out...)
	} else {
		var rs []Reply
		for _, f := range follows {
			rs = append(rs, f.reply)
		}
		out = append(rs, out...)
	}
	if len(out) > 10 {
		// A pasted list: keep the chat readable.
		out = append(out[:10], Reply{Text: fmt.Sprintf("…and %d more. Send /list to see everything I follow here.", len(out)-10)})
	}
	return out
}

// orderNumber explains an Amazon order number pasted as if it could be tracked.
func orderNumber(c tracker.Candidate) Reply {
	return Reply{Text: "🛒 <code>" + esc(c.Number) + "</code> is an Amazon <b>order</b> number: it names your order, not the parcel, " +
		"so no carrier can track it.\n\n" +
		"👉 On Amazon, open Your Orders → this order → “Track package” and send me the tracking number shown there " +
		"(it often starts with TBA, 1Z or 9). Amazon's own TBA numbers work on track.amazon.com."}
}

// followSummary confirms many parcels followed from one message in one
// short list.
func followSummary(fs []followed) Reply {
	var b strings.Builder
	added, failed := 0, 0
	for _, f := range fs {
		switch {
		case f.err:
			failed++
		case f.created:
			added++
		}
	}
	switch {
	case added > 0:
		fmt.Fprintf(&b, "📦 Following %s:\n", plural(added, "new parcel", "new parcels"))
	case failed == 0:
		fmt.Fprintf(&b, "👍 I already follow all %d of these here:\n", len(fs))
	default:
		b.WriteString("⚠️ No new parcels added:\n")
	}
	for _, f := range fs {
		if f.err {
			b.WriteString("• " + f.line + "\n")
			continue
		}
		mark := ""
		if !f.created && added > 0 {
			mark = " (already followed)"
		}
		b.WriteString("• " + f.line + mark + "\n")
	}
	b.WriteString("\nI'll message you here when any of them moves. /list shows them all.")
	return Reply{Text: b.String()}
}

func (e *Engine) typo(c tracker.Candidate) Reply {
	t := "🤔 <code>" + esc(c.Number) + "</code> looks like a <b>" + esc(carrierName(c.Carrier)) + "</b> number, " +
		"but its check digit doesn't add up, so a character is probably wrong."
	if c.Suggestion != "" {
		t += "\nDid you mean <code>" + esc(c.Suggestion) + "</code>? Send <code>/track " + esc(c.Suggestion) + "</code> to follow it."
	} else {
		t += "\nPlease compare it with the shipping email and send it again."
	}
	return Reply{Text: t}
}

// typoInsisted is the answer to /track of a number with a failed check
// digit: the user typed the command, so the number may be right after all
// (a carrier's own misprint): offer to follow it anyway.
func (e *Engine) typoInsisted(c tracker.Candidate) Reply {
	r := e.typo(c)
	data := CallbackData(ActForce, 0, "")
	if len(data)+len(c.Carrier)+1+len(c.Number)+1 > MaxCallbackData {
		return r
	}
	r.Text += forceTexts.forceAsk
	r.Buttons = [][]Button{{{Text: forceTexts.forceButton, Data: CallbackData(ActForce, 0, c.Carrier+":"+c.Number)}}}
	return r
}

// texts of the "track it anyway" exchange, kept together for translation.
var forceTexts = struct {
	forceAsk, forceButton, forced, forceFailed string
}{
	forceAsk:    "\n\nSure it's right? I can follow it anyway.",
	forceButton: "Track it anyway",
	forced:      "Following it as typed.",
	forceFailed: "It could not be added.",
}

// followed is the outcome of following one number: the reply on its own,
// and its line in a summary.
type followed struct {
	reply   Reply
	line    string
	created bool
	err     bool
}

func (e *Engine) follow(ctx context.Context, m Message, c tracker.Candidate, label string) followed {
	sub, created, err := e.store.Subscribe(ctx, storage.SubscribeParams{
		ChatID: m.Chat.ID, Carrier: c.Carrier, Number: c.Number, Label: label,
		AddedBy: m.From.ID, AddedByName: strings.TrimSpace(tracker.PlainText(m.From.Name)), MaxPerChat: e.maxParcels, Now: e.now(),
	})
	if errors.Is(err, storage.ErrLimitReached) {
		return followed{err: true, line: "<code>" + esc(c.Number) + "</code> — not added: this chat is at its limit of " + itoa(int64(e.maxParcels)) + " parcels",
			reply: Reply{Text: fmt.Sprintf("📦 This chat already follows %d parcels, the most I keep per chat. "+
				"Stop one you no longer need with /stop (see /list), then send <code>%s</code> again.", e.maxParcels, esc(c.Number))}}
	}
	if err != nil {
		return followed{err: true, line: "<code>" + esc(c.Number) + "</code> — not added, something went wrong; please send it again",
			reply: e.fail(ctx, "subscribe", err)[0]}
	}
	name := esc(carrierName(sub.Shipment.Carrier))
	line := parcelName(sub.Label, sub.Shipment.Number) + " · " + name
	if !created {
		t := "👍 I'm already following " + parcelName(sub.Label, sub.Shipment.Number) + " here (" + name + ").\n" +
			"Latest: " + sub.Shipment.Status.Emoji() + " " + esc(tracker.Clip(tracker.StatusLine(sub.Shipment.Status, sub.Shipment.StatusText), statusLineLen))
		if last := lastUpdate(sub.Shipment); !last.IsZero() {
			t += " (" + tracker.Ago(last, e.now()) + ")"
		}
		if sub.AddedByName != "" && m.Chat.group() {
			t += "\nAdded by " + esc(sub.AddedByName) + "."
		}
		return followed{line: line, reply: Reply{Text: t, Buttons: ParcelButtons(sub)}}
	}
	t := "📦 Following " + parcelName(sub.Label, sub.Shipment.Number) + "\nCarrier: <b>" + name + "</b>"
	if c.Service != "" {
		t += " · " + esc(c.Service)
	}
	if label != "" {
		t += "\nNumber: <code>" + esc(sub.Shipment.Number) + "</code>"
	}
	if e.noClient(sub.Shipment.Carrier) {
		t += "\n\n⚠️ I can't look " + name + " up automatically here, so I won't get updates for it. Check it on the carrier's page below."
		line += " (no automatic updates)"
	} else {
		t += "\n\nWhat happens next: I'll check with " + name + " within a minute, then regularly, and message you here whenever it moves."
	}
	if label == "" && sub.Label == "" {
		t += "\nTip: give it a name with ✏️ Rename."
	}
	return followed{line: line, created: true, reply: Reply{Text: t, Buttons: ParcelButtons(sub)}}
}

// noClient reports whether no configured carrier client can look the
// carrier up, so the parcel will never get automatic updates.
func (e *Engine) noClient(carrier string) bool {
	_, err := e.router.ClientFor(carrier)
	return errors.Is(err, tracker.ErrNoClient)
}

// lastUpdate is when we last heard something: the newest scan, else the
// last poll.
func lastUpdate(sh storage.Shipment) time.Time {
	if !sh.LastEventAt.IsZero() {
		return sh.LastEventAt
	}
	return sh.PolledAt
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// ParcelButtons are the inline buttons under a message about one parcel:
// Got it / Not received once delivered, otherwise refresh, rename, carrier,
// stop; and the carrier's page. The notifier uses them on its pushes too.
func ParcelButtons(sub storage.Subscription) [][]Button {
	var rows [][]Button
	if sub.Shipment.Status == tracker.StatusDelivered {
		rows = append(rows, []Button{
			{Text: "👍 Got it", Data: CallbackData(ActGotIt, sub.ID, "")},
			{Text: "📭 Not received", Data: CallbackData(ActNotReceived, sub.ID, "")},
		})
	} else {
		rows = append(rows,
			[]Button{{Text: "🔄 Refresh", Data: CallbackData(ActRefresh, sub.ID, "")}, {Text: "✏️ Rename", Data: CallbackData(ActRename, sub.ID, "")}},
			[]Button{{Text: "Wrong carrier?", Data: CallbackData(ActCarrier, sub.ID, "")}, {Text: "🛑 Stop tracking", Data: CallbackData(ActStop, sub.ID, "")}})
	}
	if u := tracker.TrackingURL(sub.Shipment.Carrier, sub.Shipment.Number); u != "" {
		rows = append(rows, []Button{{Text: "Open " + carrierName(sub.Shipment.Carrier) + " page", URL: u}})
	}
	return rows
}

// statusLineLen bounds a status line (tracker.StatusLine) in lists and replies.
const statusLineLen = 100

// followedValid is the advice rules' Valid for what the bot reads: it only
// follows numbers whose check digit passed (see candidates), and /carrier
// changes the carrier, never the number.
const followedValid = true

func (e *Engine) list(ctx context.Context, m Message, args string) []Reply {
	subs, err := e.store.ChatSubscriptions(ctx, m.Chat.ID)
	if err != nil {
		return e.fail(ctx, "chat subscriptions", err)
	}
	if len(subs) == 0 {
		return []Reply{{Text: "I'm not following anything here yet. Paste a tracking number (or a whole shipping email) to start."}}
	}
	now := e.now()
	// Scan order: what needs you first, then what is on its way, then what
	// is over (delivered, returned) at the bottom. Stable within each group.
	rank := func(s storage.Subscription) int {
		switch {
		case advice.NeedsAttention(s.AdviceInput(followedValid), now):
			return 0
		case s.Shipment.Status.Final():
			return 2
		}
		return 1
	}
	ranks := make(map[int64]int, len(subs))
	attention, done := 0, 0
	for _, s := range subs {
		r := rank(s)
		ranks[s.ID] = r
		switch r {
		case 0:
			attention++
		case 2:
			done++
		}
	}
	slices.SortStableFunc(subs, func(a, b storage.Subscription) int { return ranks[a.ID] - ranks[b.ID] })

	var b strings.Builder
	b.WriteString("📋 <b>" + plural(len(subs), "parcel", "parcels") + "</b> followed here")
	if attention > 0 {
		b.WriteString(" · ❗ " + strconv.Itoa(attention) + " need you")
	}
	b.WriteString("\n")
	for _, s := range subs {
		sh := s.Shipment
		b.WriteString("\n" + sh.Status.Emoji() + " " + parcelName(s.Label, sh.Number))
		if ranks[s.ID] == 0 {
			b.WriteString(" ❗")
		}
		b.WriteString("\n" + esc(tracker.Clip(tracker.StatusLine(sh.Status, sh.StatusText), statusLineLen)))
		last := lastUpdate(sh)
		switch {
		case last.IsZero() && e.noClient(sh.Carrier):
			b.WriteString(" · no automatic updates")
		case last.IsZero():
			b.WriteString(" · not checked yet")
		default:
			b.WriteString(" · " + tracker.Ago(last, now))
		}
		b.WriteString("\n" + esc(carrierName(sh.Carrier)))
		if s.Label != "" {
			b.WriteString(" · <code>" + esc(sh.Number) + "</code>")
		}
		if !sh.ETA.IsZero() && !sh.Status.Final() {
			b.WriteString(" · 🗓 " + tracker.DayDate(sh.ETA, now))
		}
		if m.Chat.group() && s.AddedByName != "" {
			b.WriteString(" · added by " + esc(s.AddedByName))
		}
		b.WriteString("\n")
	}
	if attention > 0 {
		b.WriteString("\n❗ = time to contact someone. Ask me “what should I do?” and I'll say whom, for each.")
	}
	if done > 0 {
		b.WriteString("\nGot a parcel? <code>/stop name</code> tidies it away.")
	}
	if args != "" {
		b.WriteString("\n\n(/list takes no arguments; showing everything.)")
	}
	var out []Reply
	for _, part := range Split(b.String()) {
		out = append(out, Reply{Text: part})
	}
	return out
}

func (e *Engine) stop(ctx context.Context, m Message, args string) []Reply {
	if args == "" {
		return []Reply{{Text: "Which parcel? Send <code>/stop NUMBER</code> or <code>/stop name</code>; /list shows them."}}
	}
	sub, r := e.findOne(ctx, m.Chat.ID, args)
	if r != nil {
		return r
	}
	return e.unsubscribe(ctx, m.Chat, m.From, sub, false).Replies
}

// unsubscribe stops following after the permission check; edit replaces the
// message a button was on.
func (e *Engine) unsubscribe(ctx context.Context, chat Chat, user User, sub storage.Subscription, edit bool) ClickResult {
	if !e.mayRemove(ctx, chat, user, sub) {
		who := "the person who added it"
		if sub.AddedByName != "" {
			who = esc(sub.AddedByName) + ", who added it,"
		}
		t := "Only " + who + " or a group admin can stop following " + parcelName(sub.Label, sub.Shipment.Number) + "."
		if edit { // a button press: the alert is enough, the group needn't see it
			return ClickResult{Answer: stripTags(t), Alert: true}
		}
		return ClickResult{Answer: stripTags(t), Alert: true, Replies: []Reply{{Text: t}}}
	}
	err := e.store.Unsubscribe(ctx, sub.ID)
	if isNotFound(err) {
		// Someone else stopped it a moment ago (two presses at once): their
		// reply already says so; a button press only gets a toast.
		if edit {
			return ClickResult{Answer: "Already stopped."}
		}
		return ClickResult{Answer: "Already stopped.", Replies: []Reply{{Text: "I had already stopped following " + parcelName(sub.Label, sub.Shipment.Number) + " here."}}}
	}
	if err != nil {
		return ClickResult{Answer: "Sorry, that didn't work.", Replies: e.fail(ctx, "unsubscribe", err)}
	}
	t := "🛑 Stopped following " + parcelName(sub.Label, sub.Shipment.Number) + " (" + esc(carrierName(sub.Shipment.Carrier)) + ")."
	return ClickResult{Answer: "Stopped.", Replies: []Reply{{Text: t, Edit: edit}}}
}

func (e *Engine) status(ctx context.Context, m Message, args string) []Reply {
	if args == "" {
		return []Reply{{Text: "Which number? Send <code>/status NUMBER</code>."}}
	}
	cands := detect(args, e.demo)
	var c tracker.Candidate
	for _, x := range cands {
		if x.Kind == tracker.KindTracking {
			c = x
			break
		}
	}
	if c.Number == "" {
		if len(cands) > 0 {
			return e.candidates(ctx, m, cands[:1], "") // an order number: explain it
		}
		return []Reply{{Text: "<code>" + esc(tracker.Clip(args, 40)) + "</code> doesn't look like a tracking number I know."}}
	}
	if !c.Valid {
		return []Reply{e.typo(c)}
	}
	res, err := e.lookup(ctx, c.Carrier, c.Number)
	if err != nil {
		return []Reply{{Text: lookupFailed(c.Carrier, c.Number, err)}}
	}
	return []Reply{{Text: renderResult(res, e.now()) + "\n\nWant updates? Send <code>/track " + esc(c.Number) + "</code> and I'll follow it."}}
}

func (e *Engine) lookup(ctx context.Context, carrier, number string) (tracker.Result, error) {
	if e.lookupFn != nil {
		return e.lookupFn(ctx, carrier, number)
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	res, err := e.router.Lookup(ctx, carrier, number)
	if err != nil && !errors.Is(err, tracker.ErrNoClient) {
		e.log.WarnContext(ctx, "bot: live lookup", "carrier", carrier, "error", err)
	}
	return res, err
}

func lookupFailed(carrier, number string, err error) string {
	name := esc(carrierName(carrier))
	t := "I couldn't get an answer from " + name + " just now; please try again later."
	if errors.Is(err, tracker.ErrNoClient) {
		t = "I can't look " + name + " up automatically here."
	}
	if u := tracker.TrackingURL(carrier, number); u != "" {
		t += "\n<a href=\"" + esc(u) + "\">Open the " + name + " tracking page</a>"
	}
	return t
}

// renderResult shows a live look-up: status, the carrier's words, ETA, the
// last scans (place-local, relative times), and what to do.
func renderResult(r tracker.Result, now time.Time) string {
	var b strings.Builder
	latest, _ := r.Latest()
	said := r.StatusText
	if said == latest.Description {
		said = "" // the first scan line below says it
	}
	b.WriteString(r.Status.Emoji() + " <b>" + esc(tracker.Clip(tracker.StatusLine(r.Status, said), 200)) + "</b> — " +
		esc(carrierName(r.Carrier)) + " <code>" + esc(r.Number) + "</code>\n")
	if !r.ETA.IsZero() && !r.Status.Final() {
		b.WriteString("🗓 Expected " + tracker.DayDate(r.ETA, now) + "\n")
	}
	if len(r.Events) > 0 {
		b.WriteString("\n")
	}
	for i, ev := range r.Events {
		if i == 5 {
			fmt.Fprintf(&b, "…and %d earlier scans\n", len(r.Events)-5)
			break
		}
		b.WriteString("• " + tracker.When(ev.Time, now) + " — " + esc(tracker.Clip(tracker.PlainText(ev.Description), 120)))
		if ev.Location != "" {
			b.WriteString(", " + esc(tracker.Clip(tracker.PlainText(ev.Location), 60)))
		}
		b.WriteString("\n")
	}
	said = latest.Description
	if said == "" {
		said = r.StatusText
	}
	b.WriteString("\n👉 " + esc(r.Status.NextStepFor(said)))
	return b.String()
}

func (e *Engine) rename(ctx context.Context, m Message, args string) []Reply {
	query, label, _ := strings.Cut(args, " ")
	if query == "" || strings.TrimSpace(label) == "" {
		return []Reply{{Text: "Send <code>/rename NUMBER new name</code> (or use the Rename button under a parcel)."}}
	}
	sub, r := e.findOne(ctx, m.Chat.ID, query)
	if r != nil {
		return r
	}
	return e.setLabel(ctx, sub, label)
}

// gone answers a rename of a parcel stopped meanwhile.
const gone = "I'm no longer following that parcel here, so there is nothing to rename."

// renameByID takes the reply to a rename prompt.
func (e *Engine) renameByID(ctx context.Context, m Message, id int64, label string) []Reply {
	sub, err := e.store.SubscriptionByID(ctx, id)
	if isNotFound(err) || err == nil && sub.ChatID != m.Chat.ID {
		return []Reply{{Text: gone}}
	}
	if err != nil {
		return e.fail(ctx, "subscription by id", err)
	}
	return e.setLabel(ctx, sub, label)
}

func (e *Engine) setLabel(ctx context.Context, sub storage.Subscription, raw string) []Reply {
	label, err := cleanLabel(raw)
	if err != nil {
		return []Reply{{Text: "That name is too long: " + esc(err.Error()) + "."}}
	}
	if label == "" {
		return []Reply{{Text: "The new name is empty; nothing changed."}}
	}
	if err := e.store.RenameSubscription(ctx, sub.ID, label); isNotFound(err) {
		return []Reply{{Text: gone}} // stopped while the name was being typed
	} else if err != nil {
		return e.fail(ctx, "rename", err)
	}
	return []Reply{{Text: "✏️ <code>" + esc(sub.Shipment.Number) + "</code> is now called <b>" + esc(label) + "</b>."}}
}

func (e *Engine) carrier(ctx context.Context, m Message, args string) []Reply {
	f := strings.Fields(args)
	if len(f) == 0 || len(f) > 2 {
		return []Reply{{Text: "Send <code>/carrier NUMBER CODE</code>, e.g. <code>/carrier 1Z… ups</code>. Codes: " + esc(strings.Join(e.carrierCodes(), ", ")) + "."}}
	}
	sub, r := e.findOne(ctx, m.Chat.ID, f[0])
	if r != nil {
		return r
	}
	if len(f) == 1 {
		return []Reply{e.carrierChoices(sub)}
	}
	r, _ = e.setCarrier(ctx, sub, strings.ToLower(f[1]), false)
	return r
}

// carrierCodes are the codes a user may pick (the demo carrier only in demo mode).
func (e *Engine) carrierCodes() []string {
	return slices.DeleteFunc(tracker.CarrierCodes(), func(c string) bool { return c == "demo" && !e.demo })
}

// carrierChoices offers the carriers the number fits first, then the big ones.
func (e *Engine) carrierChoices(sub storage.Subscription) Reply {
	var codes []string
	add := func(c string) {
		if !slices.Contains(codes, c) && c != sub.Shipment.Carrier && slices.Contains(e.carrierCodes(), c) {
			codes = append(codes, c)
		}
	}
	for _, c := range detect(sub.Shipment.Number, e.demo) {
		add(c.Carrier)
	}
	for _, c := range []string{"ups", "usps", "fedex", "dhl", "dhl_ecommerce", "amazon", "s10", "demo"} {
		add(c)
	}
	var rows [][]Button
	for i, c := range codes {
		if i%2 == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], Button{Text: carrierName(c), Data: CallbackData(ActSetCarrier, sub.ID, c)})
	}
	return Reply{Text: "Which carrier has <code>" + esc(sub.Shipment.Number) + "</code>? Now: <b>" + esc(carrierName(sub.Shipment.Carrier)) +
		"</b>.\nOther codes work with <code>/carrier " + esc(sub.Shipment.Number) + " CODE</code>.", Buttons: rows}
}

// setCarrier moves a parcel to another carrier; ok says whether it is now
// tracked with that carrier.
func (e *Engine) setCarrier(ctx context.Context, sub storage.Subscription, code string, edit bool) (r []Reply, ok bool) {
	if !slices.Contains(e.carrierCodes(), code) {
		return []Reply{{Text: "I don't know the carrier <code>" + esc(tracker.Clip(code, 30)) + "</code>. Codes: " + esc(strings.Join(e.carrierCodes(), ", ")) + "."}}, false
	}
	if code == sub.Shipment.Carrier {
		return []Reply{{Text: "It is already set to " + esc(carrierName(code)) + ".", Edit: edit}}, true
	}
	ns, err := e.store.ChangeCarrier(ctx, sub.ID, code, e.now())
	if isNotFound(err) {
		return []Reply{{Text: "I'm no longer following that parcel here.", Edit: edit}}, false
	}
	if err != nil {
		return e.fail(ctx, "change carrier", err), false
	}
	return []Reply{{Text: "🔁 " + parcelName(ns.Label, ns.Shipment.Number) + " is now tracked with <b>" + esc(carrierName(code)) + "</b>. I'll check it there within a minute.",
		Buttons: ParcelButtons(ns), Edit: edit}}, true
}
