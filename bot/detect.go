package bot

import (
	"context"
	"log/slog"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/ask"
)

func detect(text string, demo bool) []tracker.Candidate {
	return tracker.DetectWith(text, tracker.DetectOptions{Demo: demo})
}

// answerQuestion answers text without a tracking number from the knowledge
// base, about the chat's own parcels (subs). The answer is plain text.
func (e *Engine) answerQuestion(ctx context.Context, chatID int64, question string, subs []storage.Subscription) string {
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
	return ask.Answer(question, parcels, now).Text
}
