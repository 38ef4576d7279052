package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/bot/tghtml"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/assess"
	"github.com/trackbot/trackbot/tracker/notice"
)

// maxEventLines bounds the scans one push lists.
const maxEventLines = 5

// RenderOutbox turns an outbox row into the message to send now. A notice
// is rendered with the chat's state of this moment (the parcel's current
// name, its time zone); a row queued already rendered is sent as it is.
// ok is false when there is nothing to send any more (the parcel was
// stopped, the advice no longer applies): the row is done.
func (e *Engine) RenderOutbox(ctx context.Context, it storage.OutboxItem) (r Reply, ok bool, err error) {
	r, ok, err = e.renderOutbox(ctx, it)
	var bad *noticeError
	if errors.As(err, &bad) {
		err = fmt.Errorf("%w: %w", notify.ErrUnreadable, err)
	}
	return r, ok, err
}

// noticeError is a notice that cannot be read.
type noticeError struct{ err error }

func (n *noticeError) Error() string { return n.err.Error() }
func (n *noticeError) Unwrap() error { return n.err }

func (e *Engine) renderOutbox(ctx context.Context, it storage.OutboxItem) (r Reply, ok bool, err error) {
	decode := func(v any) error {
		if err := notice.Decode(it.Payload, v); err != nil {
			return &noticeError{err}
		}
		return nil
	}
	switch notice.Kind(it.Kind) {
	case "":
		return Reply{Text: it.Text, Buttons: markupButtons(it.Markup)}, true, nil
	case notice.KindParcel:
		var n notice.Parcel
		if err := decode(&n); err != nil {
			return Reply{}, false, err
		}
		sub, ok, err := e.noticeSub(ctx, it)
		if !ok || err != nil {
			return Reply{}, false, err
		}
		r, a := e.renderParcelNotice(sub, n, e.view(ctx, it.ChatID))
		// Urgent news (the carrier waits for the recipient) breaks quiet hours.
		if a.Step != assess.StepActionNeeded {
			if err := e.quietHours(ctx, it.ChatID); err != nil {
				return Reply{}, false, err
			}
		}
		return r, true, nil
	case notice.KindAdvice:
		var n notice.Advice
		if err := decode(&n); err != nil {
			return Reply{}, false, err
		}
		sub, ok, err := e.noticeSub(ctx, it)
		if !ok || err != nil {
			return Reply{}, false, err
		}
		if err := e.quietHours(ctx, it.ChatID); err != nil {
			return Reply{}, false, err
		}
		return e.renderAdviceNotice(sub, n.Rule, e.view(ctx, it.ChatID))
	case notice.KindOutage:
		var n notice.Outage
		if err := decode(&n); err != nil {
			return Reply{}, false, err
		}
		if err := e.quietHours(ctx, it.ChatID); err != nil {
			return Reply{}, false, err
		}
		subs, err := e.store.ChatSubscriptions(ctx, it.ChatID)
		if err != nil {
			return Reply{}, false, fmt.Errorf("bot: outage notice: %w", err)
		}
		return renderOutage(n, subs, e.view(ctx, it.ChatID)), true, nil
	case notice.KindRecovery:
		var n notice.Recovery
		if err := decode(&n); err != nil {
			return Reply{}, false, err
		}
		if err := e.quietHours(ctx, it.ChatID); err != nil {
			return Reply{}, false, err
		}
		p := e.view(ctx, it.ChatID).p
		var h tghtml.Builder
		h.Text("✅ ").Bold(p.T("recovery_title")).Line().
			Text(p.T("recovery_text", "Carriers", n.Carriers))
		return Reply{Text: h.String()}, true, nil
	case notice.KindHandoff:
		var n notice.Handoff
		if err := decode(&n); err != nil {
			return Reply{}, false, err
		}
		sub, ok, err := e.noticeSub(ctx, it)
		if !ok || err != nil {
			return Reply{}, false, err
		}
		return renderHandoff(e.view(ctx, it.ChatID).pr(), sub, n), true, nil
	}
	return Reply{}, false, &noticeError{fmt.Errorf("bot: unknown notice kind %q", it.Kind)}
}

// renderHandoff tells a chat its parcel moved to another carrier and is
// followed under the new number from now on. All its words are here.
func renderHandoff(p *locale.Printer, sub storage.Subscription, n notice.Handoff) Reply {
	var h tghtml.Builder
	h.Text("🔀 ").Bold(p.T("handoff_title", "Carrier", carrierName(p, n.Carrier)))
	parcelHead(&h, p, sub.Label, n.FromCarrier, n.FromNumber)
	h.Line().Text(p.T("handoff_number")).Code(n.Number).Line().
		Text("👉 " + p.T("handoff_next"))
	return Reply{Text: h.String(), Buttons: parcelButtons(p, sub)}
}

// noticeSub is the subscription a notice is about; ok is false when it was
// stopped or muted meanwhile.
func (e *Engine) noticeSub(ctx context.Context, it storage.OutboxItem) (storage.Subscription, bool, error) {
	if it.SubscriptionID == 0 {
		return storage.Subscription{}, false, nil
	}
	sub, err := e.store.SubscriptionByID(ctx, it.SubscriptionID)
	if isNotFound(err) || err == nil && sub.ChatID != it.ChatID {
		return storage.Subscription{}, false, nil
	}
	if err != nil {
		return storage.Subscription{}, false, fmt.Errorf("bot: notice subscription: %w", err)
	}
	if sub.Muted { // /mute: listed, but silent
		return storage.Subscription{}, false, nil
	}
	return sub, true, nil
}

// view is the chat's way of reading times now: its zone and language.
func (e *Engine) view(ctx context.Context, chatID int64) view {
	_, loc := e.chatTime(ctx, chatID)
	p, ok := ctx.Value(printerKey{}).(*locale.Printer)
	if !ok {
		p = e.ChatPrinter(ctx, chatID) // a push: rendered outside an update
	}
	return view{now: e.now(), loc: loc, p: p}
}

// renderParcelNotice writes one poll's news: what happened (headline),
// where and when, the expected day, and what to do now — the parcel's
// assessment as of the news, read now.
func (e *Engine) renderParcelNotice(sub storage.Subscription, n notice.Parcel, v view) (Reply, assess.Assessment) {
	// The parcel as the news left it; the subscription adds what the chat
	// did (added when, said "not received").
	sub.Shipment.Status, sub.Shipment.StatusText, sub.Shipment.ETA = n.Status, n.StatusText, n.ETA
	if sub.Shipment.PolledAt.IsZero() {
		sub.Shipment.PolledAt = v.now // news means the carrier answered
	}
	a := e.assessSub(sub, n.Latest, v.now)

	var h tghtml.Builder
	head := n.Items[0]
	if head.Kind == notice.ItemETA {
		h.Text("🗓 ").Bold(v.p.T("notice_new_eta"))
	} else {
		h.Text(head.Status.Emoji() + " ").Bold(statusTitle(v.p, head.Status))
	}
	parcelHead(&h, v.p, sub.Label, sub.Shipment.Carrier, sub.Shipment.Number)
	lines := 0
	for _, it := range n.Items {
		switch it.Kind {
		case notice.ItemFirst, notice.ItemStatus:
			var line tghtml.Builder
			if eventLines(&line, it.Event, n.StatusText, v) {
				h.Line().Append(&line)
			}
		case notice.ItemEvent:
			if lines >= maxEventLines {
				continue
			}
			lines++
			if it.Kind != head.Kind || it.Event != head.Event {
				h.Line().Text(it.Status.Emoji() + " " + statusTitle(v.p, it.Status))
			}
			var line tghtml.Builder
			if eventLines(&line, it.Event, "", v) {
				h.Line().Append(&line)
			}
		}
	}
	var eta tghtml.Builder
	if expectedLine(&eta, a, v) {
		h.Line().Append(&eta)
		if head.Kind == notice.ItemETA && !n.PrevETA.IsZero() && !tracker.SameDay(n.PrevETA, n.ETA) {
			h.Text(" " + v.p.T("notice_was", "Date", v.day(n.PrevETA)))
		}
	}
	h.Line()
	nextStepLines(&h, a, v, true)
	return Reply{Text: h.String(), Buttons: pushButtons(v.p, sub, a)}, a
}

// quietHours is a *notify.DeferError while the chat's quiet hours last.
func (e *Engine) quietHours(ctx context.Context, chatID int64) error {
	ct, loc := e.chatTime(ctx, chatID)
	if until, ok := quietUntil(ct, loc, e.now()); ok {
		return &notify.DeferError{Until: until}
	}
	return nil
}

// renderAdviceNotice writes an advice push, if the rule still applies now:
// a parcel that moved on since the sweep gets no stale advice.
func (e *Engine) renderAdviceNotice(sub storage.Subscription, rule string, v view) (Reply, bool, error) {
	a := e.assessSub(sub, tracker.Event{}, v.now)
	adv, ok := adviceFor(a, rule)
	if !ok {
		return Reply{}, false, nil
	}
	var h tghtml.Builder
	icon := "💡 "
	if adv.Action == advice.Contact {
		icon = "☎️ "
	}
	title, text := adviceText(v, adv, sub, a)
	h.Text(icon).Bold(title)
	parcelHead(&h, v.p, sub.Label, sub.Shipment.Carrier, sub.Shipment.Number)
	h.Line().Text(text)
	if adv.Party.Who != "" {
		h.Line().Line().Text(v.p.T("advice_contact_label")).Link(adv.ContactURL, contactName(v.p, adv))
	}
	if a.Step != assess.StepContact || a.Main.Rule == rule {
		return Reply{Text: h.String(), Buttons: pushButtons(v.p, sub, a)}, true, nil
	}
	// A more urgent rule governs the parcel now: say so, so the push and
	// /list agree on what to do first.
	h.Line()
	nextStepLines(&h, a, v, false)
	return Reply{Text: h.String(), Buttons: pushButtons(v.p, sub, a)}, true, nil
}

// renderOutage tells a chat that a carrier has not answered, naming its
// parcels as they are called now.
func renderOutage(n notice.Outage, subs []storage.Subscription, v view) Reply {
	const maxParcels = 5
	var names []string
	for _, id := range n.Shipments {
		for _, s := range subs {
			if s.Shipment.ID == id {
				name := s.Label
				if name == "" {
					name = s.Shipment.Number
				}
				names = append(names, clipText(name))
				break
			}
		}
	}
	list := strings.Join(names[:min(len(names), maxParcels)], ", ")
	if more := len(names) - maxParcels; more > 0 {
		list = v.p.N("outage_more", more, "List", list)
	}
	var h tghtml.Builder
	h.Text("⏳ ").Bold(v.p.T("outage_title")).Line().
		Text(v.p.T("outage_text", "Carriers", strings.Join(n.Carriers, ", "), "Since", v.when(n.Since)))
	if list != "" {
		h.Line().Text(v.p.T("outage_waiting", "List", list))
	}
	return Reply{Text: h.String()}
}
