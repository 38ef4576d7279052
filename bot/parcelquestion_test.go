package bot

import (
	"context"
	"strings"
	"testing"
)

// TestQuestionsAboutOneParcel: a question naming a followed parcel by its
// number is answered with that parcel's state and next step; a new number
// is still followed; a general question still goes to the knowledge base.
func TestQuestionsAboutOneParcel(t *testing.T) {
	ctx := context.Background()
	eng, _, logs := raceEngine(t)
	chat := Chat{ID: 5151, Type: "private"}
	eng.mustTrack(t, chat, raceAnn, "DEMO5")
	eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "/track DEMO3 lamp"})
	say := func(text string) string {
		return strings.Join(texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: text})), "\n")
	}
	for _, tc := range []struct{ q, want, not string }{
		{"when will DEMO5 arrive", "<code>DEMO5</code>", "already"},
		{"what should I do about DEMO5?", "👉", "Following"},
		{"is DEMO3 late?", "lamp", "already"},
		// Without a question mark, in the other languages: a question (its
		// answer, or an ask-back about the parcel), not a second follow.
		{"was soll ich wegen DEMO5 tun", "", "already"},
		{"qué pasa con DEMO5", "", "already"},
		{"DEMO5 est en retard", "", "already"},
		{"cadê a DEMO5", "", "already"},
		{"cosa devo fare per DEMO3", "", "already"},
		{"DEMO6", "Following", "👉"},                              // a new number: followed
		{"what does exception mean?", "Exception", "<code>DEMO"}, // general: the knowledge base
	} {
		got := say(tc.q)
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("%q answered:\n%s\nwant %q, not %q", tc.q, got, tc.want, tc.not)
		}
	}
	noTrouble(t, logs)
}
