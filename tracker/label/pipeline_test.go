package label

import (
	"image"
	"math/rand/v2"
	"testing"
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
