package bot

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

// historyAfter is how long a delivered parcel stays in /list before it
// moves to /history: long enough to press "Got it" or "Not received".
const historyAfter = 3 * 24 * time.Hour

// historyMax bounds /history to the newest deliveries.
const historyMax = 50

// maxNameWords bounds how many words of "/stop A B …" one parcel's name
// may take.
const maxNameWords = 8

// stopDelivered is the /stop argument that stops every delivered parcel.
const stopDelivered = "delivered"

// deliveredAt is when a delivered parcel was delivered (the status change
// when the carrier gave no time); zero when it is not delivered.
func deliveredAt(sh storage.Shipment) time.Time {
	if sh.Status != tracker.StatusDelivered {
		return time.Time{}
	}
	if !sh.DeliveredAt.IsZero() {
		return sh.DeliveredAt
	}
	return sh.StatusSince
}

// inHistory reports whether sub left /list for /history.
func inHistory(sub storage.Subscription, now time.Time) bool {
	at := deliveredAt(sub.Shipment)
	return !at.IsZero() && now.Sub(at) >= historyAfter
}

// mute turns a parcel's pushes off (on=true) or back on; it stays listed.
func (e *Engine) mute(ctx context.Context, m Message, args string, on bool) []Reply {
	p := pr(ctx)
	if args == "" {
		if on {
			return []Reply{{Text: p.T("mute_which")}}
		}
		return []Reply{{Text: p.T("unmute_which")}}
	}
	sub, r := e.findOne(ctx, m.Chat.ID, args)
	if r != nil {
		return r
	}
	if no := e.refusal(ctx, m.Chat, m.From, sub); no != "" {
		return []Reply{{Text: no}}
	}
	name := parcelName(sub.Label, sub.Shipment.Number)
	switch {
	case sub.Muted == on && on:
		return []Reply{{Text: p.T("mute_already", "Name", name)}}
	case sub.Muted == on:
		return []Reply{{Text: p.T("unmute_already", "Name", name)}}
	}
	if err := e.store.SetMuted(ctx, sub.ID, on); isNotFound(err) {
		return []Reply{{Text: p.T("no_longer_following")}}
	} else if err != nil {
		return e.fail(ctx, "set muted", err)
	}
	if on {
		return []Reply{{Text: p.T("muted", "Name", name)}}
	}
	return []Reply{{Text: p.T("unmuted", "Name", name)}}
}

// stopMany stops several parcels named in one message ("/stop A B", or
// "/stop delivered") and answers with one summary.
func (e *Engine) stopMany(ctx context.Context, m Message, args string) []Reply {
	p := pr(ctx)
	var subs []storage.Subscription
	var missing []string
	if strings.EqualFold(strings.TrimSpace(args), stopDelivered) {
		all, err := e.store.ChatSubscriptions(ctx, m.Chat.ID)
		if err != nil {
			return e.fail(ctx, "chat subscriptions", err)
		}
		for _, s := range all {
			if s.Shipment.Status == tracker.StatusDelivered {
				subs = append(subs, s)
			}
		}
		if len(subs) == 0 {
			return []Reply{{Text: p.T("stop_no_delivered")}}
		}
	} else {
		// Names have spaces ("/stop sofa desk lamp"): at each word the
		// longest run of words that names one parcel wins; a word that
		// starts no name is named back.
		seen := map[int64]bool{}
		words := strings.Fields(args)
		for i := 0; i < len(words); {
			var match storage.Subscription
			n := 0
			for j := min(len(words), i+maxNameWords); j > i && n == 0; j-- {
				found, err := e.store.FindSubscriptions(ctx, m.Chat.ID, strings.Join(words[i:j], " "))
				if err != nil {
					return e.fail(ctx, "find subscriptions", err)
				}
				if len(found) == 1 {
					match, n = found[0], j-i
				}
			}
			if n == 0 { // none, or ambiguous: name it back
				missing = append(missing, words[i])
				i++
				continue
			}
			i += n
			if !seen[match.ID] {
				seen[match.ID] = true
				subs = append(subs, match)
			}
		}
	}
	var stopped, refused []string
	for _, s := range subs {
		name := parcelName(s.Label, s.Shipment.Number)
		if !e.mayRemove(ctx, m.Chat, m.From, s) {
			refused = append(refused, name)
			continue
		}
		if err := e.store.Unsubscribe(ctx, s.ID); err != nil && !isNotFound(err) {
			return e.fail(ctx, "unsubscribe", err)
		}
		stopped = append(stopped, name)
	}
	var b strings.Builder
	if len(stopped) > 0 {
		b.WriteString(p.N("stop_many_done", len(stopped)) + "\n• " + strings.Join(stopped, "\n• "))
	} else {
		b.WriteString(p.T("stop_many_none"))
	}
	if len(missing) > 0 {
		for i, q := range missing {
			missing[i] = "<b>" + esc(tracker.Clip(q, 40)) + "</b>"
		}
		b.WriteString("\n\n" + p.T("stop_many_missing", "Names", strings.Join(missing, ", ")))
	}
	if len(refused) > 0 {
		b.WriteString("\n\n" + p.T("stop_many_refused", "Names", strings.Join(refused, ", ")))
	}
	return []Reply{{Text: b.String()}}
}

// history lists the delivered parcels, newest delivery first, with their
// delivery days.
func (e *Engine) history(ctx context.Context, m Message) []Reply {
	subs, err := e.store.ChatSubscriptions(ctx, m.Chat.ID)
	if err != nil {
		return e.fail(ctx, "chat subscriptions", err)
	}
	p := pr(ctx)
	subs = slices.DeleteFunc(subs, func(s storage.Subscription) bool { return deliveredAt(s.Shipment).IsZero() })
	if len(subs) == 0 {
		return []Reply{{Text: p.T("history_empty")}}
	}
	slices.SortStableFunc(subs, func(a, b storage.Subscription) int {
		return deliveredAt(b.Shipment).Compare(deliveredAt(a.Shipment))
	})
	if len(subs) > historyMax {
		subs = subs[:historyMax]
	}
	v := e.view(ctx, m.Chat.ID)
	var b strings.Builder
	b.WriteString(p.N("history_header", len(subs)) + "\n")
	for _, s := range subs {
		at := v.in(deliveredAt(s.Shipment))
		b.WriteString("\n✅ " + parcelName(s.Label, s.Shipment.Number) + " · " +
			p.T("history_delivered", "Date", esc(p.Date(at, at.Year() != v.in(v.now).Year()))))
		b.WriteString("\n" + esc(carrierName(p, s.Shipment.Carrier)))
		if s.Label != "" {
			b.WriteString(" · <code>" + esc(s.Shipment.Number) + "</code>")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n" + p.T("history_note"))
	var out []Reply
	for _, part := range Split(b.String()) {
		out = append(out, Reply{Text: part})
	}
	return out
}
