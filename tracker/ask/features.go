package ask

import (
	"math"
	"slices"
	"sync"
)

// Features of a question (the same for training and asking):
//
//   - word unigrams: each word folded (synonyms), typo-fixed against the
//     training vocabulary and stemmed;
//   - word bigrams of those terms, for order ("delivered but not here");
//   - character 3- to 5-grams of each word (lower-cased, with word-boundary
//     marks), typo-fixed like the unigrams, so an unseen inflection still
//     shares most of its n-grams with the word it stands for, and a typo
//     the speller fixes costs nothing (taken as written, a slip in a
//     7-letter word broke half of its n-grams: noisy cross-validation
//     rose 2 points with this).
//
// Each feature is a 64-bit FNV-1a hash of a group tag and its bytes, so
// taking features allocates nothing; the model keeps only hashes seen in
// training. Values are 1 (n-grams weighted by charWeight) and the vector is
// scaled to unit length, so long rambling messages and one-word ones speak
// on the same scale.

const (
	tagWord   = 'w'
	tagBigram = 'b'
	tagChar   = 'c'
	tagShape  = 's'
	minGram   = 3
	maxGram   = 5
)

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashStart(tag byte) uint64 { return (fnvOffset ^ uint64(tag)) * fnvPrime }

func hashAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

func hashBytes(h uint64, s []byte) uint64 {
	for _, c := range s {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func hashByte(h uint64, c byte) uint64 { return (h ^ uint64(c)) * fnvPrime }

// scratch is one question's working memory, pooled so that answering
// allocates little.
type scratch struct {
	words  []string
	terms  []string
	hashes []uint64
	feats  []feature
	padded []byte
	scores []float64
	acc    []float32
	order  []int
	seen   []uint32 // per feature column: gen when last taken
	gen    uint32
}

type feature struct {
	idx int32
	val float32
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// hashes puts the hashed features of question in sc.hashes; n-gram hashes
// have the top bit set, word and bigram hashes clear.
func (t *textModel) hashes(question string, sc *scratch) {
	sc.words = t.lang.words(question, sc.words[:0])
	sc.terms = sc.terms[:0]
	sc.hashes = sc.hashes[:0]
	for i, w := range sc.words {
		w, d := t.spell(w)
		g := w
		if d > 1 {
			g = sc.words[i]
		}
		sc.padded = append(append(append(sc.padded[:0], 0x02), g...), 0x03)
		for n := minGram; n <= maxGram; n++ {
			for j := 0; j+n <= len(sc.padded); j++ {
				sc.hashes = append(sc.hashes, hashBytes(hashStart(tagChar), sc.padded[j:j+n]))
			}
		}
		sc.terms = append(sc.terms, t.term(w))
	}
	nChar := len(sc.hashes)
	// How long the text is: one-word messages and rambling ones differ.
	sc.hashes = append(sc.hashes, hashByte(hashStart(tagShape), byte(min(len(sc.terms), 12)/3)))
	for i, term := range sc.terms {
		sc.hashes = append(sc.hashes, hashAdd(hashStart(tagWord), term))
		if i > 0 {
			h := hashAdd(hashStart(tagBigram), sc.terms[i-1])
			sc.hashes = append(sc.hashes, hashAdd(hashByte(h, 0), term))
		}
	}
	// Mark n-grams so weights can differ: the top bit is ours (hash values
	// lose one bit, harmless at this vocabulary size).
	for i := range nChar {
		sc.hashes[i] |= 1 << 63
	}
	for i := nChar; i < len(sc.hashes); i++ {
		sc.hashes[i] &^= 1 << 63
	}
}

// spell is the word with its typo fixed, and the edit distance of the fix:
// a word neither known nor a synonym is replaced by the closest dictionary
// word, if one is close.
func (t *textModel) spell(w string) (string, int) {
	if _, ok := t.lang.synonyms[w]; ok || t.known[w] {
		return w, 0
	}
	return t.speller.fixDist(w)
}

// term is a (spelt) word's canonical form: synonym folded and stemmed.
func (t *textModel) term(w string) string {
	if s, ok := t.lang.synonyms[w]; ok {
		w = s
	}
	if s, ok := t.stems[w]; ok {
		return s
	}
	return t.lang.stem(w)
}

// textModel turns text into features: the language plus what training
// taught about its words.
type textModel struct {
	lang       *language
	known      map[string]bool   // surface words seen in training or common
	stems      map[string]string // stem cache for known words
	speller    *speller
	index      map[uint64]int32 // feature hash → column
	charWeight float32
}

func newTextModel(lang *language, ex []example, charWeight float32) *textModel {
	t := &textModel{lang: lang, known: map[string]bool{}, stems: map[string]string{},
		index: map[uint64]int32{}, charWeight: charWeight}
	counts := map[string]int{}
	var ws []string
	for _, e := range ex {
		ws = lang.words(e.question, ws[:0])
		for _, w := range ws {
			counts[w]++
		}
	}
	for _, w := range lang.common {
		counts[w] += 2
	}
	for w := range lang.synonyms {
		counts[w] += 2
	}
	// Words seen once may be typos themselves: they are known (never
	// "corrected") but not offered as corrections.
	var dict []string
	for w, n := range counts {
		t.known[w] = true
		if n >= 2 {
			dict = append(dict, w)
		}
		s := w
		if syn, ok := lang.synonyms[w]; ok {
			s = syn
		}
		t.stems[s] = lang.stem(s)
	}
	slices.Sort(dict)
	t.speller = newSpeller(dict, counts)
	return t
}

// vector fills sc.feats with the question's known features, unit length.
func (t *textModel) vector(question string, sc *scratch) []feature {
	t.hashes(question, sc)
	return t.features(sc)
}

// features fills sc.feats with the known features of sc.hashes, unit
// length.
func (t *textModel) features(sc *scratch) []feature {
	// Presence, not counts: a generation stamp per column marks features
	// already taken, cheaper than sorting the hashes. (The index grows
	// while training: old stamps stay valid.)
	if n := len(t.index) - len(sc.seen); n > 0 {
		sc.seen = append(sc.seen, make([]uint32, n)...)
	}
	sc.gen++
	sc.feats = sc.feats[:0]
	var norm float64
	for _, h := range sc.hashes {
		idx, ok := t.index[h]
		if !ok || sc.seen[idx] == sc.gen {
			continue
		}
		sc.seen[idx] = sc.gen
		v := float32(1)
		if h&(1<<63) != 0 {
			v = t.charWeight
		}
		sc.feats = append(sc.feats, feature{idx, v})
		norm += float64(v * v)
	}
	if norm > 0 {
		inv := float32(1 / math.Sqrt(norm))
		for i := range sc.feats {
			sc.feats[i].val *= inv
		}
	}
	return sc.feats
}
