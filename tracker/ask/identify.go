package ask

import (
	"math"
	"strings"
	"sync"
	"unicode"
)

// Identify names the language whose training questions a question reads
// most like: a naive Bayes over character 1–4-grams of its words, learnt
// from data/*.tsv. It is for a question that comes without a chat, and so
// without the chat's language to fall back on (`trackbot ask`), when the
// question has too few of the common words that name a language outright
// ("etiqueta creada significado"). ok is false when nothing in it tells
// (no letters, or no language ahead by a clear margin).
func Identify(question string) (lang string, ok bool) {
	grams := identifyGrams(question)
	if len(grams) == 0 {
		return DefaultLang, false
	}
	best, second := math.Inf(-1), math.Inf(-1)
	for _, p := range gramProfiles() {
		s := p.score(grams)
		switch {
		case s > best:
			best, second, lang = s, best, p.lang
		case s > second:
			second = s
		}
	}
	// The margin is per n-gram, so that a long question is not held to a
	// margin a short one could never reach.
	if (best-second)/float64(len(grams)) < identifyMargin {
		return DefaultLang, false
	}
	return lang, true
}

// identifyMargin is the least lead, in nats per n-gram, that names a
// language.
const identifyMargin = 0.05

type gramProfile struct {
	lang   string
	counts map[string]float64
	denom  float64 // log of the smoothed total: every gram's count + 1 is divided by it
}

// score is the log-likelihood of grams, add-one smoothed.
func (p *gramProfile) score(grams []string) float64 {
	s := 0.0
	for _, g := range grams {
		s += math.Log(p.counts[g]+1) - p.denom
	}
	return s
}

// gramProfiles are built on first use: only a question without a chat
// needs them.
var gramProfiles = sync.OnceValue(func() []*gramProfile {
	var profiles []*gramProfile
	for _, lang := range Langs() {
		ex, err := trainingData(lang)
		if err != nil {
			panic(err) // embedded data that does not parse is a build error
		}
		p := &gramProfile{lang: lang, counts: map[string]float64{}}
		total := 0.0
		for _, e := range ex {
			for _, g := range identifyGrams(e.question) {
				p.counts[g]++
				total++
			}
		}
		p.denom = math.Log(total + float64(len(p.counts)) + 1)
		profiles = append(profiles, p)
	}
	return profiles
})

// identifyGrams are the character 1–4-grams of the question's words, each
// word padded with spaces so that beginnings and endings count; digits
// and punctuation (tracking numbers, emoji) carry no language.
func identifyGrams(question string) []string {
	var grams []string
	for _, token := range strings.Fields(strings.ToLower(question)) {
		if strings.ContainsFunc(token, unicode.IsDigit) {
			continue // a tracking number's letters ("1Z…AA…") are no language's
		}
		for _, w := range strings.FieldsFunc(token, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
			r := []rune(" " + strings.Trim(w, "'") + " ")
			for n := 1; n <= 4; n++ {
				for i := 0; i+n <= len(r); i++ {
					if g := string(r[i : i+n]); g != " " {
						grams = append(grams, g)
					}
				}
			}
		}
	}
	return grams
}
