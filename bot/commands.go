package bot

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/tghtml"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/assess"
)

// deepLinkPrefix is the /start payload that follows a number:
// https://t.me/<bot>?start=track_<number>.
const deepLinkPrefix = "track_"

// lookupTimeout bounds a live look-up made while the user waits.
const lookupTimeout = 20 * time.Second

func helpText(p *locale.Printer, demo bool) string {
	if demo {
		return p.T("help") + "\n\n" + p.T("help_demo")
	}
	return p.T("help")
}

func (e *Engine) start(ctx context.Context, m Message, args string) []Reply {
	if n, ok := strings.CutPrefix(args, deepLinkPrefix); ok && n != "" {
		return e.track(ctx, m, n)
	}
	p := pr(ctx)
	welcome := p.T("welcome")
	if e.demo {
		welcome += "\n\n" + p.T("welcome_demo")
	}
	out := []Reply{{Text: welcome}}
	// A first visit: ask for the zone, so times and quiet hours are the user's.
	if q, ok := e.zoneQuestion(ctx, m); ok {
		out = append(out, q)
	}
	return out
}

// track follows "NUMBER [label]".
func (e *Engine) track(ctx context.Context, m Message, args string) []Reply {
	p := pr(ctx)
	if args == "" {
		return []Reply{{Text: p.T("track_which")}}
	}
	first, rest, _ := strings.Cut(args, " ")
	label, err := cleanLabel(rest)
	if err != nil {
		return []Reply{{Text: p.T("label_too_long", "Max", p.Num(maxLabel))}}
	}
	cands := detect(first, e.demo)
	if len(cands) == 0 {
		// The number may have been written with spaces: try the whole text.
		cands = detect(args, e.demo)
		label = ""
	}
	if len(cands) == 0 {
		return []Reply{{Text: p.T("track_not_number", "Number", esc(tracker.Clip(first, 40)))}}
	}
	if len(cands) == 1 && !cands[0].Valid && cands[0].Kind == tracker.KindTracking {
		return []Reply{e.typoInsisted(p, cands[0])}
	}
	return e.candidates(ctx, m, cands, label)
}

// paste handles free text: every number in it is followed; text without any
// is a question.
func (e *Engine) paste(ctx context.Context, m Message, text string) []Reply {
	if text == "" {
		return []Reply{{Text: pr(ctx).T("paste_empty")}}
	}
	cands := detect(text, e.demo)
	var subs []storage.Subscription
	if len(cands) == 0 || isQuestion(text, cands) { // a question: about which of the chat's parcels?
		var err error
		if subs, err = e.store.ChatSubscriptions(ctx, m.Chat.ID); err != nil {
			return e.fail(ctx, "chat subscriptions", err)
		}
	}
	// "when will DEMO5 arrive": a question about a parcel followed here is
	// answered from its assessment, not taken for a paste.
	if len(cands) > 0 && isQuestion(text, cands) {
		if sub, ok := parcelAsked(cands, subs); ok {
			return e.questionAboutParcel(ctx, m, text, sub)
		}
	}
	if len(cands) == 0 {
		return []Reply{e.answerQuestion(ctx, m.Chat.ID, text, subs)}
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
	p := pr(ctx)
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
			out = append(out, orderNumber(p, c))
		case !c.Valid:
			out = append(out, e.typo(p, c))
		default:
			follows = append(follows, e.follow(ctx, m, c, label))
		}
	}
	if len(follows) > manyAtOnce {
		out = append([]Reply{followSummary(p, follows)}, out...)
	} else {
		var rs []Reply
		for _, f := range follows {
			rs = append(rs, f.reply)
		}
		out = append(rs, out...)
	}
	if len(out) > manyAtOnce {
		// A pasted list gets one answer, not a burst: everything without
		// buttons in one message (split only at Telegram's length limit).
		out = joinPlain(out)
	}
	return out
}

// joinPlain merges the replies that carry no buttons into one, placed where
// the first of them was; replies with buttons stay as they are.
func joinPlain(rs []Reply) []Reply {
	var out []Reply
	merged := -1
	for _, r := range rs {
		if len(r.Buttons) > 0 || r.ForceReply || r.Edit {
			out = append(out, r)
			continue
		}
		if merged < 0 {
			merged = len(out)
			out = append(out, r)
			continue
		}
		out[merged].Text += "\n\n" + r.Text
	}
	return out
}

// orderNumber explains an Amazon order number pasted as if it could be tracked.
func orderNumber(p *locale.Printer, c tracker.Candidate) Reply {
	return Reply{Text: p.T("order_number", "Number", esc(c.Number))}
}

// followSummary confirms many parcels followed from one message in one
// short list.
func followSummary(p *locale.Printer, fs []followed) Reply {
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
		b.WriteString(p.N("summary_added", added) + "\n")
	case failed == 0:
		b.WriteString(p.N("summary_all_known", len(fs)) + "\n")
	default:
		b.WriteString(p.T("summary_none_added") + "\n")
	}
	for _, f := range fs {
		if f.err {
			b.WriteString("• " + f.line + "\n")
			continue
		}
		mark := ""
		if !f.created && added > 0 {
			mark = " " + p.T("summary_already_mark")
		}
		b.WriteString("• " + f.line + mark + "\n")
	}
	b.WriteString("\n" + p.T("summary_footer"))
	return Reply{Text: b.String()}
}

func (e *Engine) typo(p *locale.Printer, c tracker.Candidate) Reply {
	t := p.T("typo", "Number", esc(c.Number), "Carrier", esc(carrierName(p, c.Carrier)))
	if c.Suggestion != "" {
		t += "\n" + p.T("typo_suggest", "Suggestion", esc(c.Suggestion))
	} else {
		t += "\n" + p.T("typo_compare")
	}
	return Reply{Text: t}
}

// typoInsisted is the answer to /track of a number with a failed check
// digit: the user typed the command, so the number may be right after all
// (a carrier's own misprint): offer to follow it anyway.
func (e *Engine) typoInsisted(p *locale.Printer, c tracker.Candidate) Reply {
	r := e.typo(p, c)
	data := CallbackData(ActForce, 0, "")
	if len(data)+len(c.Carrier)+1+len(c.Number)+1 > MaxCallbackData {
		return r
	}
	r.Text += "\n\n" + p.T("force_ask")
	r.Buttons = [][]Button{{{Text: p.T("force_button"), Data: CallbackData(ActForce, 0, c.Carrier+":"+c.Number)}}}
	return r
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
	p := pr(ctx)
	if errors.Is(err, storage.ErrLimitReached) {
		return followed{err: true, line: p.T("limit_line", "Number", esc(c.Number), "Max", p.Num(e.maxParcels)),
			reply: Reply{Text: p.T("limit_reply", "Max", p.Num(e.maxParcels), "Number", esc(c.Number))}}
	}
	if err != nil {
		return followed{err: true, line: p.T("subscribe_failed_line", "Number", esc(c.Number)),
			reply: e.fail(ctx, "subscribe", err)[0]}
	}
	name := esc(carrierName(p, sub.Shipment.Carrier))
	line := parcelName(sub.Label, sub.Shipment.Number) + " · " + name
	if cl, err := cleanLabel(label); !created && err == nil && cl != "" && !strings.EqualFold(cl, sub.Label) &&
		e.refusal(ctx, m.Chat, m.From, sub) == "" {
		// "/track 1Z… new name" of a parcel already followed: the name is
		// what is new, so it is applied, as /rename would.
		rs := e.setLabel(ctx, sub, cl)
		if len(rs) == 1 {
			sub.Label = cl
			rs[0].Buttons = parcelButtons(p, sub)
			return followed{line: parcelName(sub.Label, sub.Shipment.Number) + " · " + name, reply: rs[0]}
		}
	}
	if !created {
		st := sub.Shipment.Status.Emoji() + " " + esc(tracker.Clip(statusLine(p, sub.Shipment.Status, sub.Shipment.StatusText), statusLineLen))
		t := p.T("already_following", "Name", parcelName(sub.Label, sub.Shipment.Number), "Carrier", name) + "\n"
		if last := lastUpdate(sub.Shipment); !last.IsZero() {
			t += p.T("already_latest_ago", "Status", st, "Ago", p.Ago(last, e.now()))
		} else {
			t += p.T("already_latest", "Status", st)
			if e.noClient(sub.Shipment.Carrier) { // no update will come: say so, as /list does
				t += " · " + p.T("list_no_updates")
			}
		}
		if sub.AddedByName != "" && m.Chat.group() {
			t += "\n" + p.T("added_by", "Who", esc(sub.AddedByName))
		}
		return followed{line: line, reply: Reply{Text: t, Buttons: parcelButtons(p, sub)}}
	}
	t := p.T("following", "Name", parcelName(sub.Label, sub.Shipment.Number)) + "\n" + p.T("following_carrier", "Carrier", name)
	if svc := serviceName(p, c.Service); svc != "" {
		t += " · " + esc(svc)
	}
	if label != "" {
		t += "\n" + p.T("following_number", "Number", esc(sub.Shipment.Number))
	}
	if e.noClient(sub.Shipment.Carrier) {
		t += "\n\n" + p.T("no_client", "Carrier", name)
		line += " " + p.T("no_client_mark")
	} else {
		t += "\n\n" + p.T("next_check", "Carrier", name)
	}
	if label == "" && sub.Label == "" {
		t += "\n" + p.T("tip_rename")
	}
	return followed{line: line, created: true, reply: Reply{Text: t, Buttons: parcelButtons(p, sub)}}
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

// parcelButtons are the inline buttons under a message about one parcel:
// Got it / Not received once delivered, otherwise refresh, rename, carrier,
// stop; and the carrier's page and a button copying the number.
func parcelButtons(p *locale.Printer, sub storage.Subscription) [][]Button {
	var rows [][]Button
	if sub.Shipment.Status == tracker.StatusDelivered {
		rows = append(rows, []Button{
			{Text: p.T("btn_got_it"), Data: CallbackData(ActGotIt, sub.ID, "")},
			{Text: p.T("btn_not_received"), Data: CallbackData(ActNotReceived, sub.ID, "")},
		})
	} else {
		rows = append(rows,
			[]Button{{Text: p.T("btn_refresh"), Data: CallbackData(ActRefresh, sub.ID, "")}, {Text: p.T("btn_rename"), Data: CallbackData(ActRename, sub.ID, "")}},
			[]Button{{Text: p.T("btn_wrong_carrier"), Data: CallbackData(ActCarrier, sub.ID, "")}, {Text: p.T("btn_stop"), Data: CallbackData(ActStop, sub.ID, "")}})
	}
	// The number, copied with one tap, for the carrier's own app or a call.
	last := []Button{{Text: p.T("btn_copy_number"), Copy: sub.Shipment.Number}}
	if u := tracker.TrackingURL(sub.Shipment.Carrier, sub.Shipment.Number); u != "" {
		last = append([]Button{{Text: p.T("btn_open_page", "Carrier", carrierName(p, sub.Shipment.Carrier)), URL: u}}, last...)
	}
	return append(rows, last)
}

// statusLineLen bounds a status line (statusLine) in lists and replies.
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
	p := pr(ctx)
	v := e.view(ctx, m.Chat.ID)
	now := v.now
	// Parcels delivered a while ago live in /history.
	total := len(subs)
	subs = slices.DeleteFunc(subs, func(s storage.Subscription) bool { return inHistory(s, now) })
	if len(subs) == 0 {
		if total > 0 {
			return []Reply{{Text: p.T("list_empty_history")}}
		}
		return []Reply{{Text: p.T("list_empty")}}
	}
	latest := e.latestEvents(ctx, m.Chat.ID)
	as := make(map[int64]assess.Assessment, len(subs))
	for _, s := range subs {
		as[s.ID] = e.assessSub(s, latest[s.Shipment.ID], now)
	}
	// Scan order: what needs you first, then what is on its way, then what
	// is over (delivered, returned) at the bottom. Stable within each group.
	rank := func(s storage.Subscription) int {
		switch {
		case as[s.ID].Attention:
			return 0
		case s.Shipment.Status.Final():
			return 2
		}
		return 1
	}
	ranks := make(map[int64]int, len(subs))
	attention, done, muted := 0, 0, 0
	for _, s := range subs {
		if s.Muted {
			muted++
		}
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
	b.WriteString(p.N("list_header", len(subs)))
	if attention > 0 {
		b.WriteString(" · " + p.N("list_attention", attention))
	}
	b.WriteString("\n")
	for _, s := range subs {
		sh := s.Shipment
		a := as[s.ID]
		b.WriteString("\n" + sh.Status.Emoji() + " " + parcelName(s.Label, sh.Number))
		if a.Attention {
			b.WriteString(" ❗")
		}
		if s.Muted {
			b.WriteString(" 🔕")
		}
		b.WriteString("\n" + esc(tracker.Clip(statusLine(p, sh.Status, sh.StatusText), statusLineLen)))
		last := lastUpdate(sh)
		switch {
		case last.IsZero() && !a.Checkable:
			b.WriteString(" · " + p.T("list_no_updates"))
		case last.IsZero():
			b.WriteString(" · " + p.T("list_not_checked"))
		default:
			b.WriteString(" · " + v.ago(last))
		}
		b.WriteString("\n" + esc(carrierName(p, sh.Carrier)))
		if s.Label != "" {
			b.WriteString(" · <code>" + esc(sh.Number) + "</code>")
		}
		var eta tghtml.Builder
		if expectedLine(&eta, a, v) {
			b.WriteString(" · " + eta.String())
		}
		if m.Chat.group() && s.AddedByName != "" {
			b.WriteString(" · " + p.T("list_added_by", "Who", esc(s.AddedByName)))
		}
		if a.Attention {
			b.WriteString("\n👉 " + esc(stepText(v, a, false)))
		}
		b.WriteString("\n")
	}
	if attention > 0 {
		b.WriteString("\n" + p.T("list_attention_note"))
	}
	if done > 0 {
		b.WriteString("\n" + p.T("list_done_note"))
	}
	if muted > 0 {
		b.WriteString("\n" + p.T("list_muted_note"))
	}
	if total > len(subs) {
		b.WriteString("\n" + p.N("list_history_note", total-len(subs)))
	}
	if args != "" {
		b.WriteString("\n\n" + p.T("list_no_args"))
	}
	var out []Reply
	for _, part := range Split(b.String()) {
		out = append(out, Reply{Text: part})
	}
	return out
}

func (e *Engine) stop(ctx context.Context, m Message, args string) []Reply {
	if args == "" {
		return []Reply{{Text: pr(ctx).T("stop_which")}}
	}
	if strings.EqualFold(args, stopDelivered) {
		return e.stopMany(ctx, m, args)
	}
	if len(strings.Fields(args)) > 1 {
		// "/stop A B": several parcels, unless the words are one's name.
		subs, err := e.store.FindSubscriptions(ctx, m.Chat.ID, args)
		if err != nil {
			return e.fail(ctx, "find subscriptions", err)
		}
		if len(subs) != 1 {
			return e.stopMany(ctx, m, args)
		}
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
	p := pr(ctx)
	name := parcelName(sub.Label, sub.Shipment.Number)
	if !e.mayRemove(ctx, chat, user, sub) {
		t := p.T("stop_only_anon", "Name", name)
		if sub.AddedByName != "" {
			t = p.T("stop_only_named", "Who", esc(sub.AddedByName), "Name", name)
		}
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
			return ClickResult{Answer: p.T("stop_already_toast")}
		}
		return ClickResult{Answer: p.T("stop_already_toast"), Replies: []Reply{{Text: p.T("stop_already", "Name", name)}}}
	}
	if err != nil {
		return ClickResult{Answer: p.T("toast_failed"), Replies: e.fail(ctx, "unsubscribe", err)}
	}
	t := p.T("stopped", "Name", name, "Carrier", esc(carrierName(p, sub.Shipment.Carrier)))
	return ClickResult{Answer: p.T("stopped_toast"), Replies: []Reply{{Text: t, Edit: edit}}, stopped: true}
}

func (e *Engine) status(ctx context.Context, m Message, args string) []Reply {
	p := pr(ctx)
	if args == "" {
		return []Reply{{Text: p.T("status_which")}}
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
		return []Reply{{Text: p.T("status_not_number", "Number", esc(tracker.Clip(args, 40)))}}
	}
	if !c.Valid {
		return []Reply{e.typo(p, c)}
	}
	v := e.view(ctx, m.Chat.ID)
	// A parcel followed here: what we know, the same assessment its pushes
	// carry, with its whole timeline.
	subs, err := e.store.FindSubscriptions(ctx, m.Chat.ID, c.Number)
	followed := err == nil && len(subs) == 1
	if followed && !subs[0].Shipment.PolledAt.IsZero() {
		sub := subs[0]
		events, err := e.store.ShipmentEvents(ctx, sub.Shipment.ID, maxTimeline)
		if err != nil {
			return e.fail(ctx, "shipment events", err)
		}
		return []Reply{{Text: e.renderStatus(sub, events, v, true) + "\n🕒 " + p.T("status_checked", "Ago", esc(v.ago(sub.Shipment.PolledAt))), Buttons: parcelButtons(p, sub)}}
	}
	res, err := e.lookup(ctx, c.Carrier, c.Number)
	if err != nil {
		return []Reply{{Text: lookupFailed(p, c.Carrier, c.Number, err)}}
	}
	res.Carrier = c.Carrier
	if followed { // followed here but not polled yet: the live answer, without "want updates?"
		sub := subs[0]
		sub.Shipment.PolledAt = v.now
		sub.Shipment = withResult(sub.Shipment, res)
		return []Reply{{Text: e.renderStatus(sub, res.Events, v, true), Buttons: parcelButtons(p, sub)}}
	}
	sub := storage.Subscription{CreatedAt: v.now, Shipment: withResult(storage.Shipment{Carrier: c.Carrier, Number: c.Number, PolledAt: v.now}, res)}
	return []Reply{{Text: e.renderStatus(sub, res.Events, v, false) + "\n\n" + p.T("status_want_updates", "Number", esc(c.Number))}}
}

func (e *Engine) lookup(ctx context.Context, carrier, number string) (tracker.Result, error) {
	if e.lookupFn != nil {
		return e.lookupFn(ctx, carrier, number)
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	res, err := e.router.Lookup(ctx, carrier, number)
	if err != nil && !errors.Is(err, tracker.ErrNoClient) {
		e.log.WarnContext(ctx, "bot: live lookup", "carrier", carrier, slog.Any("error", err))
	}
	return res, err
}

func lookupFailed(p *locale.Printer, carrier, number string, err error) string {
	name := esc(carrierName(p, carrier))
	t := p.T("lookup_failed", "Carrier", name)
	if errors.Is(err, tracker.ErrNoClient) {
		t = p.T("lookup_no_client", "Carrier", name)
	}
	if u := tracker.TrackingURL(carrier, number); u != "" {
		t += "\n<a href=\"" + esc(u) + "\">" + p.T("lookup_page_link", "Carrier", name) + "</a>"
	}
	return t
}

func (e *Engine) rename(ctx context.Context, m Message, args string) []Reply {
	query, label, _ := strings.Cut(args, " ")
	if query == "" || strings.TrimSpace(label) == "" {
		return []Reply{{Text: pr(ctx).T("rename_usage")}}
	}
	sub, r := e.findOne(ctx, m.Chat.ID, query)
	if r != nil {
		return r
	}
	if no := e.refusal(ctx, m.Chat, m.From, sub); no != "" {
		return []Reply{{Text: no}}
	}
	return e.setLabel(ctx, sub, label)
}

// renameByID takes the reply to a rename prompt.
func (e *Engine) renameByID(ctx context.Context, m Message, id int64, label string) []Reply {
	sub, err := e.store.SubscriptionByID(ctx, id)
	if isNotFound(err) || err == nil && sub.ChatID != m.Chat.ID {
		return []Reply{{Text: pr(ctx).T("rename_gone")}}
	}
	if err != nil {
		return e.fail(ctx, "subscription by id", err)
	}
	if no := e.refusal(ctx, m.Chat, m.From, sub); no != "" {
		return []Reply{{Text: no}}
	}
	return e.setLabel(ctx, sub, label)
}

func (e *Engine) setLabel(ctx context.Context, sub storage.Subscription, raw string) []Reply {
	p := pr(ctx)
	label, err := cleanLabel(raw)
	if err != nil {
		return []Reply{{Text: p.T("label_too_long", "Max", p.Num(maxLabel))}}
	}
	if label == "" {
		return []Reply{{Text: p.T("label_empty")}}
	}
	if err := e.store.RenameSubscription(ctx, sub.ID, label); isNotFound(err) {
		return []Reply{{Text: p.T("rename_gone")}} // stopped while the name was being typed
	} else if err != nil {
		return e.fail(ctx, "rename", err)
	}
	return []Reply{{Text: p.T("renamed", "Number", esc(sub.Shipment.Number), "Label", esc(label))}}
}

func (e *Engine) carrier(ctx context.Context, m Message, args string) []Reply {
	f := strings.Fields(args)
	if len(f) == 0 || len(f) > 2 {
		return []Reply{{Text: pr(ctx).T("carrier_usage", "Codes", esc(strings.Join(e.carrierCodes(), ", ")))}}
	}
	sub, r := e.findOne(ctx, m.Chat.ID, f[0])
	if r != nil {
		return r
	}
	if no := e.refusal(ctx, m.Chat, m.From, sub); no != "" {
		return []Reply{{Text: no}}
	}
	if len(f) == 1 {
		return []Reply{e.carrierChoices(pr(ctx), sub)}
	}
	r, _ = e.setCarrier(ctx, sub, strings.ToLower(f[1]), false)
	return r
}

// carrierCodes are the codes a user may pick (the demo carrier only in demo mode).
func (e *Engine) carrierCodes() []string {
	return slices.DeleteFunc(tracker.CarrierCodes(), func(c string) bool { return c == "demo" && !e.demo })
}

// carrierChoices offers the carriers the number fits first, then the big ones.
func (e *Engine) carrierChoices(p *locale.Printer, sub storage.Subscription) Reply {
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
	// Carriers this server can check first; the others say they are a
	// link only, so picking one promises no updates.
	slices.SortStableFunc(codes, func(a, b string) int { return boolRank(e.noClient(a)) - boolRank(e.noClient(b)) })
	var rows [][]Button
	for i, c := range codes {
		if i%2 == 0 {
			rows = append(rows, nil)
		}
		text := carrierName(p, c)
		if e.noClient(c) {
			text = p.T("carrier_link_only", "Carrier", text)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], Button{Text: text, Data: CallbackData(ActSetCarrier, sub.ID, c)})
	}
	return Reply{Text: p.T("carrier_pick", "Number", esc(sub.Shipment.Number), "Carrier", esc(carrierName(p, sub.Shipment.Carrier))), Buttons: rows}
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// setCarrier moves a parcel to another carrier; ok says whether it is now
// tracked with that carrier.
func (e *Engine) setCarrier(ctx context.Context, sub storage.Subscription, code string, edit bool) (r []Reply, ok bool) {
	p := pr(ctx)
	if !slices.Contains(e.carrierCodes(), code) {
		return []Reply{{Text: p.T("carrier_unknown", "Code", esc(tracker.Clip(code, 30)), "Codes", esc(strings.Join(e.carrierCodes(), ", ")))}}, false
	}
	if code == sub.Shipment.Carrier {
		return []Reply{{Text: p.T("carrier_same", "Carrier", esc(carrierName(p, code))), Edit: edit}}, true
	}
	ns, err := e.store.ChangeCarrier(ctx, sub.ID, code, e.now())
	if isNotFound(err) {
		return []Reply{{Text: p.T("no_longer_following"), Edit: edit}}, false
	}
	if err != nil {
		return e.fail(ctx, "change carrier", err), false
	}
	key := "carrier_set"
	if e.noClient(code) {
		key = "carrier_set_unchecked" // no promise to check what cannot be checked
	}
	return []Reply{{Text: p.T(key, "Name", parcelName(ns.Label, ns.Shipment.Number), "Carrier", esc(carrierName(p, code))),
		Buttons: parcelButtons(p, ns), Edit: edit}}, true
}
