package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	b.WriteString("Paste any text with tracking numbers (a shipping e-mail is fine) and I follow each of them. ")
	b.WriteString("I check the carriers regularly and message you here when something changes.\n\n")
	b.WriteString("/track NUMBER [name] — follow a number, optionally with a name\n")
	b.WriteString("/list — everything followed in this chat\n")
	b.WriteString("/stop NUMBER or name — stop following\n")
	b.WriteString("/status NUMBER — look a number up once, without following\n")
	b.WriteString("/rename NUMBER new name — change a parcel's name\n")
	b.WriteString("/carrier NUMBER CODE — set the carrier when I guessed wrong\n\n")
	b.WriteString("In groups, use commands or mention me; everyone in the group sees the updates.")
	if demo {
		b.WriteString("\n\nDemo mode is on: numbers of the built-in demo carrier move through a made-up journey.")
	}
	return b.String()
}

func (e *Engine) start(ctx context.Context, m Message, args string) []Reply {
	if n, ok := strings.CutPrefix(args, deepLinkPrefix); ok && n != "" {
		return e.track(ctx, m, n)
	}
	welcome := "👋 Hi! I follow parcels for you.\n\n" +
		"Paste a tracking number, or a whole shipping e-mail, and I'll tell you which carrier it is " +
		"and message you here whenever its status changes. For example:\n" +
		"<code>/track 1Z… new headphones</code>\n\n" +
		"Send /help for everything I can do."
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
		return []Reply{{Text: "<code>" + esc(clip(first, 40)) + "</code> doesn't look like a tracking number I know. " +
			"Check it against the shipping e-mail, or send /help."}}
	}
	return e.candidates(ctx, m, cands, label)
}

// paste handles free text: every number in it is followed; text without any
// is a question.
func (e *Engine) paste(ctx context.Context, m Message, text string) []Reply {
	if text == "" {
		return []Reply{{Text: "Yes? Paste a tracking number, or send /help."}}
	}
	cands := detect(text, e.demo)
	if len(cands) == 0 {
		subs, err := e.store.ChatSubscriptions(ctx, m.Chat.ID)
		if err != nil {
			return e.fail(ctx, "chat subscriptions", err)
		}
		return []Reply{{Text: esc(e.answerQuestion(ctx, text, subs))}}
	}
	return e.candidates(ctx, m, cands, "")
}

// candidates answers each number found: follows the valid ones, explains
// typos and order numbers. One number matching several carriers is followed
// once, with the others offered through "Wrong carrier?".
func (e *Engine) candidates(ctx context.Context, m Message, cands []tracker.Candidate, label string) []Reply {
	var out []Reply
	seen := map[string]bool{}
	for _, c := range cands {
		if seen[c.Number] {
			continue
		}
		seen[c.Number] = true
		switch {
		case c.Kind == tracker.KindOrder:
			out = append(out, Reply{Text: "🛒 <code>" + esc(c.Number) + "</code> is an Amazon <b>order</b> number, not a tracking number.\n\n" +
				esc(tracker.ExplainAmazonReference()) + "\n\nOpen the order in Your Orders, press “Track package”, and paste the tracking number shown there."})
		case !c.Valid:
			out = append(out, e.typo(c))
		default:
			out = append(out, e.follow(ctx, m, c, label))
		}
	}
	if len(out) > 10 {
		// A pasted list: keep the chat readable.
		out = append(out[:10], Reply{Text: fmt.Sprintf("…and %d more. Send /list to see everything I follow here.", len(out)-10)})
	}
	return out
}

func (e *Engine) typo(c tracker.Candidate) Reply {
	t := "🤔 <code>" + esc(c.Number) + "</code> looks like a <b>" + esc(carrierName(c.Carrier)) + "</b> number, " +
		"but its check digit doesn't add up, so a character is probably wrong."
	if c.Suggestion != "" {
		t += "\nDid you mean <code>" + esc(c.Suggestion) + "</code>? Send <code>/track " + esc(c.Suggestion) + "</code> to follow it."
	} else {
		t += "\nPlease compare it with the shipping e-mail and send it again."
	}
	return Reply{Text: t}
}

func (e *Engine) follow(ctx context.Context, m Message, c tracker.Candidate, label string) Reply {
	sub, created, err := e.store.Subscribe(ctx, storage.SubscribeParams{
		ChatID: m.Chat.ID, Carrier: c.Carrier, Number: c.Number, Label: label,
		AddedBy: m.From.ID, AddedByName: m.From.Name, MaxPerChat: e.maxParcels, Now: e.now(),
	})
	if errors.Is(err, storage.ErrLimitReached) {
		return Reply{Text: fmt.Sprintf("📦 This chat already follows %d parcels, the most I keep per chat. "+
			"Stop one you no longer need with /stop (see /list), then send <code>%s</code> again.", e.maxParcels, esc(c.Number))}
	}
	if err != nil {
		return e.fail(ctx, "subscribe", err)[0]
	}
	name := esc(carrierName(sub.Shipment.Carrier))
	if !created {
		t := "👍 I'm already following " + parcelName(sub.Label, sub.Shipment.Number) + " here (" + name + ").\n" +
			"Latest: " + sub.Shipment.Status.Emoji() + " " + esc(sub.Shipment.Status.Title())
		if sub.AddedByName != "" && m.Chat.group() {
			t += "\nAdded by " + esc(sub.AddedByName) + "."
		}
		return Reply{Text: t, Buttons: ParcelButtons(sub)}
	}
	t := "📦 Following " + parcelName(sub.Label, sub.Shipment.Number) + "\n" +
		"Carrier: <b>" + name + "</b>"
	if c.Service != "" {
		t += " · " + esc(c.Service)
	}
	if label != "" {
		t += "\nNumber: <code>" + esc(sub.Shipment.Number) + "</code>"
	}
	if _, err := e.router.ClientFor(sub.Shipment.Carrier); errors.Is(err, tracker.ErrNoClient) {
		t += "\n\nWhat happens next: I can't look " + name + " up automatically here, so I won't get updates for it. Use the carrier's page below to check it."
	} else {
		t += "\n\nWhat happens next: I'll check with " + name + " within a minute and then regularly, and message this chat whenever the status changes."
	}
	return Reply{Text: t, Buttons: ParcelButtons(sub)}
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

func (e *Engine) adviceInput(sub storage.Subscription) advice.Input {
	sh := sub.Shipment
	return advice.Input{
		Carrier: sh.Carrier, Number: sh.Number, Valid: true, Status: sh.Status,
		AddedAt: sub.CreatedAt, StatusSince: sh.StatusSince, LastEventAt: sh.LastEventAt, ETA: sh.ETA,
		DeliveredAt: sh.DeliveredAt, NotReceivedAt: sub.NotReceivedAt, Polled: !sh.PolledAt.IsZero(),
		International: sh.Carrier == "s10" || sh.Status == tracker.StatusCustoms, AmazonOrder: sh.Carrier == "amazon",
	}
}

func (e *Engine) list(ctx context.Context, m Message, args string) []Reply {
	subs, err := e.store.ChatSubscriptions(ctx, m.Chat.ID)
	if err != nil {
		return e.fail(ctx, "chat subscriptions", err)
	}
	if len(subs) == 0 {
		return []Reply{{Text: "I'm not following anything here yet. Paste a tracking number to start."}}
	}
	now := e.now()
	var b strings.Builder
	fmt.Fprintf(&b, "📋 <b>%d parcel(s) followed here</b>\n", len(subs))
	for _, s := range subs {
		sh := s.Shipment
		b.WriteString("\n" + sh.Status.Emoji() + " " + parcelName(s.Label, sh.Number))
		if advice.NeedsAttention(e.adviceInput(s), now) {
			b.WriteString(" ❗")
		}
		b.WriteString("\n" + esc(carrierName(sh.Carrier)) + " <code>" + esc(sh.Number) + "</code>\n")
		b.WriteString(esc(sh.Status.Title()))
		if sh.StatusText != "" {
			b.WriteString(": " + esc(clip(sh.StatusText, 80)))
		}
		last := sh.LastEventAt
		if last.IsZero() {
			last = sh.PolledAt
		}
		b.WriteString(" · updated " + ago(now, last))
		if !sh.ETA.IsZero() && !sh.Status.Final() {
			b.WriteString(" · ETA " + day(sh.ETA))
		}
		b.WriteString("\n")
		if m.Chat.group() && s.AddedByName != "" {
			b.WriteString("added by " + esc(s.AddedByName) + "\n")
		}
	}
	if args != "" {
		b.WriteString("\n(/list takes no arguments; showing everything.)")
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
		t := "Only " + esc(sub.AddedByName) + ", who added it, or a group admin can stop following " + parcelName(sub.Label, sub.Shipment.Number) + "."
		return ClickResult{Answer: stripTags(t), Alert: true, Replies: []Reply{{Text: t}}}
	}
	if err := e.store.Unsubscribe(ctx, sub.ID); err != nil && !isNotFound(err) {
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
		return []Reply{{Text: "<code>" + esc(clip(args, 40)) + "</code> doesn't look like a tracking number I know."}}
	}
	if !c.Valid {
		return []Reply{e.typo(c)}
	}
	res, err := e.lookup(ctx, c.Carrier, c.Number)
	if err != nil {
		return []Reply{{Text: lookupFailed(c.Carrier, c.Number, err)}}
	}
	return []Reply{{Text: renderResult(res, e.now()) + "\n\nSend <code>/track " + esc(c.Number) + "</code> to follow it."}}
}

func (e *Engine) lookup(ctx context.Context, carrier, number string) (tracker.Result, error) {
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

// renderResult shows a live look-up: status, what it means, ETA, last scans.
func renderResult(r tracker.Result, now time.Time) string {
	var b strings.Builder
	b.WriteString(r.Status.Emoji() + " <b>" + esc(r.Status.Title()) + "</b> — " + esc(carrierName(r.Carrier)) + " <code>" + esc(r.Number) + "</code>\n")
	if r.StatusText != "" {
		b.WriteString(esc(clip(r.StatusText, 200)) + "\n")
	}
	if !r.ETA.IsZero() && !r.Status.Final() {
		b.WriteString("Expected: " + day(r.ETA) + "\n")
	}
	for i, ev := range r.Events {
		if i == 5 {
			fmt.Fprintf(&b, "…and %d earlier scans\n", len(r.Events)-5)
			break
		}
		b.WriteString("• " + ev.Time.Format("2 Jan 15:04") + " " + esc(clip(ev.Description, 120)))
		if ev.Location != "" {
			b.WriteString(", " + esc(clip(ev.Location, 60)))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n<i>" + esc(r.Status.Explain()) + "</i>")
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

// renameByID takes the reply to a rename prompt.
func (e *Engine) renameByID(ctx context.Context, m Message, id int64, label string) []Reply {
	sub, err := e.store.SubscriptionByID(ctx, id)
	if isNotFound(err) || err == nil && sub.ChatID != m.Chat.ID {
		return []Reply{{Text: "I'm no longer following that parcel here, so there is nothing to rename."}}
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
	if err := e.store.RenameSubscription(ctx, sub.ID, label); err != nil {
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
	return e.setCarrier(ctx, sub, strings.ToLower(f[1]), false)
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

func (e *Engine) setCarrier(ctx context.Context, sub storage.Subscription, code string, edit bool) []Reply {
	if !slices.Contains(e.carrierCodes(), code) {
		return []Reply{{Text: "I don't know the carrier <code>" + esc(clip(code, 30)) + "</code>. Codes: " + esc(strings.Join(e.carrierCodes(), ", ")) + "."}}
	}
	if code == sub.Shipment.Carrier {
		return []Reply{{Text: "It is already set to " + esc(carrierName(code)) + ".", Edit: edit}}
	}
	ns, err := e.store.ChangeCarrier(ctx, sub.ID, code, e.now())
	if err != nil {
		return e.fail(ctx, "change carrier", err)
	}
	return []Reply{{Text: "🔁 " + parcelName(ns.Label, ns.Shipment.Number) + " is now tracked with <b>" + esc(carrierName(code)) + "</b>. I'll check it there within a minute.",
		Buttons: ParcelButtons(ns), Edit: edit}}
}
