package tracker

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"
)

// Detection works in three steps, all linear in the input:
//
//  1. scan: the text becomes words — maximal runs of [0-9A-Z] after
//     upper-casing, full-width forms folded, and zero-width and bidi marks
//     dropped — copied back to back into one compact buffer. Words joined
//     by 1–3 spaces or by a single dash form a group: that is how people
//     write numbers in chunks ("1Z 8V2 A04…", "TBA-…", "113-1234567-…").
//     One line break (with indentation, "> " quote marks, or a
//     quoted-printable "=" before it) also joins: mail clients wrap long
//     lines at a space, so a number printed in chunks can run on to the
//     next line. A span that crosses a line break must then be a valid
//     number of a non-weak format, or it is not taken.
//     Anything else (a blank line, punctuation, URL syntax, "%2C") ends a
//     group, so a number in a tracking-page URL stands alone.
//  2. match: every run of whole words inside a group, up to the longest
//     format, is tried against the formats of its length. A word is never
//     cut, so a checksum-valid piece of a longer run is never reported.
//  3. choose: inside a group the non-overlapping set of matches covering
//     the most characters wins (then: more numbers, checksum-valid over
//     format-only over invalid, then format rank), so chunks are glued
//     only into one real number and two numbers are never glued into one.
//
// Policy for digit-only text, where false positives live:
//   - a run that continues into more short digit chunks ("1234 5678 9012
//     3456") is a longer number, not a tracking number; a long run is not
//     glued to a 1–2 digit count beside it;
//   - phone shapes are skipped: 3-3-4 / 1-3-3-4 chunking, a leading "+" or
//     "(", or a phone word ("call", "tel", …) just before;
//   - after an order-ish word ("order", "invoice", …) digits are an order
//     id: only the Amazon order form is reported there;
//   - weak formats (DHL eCommerce 14 digits, Purolator, non-GM DHL
//     eCommerce) are reported only for a bare paste, after a tracking
//     word, or when the text names the carrier;
//   - an invalid check digit is reported (as a typo) only for shapes that
//     are specific on their own: 1Z UPS, USPS IMpb, S10, OnTrac, FedEx 96.
//
// Collisions (one span, two formats, same verdict): a carrier the text
// names wins; then the format rank. So Old Dominion beats DHL Express
// (fixed prefix + Luhn is the rarer accident), FedEx beats Purolator (12),
// DHL Piece ID beats Purolator alpha, FedEx Ground beats DPD (14) — each
// turned round when the text names the other carrier. A 34-digit 420 +
// ZIP+4 + USPS AI is USPS even with a failed check (FedEx 34 refuses it).
//
// Amazon International (one letter + 10 digits, no check digit, weakly
// evidenced) is left out on purpose: it would claim too much ordinary text.

// DetectOptions tunes Detect.
type DetectOptions struct {
	// Demo also recognises the simulated carrier's numbers, DEMO + 1–2 digits.
	Demo bool
}

// Detect returns every tracking-number or order-number candidate in text,
// in order of appearance (in its first 2 GiB).
func Detect(text string) []Candidate { return DetectWith(text, DetectOptions{}) }

// DetectWith is Detect with options.
func DetectWith(text string, opt DetectOptions) []Candidate {
	if len(text) > maxText {
		text = text[:maxText]
	}
	sc := spareScanner.Swap(nil)
	if sc == nil {
		sc = scannerPool.Get().(*scanner)
	}
	sc.reset(text, opt)
	sc.scan()
	out := sc.detect()
	// Put back without a defer: a defer costs as much as the scan of a
	// bare number. The text is let go: a spare scanner is kept for good.
	sc.text = ""
	if cap(sc.norm) > spareMax || cap(sc.words) > spareMax/8 || !spareScanner.CompareAndSwap(nil, sc) {
		scannerPool.Put(sc)
	}
	return out
}

// spareScanner is one scanner kept at hand for the common case of one
// detection at a time: one atomic swap to take it and one to give it back
// cost far less than the pool's per-processor bookkeeping. Only a scanner
// with small buffers (texts up to spareMax bytes) is kept there, since it
// is never freed; the others go back to scannerPool.
var spareScanner atomic.Pointer[scanner]

const spareMax = 1 << 16

// maxText is the longest text Detect reads; the rest of a longer one is
// ignored. Offsets fit in 32 bits, which halves the scanner's word table
// (a 1 MB text has some 200,000 words); no message or file trackbot reads
// comes near 2 GiB.
const maxText = math.MaxInt32

// word is one run of [0-9A-Z] characters.
type word struct {
	n0, n1 int32 // span in the compact buffer (DetectWith keeps texts under 2 GiB)
	s0, s1 int32 // byte span in the input
	sep    byte  // 0: starts a group; ' ', '-' or '\n': joined to the previous word
	digits bool  // only digits
	alpha  bool  // only letters
	iban   bool  // part of an IBAN: never part of a tracking number
}

// match is a chosen span's verdict, kept small and free of pointers: the
// scanner copies many of them, and pointer writes into its heap slices
// would each pay a write barrier during GC. It keeps the matcher's verdict,
// so a chosen match becomes a Candidate without running the checks again;
// the strings (service, number) are decoded only for those (format.decode).
type match struct {
	bit      uint64 // the carrier's bit in the named set (carrierNames)
	i, j     int32  // first and last word (texts are under 2 GiB)
	score    int32
	fi       uint16 // the format, an index in formats
	country  uint16 // the matcher's country: 1 + its index in countryCodes, 0 for none
	orderCtx bool   // the span came after an order-ish word
	v        matchVerdict
}

type scanner struct {
	text  string
	opt   DetectOptions
	norm  []byte
	words []word
	cands []match
	// picked are the chosen matches of all groups, in order of appearance.
	picked []match
	// DP scratch for one group.
	best []int
	from []int
	// named is the set of carriers the text names (lazily, namesDone).
	named     uint64
	namesDone bool
	nonASCII  bool // the text has a non-ASCII character
	env       matchEnv
	fm        formatMatch
	// full are the decoded verdicts of picked, for build.
	full []formatMatch
	// ctxAt caches contextBefore for the last word start asked about.
	ctxAt, ctxVal int
}

var scannerPool = sync.Pool{New: func() any { return &scanner{} }}

func (sc *scanner) reset(text string, opt DetectOptions) {
	sc.text, sc.opt = text, opt
	sc.norm = sc.norm[:0]
	sc.words = sc.words[:0]
	sc.cands = sc.cands[:0]
	sc.namesDone, sc.nonASCII = false, false
	sc.ctxAt = -1
	// Buffers for texts up to about 2 MB stay with the scanner, so a long
	// text read again and again (a mailbox, a log) is not paid for in
	// allocation each time; the pool lets idle scanners go at the next
	// GCs. Larger ones are not kept.
	if cap(sc.norm) > 1<<21 {
		sc.norm = nil
	}
	if cap(sc.words) > 1<<19 {
		sc.words = nil
	}
	// A long text gets its buffers at their final size at once: grown by
	// appends, a 1 MB text would copy them over and over (40 MB allocated).
	// The compact form is never longer than the text; a word takes about
	// five bytes on average in prose (appends grow it if not).
	if n := len(text); n > cap(sc.norm) {
		sc.norm = make([]byte, 0, n)
	}
	if n := len(text)/5 + 1; n > cap(sc.words) && len(text) > 4096 {
		sc.words = make([]word, 0, n)
	}
}

// rune classes of the scanner
const (
	clsBreak = iota
	clsAlnum
	clsSpace
	clsDash
	clsIgnore
	clsNewline
)

// classify folds one rune: the class and, for clsAlnum, the upper-case
// ASCII character it stands for.
func classify(r rune) (int, byte) {
	switch {
	case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
		return clsAlnum, byte(r)
	case r >= 'a' && r <= 'z':
		return clsAlnum, byte(r - 'a' + 'A')
	case r == ' ' || r == '\t' || r == 0xA0 || r == 0x2007 || r == 0x202F || r == 0x3000 ||
		(r >= 0x2000 && r <= 0x200A):
		return clsSpace, 0
	case r == '\n' || r == '\r' || r == 0x2028 || r == 0x85:
		return clsNewline, 0
	case r == '-' || (r >= 0x2010 && r <= 0x2015) || r == 0x2212 || r == 0xFF0D:
		return clsDash, 0
	case (r >= 0x200B && r <= 0x200F) || (r >= 0x202A && r <= 0x202E) ||
		r == 0x2060 || r == 0xFEFF || r == 0xAD:
		return clsIgnore, 0 // invisible marks copied along with e-mail text
	case r >= 0xFF10 && r <= 0xFF19: // full-width digits
		return clsAlnum, byte(r - 0xFF10 + '0')
	case r >= 0xFF21 && r <= 0xFF3A:
		return clsAlnum, byte(r - 0xFF21 + 'A')
	case r >= 0xFF41 && r <= 0xFF5A:
		return clsAlnum, byte(r - 0xFF41 + 'A')
	}
	return clsBreak, 0
}

// clsSpecial marks the ASCII bytes whose class depends on what comes
// next ('%', '\r', '=') or before ('>'): the scan loop decides them apart.
const clsSpecial = clsNewline + 1

// asciiClass is classify's class for ASCII, precomputed (with clsSpecial):
// the scan loop runs once per input byte.
var asciiClass = func() (cls [utf8.RuneSelf]uint8) {
	for c := range utf8.RuneSelf {
		k, _ := classify(rune(c))
		cls[c] = uint8(k)
	}
	for _, c := range "%\r=>" {
		cls[c] = clsSpecial
	}
	return
}()

// asciiKind marks digits and letters (0 for every other byte, non-ASCII
// included), for the scanner's word loop. A letter's kind shifted left by
// four is the bit that upper-cases it.
const (
	kindDigit  = 1
	kindLetter = 2
)

var asciiKind = func() (t [256]uint8) {
	for c := range utf8.RuneSelf {
		switch {
		case c >= '0' && c <= '9':
			t[c] = kindDigit
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
			t[c] = kindLetter
		}
	}
	return
}()

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// scan splits the text into words and groups: separators are counted
// byte by byte (one table look-up for ASCII, one for the separator state),
// and each word is taken whole (its ASCII runs by copyWord).
func (sc *scanner) scan() {
	text := sc.text
	norm := sc.norm[:cap(sc.norm)] // reset made it at least len(text): a compact byte per input byte at most
	np := 0
	words := sc.words
	st := uint8(sepBroken) // the separators since the last word: none yet, so the first word starts a group
	for i := 0; i < len(text); {
		c := text[i]
		if upperAlnum[c] != 0 {
			// An ASCII word, the common case, inline.
			w := word{n0: int32(np), s0: int32(i), sep: sepJoin[st]}
			// Copied here, not by copyWord: the call saved and reloaded
			// the loop's state for every word (8 % of an e-mail's
			// detection). One OR a byte gathers the kinds (upperKind). The
			// compact form never outruns the text (np <= i): norm has room.
			kinds := uint16(0)
			for ; i < len(text); i++ {
				u := upperKind[text[i]]
				if u == 0 {
					break
				}
				norm[np] = byte(u)
				np++
				kinds |= u
			}
			w.digits, w.alpha, w.s1 = kinds&(kindLetter<<8) == 0, kinds&(kindDigit<<8) == 0, int32(i)
			if i < len(text) && text[i] >= utf8.RuneSelf {
				i, np = sc.word(&w, norm, np, i) // it may go on past an invisible mark
			}
			w.n1 = int32(np)
			words = append(words, w)
			st = 0
			if i < len(text) {
				i, st = skipSeps(text, i, 0)
			}
			continue
		}
		var cls uint8
		size := 1
		if c < utf8.RuneSelf {
			cls = asciiClass[c]
			if cls == clsSpecial {
				cls, size = specialClass(text, i, sepQuoted[st])
			}
		} else {
			sc.nonASCII = true
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			cls = clsBreak
			if r != utf8.RuneError {
				k, _ := classify(r)
				cls = uint8(k)
			}
			if cls == clsAlnum {
				w := word{n0: int32(np), s0: int32(i), digits: true, alpha: true, sep: sepJoin[st]}
				i, np = sc.word(&w, norm, np, i)
				w.n1 = int32(np)
				words = append(words, w)
				st = 0
				continue
			}
		}
		st = sepNext[st][cls]
		i += size
	}
	sc.norm, sc.words = norm[:np], words
}

// The separators between two words are counted in one state byte:
// spaces (capped at 9), dashes and line breaks (capped at 2 each) as
// spaces + 10·dashes + 30·newlines, or sepBroken once anything else
// (punctuation, URL syntax) came between. sepNext is the state after one
// more separator of each class, sepJoin how the next word joins (sepOf),
// sepQuoted whether a line break and nothing else came. A row of
// sepNext is 8 wide (clsSpecial would do) so that finding it is a shift.
const sepBroken = 90

var sepNext, sepJoin, sepQuoted = func() (next [sepBroken + 1][8]uint8, join [sepBroken + 1]byte, quoted [sepBroken + 1]bool) {
	for st := range sepBroken + 1 {
		next[st] = [8]uint8{clsBreak: sepBroken, clsAlnum: sepBroken, clsSpace: sepBroken, clsDash: sepBroken,
			clsIgnore: uint8(st), clsNewline: sepBroken}
		if st == sepBroken {
			continue
		}
		spaces, dashes, newlines := st%10, st/10%3, st/30
		next[st][clsSpace] = uint8(min(spaces+1, 9) + 10*dashes + 30*newlines)
		next[st][clsDash] = uint8(spaces + 10*min(dashes+1, 2) + 30*newlines)
		next[st][clsNewline] = uint8(spaces + 10*dashes + 30*min(newlines+1, 2))
		join[st] = sepOf(spaces, dashes, newlines)
		quoted[st] = newlines > 0
	}
	return
}()

// skipSeps steps over the plain ASCII separators (spaces, dashes, line
// feeds, punctuation) from text[i] on, from separator state st: a leaf of
// its own, so the loop keeps everything in registers. It stops at a word,
// a byte whose class depends on its neighbours, or a non-ASCII byte.
func skipSeps(text string, i int, st uint8) (int, uint8) {
	for ; i < len(text); i++ {
		cls := plainSep[text[i]]
		if cls == notPlain {
			break
		}
		st = sepNext[st][cls]
	}
	return i, st
}

// plainSep is asciiClass for the bytes skipSeps steps over, notPlain for
// the rest.
const notPlain = 0xFF

var plainSep = func() (t [256]uint8) {
	for c := range t {
		t[c] = notPlain
		if c < utf8.RuneSelf && asciiClass[c] != clsSpecial && asciiClass[c] != clsAlnum {
			t[c] = asciiClass[c]
		}
	}
	return
}()

// specialClass decides the class of the clsSpecial byte at text[i], which
// depends on its neighbours; quoted: a line break, and nothing else, came
// since the last word.
func specialClass(text string, i int, quoted bool) (cls uint8, size int) {
	switch text[i] {
	case '%':
		if i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]) {
			return clsBreak, 3 // a percent-escape in a URL separates, never joins
		}
	case '\r':
		if i+1 < len(text) && text[i+1] == '\n' {
			return clsIgnore, 1 // CR LF is one line break
		}
		return clsNewline, 1
	case '=':
		if i+1 < len(text) && (text[i+1] == '\n' || text[i+1] == '\r') {
			return clsIgnore, 1 // quoted-printable soft line break
		}
	case '>':
		if quoted {
			return clsSpace, 1 // "> " quote marks at the start of a line
		}
	}
	return clsBreak, 1
}

// word takes the rest of the word w from text[i:] into norm from np on
// (w.n0 and w.s0 set, digits and alpha as far as it went), and returns
// where the text and norm continue. Any ASCII byte other than a
// letter or digit ends a word (the special ones that are ignored, a CR or
// "=" before a line break, stand before a break that would end it anyway);
// invisible marks inside a word are skipped.
func (sc *scanner) word(w *word, norm []byte, np, i int) (int, int) {
	text := sc.text
	for {
		n, kinds := copyWord(norm[np:], text[i:])
		if n > 0 {
			np += n
			i += n
			w.digits = w.digits && kinds&kindLetter == 0
			w.alpha = w.alpha && kinds&kindDigit == 0
			w.s1 = int32(i)
		}
		if i >= len(text) || text[i] < utf8.RuneSelf {
			break
		}
		sc.nonASCII = true
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError {
			break
		}
		cls, ch := classify(r)
		if cls == clsIgnore {
			i += size
			continue
		}
		if cls != clsAlnum {
			break
		}
		norm[np] = ch
		np++
		if isDigit(ch) {
			w.alpha = false
		} else {
			w.digits = false
		}
		i += size
		w.s1 = int32(i)
	}
	return i, np
}

// copyWord copies the run of ASCII letters and digits that src starts
// with into dst, upper-cased, and reports its length and kinds. A leaf of
// its own, so the loop keeps everything in registers.
func copyWord(dst []byte, src string) (n int, kinds uint8) {
	if len(src) > len(dst) {
		src = src[:len(dst)]
	}
	dst = dst[:len(src)]
	// Upper-case digits are 0x30–0x39 (bit 0x20 set, 0x40 clear), letters
	// 0x41–0x5A (0x40 set, 0x20 clear): the AND and OR of the copied bytes
	// tell whether all are digits and whether any is a letter.
	and, or := byte(0xFF), byte(0)
	for n < len(src) {
		u := upperAlnum[src[n]]
		if u == 0 {
			break
		}
		dst[n] = u
		and &= u
		or |= u
		n++
	}
	if n == 0 {
		return 0, 0
	}
	if or&0x40 != 0 {
		kinds |= kindLetter
	}
	if and&0x40 == 0 {
		kinds |= kindDigit
	}
	return n, kinds
}

// upperAlnum maps ASCII letters and digits to their upper-case form and
// every other byte to 0.
var upperAlnum = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c], t[c+'a'-'A'] = byte(c), byte(c)
	}
	return
}()

// upperKind is upperAlnum with the byte's kind (asciiKind) in the high
// byte: the scan loop ORs them to learn a word's kinds with one operation
// a byte.
var upperKind = func() (t [256]uint16) {
	for c := range t {
		t[c] = uint16(upperAlnum[c]) | uint16(asciiKind[c])<<8
	}
	return
}()

// sepOf is how a word joins the previous one, from the separators
// counted since it: 0 when it starts a group.
func sepOf(spaces, dashes, newlines int) byte {
	switch {
	case newlines == 1 && dashes == 0 && spaces <= 8:
		return '\n'
	case newlines > 0:
	case dashes == 0 && spaces >= 1 && spaces <= 3:
		return ' '
	case dashes == 1 && spaces == 0:
		return '-'
	}
	return 0
}

// detect runs match and choose over every group.
func (sc *scanner) detect() []Candidate {
	sc.picked = sc.picked[:0]
	ws := sc.words
	for g0 := 0; g0 < len(ws); {
		g1 := g0 + 1
		digits := !ws[g0].alpha
		for g1 < len(ws) && ws[g1].sep != 0 {
			digits = digits || !ws[g1].alpha
			g1++
		}
		if !digits {
			// Every format has a digit: a group of words without one (most
			// of a text's prose) holds no number.
			g0 = g1
			continue
		}
		sc.cands = sc.cands[:0]
		// An IBAN opens with a word of letters and digits, a letter first:
		// most groups have none, and skip the look.
		for k := g0; k < g1; k++ {
			if w := &ws[k]; !w.alpha && !w.digits && isUpper(sc.norm[w.n0]) {
				sc.markIBAN(k, g1)
				break
			}
		}
		for i := g0; i < g1; i++ {
			sc.matchFrom(i, g1)
		}
		if len(sc.cands) > 0 {
			sc.choose(g0, g1)
		}
		g0 = g1
	}
	if len(sc.picked) == 0 {
		return nil
	}
	return sc.build()
}

// matchFrom tries every span of whole words starting at word i.
func (sc *scanner) matchFrom(i, g1 int) {
	ws := sc.words
	first := &ws[i]
	if first.iban {
		return
	}
	// Letters standing apart may open a number (a prefix such as TBA, JJD,
	// GFUS: 2–4 letters) or close it (an S10 country); anything longer is a
	// word of prose. A lone C or D opens an OnTrac number printed in groups.
	if n := first.n1 - first.n0; first.alpha && (n < 2 && !oneOf(sc.norm[first.n0], "CD") || n > 4) {
		return
	}
	minLen := minCompact
	if sc.opt.Demo {
		minLen = 5
	}
	digit := false
	for j := i; j < g1; j++ {
		w := &ws[j]
		if w.iban {
			return
		}
		digit = digit || !w.alpha
		if j > i {
			// Letter-only chunks inside a number (UPS "… 03G TSN NIN 3")
			// are short and follow a chunk with digits.
			if n := w.n1 - w.n0; w.alpha && (n > 4 || n > 2 && first.alpha) {
				return
			}
		}
		n := w.n1 - first.n0
		if n > maxCompact {
			return
		}
		// Shorter spans only for the demo, and for GLS Track-IDs (8
		// characters) where the text names GLS.
		if digit && (int(n) >= minLen || n >= 8 && sc.mentions(glsBit)) {
			sc.try(i, j)
		}
	}
}

// try evaluates the span of words i..j against the formats of its length
// and keeps the best verdict.
func (sc *scanner) try(i, j int) {
	ws := sc.words
	s := sc.norm[ws[i].n0:ws[j].n1]
	fs := formatsByFirst[len(s)][code36(s[0])]
	if len(fs) == 0 {
		return
	}
	allDigit, crossLine := true, false
	for k := i; k <= j; k++ {
		allDigit = allDigit && ws[k].digits
		crossLine = crossLine || k > i && ws[k].sep == '\n'
	}
	ctx := ctxNone
	if allDigit {
		if sc.continuesDigits(i, j) || oddChunks(ws[i:j+1]) {
			return
		}
		ctx = sc.contextBefore(int(ws[i].s0))
		if ctx == ctxPhone || sc.phoneShaped(i, j) {
			return
		}
	}
	// env and m live in the scanner: passed through the matchers' function
	// values they would otherwise escape to the heap on every try.
	env := &sc.env
	*env = matchEnv{ws: ws[i : j+1], orderCtx: ctx == ctxOrder, digits: allDigit}
	var best, named, first match
	bestTier, namedTier, firstTier, matched := 0, 0, 0, 0
	skip := digitsOnly // the shape no format for this span can have
	if allDigit {
		skip = hasLetter
	}
	for _, f := range fs {
		if f.shape == skip || f.demo && !sc.opt.Demo || f.named && !sc.mentions(f.bit) {
			continue
		}
		m := &sc.fm
		m.matchVerdict = matchVerdict{}
		if m.country != "" {
			m.country = "" // the strings are otherwise set only when decoding
		}
		if !f.match(s, env, m) {
			continue
		}
		if allDigit && ctx == ctxOrder && !m.order {
			continue // digits after "order #" are an order id
		}
		bit := f.bit
		if m.carrier != sameCarrier {
			bit = overrideBits[m.carrier]
		}
		tier := 2 // format-only (and order numbers)
		if m.checked {
			switch {
			case m.valid:
				tier = 3
			case f.reportInvalid, sc.namedTypo(bit, ctx):
				tier = 1
			default:
				continue
			}
		}
		if crossLine && (tier < 2 || f.weak || m.weak) {
			continue // a line break is joined only into a sound number
		}
		if m.needName && !sc.mentions(bit) {
			continue
		}
		if (f.weak || m.weak) && !sc.weakAllowed(i, j, bit, ctx) {
			continue
		}
		cur := match{i: int32(i), j: int32(j), fi: f.idx, bit: bit, v: m.matchVerdict}
		if m.country != "" {
			cur.country = 1 + uint16(m.country[0]-'A')*26 + uint16(m.country[1]-'A')
		}
		if tier > bestTier || tier == bestTier && sc.prefer(f, bit, &best) {
			best, bestTier = cur, tier
		}
		matched++
		if allDigit && tier > namedTier && (matched > 1 || sc.namesDone) && sc.mentions(bit) {
			named, namedTier = cur, tier
		}
		if matched == 1 {
			first, firstTier = cur, tier
		} else if matched == 2 && allDigit && firstTier > namedTier && sc.mentions(first.bit) {
			named, namedTier = first, firstTier // the first match, looked at only now that it has a rival
		}
	}
	if bestTier == 0 {
		return
	}
	// Digits that fit the carrier the text names, and pass an unnamed
	// carrier's check only by the one-in-ten accident of a check digit, are
	// the named carrier's ("Purolator no." + a Purolator number with two
	// digits swapped that FedEx's check happens to pass; "GLS" + 12 digits).
	if namedTier > 0 && named.fi != best.fi && !formats[best.fi].reportInvalid && !sc.mentions(best.bit) {
		best, bestTier = named, namedTier
	}
	best.orderCtx = ctx == ctxOrder
	best.score = int32(len(s)*1000 + bestTier*100 + formats[best.fi].rank)
	sc.cands = append(sc.cands, best)
}

// prefer breaks a tie between two formats that fit the same span equally
// well (both check-digit valid, or both format-only): a carrier the text
// names wins ("Purolator 3…" over FedEx, "DPD" over FedEx Ground), then the
// format rank (specificity, then how likely a shopper holds it).
func (sc *scanner) prefer(f *format, bit uint64, best *match) bool {
	if bit != best.bit {
		if nf, nb := sc.mentions(bit), sc.mentions(best.bit); nf != nb {
			return nf
		}
	}
	return f.rank > formats[best.fi].rank
}

func (m *formatMatch) carrierOr(f *format) string {
	if m.carrier != sameCarrier {
		return overrideCodes[m.carrier]
	}
	return f.carrier
}

// overrideBits are the named-set bits of the override carriers.
var overrideBits = func() (t [len(overrideCodes)]uint64) {
	for k, c := range overrideCodes {
		t[k] = carrierBit[c]
	}
	return
}()

// continuesDigits: the digit span runs on into short digit chunks on either
// side, so it is a piece of a longer number ("4111 1111 1111 1111").
func (sc *scanner) continuesDigits(i, j int) bool {
	ws := sc.words
	multi := i != j
	if ws[i].sep != 0 && i > 0 {
		if l := ws[i-1]; l.digits && l.n1-l.n0 <= 6 && (multi || ws[i].sep == '-') {
			return true
		}
	}
	if j+1 < len(ws) && ws[j+1].sep != 0 {
		if r := ws[j+1]; r.digits && r.n1-r.n0 <= 6 && (multi || r.sep == '-') {
			return true
		}
	}
	return false
}

// oddChunks: a long digit run with a 1–2 digit chunk at either end is a
// number followed or preceded by a count ("3239313884 2 boxes"), not one
// number printed in groups.
func oddChunks(ws []word) bool {
	if len(ws) < 2 {
		return false
	}
	longest := 0
	for _, w := range ws {
		longest = max(longest, int(w.n1-w.n0))
	}
	first, last := ws[0].n1-ws[0].n0, ws[len(ws)-1].n1-ws[len(ws)-1].n0
	return longest >= 8 && (first <= 2 || last <= 2)
}

// markIBAN marks the words of an IBAN in the group (ISO 13616: two
// letters, two check digits, an account number, mod 97 = 1 over the whole),
// written whole or in groups of four: its digits pass some tracking
// format's check digit one time in ten.
func (sc *scanner) markIBAN(g0, g1 int) {
	ws := sc.words
	for k := g0; k < g1; k++ {
		w := &ws[k]
		if w.alpha || w.digits || w.n1-w.n0 < 4 || !isUpper(sc.norm[w.n0]) || !isUpper(sc.norm[w.n0+1]) ||
			!isDigit(sc.norm[w.n0+2]) || !isDigit(sc.norm[w.n0+3]) {
			continue
		}
		for e := k; e < g1 && ws[e].n1-w.n0 <= 34; e++ {
			if e > k && (ws[e].sep != ' ' || ws[e].alpha) {
				break
			}
			if n := int(ws[e].n1 - w.n0); n == int(ibanLen[sc.norm[w.n0]-'A'][sc.norm[w.n0+1]-'A']) && ibanValid(sc.norm[w.n0:ws[e].n1]) {
				for x := k; x <= e; x++ {
					ws[x].iban = true
				}
				k = e
				break
			}
		}
	}
}

// ibanLen is the IBAN length of each country in the SWIFT IBAN registry,
// indexed by its two letters (0: no such country).
var ibanLen = func() (t [26][26]int8) {
	const list = "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 " +
		"DK18 DO28 EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 " +
		"IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 " +
		"MU30 NL18 NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 TL23 TN24 " +
		"TR26 UA29 VA22 VG24 XK20"
	for i := 0; i+4 <= len(list); i += 5 {
		t[list[i]-'A'][list[i+1]-'A'] = int8(list[i+2]-'0')*10 + int8(list[i+3]-'0')
	}
	return t
}()

// ibanValid is the ISO 7064 mod 97-10 check of an IBAN: the first four
// characters moved to the end, letters read as 10–35, remainder 1.
func ibanValid(s []byte) bool {
	r := 0
	add := func(c byte) {
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		}
	}
	for _, c := range s[4:] {
		add(c)
	}
	for _, c := range s[:4] {
		add(c)
	}
	return r == 1
}

// phoneShaped: digits chunked like a North American phone number, or
// opened by "+" or "(".
func (sc *scanner) phoneShaped(i, j int) bool {
	ws := sc.words
	// The character before the group's first word.
	g := i
	for g > 0 && ws[g].sep != 0 && ws[g].sep != '\n' {
		g--
	}
	if s0 := ws[g].s0; s0 > 0 {
		k := s0 - 1
		for k > 0 && sc.text[k] == ' ' {
			k--
		}
		if c := sc.text[k]; c == '+' || c == '(' || c == ')' {
			return true
		}
	}
	var lens [5]int
	n := j - i + 1
	if n > len(lens) {
		return false
	}
	for k := i; k <= j; k++ {
		lens[k-i] = int(ws[k].n1 - ws[k].n0)
	}
	switch {
	case n >= 4 && lens[0] <= 2 && lens[1] <= 2 && lens[2] <= 2 && lens[3] <= 2,
		// Pairs ("06 12 34 56 78") are how phone numbers are written;
		// no label prints a tracking number that way.
		n == 3 && lens[0] == 3 && lens[1] == 3 && lens[2] == 4,
		n == 4 && lens[0] == 1 && lens[1] == 3 && lens[2] == 3 && lens[3] == 4,
		n == 2 && lens[0] == 3 && lens[1] == 7:
		return true
	}
	return false
}

// weakAllowed: a weak format is reported only when nothing in the text
// argues against it: a bare paste, a tracking word just before, or the
// carrier named somewhere in the text.
func (sc *scanner) weakAllowed(i, j int, carrier uint64, ctx int) bool {
	if i == 0 && j == len(sc.words)-1 {
		return true
	}
	if ctx == ctxNone {
		ctx = sc.contextBefore(int(sc.words[i].s0))
	}
	if sc.mentions(carrier) {
		return true
	}
	// After a tracking word, unless the text names another carrier: "my
	// FedEx tracking number" + 12 digits is FedEx's to judge, not Purolator's.
	return ctx == ctxTrack && !sc.mentionsOther(carrier)
}

// namedTypo: a shape that is not specific on its own (digits only) with a
// failed check digit is still a typo worth flagging when the text names
// its carrier ("my FedEx number is" + 12 digits), outside order and phone
// context.
func (sc *scanner) namedTypo(carrier uint64, ctx int) bool {
	return ctx != ctxOrder && ctx != ctxPhone && sc.mentions(carrier)
}

// choose picks, inside one group, the non-overlapping matches with the
// highest total score, and appends them to picked.
func (sc *scanner) choose(g0, g1 int) {
	if len(sc.cands) == 1 {
		sc.picked = append(sc.picked, sc.cands[0]) // a lone match is the best set (scores are positive)
		return
	}
	n := g1 - g0
	if cap(sc.best) < n+1 {
		sc.best = make([]int, n+1)
		sc.from = make([]int, n+1)
	}
	best, from := sc.best[:n+1], sc.from[:n+1]
	for k := range best {
		best[k], from[k] = 0, -1
	}
	// Forward DP: cands are ordered by start word, so when position k is
	// reached best[k] is final and every match starting there relaxes the
	// position after its end. Linear in words plus matches.
	ci := 0
	for k := 0; k < n; k++ {
		if best[k] > best[k+1] {
			best[k+1], from[k+1] = best[k], -1
		}
		for ; ci < len(sc.cands) && int(sc.cands[ci].i)-g0 == k; ci++ {
			c := &sc.cands[ci]
			end := int(c.j) - g0 + 1
			if v := best[k] + int(c.score); v > best[end] {
				best[end], from[end] = v, ci
			}
		}
	}
	start := len(sc.picked)
	for k := n; k > 0; {
		ci := from[k]
		if ci < 0 {
			k--
			continue
		}
		sc.picked = append(sc.picked, sc.cands[ci])
		k = int(sc.cands[ci].i) - g0
	}
	// Reverse the group's candidates into order of appearance.
	for a, b := start, len(sc.picked)-1; a < b; a, b = a+1, b-1 {
		sc.picked[a], sc.picked[b] = sc.picked[b], sc.picked[a]
	}
}

// oneArena holds a lone candidate and its strings in one allocation: a
// bare number, the common paste, costs one allocation in all.
type oneArena struct {
	c [1]Candidate
	b [176]byte
}

// loneFits: any one candidate's strings fit a oneArena — a number (up to
// maxCompact characters and two dashes) and its URL (the longest template
// around such a number) — so a lone match's sizes need no counting.
var loneFits = func() bool {
	longest := 0
	for _, u := range urlPartsByCarrier {
		longest = max(longest, len(u.pre)+len(u.post))
	}
	return 2*(maxCompact+2)+longest <= len(oneArena{}.b)
}()

// build turns the chosen matches into Candidates. Their number and URL
// strings are laid out in one byte buffer sized up front and never
// written again, so they can be strings without a copy each.
func (sc *scanner) build() []Candidate {
	// Decode the chosen matches: their verdicts, and the strings the
	// numbers tell.
	sc.full = slices.Grow(sc.full[:0], len(sc.picked))[:len(sc.picked)]
	lone := len(sc.picked) == 1 && loneFits
	total := 0
	for k := range sc.picked {
		c, m := &sc.picked[k], &sc.full[k]
		*m = formatMatch{matchVerdict: c.v}
		if c.country != 0 {
			m.country = countryCode(byte('A'+(c.country-1)/26), byte('A'+(c.country-1)%26))
		}
		if d := formats[c.fi].decode; d != nil {
			d(sc.span(c), m)
		}
		if !lone {
			num, url := sc.sizes(c, m)
			total += num + url
		}
	}
	var out []Candidate
	var buf []byte
	if lone || len(sc.picked) == 1 && total <= len(oneArena{}.b) {
		a := new(oneArena)
		out, buf = a.c[:], a.b[:0]
	} else {
		out, buf = make([]Candidate, len(sc.picked)), make([]byte, 0, total)
	}
	for k := range sc.picked {
		buf = sc.candidate(&sc.picked[k], &sc.full[k], &out[k], buf)
	}
	return out
}

// parts of a chosen match: the compact span, and the number when it is
// not a plain slice of it.
func (sc *scanner) span(c *match) []byte {
	return sc.norm[sc.words[c.i].n0:sc.words[c.j].n1]
}

// urlOf is the tracking-page template of a match's carrier.
func urlOf(f *format, m *formatMatch) urlPart {
	if m.carrier != sameCarrier {
		return urlParts(overrideCodes[m.carrier])
	}
	return f.url
}

// sizes reports how many buffer bytes the match's number and URL take.
func (sc *scanner) sizes(c *match, m *formatMatch) (num, url int) {
	n := len(sc.span(c)) - int(m.numFrom)
	switch {
	case m.number != "":
		n = len(m.number)
	case m.order:
		num = n + 2 // two dashes
	default:
		num = n
	}
	if !m.order {
		if u := urlOf(formats[c.fi], m); u.ok {
			url = len(u.pre) + n + len(u.post) // the trackable number is no longer
		}
	}
	return num, url
}

// bufString appends b to buf (within its capacity) and returns it as a
// string sharing buf's memory; buf is never written there again.
func bufString(buf []byte, b ...string) ([]byte, string) {
	start := len(buf)
	for _, s := range b {
		buf = append(buf, s...)
	}
	return buf, sinceString(buf, start)
}

// sinceString returns buf[start:] as a string sharing buf's memory (buf
// is never written there again); the common cases of bufString, spelt out.
func sinceString(buf []byte, start int) string {
	if len(buf) == start {
		return ""
	}
	return unsafe.String(&buf[start], len(buf)-start)
}

// bytesString views b as a string without copying; for bufString, which
// copies it.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// candidate fills the public Candidate for a chosen match.
func (sc *scanner) candidate(c *match, m *formatMatch, cand *Candidate, buf []byte) []byte {
	ws := sc.words
	s := sc.span(c)
	f := formats[c.fi]
	number := m.number
	switch {
	case number != "":
	case m.order: // an Amazon order number, 3-7-7
		buf, number = bufString(buf, bytesString(s[:3]), "-", bytesString(s[3:10]), "-", bytesString(s[10:]))
	default:
		start := len(buf)
		buf = append(buf, s[m.numFrom:]...)
		number = sinceString(buf, start)
	}
	carrier := m.carrierOr(f)
	kind := KindTracking
	if m.order {
		kind = KindOrder
	}
	// Field by field into the fresh (zeroed) candidate: a whole-struct
	// copy would run the bulk write barrier while a GC is marking.
	cand.Number, cand.Carrier, cand.Valid, cand.Kind, cand.Format = number, carrier, m.valid, kind, f.name
	if m.service != "" {
		cand.Service = m.service
	}
	if m.country != "" {
		cand.Country = m.country
	}
	cand.Start, cand.End = int(ws[c.i].s0), int(ws[c.j].s1)
	if kind == KindTracking {
		if u := urlOf(f, m); u.ok {
			start := len(buf)
			buf = append(append(append(buf, u.pre...), TrackableNumber(carrier, number)...), u.post...)
			cand.URL = sinceString(buf, start)
		}
	}
	if m.checked && !m.valid {
		cand.Suggestion = suggest(f, s, &matchEnv{ws: ws[c.i : c.j+1]})
	}
	return buf
}

// suggest returns the one number, a swap of two neighbouring characters
// away, that the same format accepts as valid; "" when none or several.
func suggest(f *format, s []byte, env *matchEnv) string {
	buf := make([]byte, len(s))
	found := ""
	for k := 0; k+1 < len(s); k++ {
		if s[k] == s[k+1] {
			continue
		}
		copy(buf, s)
		buf[k], buf[k+1] = buf[k+1], buf[k]
		var m formatMatch
		if !f.match(buf, env, &m) || !m.checked || !m.valid {
			continue
		}
		if f.decode != nil {
			f.decode(buf, &m)
		}
		n := m.number
		if n == "" {
			n = string(buf[m.numFrom:])
		}
		if found != "" && found != n {
			return "" // more than one way to fix it: don't guess
		}
		found = n
	}
	return found
}
