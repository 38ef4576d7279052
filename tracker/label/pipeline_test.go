package label

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/makiuchi-d/gozxing"

	"github.com/trackbot/trackbot/tracker"
)

// noisy tells a grainy photo from a clean one with sharp edges and JPEG-
// like steps in it.
func TestNoisy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	clean := image.NewGray(image.Rect(0, 0, 400, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			v := uint8(200 - x/40) // a slow gradient of light
			if (x/7)%3 == 0 && y > 100 && y < 200 {
				v = 20 // bars: strong edges
			}
			clean.Pix[y*400+x] = v
		}
	}
	grainy := image.NewGray(clean.Rect)
	for i, p := range clean.Pix {
		grainy.Pix[i] = clamp8(float64(p) + r.NormFloat64()*12)
	}
	if noisy(clean) {
		t.Errorf("clean image: noise level %d", noiseLevel(clean))
	}
	if !noisy(grainy) {
		t.Errorf("σ=12 noise: noise level %d", noiseLevel(grainy))
	}
}

// What a scan keeps from its 1-D reads: a number read twice stops the scan
// and stands alone; numbers read once rank by strength (letters and a check
// digit before a run of digits); a number without a check digit of its own
// read once is dropped.
func TestScannerReads(t *testing.T) {
	ups := "1ZHQL9431587190995" // UPS, check digit
	dhl := "2403000283"         // 10 digits, DHL Express's mod 7
	tba := "TBA429535397000"    // Amazon: no check digit
	tests := []struct {
		name  string
		reads []string
		want  []string
		done  bool
	}{
		{"one read each", []string{dhl, ups}, []string{ups, dhl}, false},
		{"read twice wins", []string{dhl, ups, dhl}, []string{dhl}, true},
		{"no check digit, once", []string{tba}, nil, false},
		{"no check digit, twice", []string{tba, tba}, []string{tba}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScanner(t.Context(), tracker.DetectOptions{})
			for _, text := range tt.reads {
				s.take(gozxing.NewResult(text, nil, nil, gozxing.BarcodeFormat_CODE_128))
			}
			var got []string
			for _, f := range s.result().Found {
				if f.Valid {
					got = append(got, f.Number)
				}
			}
			if !slices.Equal(got, tt.want) || s.done() != tt.done {
				t.Errorf("kept %v (done %v), want %v (done %v)", got, s.done(), tt.want, tt.done)
			}
		})
	}
}

// stretchDim spreads a dim photo's greys over the whole range and leaves a
// well-lit one (and the caller's pixels) alone.
func TestStretchDim(t *testing.T) {
	bars := func(ink, paper uint8) *image.Gray {
		g := image.NewGray(image.Rect(0, 0, 200, 100))
		for i := range g.Pix {
			g.Pix[i] = paper
			if (i%200)/5%2 == 0 {
				g.Pix[i] = ink
			}
		}
		return g
	}
	tests := []struct {
		name           string
		ink, paper     uint8
		stretched      bool
		wantLo, wantHi uint8
	}{
		{"dim lamp", 12, 50, true, 0, 255},
		{"daylight", 20, 220, false, 20, 220},
		{"a blank page", 90, 90, false, 90, 90},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := bars(tt.ink, tt.paper)
			before := slices.Clone(g.Pix)
			out := stretchDim(g)
			if (out != g) != tt.stretched {
				t.Fatalf("stretched = %v, want %v", out != g, tt.stretched)
			}
			if !slices.Equal(g.Pix, before) {
				t.Error("the caller's image was written")
			}
			if lo, hi := slices.Min(out.Pix), slices.Max(out.Pix); lo != tt.wantLo || hi != tt.wantHi {
				t.Errorf("greys %d…%d, want %d…%d", lo, hi, tt.wantLo, tt.wantHi)
			}
		})
	}
}
