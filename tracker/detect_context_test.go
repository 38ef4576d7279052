package tracker

import (
	"strings"
	"testing"
)

// widerContextScan is widerContext as first written: every byte up to 12
// before the word found, every context word starting there.
func widerContextScan(window string, at, ctx int) int {
	for b := at - 1; b >= max(at-12, 0); b-- {
		for _, k := range contextByFirst[lowerASCII(window[b])] {
			if cw := &contextWords[k]; b+len(cw.word) > at && hasFoldAt(window, b, cw.word) {
				return cw.ctx
			}
		}
	}
	return ctx
}

func TestWiderContextAsScan(t *testing.T) {
	// widerContext tries only the words that can overlap the one found;
	// on windows glued from context words and their pieces it decides as
	// the byte-by-byte scan does.
	g := newGen(5)
	pieces := []string{" ", "号", "no ", "#", "ZIP", "Postal", "código ", "code ", "x"}
	for _, cw := range contextWords {
		pieces = append(pieces, cw.word, strings.ToUpper(cw.word), cw.word[:len(cw.word)/2], cw.word[len(cw.word)/2:])
	}
	wider := 0
	for range 200000 {
		var b strings.Builder
		for range 1 + g.r.IntN(5) {
			b.WriteString(pieces[g.r.IntN(len(pieces))])
		}
		w := b.String()
		for at := 0; at < len(w); at++ {
			if at > 0 && isASCIILetter(w[at-1]) {
				continue // nearestContext looks at whole-word starts only
			}
			for _, k := range contextByFirst[lowerASCII(w[at])] {
				cw := contextWords[k]
				if !hasFoldAt(w, at, cw.word) {
					continue
				}
				got, want := widerContext(w, at, cw.ctx, k), widerContextScan(w, at, cw.ctx)
				if got != want {
					t.Fatalf("widerContext(%q, %d, %q) = %d, the scan says %d", w, at, cw.word, got, want)
				}
				if want != cw.ctx {
					wider++
				}
			}
		}
	}
	if wider == 0 {
		t.Error("no window had a wider context word: the test tests nothing")
	}
}
