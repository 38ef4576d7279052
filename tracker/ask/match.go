package ask

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/kljensen/snowball/english"
)

// How questions are matched.
//
// Each topic in the knowledge base carries cues: short sets of words with a
// weight ("delivered + not + received" counts 6, "locker" counts 4). A
// question is reduced to a set of terms and every cue whose terms are all
// present adds its weight to its topic; the best total wins, and a total
// below minScore means the question is off-topic.
//
// We chose weighted cues over BM25 or a learned classifier because the
// knowledge base is small and hand-curated: a few dozen topics, several of
// them separated only by intent ("what does delivered mean" against "it says
// delivered but it isn't here"). Cues made of word sets express that intent
// directly, stay readable and reviewable in kb.go, need no training corpus,
// and cannot be thrown off by document length the way BM25 over short
// answers is. Robustness comes from the normalisation every question and
// every cue goes through:
//
//   - casing and punctuation: lower-cased, split on anything not a letter or digit;
//   - contractions and chat spelling: "didn't", "dont", "never" → "not"; "wat" → "what", "4" → "for";
//   - paraphrase: a synonym table folds words people use interchangeably
//     (package/parcel/box/stuff, alert/notification, got/received, sign in/log in);
//   - inflection: the Snowball English stemmer (updated/updating → updat);
//   - typos: a word that is neither known nor stems to a known term is replaced by the
//     closest vocabulary word within a Damerau–Levenshtein distance of 1 (words of 4–5
//     letters) or 2 (longer words, same first letter);
//   - word order: cues are sets, so "delivered but not received" and "not received
//     though it says delivered" match alike.
const minScore = 2.5

// phraseFolds rewrites multi-word spellings before tokenising.
var phraseFolds = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\btracking no\.`), "tracking number"},
	{regexp.MustCompile(`\b(pick|picked|picking)[ -]?up\b`), "pickup"},
	{regexp.MustCompile(`\b(log|logging|logged|sign|signing|signed)[ -]?(in|into|on)\b`), "login"},
	{regexp.MustCompile(`\b(get|gets|getting|got) here\b|\b(show|shows|showed|turn|turns|turned) up\b`), "arrive"},
	{regexp.MustCompile(`\bstand for\b`), "mean"},
	{regexp.MustCompile(`\be-mail\b`), "email"},
	{regexp.MustCompile(`\bn't\b|n't`), " not"},
	{regexp.MustCompile(`'(s|re|ve|ll|d|m)\b`), ""},
}

// synonyms folds a word (after lower-casing) into the word it stands for.
var synonyms = map[string]string{
	// negation and contractions written without apostrophes
	"no": "not", "never": "not", "nothing": "not", "nope": "not",
	"dont": "not", "doesnt": "not", "didnt": "not", "hasnt": "not", "havent": "not", "isnt": "not",
	"wasnt": "not", "cant": "not", "cannot": "not", "wont": "not", "aint": "not", "arent": "not", "werent": "not",
	// chat spelling
	"u": "you", "ur": "your", "r": "are", "4": "for", "wat": "what", "wut": "what", "wht": "what", "whats": "what",
	"wheres": "where", "whens": "when", "hows": "how", "plz": "please", "pls": "please", "im": "i",
	// things people call a parcel
	"package": "parcel", "packages": "parcel", "pkg": "parcel", "pckg": "parcel", "parcels": "parcel",
	"shipment": "parcel", "shipments": "parcel", "stuff": "parcel", "box": "parcel", "boxes": "parcel",
	// who carries it
	"ups": "carrier", "fedex": "carrier", "usps": "carrier", "dhl": "carrier", "courier": "carrier",
	"driver": "carrier", "carriers": "carrier", "mailman": "carrier", "postman": "carrier",
	// receiving and arriving
	"got": "received", "gotten": "received", "receive": "received", "recieved": "received",
	"come": "arrive", "comes": "arrive", "coming": "arrive", "came": "arrive", "arriving": "arrive", "arrived": "arrive",
	// alerts
	"notification": "notify", "notifications": "notify", "notified": "notify", "notifs": "notify",
	"alert": "notify", "alerts": "notify", "ping": "notify", "pings": "notify",
	// damage
	"damaged": "damage", "broken": "damage", "broke": "damage", "crushed": "damage", "smashed": "damage",
	"dented": "damage", "torn": "damage", "cracked": "damage", "wet": "damage",
	// asking for a meaning
	"meaning": "mean", "means": "mean", "explanation": "explain", "definition": "explain", "define": "explain",
	// misc
	"id": "number", "#": "number", "addr": "address", "collect": "pickup", "collection": "pickup",
	"logon": "login", "signin": "login", "callback": "call", "phone": "call", "telephone": "call",
}

// commonWords are words we know but never cue on; knowing them keeps the typo
// fixer from "correcting" them into a cue word.
var commonWords = strings.Fields(`a an the and or but if of to in on at by for from with about as into is are was were be been
am do does did done have has had having it its this that these those there here i me my mine you your we our they them their
he she his her what which who whom whose when where why how can could would should will shall may might must
please thanks thank hello hi hey yes ok okay just still yet already now today tomorrow yesterday ago again also very really
much many more most some any all every each one two three four five six seven eight nine ten day days week weeks month months hour hours
time good bad new old say says said tell told know knew want need like get make go going went see seen look looking show
thing things someone something anything anyone nobody else other another same than then so too only even ever
cook music movie weather joke poem game song play write buy price money bitcoin flight book love friend football capital france
spanish english translate pizza near best recommend dream president age old morning evening night number numbers`)

type analyzer struct {
	known map[string]bool // surface words we accept as they are
	stems map[string]bool // stems of every cue term
	vocab []string        // surface cue words, candidates for typo fixes
}

func newAnalyzer() *analyzer {
	return &analyzer{known: map[string]bool{}, stems: map[string]bool{}}
}

// learn adds a cue's surface words to the vocabulary.
func (a *analyzer) learn(text string) {
	for _, w := range words(text) {
		if !a.known[w] {
			a.known[w] = true
			a.vocab = append(a.vocab, w)
		}
		a.stems[term(w)] = true
	}
}

// words lower-cases, applies phrase folds and splits on non-alphanumerics.
func words(text string) []string {
	s := strings.ToLower(text)
	s = strings.NewReplacer("’", "'", "‘", "'", "`", "'").Replace(s)
	for _, f := range phraseFolds {
		s = f.re.ReplaceAllString(s, f.with)
	}
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '#'
	})
}

// term is a word's canonical form: synonym folded, then stemmed.
func term(w string) string {
	if s, ok := synonyms[w]; ok {
		w = s
	}
	return english.Stem(w, false)
}

// terms turns a question into its set of terms, fixing typos on the way.
func (a *analyzer) terms(question string) map[string]bool {
	out := map[string]bool{}
	for _, w := range words(question) {
		if _, syn := synonyms[w]; !syn && !a.known[w] && !a.stems[term(w)] {
			w = a.fix(w)
		}
		out[term(w)] = true
	}
	return out
}

// fix returns the vocabulary word closest to w, or w itself when none is
// close enough to be a plausible typo.
func (a *analyzer) fix(w string) string {
	r := []rune(w)
	max := 0
	switch {
	case len(r) >= 6:
		max = 2
	case len(r) >= 4:
		max = 1
	}
	if max == 0 {
		return w
	}
	best, bestD := w, max+1
	for _, v := range a.vocab {
		vr := []rune(v)
		if abs(len(vr)-len(r)) > max {
			continue
		}
		d := distance(r, vr)
		if d == 2 && vr[0] != r[0] {
			continue // two edits and a different first letter is another word, not a typo
		}
		// On equal distance prefer a longer word: a dropped letter is the
		// commonest typo ("wher" is "where", not "her").
		if d < bestD || d == bestD && len(vr) > len([]rune(best)) {
			best, bestD = v, d
		}
	}
	return best
}

// distance is the optimal-string-alignment Damerau–Levenshtein distance:
// insertions, deletions, substitutions and swaps of neighbours cost 1.
func distance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
