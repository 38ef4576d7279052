package ask

// speller fixes typos: a word that is not known is replaced by the closest
// dictionary word within an edit distance of 1 (words of 4–5 letters; a
// 3-letter word only by the letter it dropped: "cde" → "code") or 2 (longer
// words, same first letter). Candidates come from a symmetric-delete
// index (every dictionary word with one or two letters deleted, hashed), so a
// look-up checks a handful of words instead of the whole dictionary.
type speller struct {
	dict    []string
	counts  map[string]int
	deletes map[uint64][]int32
}

func newSpeller(dict []string, counts map[string]int) *speller {
	s := &speller{dict: dict, counts: counts, deletes: map[uint64][]int32{}}
	var buf []byte
	for i, w := range dict {
		if len(w) < 3 {
			continue // too short to correct to
		}
		buf = s.eachDelete(w, min(2, len(w)-2), buf, func(h uint64) {
			l := s.deletes[h]
			if len(l) == 0 || l[len(l)-1] != int32(i) {
				s.deletes[h] = append(l, int32(i))
			}
		})
	}
	return s
}

// maxEdits is how far a word of n bytes may be from its correction.
func maxEdits(n int) int {
	switch {
	case n >= 6:
		return 2
	case n >= 3:
		return 1
	}
	return 0
}

// eachDelete calls f with the hash of w and of every string made by
// deleting up to max bytes from it.
func (s *speller) eachDelete(w string, max int, buf []byte, f func(uint64)) []byte {
	f(hashAdd(hashStart('d'), w))
	if max == 0 {
		return buf
	}
	for i := 0; i < len(w); i++ {
		buf = append(append(buf[:0], w[:i]...), w[i+1:]...)
		f(hashBytes(hashStart('d'), buf))
		if max < 2 {
			continue
		}
		for j := i; j < len(buf); j++ {
			h := hashStart('d')
			for k := 0; k < len(buf); k++ {
				if k != j {
					h = hashByte(h, buf[k])
				}
			}
			f(h)
		}
	}
	return buf
}

// fixDist returns the dictionary word closest to w, or w itself when none
// is close enough to be a plausible typo, with the edit distance of the
// correction (0 when w is returned as it is).
func (s *speller) fixDist(w string) (string, int) {
	max := maxEdits(len(w))
	if max == 0 {
		return w, 0
	}
	best, bestD := w, max+1
	var buf [64]byte
	if len(w) > len(buf) {
		return w, 0
	}
	s.eachDelete(w, max, buf[:0], func(h uint64) {
		for _, i := range s.deletes[h] {
			v := s.dict[i]
			if abs(len(v)-len(w)) > max || len(w) == 3 && len(v) != 4 {
				continue // a 3-letter word is only ever a 4-letter one with a letter dropped
			}
			d := distance(w, v)
			if d > max || d == 2 && v[0] != w[0] {
				continue // two edits and a different first letter is another word, not a typo
			}
			// On equal distance prefer a longer word (a dropped letter is the
			// commonest typo), then the commoner one.
			if d < bestD || d == bestD && (len(v) > len(best) || len(v) == len(best) && s.counts[v] > s.counts[best]) {
				best, bestD = v, d
			}
		}
	})
	if best == w {
		return w, 0
	}
	return best, bestD
}

// distance is the optimal-string-alignment Damerau–Levenshtein distance over
// bytes: insertions, deletions, substitutions and swaps of neighbours cost 1.
// Words are short; longer inputs are simply "far".
func distance(a, b string) int {
	const n = 40
	if len(a) >= n || len(b) >= n {
		return n
	}
	var prev2, prev, cur [n]int
	for j := 0; j <= len(b); j++ {
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
