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
	// The chat's language picks the matcher's data, unless the question is
	// clearly written in another language the bot speaks: then it is
	// answered in that one (this reply only; the chat keeps its language).
	p := pr(ctx)
	if l, ok := locale.Detect(question); ok && l != p.Lang() {
		p = locale.For(l)
		ctx = withPrinter(ctx, p)
	}
	r := ask.AnswerIn(string(p.Lang()), question, e.askParcels(ctx, chatID, subs), e.now())
	text := e.answerText(ctx, p, chatID, r, subs)
	if len(r.Alternatives) == 0 {
		return Reply{Text: text}
	}
	rows := make([][]Button, 0, len(r.Alternatives))
	for _, topic := range r.Alternatives {
		rows = append(rows, []Button{{Text: topicTitle(p, topic), Data: CallbackData(ActTopic, 0, topic)}})
	}
	return Reply{Text: text, Buttons: rows}
}

// topicClick answers the topic picked from a "Did you mean…?" message, in
// place of that message.
func (e *Engine) topicClick(ctx context.Context, chatID int64, topic string) ClickResult {
	p := pr(ctx)
	if !slices.Contains(ask.Topics(), topic) {
		return ClickResult{Answer: p.T("button_dead")}
	}
	subs, err := e.store.ChatSubscriptions(ctx, chatID)
	if err != nil {
		return ClickResult{Answer: p.T("toast_error"), Replies: e.fail(ctx, "chat subscriptions", err)}
	}
	r := ask.AnswerTopic(string(p.Lang()), topic, e.askParcels(ctx, chatID, subs), e.now())
	return ClickResult{Replies: []Reply{{Text: e.answerText(ctx, p, chatID, r, subs), Edit: true}}}
}

// askParcels is what the matcher knows of the chat's parcels.
func (e *Engine) askParcels(ctx context.Context, chatID int64, subs []storage.Subscription) []ask.Parcel {
	now := e.now()
	// The last scans of all the chat's parcels in one query. Without them
	// the answer only lacks places, so a failure is logged, not shown.
	latest, err := e.store.LatestEvents(ctx, chatID)
	if err != nil {
		e.log.WarnContext(ctx, "bot: latest events", slog.Int64("chat", chatID), slog.Any("error", err))
	}
	parcels := make([]ask.Parcel, 0, len(subs))
	for _, s := range subs {
		sh := s.Shipment
		a := e.assessSub(s, latest[sh.ID], now)
		p := ask.Parcel{Carrier: sh.Carrier, Number: sh.Number, Label: s.Label, Status: sh.Status, StatusText: sh.StatusText,
			ETA: sh.ETA, LastEventAt: sh.LastEventAt, AddedAt: s.CreatedAt, Advice: a.Advice, Assessment: a}
		if ev, ok := latest[sh.ID]; ok {
			p.LastLocation = ev.Location
			if !ev.Time.IsZero() {
				p.LastEventAt = ev.Time // keeps the place's zone, so "today" means the carrier's today
			}
		}
		parcels = append(parcels, p)
	}
	return parcels
}
