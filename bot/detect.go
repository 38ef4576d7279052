package bot

import (
	"context"
	"log/slog"
	"slices"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/ask"
)

func detect(text string, demo bool) []tracker.Candidate {
	return tracker.DetectWith(text, tracker.DetectOptions{Demo: demo})
}

// answerQuestion answers text without a tracking number from the knowledge
// base, about the chat's own parcels (subs): the answer, or — when the
// matcher is unsure — "Did you mean…?" with the likeliest topics as
// buttons, a tap on which answers that topic (topicClick).
func (e *Engine) answerQuestion(ctx context.Context, chatID int64, question string, subs []storage.Subscription) Reply {
	ctx, p := questionPrinter(ctx, question)
	latest := e.latestEvents(ctx, chatID)
	r := ask.AnswerIn(string(p.Lang()), question, e.askParcels(subs, latest), e.now())
	return e.questionReply(ctx, p, chatID, r, subs, latest)
}

// questionPrinter is the printer to answer question in: the chat's
// language, unless the question is clearly written in another language
// the bot speaks (this reply only; the chat keeps its language).
func questionPrinter(ctx context.Context, question string) (context.Context, *locale.Printer) {
	p := pr(ctx)
	if l, ok := locale.Detect(question); ok && l != p.Lang() {
		p = locale.For(l)
		ctx = withPrinter(ctx, p)
	}
	return ctx, p
}

// questionReply is the matcher's reply as sent. An ask-back's buttons
// carry the parcel the question named, if it named one, so that the
// picked topic is answered about that parcel.
func (e *Engine) questionReply(ctx context.Context, p *locale.Printer, chatID int64, r ask.Reply, subs []storage.Subscription,
	latest map[int64]tracker.Event) Reply {
	text := e.answerText(ctx, p, chatID, r, subs, latest)
	if len(r.Alternatives) == 0 {
		return Reply{Text: text}
	}
	var subID int64
	if len(r.About) == 1 {
		subID = subs[r.About[0]].ID
	}
	rows := make([][]Button, 0, len(r.Alternatives))
	for _, topic := range r.Alternatives {
		rows = append(rows, []Button{{Text: topicTitle(p, topic), Data: CallbackData(ActTopic, subID, topic)}})
	}
	return Reply{Text: text, Buttons: rows}
}

// questionAboutParcel answers a question that names a followed parcel by
// its number ("what do I do about 1Z…"). Where the parcel is and what to
// do is its state in full (answerAboutParcel); a question on another topic
// ("how do I rename 1Z…") gets that topic's answer about the parcel, or,
// unsure, "Did you mean…?" with buttons that keep the parcel.
func (e *Engine) questionAboutParcel(ctx context.Context, m Message, text string, sub storage.Subscription) []Reply {
	ctx, p := questionPrinter(ctx, text)
	subs := []storage.Subscription{sub}
	latest := e.latestEvents(ctx, m.Chat.ID)
	r := ask.AnswerIn(string(p.Lang()), text, e.askParcels(subs, latest), e.now())
	if r.Topic == "my_packages" || r.Topic == ask.TopicUnknown {
		return e.answerAboutParcel(ctx, m, sub)
	}
	r.About = []int{0}
	return []Reply{e.questionReply(ctx, p, m.Chat.ID, r, subs, latest)}
}

// topicClick answers the topic picked from a "Did you mean…?" message, in
// place of that message: about the parcel the question named (subID), if
// it named one and it is still followed here, else about all the chat's.
func (e *Engine) topicClick(ctx context.Context, chatID, subID int64, topic string) ClickResult {
	p := pr(ctx)
	if !slices.Contains(ask.Topics(), topic) {
		return ClickResult{Answer: p.T("button_dead")}
	}
	subs, err := e.store.ChatSubscriptions(ctx, chatID)
	if err != nil {
		return ClickResult{Answer: p.T("toast_error"), Replies: e.fail(ctx, "chat subscriptions", err)}
	}
	if i := slices.IndexFunc(subs, func(s storage.Subscription) bool { return s.ID == subID }); subID != 0 && i >= 0 {
		subs = subs[i : i+1]
	}
	latest := e.latestEvents(ctx, chatID)
	r := ask.AnswerTopic(string(p.Lang()), topic, e.askParcels(subs, latest), e.now())
	return ClickResult{Replies: []Reply{{Text: e.answerText(ctx, p, chatID, r, subs, latest), Edit: true}}}
}

// latestEvents is the newest scan of each of the chat's parcels, in one
// query, read once per reply: the assessment weighs them and answers show
// their places. Without them a reply only lacks those, so a failure is
// logged, not shown.
func (e *Engine) latestEvents(ctx context.Context, chatID int64) map[int64]tracker.Event {
	latest, err := e.store.LatestEvents(ctx, chatID)
	if err != nil {
		e.log.WarnContext(ctx, "bot: latest events", slog.Int64("chat", chatID), slog.Any("error", err))
	}
	return latest
}

// askParcels is what the matcher knows of the chat's parcels (subs, with
// their newest scans).
func (e *Engine) askParcels(subs []storage.Subscription, latest map[int64]tracker.Event) []ask.Parcel {
	now := e.now()
	parcels := make([]ask.Parcel, 0, len(subs))
	for _, s := range subs {
		sh := s.Shipment
		a := e.assessSub(s, latest[sh.ID], now)
		parcels = append(parcels, ask.Parcel{Carrier: sh.Carrier, Number: sh.Number, Label: s.Label, Status: sh.Status,
			ETA: sh.ETA, Advice: a.Advice, Assessment: a})
	}
	return parcels
}
