package ask

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzAnswer: any text gets a known topic, a probability in [0, 1],
// alternatives only when it asks back (2–3 known topics, the reply's topic
// first), and parcel indices the bot can use.
func FuzzAnswer(f *testing.F) {
	for _, s := range []string{"", "where is my parcel", "didn't ' it's n't '", "pick-up e-mail tracking no.", "🙂📦", "ÄÖÜ ß ç ñ",
		strings.Repeat("a", 70), "the headphones on thursday?", "\x00\xff", "q:0:late", "is the dhl one late", "1z999aa10123456784?"} {
		f.Add(s)
	}
	parcels := []Parcel{{Carrier: "ups", Number: "1Z999AA10123456784", Label: "Headphones"}, {Carrier: "dhl", Number: "1234567890"}}
	known := Topics()
	f.Fuzz(func(t *testing.T, q string) {
		r := Answer(q, parcels, now)
		if !slices.Contains(known, r.Topic) || r.Confidence < 0 || r.Confidence > 1 || !utf8.ValidString(r.SmallTalk) {
			t.Fatalf("Answer(%q) = %+v", q, r)
		}
		if len(r.Alternatives) > 0 && (len(r.Alternatives) < 2 || len(r.Alternatives) > maxAlternatives || r.Alternatives[0] != r.Topic) {
			t.Fatalf("Answer(%q) alternatives %v", q, r.Alternatives)
		}
		origins := make([]int, len(r.Origins))
		for i, o := range r.Origins {
			origins[i] = o.Parcel
		}
		for _, is := range [][]int{r.About, r.Parcels, r.Attention, origins} {
			for i, k := range is { // the bot indexes its subscriptions with these
				if k < 0 || k >= len(parcels) || i > 0 && k <= is[i-1] {
					t.Fatalf("Answer(%q) = %+v: index %d", q, r, k)
				}
			}
		}
	})
}
