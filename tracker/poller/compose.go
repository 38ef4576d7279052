package poller

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

// newsMaxAge: carrier events older than this are history, not news.
const newsMaxAge = 7 * 24 * time.Hour

// maxEventLines bounds one push; Telegram messages end at 4096 characters.
const maxEventLines = 5

// maxTextLen bounds any one piece of carrier text in a push.
const maxTextLen = 300

// settle turns what the carrier said into the state we store, given the
// shipment as it was. It smooths two carrier habits:
//   - a stray out-for-delivery scan after the delivery scan must not
//     "undeliver" a parcel ("Delivered" wins);
//   - a carrier that briefly forgets a number it knew (not found / unknown)
//     must not make the parcel look lost.
func settle(before storage.Shipment, res tracker.Result) tracker.Result {
	if res.Status == tracker.StatusOutForDelivery {
		delivered := before.Status == tracker.StatusDelivered
		for _, e := range res.Events {
			if e.Status == tracker.StatusDelivered {
				delivered = true
				break
			}
		}
		if delivered {
			res.Status = tracker.StatusDelivered
		}
	}
	known := before.Status != "" && before.Status != tracker.StatusUnknown && before.Status != tracker.StatusNotFound
	if known && (res.Status == tracker.StatusUnknown || res.Status == tracker.StatusNotFound || res.Status == "") {
		res.Status = before.Status
	}
	if res.Status == "" {
		res.Status = tracker.StatusUnknown
	}
	return res
}

// itemKind says why a line is in a push.
type itemKind int

const (
	itemFirst  itemKind = iota // first look at the parcel: its current state, once
	itemStatus                 // the normalised status changed
	itemEvent                  // a new exception, failed attempt or customs scan
	itemETA                    // the expected delivery date changed
)

// item is one piece of news about a shipment.
type item struct {
	kind   itemKind
	status tracker.Status
	event  tracker.Event // zero when the carrier gave no event
	eta    time.Time
}

// news decides what one poll has to tell. before is the shipment as stored
// before the poll, res the settled result, fresh the events new to storage.
func news(before storage.Shipment, res tracker.Result, fresh []tracker.Event, now time.Time) []item {
	latest, _ := res.Latest()
	if before.PolledAt.IsZero() {
		// The first answer: say where the parcel is once, however old its
		// history — a parcel first seen delivered is not replayed scan by scan.
		if res.Status == tracker.StatusUnknown || res.Status == tracker.StatusNotFound {
			return nil
		}
		return []item{{kind: itemFirst, status: res.Status, event: latest, eta: res.ETA}}
	}
	cutoff := now.Add(-newsMaxAge)
	recent := func(e tracker.Event) bool { return e.Time.IsZero() || e.Time.After(cutoff) }

	var items []item
	if res.Status != before.Status && recent(latest) {
		items = append(items, item{kind: itemStatus, status: res.Status, event: latest, eta: res.ETA})
	}
	// fresh is newest first; announce oldest first so the message reads in order.
	for i := len(fresh) - 1; i >= 0; i-- {
		e := fresh[i]
		switch e.Status {
		case tracker.StatusException, tracker.StatusAttemptFailed, tracker.StatusCustoms:
		default:
			continue
		}
		if !recent(e) || (len(items) > 0 && items[0].kind == itemStatus && sameEvent(items[0].event, e)) {
			continue
		}
		items = append(items, item{kind: itemEvent, status: e.Status, event: e})
	}
	if !res.ETA.IsZero() && !res.ETA.Equal(before.ETA) && !res.Status.Final() {
		items = append(items, item{kind: itemETA, eta: res.ETA})
	}
	return items
}

func sameEvent(a, b tracker.Event) bool {
	return a.Time.Equal(b.Time) && a.Status == b.Status && a.Description == b.Description && a.Location == b.Location
}

// fingerprint names a set of news stably, so the same change queued twice
// (a retried poll, a refresh racing the tick) has one dedupe key.
func fingerprint(items []item) string {
	h := sha256.New()
	for _, it := range items {
		fmt.Fprintf(h, "%d|%s|%d|%s|%s|%d\n", it.kind, it.status, it.event.Time.Unix(),
			it.event.Description, it.event.Location, it.eta.Unix())
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// composer renders a poll's news for each follower.
type composer struct {
	now time.Time
}

// compose is the storage.PollRecord.Compose of one poll.
func (c composer) compose(res tracker.Result) func(storage.Shipment, []tracker.Event, []storage.Subscription) []storage.OutboxMessage {
	return func(before storage.Shipment, fresh []tracker.Event, followers []storage.Subscription) []storage.OutboxMessage {
		items := news(before, res, fresh, c.now)
		if len(items) == 0 || len(followers) == 0 {
			return nil
		}
		fp := fingerprint(items)
		msgs := make([]storage.OutboxMessage, 0, len(followers))
		for _, sub := range followers {
			msgs = append(msgs, storage.OutboxMessage{
				ChatID:         sub.ChatID,
				SubscriptionID: sub.ID,
				DedupeKey:      "poll:" + strconv.FormatInt(before.ID, 10) + ":" + strconv.FormatInt(sub.ChatID, 10) + ":" + fp,
				Text:           render(before, res, sub.Label, items, sub.ID, c.now),
				Markup:         markup(before, res.Status, sub.ID),
			})
		}
		return msgs
	}
}

// render writes one push in Telegram HTML: what happened (headline), where
// and when, the expected day, and what to do now. Every piece of carrier or
// user text is escaped.
func render(s storage.Shipment, res tracker.Result, label string, items []item, subID int64, now time.Time) string {
	var b strings.Builder
	carrier := tracker.Carrier(s.Carrier)
	head := items[0]
	switch head.kind {
	case itemFirst, itemStatus, itemEvent:
		fmt.Fprintf(&b, "%s <b>%s</b>", head.status.Emoji(), html.EscapeString(head.status.Title()))
	case itemETA:
		b.WriteString("🗓 <b>New delivery date</b>")
	}
	b.WriteString(parcelLines(label, s.Carrier, s.Number))

	lines := 0
	for _, it := range items {
		switch it.kind {
		case itemFirst, itemStatus:
			if w := where(it.event, res.StatusText, now); w != "" {
				b.WriteString("\n" + w)
			}
		case itemEvent:
			if lines >= maxEventLines {
				continue
			}
			lines++
			if it != head {
				fmt.Fprintf(&b, "\n%s %s", it.status.Emoji(), html.EscapeString(it.status.Title()))
			}
			if w := where(it.event, "", now); w != "" {
				b.WriteString("\n" + w)
			}
		}
	}
	if !res.ETA.IsZero() && !res.Status.Final() {
		fmt.Fprintf(&b, "\n🗓 Expected %s", tracker.DayDate(res.ETA, now))
		if head.kind == itemETA && !s.ETA.IsZero() && !tracker.SameDay(s.ETA, res.ETA) {
			fmt.Fprintf(&b, " (was %s)", tracker.DayDate(s.ETA, now))
		}
	}
	if head.kind != itemETA {
		said := head.event.Description
		if said == "" {
			said = res.StatusText
		}
		b.WriteString("\n👉 " + html.EscapeString(nextStep(head.status, said, subID)))
	}
	if u := tracker.TrackingURL(s.Carrier, s.Number); u != "" {
		fmt.Fprintf(&b, "\n<a href=\"%s\">Track on %s</a>", html.EscapeString(u), html.EscapeString(carrier.Name))
	}
	return b.String()
}

// parcelLines follows a push's headline: " — label" when there is one,
// then "Carrier · <code>number</code>" on the next line; escaped. Status
// and advice pushes name their parcel the same way.
func parcelLines(label, carrier, number string) string {
	s := ""
	if label != "" {
		s = " — " + html.EscapeString(clip(label))
	}
	return s + "\n" + html.EscapeString(tracker.Carrier(carrier).Name) + " · <code>" + html.EscapeString(number) + "</code>"
}

// nextStep is what to do now; after a delivery it points at the buttons
// under the push.
func nextStep(st tracker.Status, carrierText string, subID int64) string {
	if st == tracker.StatusDelivered && subID != 0 {
		return "Have it? Tap “Got it”. Not there? Check the door, mailbox and neighbours, then tap “Not received”."
	}
	return st.NextStepFor(carrierText)
}

// where is the description, then "📍 location · when", for an event,
// escaped; fallback is used as the description when the event has none.
// Times stay in the place's own zone (see tracker.When).
func where(e tracker.Event, fallback string, now time.Time) string {
	desc := e.Description
	if desc == "" {
		desc = fallback
	}
	var parts []string
	if desc != "" {
		parts = append(parts, html.EscapeString(clip(desc)))
	}
	var at []string
	if e.Location != "" {
		at = append(at, html.EscapeString(clip(e.Location)))
	}
	if !e.Time.IsZero() {
		at = append(at, tracker.When(e.Time, now))
	}
	switch {
	case e.Location != "":
		parts = append(parts, "📍 "+strings.Join(at, " · "))
	case len(at) > 0:
		parts = append(parts, "🕒 "+at[0])
	}
	return strings.Join(parts, "\n")
}

// clip makes one piece of carrier or user text fit for a push: cleaned of
// what would garble the line (tracker.PlainText) and bounded. Not escaped.
func clip(s string) string {
	return tracker.Clip(strings.TrimSpace(tracker.PlainText(s)), maxTextLen)
}

// Inline keyboard JSON, as Telegram's reply_markup expects it. Declared here
// rather than imported so the tracker domain stays free of Telegram code.
type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data,omitempty"`
	URL          string `json:"url,omitempty"`
}

// The bot's button actions (bot.ActGotIt, bot.ActNotReceived), spelled out
// because the poller must not import bot; bot's TestPollerButtonsParse
// fails if they drift apart.
const (
	actGotIt       = "got"
	actNotReceived = "nr"
)

// callbackData follows the bot's "<action>:<subscriptionID>" scheme.
func callbackData(action string, subID int64) string {
	return action + ":" + strconv.FormatInt(subID, 10)
}

// markup is the push's buttons: after a delivery, "Got it" / "Not received";
// otherwise a link to the carrier's page when there is one.
func markup(s storage.Shipment, status tracker.Status, subID int64) string {
	var kb inlineKeyboard
	switch {
	case status == tracker.StatusDelivered && subID != 0:
		kb.InlineKeyboard = [][]inlineButton{{
			{Text: "Got it", CallbackData: callbackData(actGotIt, subID)},
			{Text: "Not received", CallbackData: callbackData(actNotReceived, subID)},
		}}
	default:
		u := tracker.TrackingURL(s.Carrier, s.Number)
		if u == "" {
			return ""
		}
		kb.InlineKeyboard = [][]inlineButton{{{Text: "Open " + tracker.Carrier(s.Carrier).Name + " page", URL: u}}}
	}
	b, err := json.Marshal(kb)
	if err != nil {
		return "" // cannot happen with these types; a push without buttons is still a push
	}
	return string(b)
}
