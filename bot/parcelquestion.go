package bot

import (
	"context"
	"strings"
	"unicode"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

// questionWords mark a message as a question rather than a paste, in the
// six languages. Short and plain on purpose: the message must also name a
// followed parcel by its number before it is answered as a question.
var questionWords = map[string]bool{
	"when": true, "where": true, "what": true, "why": true, "how": true, "is": true, "has": true, "did": true,
	"will": true, "should": true, "late": true, "arrive": true, "arriving": true, "status": true, "eta": true,
	"wann": true, "wo": true, "was": true, "wie": true, "warum": true, "wieso": true, "ist": true, "kommt": true,
	"soll": true, "sollte": true, "cuándo": true, "cuando": true, "dónde": true, "donde": true, "qué": true,
	"que": true, "cómo": true, "como": true, "llega": true, "debo": true, "está": true, "quand": true, "où": true,
	"quoi": true, "comment": true, "pourquoi": true, "est": true, "dois": true, "quando": true,
	"onde": true, "cadê": true, "chega": true, "devo": true, "dove": true, "dov": true, "cosa": true, "che": true,
	"come": true, "perché": true, "arriva": true, "è": true,
}

// isQuestion: a question mark, or one of questionWords among the first
// words, outside the tracking numbers themselves.
func isQuestion(text string, cands []tracker.Candidate) bool {
	rest := text
	for i := len(cands) - 1; i >= 0; i-- {
		c := cands[i]
		if c.Start >= 0 && c.End <= len(rest) && c.Start <= c.End {
			rest = rest[:c.Start] + " " + rest[c.End:]
		}
	}
	if strings.Contains(rest, "?") {
		return true
	}
	words := strings.FieldsFunc(strings.ToLower(rest), func(r rune) bool { return !unicode.IsLetter(r) })
	for i, w := range words {
		if i >= 4 {
			break
		}
		if questionWords[w] {
			return true
		}
	}
	return false
}

// parcelAsked finds the followed parcel a question names by its number
// ("when will DEMO5 arrive", "what should I do about 1Z…"). Questions that
// name a parcel by its label or carrier go to tracker/ask, which answers
// from the same assessment.
func parcelAsked(cands []tracker.Candidate, subs []storage.Subscription) (storage.Subscription, bool) {
	for _, c := range cands {
		for _, s := range subs {
			if s.Shipment.Number == c.Number {
				return s, true
			}
		}
	}
	return storage.Subscription{}, false
}

// answerAboutParcel answers a question about one followed parcel with its
// state in full: the assessment every other surface shows.
func (e *Engine) answerAboutParcel(ctx context.Context, m Message, sub storage.Subscription) []Reply {
	events, err := e.store.ShipmentEvents(ctx, sub.Shipment.ID, maxTimeline)
	if err != nil {
		return e.fail(ctx, "shipment events", err)
	}
	v := e.view(ctx, m.Chat.ID)
	return []Reply{{Text: e.renderStatus(sub, events, v, true), Buttons: parcelButtons(pr(ctx), sub)}}
}
