package bot

import (
	"context"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/ask"
)

func detect(text string, demo bool) []tracker.Candidate {
	return tracker.DetectWith(text, tracker.DetectOptions{Demo: demo})
}

// answerQuestion answers text without a tracking number from the knowledge
// base, about the chat's own parcels. The answer is plain text.
func (e *Engine) answerQuestion(ctx context.Context, question string, subs []storage.Subscription) string {
	now := e.now()
	parcels := make([]ask.Parcel, 0, len(subs))
	for _, s := range subs {
		sh := s.Shipment
		p := ask.Parcel{Carrier: sh.Carrier, Number: sh.Number, Label: s.Label, Status: sh.Status, StatusText: sh.StatusText,
			ETA: sh.ETA, LastEventAt: sh.LastEventAt, AddedAt: s.CreatedAt, Advice: advice.Evaluate(e.adviceInput(s), now)}
		if evs, err := e.store.ShipmentEvents(ctx, sh.ID, 1); err == nil && len(evs) > 0 {
			p.LastLocation = evs[0].Location
			if !evs[0].Time.IsZero() {
				p.LastEventAt = evs[0].Time // keeps the place's zone, so "today" means the carrier's today
			}
		}
		parcels = append(parcels, p)
	}
	return ask.Answer(question, parcels, now).Text
}
