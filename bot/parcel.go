package bot

import (
	"slices"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/tghtml"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/assess"
)

// view is how a chat reads times: its clock and, once set, its zone (nil:
// none set, and times are shown in UTC, labelled so). One zone for every
// time keeps a timeline in order: scans' own local clocks would put a
// New York 03:04 above a Leipzig 09:02 that came before it.
type view struct {
	now time.Time
	loc *time.Location
	p   *locale.Printer // the chat's language
}

// zone is the chat's zone, UTC when none is set.
func (v view) zone() *time.Location {
	if v.loc == nil {
		return time.UTC
	}
	return v.loc
}

func (v view) in(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(v.zone())
}

// day names a date people act on (an ETA): "today", "tomorrow (Tue 4 Mar)".
// A carrier's ETA is a date at the destination, so it keeps its own zone.
func (v view) day(t time.Time) string { return v.pr().DayDate(t, v.now) }

// dayAt names the day of a moment the rules set (when waiting ends), in
// the chat's zone when it has one: "tomorrow (Sat 5 Dec)". Without one it
// keeps the moment's own zone: the rules count days from the carrier's
// dates, which are the destination's.
func (v view) dayAt(t time.Time) string {
	if v.loc == nil {
		return v.day(t)
	}
	return v.pr().DayDate(v.in(t), v.now.In(v.loc))
}

// when is a moment in the chat's zone: "today 14:05" ("today 14:05 UTC"
// when the chat has none).
func (v view) when(t time.Time) string { return v.pr().When(v.in(t), v.now.In(v.zone())) }

// ago is "5 h ago", "yesterday".
func (v view) ago(t time.Time) string { return v.pr().Ago(v.in(t), v.now.In(v.zone())) }

// pr is the view's printer, English when none was set.
func (v view) pr() *locale.Printer {
	if v.p == nil {
		return locale.For(locale.EN)
	}
	return v.p
}

// parcelState is a parcel as the assessment needs it: the subscription and,
// when known, its newest scan.
func (e *Engine) assessSub(sub storage.Subscription, latest tracker.Event, now time.Time) assess.Assessment {
	return assess.Parcel(e.assessInput(sub, latest), now)
}

func (e *Engine) assessInput(sub storage.Subscription, latest tracker.Event) assess.Input {
	return assess.Input{
		Input:      sub.AdviceInput(followedValid),
		StatusText: sub.Shipment.StatusText,
		Latest:     latest,
		Checkable:  !e.noClient(sub.Shipment.Carrier),
	}
}

// expectedLine is the expected-delivery line shared by pushes, /status and
// replies: "🗓 Expected Fri 7 Mar", "⏰ Expected Sun 29 Nov — 3 days late",
// "🛵 Arriving today"; nil when there is no date.
func expectedLine(h *tghtml.Builder, a assess.Assessment, v view) bool {
	p := v.pr()
	switch {
	case a.Today:
		h.Text("🗓 " + p.T("expected_today"))
	case a.ETA.IsZero():
		return false
	case a.LateDays == 1:
		h.Text("⏰ " + p.T("expected_late_day", "Date", v.day(a.ETA)))
	case a.LateDays > 1:
		h.Text("⏰ " + p.N("expected_late_days", a.LateDays, "Date", v.day(a.ETA)))
	default:
		h.Text("🗓 " + p.T("expected_on", "Date", v.day(a.ETA)))
	}
	return true
}

// nextStepLines is "👉 what to do", and whom to contact with their page.
func nextStepLines(h *tghtml.Builder, a assess.Assessment, v view, buttons bool) {
	h.Text("👉 " + stepText(v, a, buttons))
	if a.Step == assess.StepContact && a.Main.Party.Who != "" {
		h.Line().Text("☎️ ").Link(a.Main.ContactURL, contactName(v.pr(), a.Main))
	}
}

// parcelHead is the two lines naming a parcel under a headline:
// " — label" then "Carrier · number".
func parcelHead(h *tghtml.Builder, p *locale.Printer, label, carrier, number string) {
	if label != "" {
		h.Text(" — " + clipText(label))
	}
	h.Line().Text(carrierName(p, carrier) + " · ").Code(number)
}

// eventLines is "description" then "📍 place · when" for one scan.
func eventLines(h *tghtml.Builder, e tracker.Event, fallback string, v view) bool {
	desc := e.Description
	if desc == "" {
		desc = fallback
	}
	wrote := false
	if desc = clipText(desc); desc != "" {
		h.Text(desc)
		wrote = true
	}
	at := ""
	if !e.Time.IsZero() {
		at = v.when(e.Time)
	}
	place := clipText(e.Location)
	switch {
	case place != "" && at != "":
		if wrote {
			h.Line()
		}
		h.Text("📍 " + place + " · " + at)
		wrote = true
	case place != "":
		if wrote {
			h.Line()
		}
		h.Text("📍 " + place)
		wrote = true
	case at != "":
		if wrote {
			h.Line()
		}
		h.Text("🕒 " + at)
		wrote = true
	}
	return wrote
}

// maxTextLen bounds any one piece of carrier or user text in a message.
const maxTextLen = 300

// clipText makes carrier or user text fit for one line of a message:
// cleaned (tracker.PlainText) and bounded. Not escaped.
func clipText(s string) string {
	return tracker.Clip(tracker.PlainText(s), maxTextLen)
}

// pushButtons are the buttons under a push about a parcel: after a
// delivery "Got it" (and "Not received" unless it was handed over in
// person); otherwise the carrier's page.
func pushButtons(p *locale.Printer, sub storage.Subscription, a assess.Assessment) [][]Button {
	switch {
	case a.Status == tracker.StatusDelivered && a.Step == assess.StepCollected:
		return [][]Button{{{Text: p.T("btn_got_it"), Data: CallbackData(ActGotIt, sub.ID, "")}}}
	case a.Status == tracker.StatusDelivered:
		return [][]Button{{
			{Text: p.T("btn_got_it"), Data: CallbackData(ActGotIt, sub.ID, "")},
			{Text: p.T("btn_not_received"), Data: CallbackData(ActNotReceived, sub.ID, "")},
		}}
	}
	if u := tracker.TrackingURL(sub.Shipment.Carrier, sub.Shipment.Number); u != "" {
		return [][]Button{{{Text: p.T("btn_open_page", "Carrier", carrierName(p, sub.Shipment.Carrier)), URL: u}}}
	}
	return nil
}

// adviceFor finds the advice of rule in a, if it still applies.
func adviceFor(a assess.Assessment, rule string) (advice.Advice, bool) {
	for _, adv := range a.Advice {
		if adv.Rule == rule {
			return adv, true
		}
	}
	return advice.Advice{}, false
}

// withResult is the shipment as a live look-up sees it.
func withResult(sh storage.Shipment, r tracker.Result) storage.Shipment {
	if sh.Status != r.Status || sh.StatusSince.IsZero() {
		sh.StatusSince = sh.PolledAt
	}
	sh.Status, sh.StatusText, sh.ETA = r.Status, r.StatusText, r.ETA
	if latest, ok := r.Latest(); ok && latest.Time.After(sh.LastEventAt) {
		sh.LastEventAt = latest.Time
	}
	if sh.PolledAt.IsZero() {
		sh.PolledAt = time.Now()
	}
	return sh
}

// maxTimeline is how many scans a status reply lists; the rest fold away.
const (
	timelineShown = 5  // shown as lines
	maxTimeline   = 50 // in the expandable quote
)

// renderStatus is a parcel's state in full: status, expected day, the
// timeline of scans (newest first; a long one in an expandable quote), and
// what to do now. /status, the refresh button and answers show this.
func (e *Engine) renderStatus(sub storage.Subscription, events []tracker.Event, v view, buttons bool) string {
	// Newest first by the instant, whatever order a live look-up gave.
	events = slices.Clone(events)
	slices.SortStableFunc(events, func(a, b tracker.Event) int { return b.Time.Compare(a.Time) })
	var latest tracker.Event
	if len(events) > 0 {
		latest = events[0]
	}
	a := e.assessSub(sub, latest, v.now)
	sh := sub.Shipment
	said := sh.StatusText
	if said == latest.Description {
		said = "" // the first scan line below says it
	}
	var h tghtml.Builder
	h.Text(a.Status.Emoji() + " ").Bold(tracker.Clip(statusLine(v.pr(), a.Status, said), 200))
	parcelHead(&h, v.pr(), sub.Label, sh.Carrier, sh.Number)
	var eta tghtml.Builder
	if expectedLine(&eta, a, v) {
		h.Line().Append(&eta)
	}
	if len(events) > 0 {
		h.Line()
	}
	lines := make([]string, 0, min(len(events), maxTimeline))
	for _, ev := range events[:min(len(events), maxTimeline)] {
		l := v.when(ev.Time) + " — " + tracker.Clip(tracker.PlainText(ev.Description), 120)
		if ev.Location != "" {
			l += ", " + tracker.Clip(tracker.PlainText(ev.Location), 60)
		}
		lines = append(lines, l)
	}
	if len(lines) <= timelineShown {
		for _, l := range lines {
			h.Line().Text("• " + l)
		}
	} else {
		h.Line().Quote(lines, true)
	}
	if !a.Checkable && sh.PolledAt.IsZero() {
		h.Line()
	}
	h.Line().Line()
	nextStepLines(&h, a, v, buttons)
	return h.String()
}
