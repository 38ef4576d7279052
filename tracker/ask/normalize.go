package ask

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Normalisation shared by training and questions. English folds
// contractions, chat spelling and words people use interchangeably before
// features are taken; other languages start with none (their data files
// teach the model their words).

// foldText makes typographic apostrophes plain and spells out the one
// abbreviation whose dot matters.
var foldText = strings.NewReplacer("’", "'", "‘", "'", "`", "'", "tracking no.", "tracking number")

// pairFolds join two words people write apart into the one they mean
// ("pick up" → "pickup", "log in" → "login", "show up" → "arrive").
var pairFolds = map[[2]string]string{}

func init() {
	for _, f := range []struct{ firsts, seconds, with string }{
		{"pick picked picking", "up", "pickup"},
		{"log logging logged sign signing signed", "in into on", "login"},
		{"get gets getting got", "here", "arrive"},
		{"show shows showed turn turns turned", "up", "arrive"},
		{"stand stands", "for", "mean"},
		{"e", "mail", "email"},
	} {
		for _, a := range strings.Fields(f.firsts) {
			for _, b := range strings.Fields(f.seconds) {
				pairFolds[[2]string{a, b}] = f.with
			}
		}
	}
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
	// who carries it: questions about one carrier teach about all
	"ups": "carrier", "fedex": "carrier", "usps": "carrier", "dhl": "carrier", "courier": "carrier",
	"couriers": "carrier", "carriers": "carrier", "mailman": "carrier", "postman": "carrier",
	// receiving and arriving
	"got": "received", "gotten": "received", "receive": "received", "recieved": "received",
	"come": "arrive", "comes": "arrive", "coming": "arrive", "came": "arrive", "arriving": "arrive", "arrived": "arrive",
	// alerts
	"notification": "notify", "notifications": "notify", "notified": "notify", "notifs": "notify",
	"alert": "notify", "alerts": "notify", "ping": "notify", "pings": "notify",
	// damage
	"damaged": "damage", "broken": "damage", "broke": "damage", "crushed": "damage", "smashed": "damage",
	"dented": "damage", "torn": "damage", "cracked": "damage",
	// asking for a meaning
	"meaning": "mean", "means": "mean", "explanation": "explain", "definition": "explain", "define": "explain",
	// misc
	"id": "number", "#": "number", "addr": "address", "collect": "pickup", "collection": "pickup",
	"logon": "login", "signin": "login",
}

// commonWords are words we know without training data; knowing them keeps
// the typo fixer from "correcting" them into another word.
var commonWords = strings.Fields(`a an the and or but if of to in on at by for from with about as into is are was were be been
am do does did done have has had having it its this that these those there here i me my mine you your we our they them their
he she his her what which who whom whose when where why how can could would should will shall may might must
please thanks thank hello hi hey yes ok okay just still yet already now today tomorrow yesterday ago again also very really
much many more most some any all every each one two three four five six seven eight nine ten day days week weeks month months hour hours
time good bad new old say says said tell told know knew want need like get make go going went see seen look looking show
thing things someone something anything anyone nobody else other another same than then so too only even ever
monday tuesday wednesday thursday friday saturday sunday morning evening night`)

// words lower-cases, drops accents and splits on anything not a letter or
// digit; in English it also spells out contractions ("didn't" → "did not",
// "it's" → "it") and joins the pairs of pairFolds.
func (l *language) words(text string, dst []string) []string {
	s := foldAccents(strings.ToLower(text))
	if l.folds {
		s = foldText.Replace(s)
	}
	start := -1
	for i, r := range s {
		word := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '#' || r == '\'' && l.folds && start >= 0
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			dst = l.appendWord(dst, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		dst = l.appendWord(dst, s[start:])
	}
	return dst
}

// contractions are the endings dropped after an apostrophe.
var contractions = map[string]bool{"s": true, "re": true, "ve": true, "ll": true, "d": true, "m": true}

func (l *language) appendWord(dst []string, w string) []string {
	if !l.folds {
		return append(dst, w)
	}
	if i := strings.IndexByte(w, '\''); i >= 0 {
		head, tail := w[:i], w[i+1:]
		switch {
		case tail == "t" && strings.HasSuffix(head, "n"): // didn't, can't
			if head = head[:len(head)-1]; head != "" {
				dst = l.appendWord(dst, head)
			}
			return append(dst, "not")
		case contractions[tail] || tail == "":
			if head == "" {
				return dst
			}
			return l.appendWord(dst, head)
		default: // o'clock, rock'n'roll: two words
			if head != "" {
				dst = l.appendWord(dst, head)
			}
			return l.appendWord(dst, tail)
		}
	}
	if n := len(dst); n > 0 {
		if with, ok := pairFolds[[2]string{dst[n-1], w}]; ok {
			dst[n-1] = with
			return dst
		}
	}
	return append(dst, w)
}

// foldAccents drops diacritics ("envío" → "envio", "tránsito" →
// "transito", "ß" → "ss"): people type with and without them, on phones
// often without, and the same word must give the same features. Text
// without any is returned as it is, without allocating.
func foldAccents(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		switch r {
		case 'á', 'à', 'â', 'ä', 'ã', 'å':
			b.WriteByte('a')
		case 'é', 'è', 'ê', 'ë':
			b.WriteByte('e')
		case 'í', 'ì', 'î', 'ï':
			b.WriteByte('i')
		case 'ó', 'ò', 'ô', 'ö', 'õ':
			b.WriteByte('o')
		case 'ú', 'ù', 'û', 'ü':
			b.WriteByte('u')
		case 'ñ':
			b.WriteByte('n')
		case 'ç':
			b.WriteByte('c')
		case 'ß':
			b.WriteString("ss")
		case 'œ':
			b.WriteString("oe")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
