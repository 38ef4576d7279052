package label

// The hard evaluation set: the first two sets read 100 %, so they no longer
// tell two versions of the decoder apart. This one photographs the same
// labels the way phones do on a bad day: the same perturbation families at
// higher severities, and the combinations real photos have. Its families
// were chosen from what phone photos of parcels look like, not from what
// the decoder reads; it was committed before any decoder change that
// followed it, and its seeds (evalSeedHard…) are never used for tuning.

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// evalSeedHard starts the hard set: far from the other evaluation seeds
// (1…, 7 000 001…) and from the tuning seeds (100 000…).
const evalSeedHard = 9_100_001

// hardPerturbations, each a photo a phone could take of a label.
var hardPerturbations = []string{
	"anyangle",       // held at any angle, not only near a quarter turn
	"blur+",          // further out of focus (σ ≈ 1.6–1.8 px)
	"shake",          // hand shake: motion blur 3–6 px in any direction
	"noise+",         // a darker room's sensor noise (σ 32–48)
	"dim+",           // under a dim lamp: a tenth to a sixth of the light, noisier
	"jpeg+",          // forwarded twice, the last time at quality 5–10
	"lowres+",        // a 640×480 thumbnail
	"perspective+",   // photographed at a steep angle
	"tilt+blur",      // tilted 15–45° and out of focus
	"persp+dim+jpeg", // steep, dim and re-compressed
	"noise+lowres",   // a cheap camera: 800×600 and noisy
	"small",          // the label a third of the frame, anywhere in it
	"glare",          // a lamp's reflection and light falling off across the label
	"occluded",       // a thumb over part of the tracking barcode's quiet zone
}

// evalSetHard makes n samples of every kind × hard perturbation.
func evalSetHard(tb testing.TB, base uint64, n int) []evalImage {
	return evalSetOf(tb, base, n, hardPerturbations, evalSampleHard)
}

// evalSampleHard makes one hard image. Its random stream is apart from the
// first sets' (stream 1000+…), so equal seeds draw other labels.
func evalSampleHard(tb testing.TB, kind, p string, seed uint64) evalImage {
	tb.Helper()
	ki, pi := slices.Index(labelKinds, kind), slices.Index(hardPerturbations, p)
	if ki < 0 || pi < 0 {
		tb.Fatalf("no hard sample %s/%s", kind, p)
	}
	r := rand.New(rand.NewPCG(seed, uint64(1000+ki*100+pi)))
	lab, want, sym, codes := drawLabelCodes(tb, kind, r)
	if p == "occluded" {
		thumb(lab, codes[len(codes)-1], r) // the tracking barcode is drawn last
	}
	photo, q := photographHard(lab, p, r)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photo, &jpeg.Options{Quality: q}); err != nil {
		tb.Fatal(err)
	}
	return evalImage{Kind: kind, Perturb: p, Seed: seed, Want: want, Symbology: sym, JPEG: buf.Bytes()}
}

// quarter is a random quarter turn: a phone photo comes in any orientation.
func quarter(r *rand.Rand) float64 { return float64(90 * r.IntN(4)) }

// photographHard takes the photo and says the JPEG quality it is sent at.
func photographHard(lab *image.Gray, p string, r *rand.Rand) (*image.Gray, int) {
	angle := quarter(r) + (r.Float64()*2-1)*3
	persp, fit, shift := 0.0, 0.88+r.Float64()*0.1, 20.0
	tilt := func() {
		a := 15 + r.Float64()*30
		if r.IntN(2) == 0 {
			a = -a
		}
		angle = quarter(r) + a
	}
	switch p {
	case "anyangle":
		angle = r.Float64() * 360
	case "tilt+blur":
		tilt()
	case "perspective+":
		persp = 0.0005 + r.Float64()*0.0003
	case "persp+dim+jpeg":
		persp = 0.0003 + r.Float64()*0.0002
	case "small":
		fit = 0.3 + r.Float64()*0.15
		shift = 0.45 * (1 - fit) * photoH // anywhere, yet whole
	}
	out := frame(lab, angle, persp, fit, shift*photoW/photoH, shift, r)
	q := 80 + r.IntN(15) // what phones and Telegram send
	switch p {
	case "blur+":
		for range 3 + r.IntN(2) {
			boxBlur(out, 1)
		}
	case "tilt+blur":
		for range 1 + r.IntN(2) {
			boxBlur(out, 1)
		}
	case "shake":
		out = motionBlur(out, 3+r.Float64()*3, r.Float64()*math.Pi)
	case "noise+":
		addNoise(out, 32+r.Float64()*16, r)
	case "dim+":
		dim(out, 0.1+r.Float64()*0.08, 5+r.Float64()*10, 4, r)
	case "jpeg+":
		out = recompress(out, 25)
		q = 5 + r.IntN(6)
	case "lowres+":
		out = resize(out, 640, 480)
	case "persp+dim+jpeg":
		dim(out, 0.2+r.Float64()*0.1, 10+r.Float64()*10, 3, r)
		out = recompress(out, 35)
		q = 15 + r.IntN(11)
	case "noise+lowres":
		out = resize(out, 800, 600)
		addNoise(out, 15+r.Float64()*10, r)
	case "glare":
		glare(out, r)
	}
	return out, q
}

func addNoise(g *image.Gray, sigma float64, r *rand.Rand) {
	for i := range g.Pix {
		g.Pix[i] = clamp8(float64(g.Pix[i]) + r.NormFloat64()*sigma)
	}
}

// dim scales the light by k, adds the sensor's offset and its noise.
func dim(g *image.Gray, k, off, sigma float64, r *rand.Rand) {
	for i := range g.Pix {
		g.Pix[i] = clamp8(float64(g.Pix[i])*k + off + r.NormFloat64()*sigma)
	}
}

// recompress passes g once through JPEG at quality q, as a forward does.
func recompress(g *image.Gray, q int) *image.Gray {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: q}); err != nil {
		panic(err) // encoding a Gray into memory does not fail
	}
	im, err := jpeg.Decode(&buf)
	if err != nil {
		panic(err)
	}
	return toGray(im)
}

// motionBlur averages along a line of length px at angle theta (radians).
func motionBlur(g *image.Gray, length, theta float64) *image.Gray {
	out := image.NewGray(g.Rect)
	n := int(math.Ceil(length)) + 1
	dx, dy := math.Cos(theta), math.Sin(theta)
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			s := 0.0
			for k := 0; k < n; k++ {
				t := (float64(k)/float64(n-1) - 0.5) * length
				s += bilinear(g, float64(x)+t*dx, float64(y)+t*dy)
			}
			out.Pix[y*out.Stride+x] = clamp8(s / float64(n))
		}
	}
	return out
}

// glare: light falling from full to 45–70 % across the frame in a random
// direction, and a lamp's reflection (a bright soft spot, 60–160 px) that
// washes out what is under it.
func glare(g *image.Gray, r *rand.Rand) {
	theta := r.Float64() * 2 * math.Pi
	low := 0.45 + r.Float64()*0.25
	dx, dy := math.Cos(theta), math.Sin(theta)
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	span := math.Abs(dx)*w + math.Abs(dy)*h
	sx, sy := w*(0.25+r.Float64()*0.5), h*(0.25+r.Float64()*0.5)
	rad := 60 + r.Float64()*100
	peak := 120 + r.Float64()*100
	for y := 0; y < g.Rect.Dy(); y++ {
		for x := 0; x < g.Rect.Dx(); x++ {
			t := ((float64(x)-w/2)*dx+(float64(y)-h/2)*dy)/span + 0.5 // 0…1 along the light
			v := float64(g.Pix[y*g.Stride+x]) * (1 - (1-low)*t)
			d2 := (float64(x)-sx)*(float64(x)-sx) + (float64(y)-sy)*(float64(y)-sy)
			v += peak * math.Exp(-d2/(2*rad*rad))
			g.Pix[y*g.Stride+x] = clamp8(v)
		}
	}
}

// thumb lays a thumb (skin's grey, shaded at its edge) over the quiet zone
// on one side of code, and a little into it, over 40–70 % of its height:
// a label held in the hand.
func thumb(lab *image.Gray, code image.Rectangle, r *rand.Rand) {
	w, h := 100+r.Float64()*50, float64(code.Dy())*(0.4+r.Float64()*0.3)
	cx := float64(code.Min.X) - w/2 + 6 + r.Float64()*6 // covers the left quiet zone…
	if r.IntN(2) == 0 {
		cx = float64(code.Max.X) + w/2 - 6 - r.Float64()*6 // …or the right one
	}
	cy := float64(code.Min.Y) + r.Float64()*float64(code.Dy())
	skin := 150 + r.Float64()*40
	for y := max(0, int(cy-h)); y < min(lab.Rect.Dy(), int(cy+h)); y++ {
		for x := max(0, int(cx-w)); x < min(lab.Rect.Dx(), int(cx+w)); x++ {
			ex, ey := (float64(x)-cx)/(w/2), (float64(y)-cy)/(h/2)
			d := ex*ex + ey*ey
			if d <= 1 {
				lab.Pix[y*lab.Stride+x] = clamp8(skin * (1 - 0.35*d)) // darker at its rim
			}
		}
	}
}

// BenchmarkEvalHard is the hard evaluation run (evalhard_test.go), ours
// beside a naive single pass per perturbation, and the p95 CPU per photo.
func BenchmarkEvalHard(b *testing.B) { benchEval(b, evalSeedHard, evalSetHard) }
