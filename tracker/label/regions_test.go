package label

import (
	"image"
	"math/rand/v2"
	"testing"
)

// runMinMax against the plain definition, on random rows and radii.
func TestRunMinMax(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 200; n++ {
		w, rad := 1+r.IntN(60), r.IntN(12)
		row := make([]uint8, w)
		for i := range row {
			row[i] = uint8(r.IntN(256))
		}
		lo, hi := make([]uint8, w), make([]uint8, w)
		runMinMax(row, rad, lo, hi)
		for x := range row {
			a, b := uint8(255), uint8(0)
			for _, p := range row[max(0, x-rad):min(w, x+rad+1)] {
				a, b = min(a, p), max(b, p)
			}
			if lo[x] != a || hi[x] != b {
				t.Fatalf("w=%d r=%d x=%d: got %d..%d, want %d..%d", w, rad, x, lo[x], hi[x], a, b)
			}
		}
	}
}

// A blurred one-module space between two wide bars is a grey bump that
// never reaches the paper's level; the envelope still calls it white, and
// the wide bars and the paper keep their colours.
func TestEnvelopeBars(t *testing.T) {
	row := []uint8{
		220, 220, 220, 220, 220, 220, 220, 220, // paper
		120, 40, 10, 10, 10, 10, 10, 40, // a wide bar
		90, 105, 90, // a thin space, left darker than the row's mid-level
		40, 10, 10, 10, 10, 10, 10, 40, 120, // another wide bar
		220, 220, 220, 220, 220, 220, 220, 220,
	}
	g := image.NewGray(image.Rect(0, 0, len(row), 2))
	copy(g.Pix, row)
	copy(g.Pix[len(row):], row)
	got := envelopeBars(g, 6).Pix[:len(row)]
	for x, want := range []struct {
		at    int
		white bool
	}{{0, true}, {7, true}, {11, false}, {17, true}, {22, false}, {len(row) - 1, true}} {
		if white := got[want.at] == 255; white != want.white {
			t.Errorf("case %d: pixel %d (%d) white=%v, want %v; row %v", x, want.at, row[want.at], white, want.white, got)
		}
	}
}
