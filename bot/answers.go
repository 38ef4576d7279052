package bot

import (
	"context"
	"log/slog"
	"strings"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/tghtml"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker/ask"
)

// Answers to questions: tracker/ask matches the question to a topic (with
// training data per language) and writes the English answers; the other
// languages' answers are in the catalogs, one per topic (answer_<topic>,
// ":" as "_"), keeping the same facts. Answers about the chat's own
// parcels are built here from the parcels' assessments.

// topicKey is a topic as a catalog key part: "bot_help:add" → "bot_help_add".
func topicKey(topic string) string { return strings.ReplaceAll(topic, ":", "_") }

// topicTitle is the button text offering a topic in an ask-back.
func topicTitle(p *locale.Printer, topic string) string {
	if p.Lang() == locale.EN {
		return ask.Title("en", topic)
	}
	key := "topic_" + topicKey(topic)
	if s := p.T(key); s != key {
		return s
	}
	return ask.Title("en", topic)
}

// answerText is the answer as shown (HTML), in p's language.
func (e *Engine) answerText(ctx context.Context, p *locale.Printer, chatID int64, r ask.Reply, subs []storage.Subscription) string {
	if r.SmallTalk != "" {
		return esc(talkText(p, r.SmallTalk, len(subs)))
	}
	verdict := e.verdictText(ctx, p, chatID, r.Verdict)
	if p.Lang() == locale.EN || r.Lang == "en" && p.Lang() == locale.EN {
		return verdict + esc(r.Text)
	}
	// The parcels the question named, or the only one: answers about a
	// parcel's progress start with their state, as the English ones do.
	named := subs
	if r.About != nil {
		named = make([]storage.Subscription, len(r.About))
		for i, k := range r.About {
			named[i] = subs[k]
		}
	}
	switch {
	case len(r.Alternatives) > 0:
		return esc(p.T("answer_ask_back"))
	case r.Topic == ask.TopicUnknown:
		return esc(p.T("answer_off_topic"))
	case r.Topic == "my_packages":
		return verdict + e.myParcelsAnswer(ctx, p, chatID, named)
	}
	key := "answer_" + topicKey(r.Topic)
	s := p.T(key)
	if s == key {
		return esc(p.T("answer_off_topic"))
	}
	if ask.IsProgress(r.Topic) && len(named) > 0 && (r.About != nil || len(subs) == 1) {
		return verdict + e.myParcelsAnswer(ctx, p, chatID, named) + "\n\n" + esc(s)
	}
	return esc(s)
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
	return esc(s) + "\n\n"
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

// myParcelsAnswer is "where is my parcel" for every parcel the chat
// follows: its status, expected day and what to do, from the same
// assessment pushes and /list use.
func (e *Engine) myParcelsAnswer(ctx context.Context, p *locale.Printer, chatID int64, subs []storage.Subscription) string {
	if len(subs) == 0 {
		return esc(p.T("answer_my_packages_none"))
	}
	v := e.view(withPrinter(ctx, p), chatID)
	latest, err := e.store.LatestEvents(ctx, chatID)
	if err != nil {
		e.log.WarnContext(ctx, "bot: latest events", slog.Int64("chat", chatID), slog.Any("error", err))
	}
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
// it (`trackbot ask`): in lang, the language's own text for the topic.
func AnswerPlain(lang locale.Lang, r ask.Reply) string {
	p := locale.For(lang)
	if r.SmallTalk != "" {
		return talkText(p, r.SmallTalk, 0)
	}
	if p.Lang() == locale.EN {
		return r.Text
	}
	switch {
	case len(r.Alternatives) > 0:
		return p.T("answer_ask_back")
	case r.Topic == ask.TopicUnknown:
		return p.T("answer_off_topic")
	case r.Topic == "my_packages":
		return p.T("answer_my_packages_none")
	}
	key := "answer_" + topicKey(r.Topic)
	if s := p.T(key); s != key {
		return s
	}
	return p.T("answer_off_topic")
}
