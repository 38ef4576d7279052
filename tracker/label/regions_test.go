package label

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
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

// A Data Matrix turned by 25°: gridAngle finds the turn, and turning the
// image back by it puts the grid on the axes again.
func TestGridAngle(t *testing.T) {
	bm, err := datamatrix.NewDataMatrixWriter().Encode("JGB 6212345678 AB123456789GB", gozxing.BarcodeFormat_DATA_MATRIX, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	const m, pad = 6, 30
	side := bm.GetWidth()*m + 2*pad
	g := image.NewGray(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			i, j := (x-pad)/m, (y-pad)/m
			v := uint8(235)
			if x >= pad && y >= pad && i < bm.GetWidth() && j < bm.GetHeight() && bm.Get(i, j) {
				v = 20
			}
			g.Pix[y*side+x] = v
		}
	}
	if a := gridAngle(g); math.Abs(a) > 0.02 {
		t.Errorf("upright code: angle %.3f", a)
	}
	turned := rotateGray(g, 25*math.Pi/180, 1)
	a := gridAngle(turned)
	if math.Abs(math.Abs(a)-25*math.Pi/180) > 0.03 {
		t.Fatalf("turned by 25°: angle %.1f°", a*180/math.Pi)
	}
	if back := gridAngle(rotateGray(turned, -a, 1)); math.Abs(back) > 0.03 {
		t.Errorf("turned back: angle %.1f°", back*180/math.Pi)
	}
}
