package bot

import (
	"context"
	"strings"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/tghtml"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/ask"
)

// Answers to questions: tracker/ask matches the question to a topic (with
// training data per language) and says, as data, what the answer draws on
// from the chat's parcels; every language's words are in its catalog, one
// answer per topic (answer_<topic>, ":" as "_"), so English is rendered
// the same way as the others. Answers about the chat's own parcels are
// built here from the parcels' assessments, as /list and pushes are.

// topicKey is a topic as a catalog key part: "bot_help:add" → "bot_help_add".
func topicKey(topic string) string { return strings.ReplaceAll(topic, ":", "_") }

// topicTitle is the button text offering a topic in an ask-back.
func topicTitle(p *locale.Printer, topic string) string {
	key := "topic_" + topicKey(topic)
	if s := p.T(key); s != key {
		return s
	}
	return topic
}

// topicAnswer is a topic's general answer, plain text: what the catalog
// says, with no parcel in it.
func topicAnswer(p *locale.Printer, topic string) string {
	key := "answer_" + topicKey(topic)
	if topic == "my_packages" { // with no parcels to show: how to add one
		key = "answer_my_packages_none"
	}
	if s := p.T(key, "Carriers", carrierList()); s != key {
		return s
	}
	return p.T("answer_off_topic")
}

// carrierList names the carriers whose numbers the detector knows.
func carrierList() string {
	var names []string
	for _, code := range tracker.CarrierCodes() {
		if code != "demo" && code != "s10" {
			names = append(names, tracker.Carrier(code).Name)
		}
	}
	return strings.Join(names, ", ")
}

// replyWithoutTopic is the text of a reply that answers no topic, plain:
// small talk (aware of the chat's n parcels), an ask-back, off-topic text.
func replyWithoutTopic(p *locale.Printer, r ask.Reply, n int) (string, bool) {
	switch {
	case r.SmallTalk != "":
		return talkText(p, r.SmallTalk, n), true
	case len(r.Alternatives) > 0:
		return p.T("answer_ask_back"), true
	case r.Topic == ask.TopicUnknown:
		return p.T("answer_off_topic"), true
	}
	return "", false
}

// answerText is the answer as shown (HTML), in p's language: the direct
// answer about a parcel, the parcels the answer is about, the topic's
// general answer, and what it draws from the chat's other parcels.
func (e *Engine) answerText(ctx context.Context, p *locale.Printer, chatID int64, r ask.Reply, subs []storage.Subscription,
	latest map[int64]tracker.Event) string {
	if s, ok := replyWithoutTopic(p, r, len(subs)); ok {
		return esc(s)
	}
	at := func(is []int) []storage.Subscription {
		out := make([]storage.Subscription, 0, len(is))
		for _, i := range is {
			if i >= 0 && i < len(subs) {
				out = append(out, subs[i])
			}
		}
		return out
	}
	var parts []string
	if v := e.verdictText(ctx, p, chatID, r.Verdict); v != "" {
		parts = append(parts, v)
	}
	if shown := at(r.Parcels); len(shown) > 0 {
		parts = append(parts, parcelsHeader(p, r, len(shown), len(subs)), e.myParcelsAnswer(ctx, p, chatID, shown, latest))
	}
	if r.Topic != "my_packages" || len(subs) == 0 {
		general := esc(topicAnswer(p, r.Topic))
		for _, code := range r.Contacts {
			c := tracker.Carrier(code)
			general += "\n" + esc(carrierName(p, code)+": "+c.Contact)
		}
		parts = append(parts, general)
	}
	for _, o := range r.Origins {
		if sub := at([]int{o.Parcel}); len(sub) == 1 {
			parts = append(parts, esc(originText(p, sub[0], o.Country)))
		}
	}
	switch attention := at(r.Attention); {
	case len(attention) > 0:
		parts = append(parts, esc(p.T("answer_attention")), e.myParcelsAnswer(ctx, p, chatID, attention, latest))
	case r.Topic == "contact_support" && len(subs) > 0:
		parts = append(parts, esc(p.T("answer_contact_none")))
	}
	return strings.Join(parts, "\n\n")
}

// parcelsHeader introduces the n parcels an answer starts with, of the
// chat's all: "Your parcel:", "Your 2 DHL parcels:", and first, when the
// question named a carrier none of them is with, that it is none.
func parcelsHeader(p *locale.Printer, r ask.Reply, n, all int) string {
	switch {
	case r.CarrierMissing:
		return esc(p.T("answer_carrier_none", "Carrier", carrierName(p, r.Carrier)) + " " + p.N("answer_parcels", n))
	case r.Carrier != "" && n > 1 && n < all:
		return esc(p.N("answer_parcels_carrier", n, "Carrier", carrierName(p, r.Carrier)))
	}
	return esc(p.N("answer_parcels", n))
}

// originText says where a parcel posted abroad comes from: the country
// its S10 number ends in, named in p's language.
func originText(p *locale.Printer, sub storage.Subscription, code string) string {
	name := sub.Shipment.Number
	if sub.Label != "" {
		name = clipText(sub.Label)
	}
	if country := p.Country(code); country != "" {
		return p.T("answer_international_origin", "Parcel", name, "Code", code, "Country", country)
	}
	return p.T("answer_international_origin_code", "Parcel", name, "Code", code)
}

// verdictText is the direct answer about one parcel ("Yes: it was due Sun
// 29 Nov."), in p's language and the chat's time, as the answer's first
// paragraph; "" when the question asked for none.
func (e *Engine) verdictText(ctx context.Context, p *locale.Printer, chatID int64, v ask.Verdict) string {
	if v.Kind == "" {
		return ""
	}
	return verdictLine(e.view(withPrinter(ctx, p), chatID), v)
}

// verdictLine is verdictText in w's language and time.
func verdictLine(w view, v ask.Verdict) string {
	p := w.pr()
	args := []any{"ETA", w.day(v.ETA), "Day", w.day(v.Day)}
	var s string
	switch v.Kind {
	case ask.ByDayToday:
		s = p.T("verdict_by_day_today", args...)
	case ask.ByDayNoDate:
		s = p.T("verdict_by_day_no_date", args...)
	case ask.ByDayOverdue:
		s = p.T("verdict_by_day_overdue", args...)
	case ask.ByDayOnTrack:
		s = p.T("verdict_by_day_on_track", args...)
	case ask.ByDayNotBy:
		s = p.T("verdict_by_day_not_by", args...)
	case ask.LateToday:
		s = p.T("verdict_late_today", args...)
	case ask.LateYes:
		s = p.T("verdict_late_yes", args...)
	case ask.LateNo:
		s = p.T("verdict_late_no", args...)
	default:
		return ""
	}
	// A date written with an abbreviation ("mar.") may end the sentence.
	s = strings.Replace(s, "..", ".", 1)
	return esc(s)
}

// talkText answers small talk ("Hallo!", "merci", "ok bye") in p's
// language, aware of whether the chat follows n parcels.
func talkText(p *locale.Printer, kind string, n int) string {
	switch {
	case kind == ask.TalkWho:
		return p.T("talk_who")
	case kind == ask.TalkThanks && n == 0:
		return p.T("talk_thanks_none")
	case kind == ask.TalkThanks:
		return p.T("talk_thanks_following")
	case kind == ask.TalkBye && n == 0:
		return p.T("talk_bye_none")
	case kind == ask.TalkBye:
		return p.T("talk_bye_following")
	case kind == ask.TalkOK && n == 0:
		return p.T("talk_ok_none")
	case kind == ask.TalkOK:
		return p.T("talk_ok_following")
	case kind == ask.TalkHowAreYou && n == 0:
		return p.T("talk_how_none")
	case kind == ask.TalkHowAreYou:
		return p.N("talk_how", n)
	case n == 0:
		return p.T("talk_hello_none")
	}
	return p.N("talk_hello", n)
}

// myParcelsAnswer is "where is my parcel" for the parcels subs: each one's
// status, last scan's place (from latest) and time, expected day and what
// to do, from the same assessment pushes and /list use.
func (e *Engine) myParcelsAnswer(ctx context.Context, p *locale.Printer, chatID int64, subs []storage.Subscription,
	latest map[int64]tracker.Event) string {
	if len(subs) == 0 {
		return esc(p.T("answer_my_packages_none"))
	}
	v := e.view(withPrinter(ctx, p), chatID)
	var parts []string
	for _, s := range subs {
		sh := s.Shipment
		a := e.assessSub(s, latest[sh.ID], v.now)
		var h tghtml.Builder
		h.Text(a.Status.Emoji() + " ")
		if s.Label != "" {
			h.Bold(clipText(s.Label))
		} else {
			h.Code(sh.Number)
		}
		h.Text(" · " + carrierName(p, sh.Carrier)).Line().Text(statusLine(p, a.Status, sh.StatusText))
		if place := clipText(latest[sh.ID].Location); place != "" {
			h.Text(" · 📍 " + place)
		}
		if !sh.LastEventAt.IsZero() {
			h.Text(" · " + v.ago(sh.LastEventAt))
		}
		var eta tghtml.Builder
		if expectedLine(&eta, a, v) {
			h.Line().Append(&eta)
		}
		h.Line()
		nextStepLines(&h, a, v, false)
		parts = append(parts, h.String())
	}
	return strings.Join(parts, "\n\n")
}

// AnswerPlain is an answer as plain text for a question with no chat behind
// it (`trackbot ask`): in lang, from its catalog as in a chat that follows
// no parcels.
func AnswerPlain(lang locale.Lang, r ask.Reply) string {
	p := locale.For(lang)
	if s, ok := replyWithoutTopic(p, r, 0); ok {
		return s
	}
	return topicAnswer(p, r.Topic)
}
