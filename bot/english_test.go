package bot

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker/demo"
)

// englishWords are English function words that are not words in Spanish,
// German, French, Portuguese or Italian ("an", "was", "will", "so", "i"
// and "a" are, so they are not here). Three of them in one sentence make it
// English.
var englishWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`the you your yours is are and with this that these those what when which have has had
		not of to for from here there please it its it's i'm i'll i've we they them be been were by on at or if then than just
		now only each any can can't don't doesn't won't isn't didn't couldn't should would could let's whom who where why how
		my me our out up into about after before again still already soon today tomorrow yesterday
		sorry something nothing went wrong try get got send follow following followed parcel parcels number know look
		looks like see want need find found new button`) {
		englishWords[w] = true
	}
}

var (
	sentenceRE = regexp.MustCompile(`[^.!?\n:;()“”"«»]+`)
	wordRE     = regexp.MustCompile(`[\p{L}']+`)
)

// englishSentences returns the sentences of text (HTML stripped) that read
// as English.
func englishSentences(text string) []string {
	var out []string
	for _, s := range sentenceRE.FindAllString(stripTags(text), -1) {
		n := 0
		for _, w := range wordRE.FindAllString(strings.ToLower(s), -1) {
			if englishWords[strings.Trim(w, "'")] || englishWords[w] {
				n++
			}
		}
		if n >= 3 {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

func TestEnglishSentencesDetector(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"I'll check with UPS within a minute, then regularly.", true},
		{"Sorry, something went wrong on my side.", true},
		{"Which number? Send <code>/track NUMBER</code>.", false}, // too short to judge: two words
		{"Ich frage innerhalb einer Minute bei UPS nach, danach regelmäßig.", false},
		{"Consulto a UPS en menos de un minuto y después con regularidad.", false},
		{"J’interroge UPS d’ici une minute, puis régulièrement.", false},
		{"Consulto a UPS em até um minuto, depois regularmente.", false},
		{"Controllo con UPS entro un minuto, poi regolarmente.", false},
		{"Was soll ich tun, wenn es so bleibt? An der Tür?", false},
		{"Is it out for delivery and when will it come?", true},
	} {
		if got := len(englishSentences(tc.text)) > 0; got != tc.want {
			t.Errorf("%q: English %t, want %t (%q)", tc.text, got, tc.want, englishSentences(tc.text))
		}
	}
}

// carrierWords are the texts the demo carrier writes (event descriptions,
// status texts, places): shown as the carrier wrote them in every language,
// so the scan removes them first.
func carrierWords(t *testing.T) []string {
	t.Helper()
	now := time.Now()
	c := demo.New(demo.Config{Now: func() time.Time { return now }})
	if _, err := c.Track(context.Background(), demo.Numbers()); err != nil { // starts the stories
		t.Fatal(err)
	}
	now = now.Add(30 * 24 * time.Hour) // every story over: all its scans
	res, err := c.Track(context.Background(), demo.Numbers())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range res {
		out = append(out, r.StatusText)
		for _, ev := range r.Events {
			out = append(out, ev.Description, ev.Location)
		}
	}
	return out
}

// withoutCarrierWords removes the carrier's own texts (HTML-escaped as shown).
func withoutCarrierWords(text string, words []string) string {
	for _, w := range words {
		if w != "" {
			text = strings.ReplaceAll(text, esc(w), " ")
			text = strings.ReplaceAll(text, w, " ")
		}
	}
	return text
}
