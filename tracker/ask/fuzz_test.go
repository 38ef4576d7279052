package ask

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAnswer: any text gets a known topic, a non-empty answer, a
// probability in [0, 1], and alternatives only when it asks back (2–3
// known topics, the reply's topic first).
func FuzzAnswer(f *testing.F) {
	for _, s := range []string{"", "where is my parcel", "didn't ' it's n't '", "pick-up e-mail tracking no.", "🙂📦", "ÄÖÜ ß ç ñ",
		strings.Repeat("a", 70), "the headphones on thursday?", "\x00\xff", "q:0:late", "is the dhl one late", "1z999aa10123456784?"} {
		f.Add(s)
	}
	parcels := []Parcel{{Carrier: "ups", Number: "1Z999AA10123456784", Label: "Headphones"}, {Carrier: "dhl", Number: "1234567890"}}
	topics := Topics()
	f.Fuzz(func(t *testing.T, q string) {
		r := Answer(q, parcels, now)
		if !slices.Contains(topics, r.Topic) || strings.TrimSpace(r.Text) == "" || r.Confidence < 0 || r.Confidence > 1 || !utf8.ValidString(r.Text) {
			t.Fatalf("Answer(%q) = %+v", q, r)
		}
		if len(r.Alternatives) > 0 && (len(r.Alternatives) < 2 || len(r.Alternatives) > maxAlternatives || r.Alternatives[0] != r.Topic) {
			t.Fatalf("Answer(%q) alternatives %v", q, r.Alternatives)
		}
		for i, k := range r.About { // the bot indexes its subscriptions with these
			if k < 0 || k >= len(parcels) || i > 0 && k <= r.About[i-1] {
				t.Fatalf("Answer(%q) about %v", q, r.About)
			}
		}
	})
}
