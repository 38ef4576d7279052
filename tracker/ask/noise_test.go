package ask

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
)

// noisyQuestion rewrites a question the way people in a hurry type it, for the
// noisy cross-validation figure: a slip of the finger in one or two words
// (a letter dropped, two swapped, one doubled, a neighbouring key), often
// no apostrophes or punctuation, sometimes a filler ("hi,", "yo") or a
// rambling sentence before the question, sometimes ALL CAPS. The noise is
// seeded by the question itself, so a question gets the same noise in
// every run and under every model, and adding training lines elsewhere
// does not change it.
func noisyQuestion(lang, question string) string {
	rng := rand.New(rand.NewPCG(hashAdd(hashStart('n'), question), 0x401e))
	words := strings.Fields(question)
	for range 1 + rng.IntN(2) {
		var long []int
		for i, w := range words {
			if letters(w) >= 4 {
				long = append(long, i)
			}
		}
		if len(long) == 0 {
			break
		}
		i := long[rng.IntN(len(long))]
		words[i] = slip(rng, words[i])
	}
	s := strings.Join(words, " ")
	if rng.IntN(2) == 0 {
		s = strings.Map(func(r rune) rune {
			if strings.ContainsRune("'’?!.,;:¿¡", r) {
				return -1
			}
			return r
		}, s)
	}
	f := fillers[lang]
	if f.prefixes == nil {
		f = fillers[DefaultLang]
	}
	switch r := rng.Float64(); {
	case r < 0.2:
		s = f.prefixes[rng.IntN(len(f.prefixes))] + s
	case r < 0.35:
		s = f.preambles[rng.IntN(len(f.preambles))] + " " + s
	}
	if rng.Float64() < 0.15 {
		s = strings.ToUpper(s)
	}
	return s
}

func letters(w string) int {
	n := 0
	for _, r := range w {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// slip makes one typo in a word: a letter dropped, two neighbours swapped,
// a letter doubled or a neighbouring key hit instead.
func slip(rng *rand.Rand, w string) string {
	rs := []rune(w)
	var at []int // letters that have a letter after them
	for i := 0; i+1 < len(rs); i++ {
		if unicode.IsLetter(rs[i]) && unicode.IsLetter(rs[i+1]) {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return w
	}
	i := at[rng.IntN(len(at))]
	switch rng.IntN(4) {
	case 0:
		rs = append(rs[:i], rs[i+1:]...)
	case 1:
		rs[i], rs[i+1] = rs[i+1], rs[i]
	case 2:
		rs = append(rs[:i+1], rs[i:]...)
	default:
		if keys := neighbours[unicode.ToLower(rs[i])]; keys != "" {
			rs[i] = rune(keys[rng.IntN(len(keys))])
		} else {
			rs = append(rs[:i], rs[i+1:]...)
		}
	}
	return string(rs)
}

// neighbours are the keys around each letter on a QWERTY keyboard.
var neighbours = map[rune]string{
	'q': "wa", 'w': "qes", 'e': "wrd", 'r': "etf", 't': "ryg", 'y': "tuh", 'u': "yij", 'i': "uok", 'o': "ipl", 'p': "ol",
	'a': "qsz", 's': "awdx", 'd': "sefc", 'f': "drgv", 'g': "fthb", 'h': "gyjn", 'j': "hukm", 'k': "jil", 'l': "kop",
	'z': "asx", 'x': "zsdc", 'c': "xdfv", 'v': "cfgb", 'b': "vghn", 'n': "bhjm", 'm': "njk",
}

// fillers are what people put before a question: a greeting or filler
// word, or a sentence that says nothing about the question.
var fillers = map[string]struct{ prefixes, preambles []string }{
	"en": {
		[]string{"hi, ", "yo ", "hey ", "hello, ", "um ", "quick question: ", "ok so ", "hey bot, ", "hi there "},
		[]string{"Sorry to bother you.", "I've never used this bot before.", "My friend told me about this bot.",
			"I ordered something online last week.", "Hope you're doing well.", "This is really annoying honestly.",
			"ok so here's the thing.", "I'm not very good with apps."},
	},
	"de": {
		[]string{"hallo, ", "hi ", "moin, ", "kurze frage: ", "also ", "hey, ", "servus "},
		[]string{"Entschuldigung für die Störung.", "Ich benutze den Bot zum ersten Mal.", "Ein Freund hat mir den Bot empfohlen.",
			"Ich habe letzte Woche etwas online bestellt.", "Das nervt echt.", "Ich kenne mich mit Apps nicht so aus."},
	},
	"es": {
		[]string{"hola, ", "oye ", "buenas, ", "una pregunta: ", "bueno, ", "hey ", "a ver "},
		[]string{"Perdón por molestar.", "Es la primera vez que uso este bot.", "Un amigo me recomendó este bot.",
			"La semana pasada pedí algo por internet.", "Esto es muy molesto la verdad.", "No se me dan bien las apps."},
	},
	"fr": {
		[]string{"salut, ", "bonjour, ", "coucou ", "petite question : ", "alors ", "dites, ", "euh "},
		[]string{"Désolé de vous déranger.", "C'est la première fois que j'utilise ce bot.", "Un ami m'a parlé de ce bot.",
			"J'ai commandé quelque chose en ligne la semaine dernière.", "C'est vraiment agaçant.", "Je ne suis pas très doué avec les applis."},
	},
	"it": {
		[]string{"ciao, ", "salve, ", "allora ", "una domanda: ", "ehi ", "buongiorno, ", "senti "},
		[]string{"Scusate il disturbo.", "È la prima volta che uso questo bot.", "Un amico mi ha parlato di questo bot.",
			"La settimana scorsa ho ordinato una cosa online.", "È davvero fastidioso.", "Non sono molto bravo con le app."},
	},
	"pt": {
		[]string{"oi, ", "olá, ", "então ", "uma pergunta: ", "bom dia, ", "ei ", "olha "},
		[]string{"Desculpa incomodar.", "É a primeira vez que uso este bot.", "Um amigo me falou deste bot.",
			"Semana passada comprei uma coisa pela internet.", "Isso é muito chato sinceramente.", "Não sou muito bom com aplicativos."},
	},
}

func TestNoisy(t *testing.T) {
	q := "where's my tracking number?"
	a, b := noisyQuestion("en", q), noisyQuestion("en", q)
	if a != b {
		t.Fatalf("noisyQuestion is not deterministic: %q then %q", a, b)
	}
	changed := 0
	for _, e := range loadTraining(t, DefaultLang)[:200] {
		n := noisyQuestion("en", e.question)
		if n != e.question {
			changed++
		}
		if strings.TrimSpace(n) == "" {
			t.Errorf("noisyQuestion(%q) is empty", e.question)
		}
	}
	if changed < 190 {
		t.Errorf("noisyQuestion changed only %d of 200 questions", changed)
	}
	for _, lang := range Langs() {
		if fillers[lang].prefixes == nil {
			t.Errorf("no fillers for %s", lang)
		}
	}
}
