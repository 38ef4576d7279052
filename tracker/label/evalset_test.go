package label

// The evaluation generator: synthetic shipping labels, photographed badly.
//
// Written and committed before the decoding pipeline was tuned. Seeds below
// evalSeedBase are the evaluation set (the benchmark reports them); tuning
// used seeds from tuneSeedBase up only, so the figures are not fitted to the
// images they are measured on.

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/trackbot/trackbot/tracker"
)

const (
	evalSeedBase = 1       // evaluation seeds: evalSeedBase … evalSeedBase+n-1
	tuneSeedBase = 100_000 // tuning seeds, never reported as the evaluation figure
)

// labelKinds are the labels the generator draws; each has one tracking
// number and other barcodes (routing, postal, carrier data) around it.
var labelKinds = []string{"usps", "ups", "fedex", "amazon", "sscc", "royalmail", "qrurl", "code39", "itf"}

// perturbations, applied to a photo of the label.
var perturbations = []string{"clean", "rot90", "rot180", "rot270", "tilt", "blur", "noise", "perspective", "jpeg", "lowres", "dim"}

// sample is one evaluation image.
type evalImage struct {
	Kind, Perturb string
	Seed          uint64
	Want          string // the tracking number a reader must report
	Symbology     string // of the barcode holding it
	JPEG          []byte // the photo as a phone would send it
}

func (s evalImage) name() string { return fmt.Sprintf("%s/%s/%d", s.Kind, s.Perturb, s.Seed) }

// evalSet makes n samples of every kind × perturbation from seeds base….
func evalSet(tb testing.TB, base uint64, n int) []evalImage {
	return evalSetOf(tb, base, n, perturbations, evalSample)
}

// evalSetOf makes n samples of every kind × perturbation of perturbs.
func evalSetOf(tb testing.TB, base uint64, n int, perturbs []string, sample func(testing.TB, string, string, uint64) evalImage) []evalImage {
	tb.Helper()
	var out []evalImage
	for i := 0; i < n; i++ {
		for _, kind := range labelKinds {
			for _, p := range perturbs {
				out = append(out, sample(tb, kind, p, base+uint64(i)))
			}
		}
	}
	return out
}

// evalSample makes one image: the label kind, photographed with p.
func evalSample(tb testing.TB, kind, p string, seed uint64) evalImage {
	tb.Helper()
	ki, pi := slices.Index(labelKinds, kind), slices.Index(perturbations, p)
	if ki < 0 || pi < 0 {
		tb.Fatalf("no sample %s/%s", kind, p)
	}
	r := rand.New(rand.NewPCG(seed, uint64(ki*100+pi)))
	lab, want, sym := drawLabel(tb, kind, r)
	photo := photograph(lab, p, r)
	var buf bytes.Buffer
	q := 90
	if p == "jpeg" {
		q = 12 + r.IntN(10)
		// Re-compressed twice, as a forwarded photo is.
		var first bytes.Buffer
		if err := jpeg.Encode(&first, photo, &jpeg.Options{Quality: 35}); err != nil {
			tb.Fatal(err)
		}
		im, err := jpeg.Decode(&first)
		if err != nil {
			tb.Fatal(err)
		}
		photo = toGray(im)
	}
	if err := jpeg.Encode(&buf, photo, &jpeg.Options{Quality: q}); err != nil {
		tb.Fatal(err)
	}
	return evalImage{Kind: kind, Perturb: p, Seed: seed, Want: want, Symbology: sym, JPEG: buf.Bytes()}
}

// ---------------------------------------------------------------- numbers

// validNumber draws numbers from shape until tracker.Detect reads exactly
// that number as valid for carrier: the generator relies on the detector for
// check digits instead of re-implementing them.
func validNumber(tb testing.TB, r *rand.Rand, carrier string, shape func(*rand.Rand) string) string {
	tb.Helper()
	for i := 0; i < 400; i++ {
		n := shape(r)
		cs := tracker.Detect(n)
		if len(cs) == 1 && cs[0].Valid && cs[0].Carrier == carrier && cs[0].Number == n {
			return n
		}
	}
	tb.Fatalf("no valid %s number from the shape", carrier)
	return ""
}

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func letters(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('A' + r.IntN(26))
	}
	return string(b)
}

// ---------------------------------------------------------------- labels

const labelW, labelH = 800, 1200 // a 4×6" label at 200 dpi

type canvas struct {
	*image.Gray
	codes *[]image.Rectangle // where each barcode was drawn
}

func newCanvas() canvas {
	g := image.NewGray(image.Rect(0, 0, labelW, labelH))
	draw.Draw(g, g.Bounds(), image.NewUniform(color.Gray{Y: 255}), image.Point{}, draw.Src)
	return canvas{g, new([]image.Rectangle)}
}

func (c canvas) fill(r image.Rectangle, y uint8) {
	draw.Draw(c.Gray, r, image.NewUniform(color.Gray{Y: y}), image.Point{}, draw.Src)
}

// text writes a line in a bitmap font, scaled by an integer factor.
func (c canvas) text(x, y, scale int, s string) {
	small := image.NewGray(image.Rect(0, 0, 7*len(s)+2, 14))
	draw.Draw(small, small.Bounds(), image.White, image.Point{}, draw.Src)
	d := font.Drawer{Dst: small, Src: image.Black, Face: basicfont.Face7x13, Dot: fixed.P(1, 11)}
	d.DrawString(s)
	for sy := 0; sy < small.Bounds().Dy(); sy++ {
		for sx := 0; sx < small.Bounds().Dx(); sx++ {
			if small.GrayAt(sx, sy).Y < 128 {
				c.fill(image.Rect(x+sx*scale, y+sy*scale, x+(sx+1)*scale, y+(sy+1)*scale), 0)
			}
		}
	}
}

// paragraph writes n lines of random address-like text.
func (c canvas) paragraph(r *rand.Rand, x, y, n, scale int) {
	for i := 0; i < n; i++ {
		var words []string
		for w := 0; w < 2+r.IntN(4); w++ {
			if r.IntN(3) == 0 {
				words = append(words, digits(r, 1+r.IntN(5)))
			} else {
				words = append(words, letters(r, 2+r.IntN(7)))
			}
		}
		c.text(x, y+i*15*scale, scale, strings.Join(words, " "))
	}
}

// matrix draws a gozxing BitMatrix with each module m×m pixels (1-D codes:
// row 0 stretched to height h).
func (c canvas) matrix(bm *gozxing.BitMatrix, x, y, m, h int) image.Rectangle {
	if h > 0 {
		for i := 0; i < bm.GetWidth(); i++ {
			if bm.Get(i, 0) {
				c.fill(image.Rect(x+i*m, y, x+(i+1)*m, y+h), 0)
			}
		}
		return image.Rect(x, y, x+bm.GetWidth()*m, y+h)
	}
	for j := 0; j < bm.GetHeight(); j++ {
		for i := 0; i < bm.GetWidth(); i++ {
			if bm.Get(i, j) {
				c.fill(image.Rect(x+i*m, y+j*m, x+(i+1)*m, y+(j+1)*m), 0)
			}
		}
	}
	return image.Rect(x, y, x+bm.GetWidth()*m, y+bm.GetHeight()*m)
}

func encode(tb testing.TB, format gozxing.BarcodeFormat, contents string) *gozxing.BitMatrix {
	tb.Helper()
	hints := map[gozxing.EncodeHintType]interface{}{gozxing.EncodeHintType_MARGIN: 0}
	var w gozxing.Writer
	switch format {
	case gozxing.BarcodeFormat_CODE_128:
		w = oned.NewCode128Writer()
	case gozxing.BarcodeFormat_CODE_39:
		w = oned.NewCode39Writer()
	case gozxing.BarcodeFormat_ITF:
		w = oned.NewITFWriter()
	case gozxing.BarcodeFormat_QR_CODE:
		w = qrcode.NewQRCodeWriter()
	case gozxing.BarcodeFormat_DATA_MATRIX:
		w = datamatrix.NewDataMatrixWriter()
		hints = nil
	}
	bm, err := w.Encode(contents, format, 0, 0, hints)
	if err != nil {
		tb.Fatalf("encode %v %q: %v", format, contents, err)
	}
	return bm
}

// linear draws a 1-D code centred at cy, as wide as the label allows with
// whole modules (at most 3 px), and its human-readable line under it.
func (c canvas) linear(tb testing.TB, format gozxing.BarcodeFormat, contents, caption string, cy, h int) {
	bm := encode(tb, format, contents)
	m := min(3, (labelW-80)/bm.GetWidth())
	if m < 1 {
		tb.Fatalf("%q too long for the label", contents)
	}
	x := (labelW - bm.GetWidth()*m) / 2
	*c.codes = append(*c.codes, c.matrix(bm, x, cy-h/2, m, h))
	c.text(x, cy+h/2+6, 2, caption)
}

// square draws a 2-D code with m-pixel modules at x, y.
func (c canvas) square(tb testing.TB, format gozxing.BarcodeFormat, contents string, x, y, m int) {
	*c.codes = append(*c.codes, c.matrix(encode(tb, format, contents), x, y, m, 0))
}

const fnc1 = "\u00f1" // gozxing's Code 128 writer escape for FNC1

// drawLabel draws one label of kind and returns it with the tracking number
// it carries and the symbology that carries it.
func drawLabel(tb testing.TB, kind string, r *rand.Rand) (*image.Gray, string, string) {
	g, want, sym, _ := drawLabelCodes(tb, kind, r)
	return g, want, sym
}

// drawLabelCodes is drawLabel that also says where each barcode is.
func drawLabelCodes(tb testing.TB, kind string, r *rand.Rand) (*image.Gray, string, string, []image.Rectangle) {
	tb.Helper()
	c := newCanvas()
	// Frame, sender block, recipient block: text everywhere, as on a label.
	c.fill(image.Rect(10, 10, labelW-10, 14), 0)
	c.fill(image.Rect(10, labelH-14, labelW-10, labelH-10), 0)
	c.paragraph(r, 30, 30, 4, 1)
	c.paragraph(r, 60, 120, 3, 2)
	c.fill(image.Rect(10, 230, labelW-10, 236), 0)
	zip := digits(r, 5)
	var want, sym string
	switch kind {
	case "usps": // IMpb: one GS1-128 with 420 + ZIP, FNC1, the number
		want = validNumber(tb, r, "usps", func(r *rand.Rand) string { return "9400" + digits(r, 18) })
		c.text(30, 260, 3, "USPS TRACKING # EP")
		c.square(tb, gozxing.BarcodeFormat_DATA_MATRIX, "ZONE "+digits(r, 1)+" "+letters(r, 12), 560, 520, 5)
		c.paragraph(r, 40, 520, 5, 2)
		c.linear(tb, gozxing.BarcodeFormat_CODE_128, fnc1+"420"+zip+fnc1+want, want, 900, 170)
		sym = "code128"
	case "ups": // 1Z tracking + a 420 postal routing barcode + a 2-D block
		want = validNumber(tb, r, "ups", func(r *rand.Rand) string { return "1Z" + letters(r, 3) + digits(r, 3) + digits(r, 10) })
		c.square(tb, gozxing.BarcodeFormat_DATA_MATRIX, "[)>"+letters(r, 20)+digits(r, 10), 40, 260, 5)
		c.linear(tb, gozxing.BarcodeFormat_CODE_128, fnc1+"420"+zip, "(420) "+zip, 520, 140)
		c.linear(tb, gozxing.BarcodeFormat_CODE_128, want, "TRACKING #: "+want, 900, 180)
		sym = "code128"
	case "fedex": // 34-digit barcode with the 12-digit number inside
		var n12 string
		full := validNumber(tb, r, "fedex", func(r *rand.Rand) string {
			n12 = "7" + digits(r, 11)
			return "1" + digits(r, 14) + digits(r, 5) + "00" + n12[:11] + digits(r, 1)
		})
		want = full // tracker keeps the 34 digits as the number
		c.paragraph(r, 40, 300, 6, 2)
		c.square(tb, gozxing.BarcodeFormat_DATA_MATRIX, "FDX "+letters(r, 30)+" "+digits(r, 8), 520, 280, 5)
		c.text(40, 700, 3, "TRK# "+full[22:26]+" "+full[26:30]+" "+full[30:])
		c.linear(tb, gozxing.BarcodeFormat_CODE_128, full, "", 920, 200)
		sym = "code128"
	case "amazon":
		want = validNumber(tb, r, "amazon", func(r *rand.Rand) string { return "TBA" + digits(r, 9) + "000" })
		c.square(tb, gozxing.BarcodeFormat_QR_CODE, "AMZL "+letters(r, 4)+digits(r, 1)+" CYCLE "+digits(r, 1), 520, 270, 6)
		c.paragraph(r, 40, 300, 5, 2)
		c.linear(tb, gozxing.BarcodeFormat_CODE_128, want, want, 900, 200)
		sym = "code128"
	case "sscc": // GS1-128 SSCC (AI 00) + routing
		want = validNumber(tb, r, "fedex", func(r *rand.Rand) string { return "00" + digits(r, 16) })
		c.linear(tb, gozxing.BarcodeFormat_CODE_128, fnc1+"420"+zip, "(420) "+zip, 450, 130)
		c.paragraph(r, 40, 600, 4, 2)
		c.linear(tb, gozxing.BarcodeFormat_CODE_128, fnc1+"00"+want, "(00) "+want, 930, 190)
		sym = "code128"
	case "royalmail": // only a Data Matrix carries the number, among text
		want = validNumber(tb, r, "royal_mail", func(r *rand.Rand) string { return letters(r, 2) + digits(r, 9) + "GB" })
		c.paragraph(r, 40, 300, 8, 2)
		c.square(tb, gozxing.BarcodeFormat_DATA_MATRIX, "JGB 62"+digits(r, 10)+" "+want+" "+digits(r, 6), 80+r.IntN(300), 700, 6)
		c.text(40, 1050, 3, "TRACKED 24")
		sym = "datamatrix"
	case "qrurl": // a screenshot-like page with a QR holding a tracking URL
		want = validNumber(tb, r, "ups", func(r *rand.Rand) string { return "1Z" + letters(r, 3) + digits(r, 3) + digits(r, 10) })
		c.paragraph(r, 40, 260, 10, 2)
		c.square(tb, gozxing.BarcodeFormat_QR_CODE, "https://www.ups.com/track?loc=en_US&tracknum="+want, 220, 620, 8)
		sym = "qr"
	case "code39": // a postal S10 number in Code 39
		want = validNumber(tb, r, "s10", func(r *rand.Rand) string { return "RR" + digits(r, 9) + "DE" })
		c.paragraph(r, 40, 300, 6, 2)
		c.linear(tb, gozxing.BarcodeFormat_CODE_39, want, want, 880, 180)
		sym = "code39"
	case "itf": // a FedEx Express 12-digit number in Interleaved 2 of 5
		want = validNumber(tb, r, "fedex", func(r *rand.Rand) string { return "7" + digits(r, 11) })
		c.paragraph(r, 40, 300, 6, 2)
		c.linear(tb, gozxing.BarcodeFormat_ITF, want, want, 880, 180)
		sym = "itf"
	default:
		tb.Fatalf("unknown label kind %q", kind)
	}
	return c.Gray, want, sym, *c.codes
}

// ---------------------------------------------------------------- photos

const photoW, photoH = 1280, 960

// photograph puts the label on a table in a 1280×960 photo and applies one
// perturbation. Every photo has a little random placement and tilt, as no
// hand holds a phone straight.
func photograph(lab *image.Gray, p string, r *rand.Rand) *image.Gray {
	angle := (r.Float64()*2 - 1) * 3 // degrees
	persp := 0.0
	switch p {
	case "rot90":
		angle += 90
	case "rot180":
		angle += 180
	case "rot270":
		angle += 270
	case "tilt":
		a := 15 + r.Float64()*30
		if r.IntN(2) == 0 {
			a = -a
		}
		angle = a + float64(90*r.IntN(4))
	case "perspective":
		persp = 0.00025 + r.Float64()*0.0002
	}
	out := frame(lab, angle, persp, 0.88+r.Float64()*0.1, 20, 20, r)
	switch p {
	case "blur":
		// Out of focus: σ ≈ 1.2–1.4 px in all. (The first version blurred
		// with σ ≈ 2.4 px, which leaves under 1 % contrast in the 2–3 px
		// bars of these labels: no decoder can read that, so it measured
		// nothing.)
		boxBlur(out, 1)
		if r.IntN(2) == 0 {
			boxBlur(out, 1)
		}
	case "noise":
		sigma := 18 + r.Float64()*14
		for i := range out.Pix {
			out.Pix[i] = clamp8(float64(out.Pix[i]) + r.NormFloat64()*sigma)
		}
	case "dim":
		k := 0.22 + r.Float64()*0.1
		off := 10 + r.Float64()*15
		for i := range out.Pix {
			out.Pix[i] = clamp8(float64(out.Pix[i])*k + off + r.NormFloat64()*2)
		}
	case "lowres":
		// Sent small (a thumbnail, a cropped screenshot): 960×720.
		return resize(out, 960, 720)
	}
	return out
}

// frame photographs the label on a table: turned by angle degrees, the top
// leaning away by persp, fit times as large as the frame allows, its centre
// up to shiftX, shiftY pixels off the frame's; under a soft light falling
// off to one side, a little out of focus.
func frame(lab *image.Gray, angle, persp, fit, shiftX, shiftY float64, r *rand.Rand) *image.Gray {
	// Fit the rotated label into the frame with a margin.
	rad := angle * math.Pi / 180
	cs, sn := math.Abs(math.Cos(rad)), math.Abs(math.Sin(rad))
	bw := labelW*cs + labelH*sn
	bh := labelW*sn + labelH*cs
	scale := math.Min(photoW/bw, photoH/bh) * fit
	cx := photoW/2 + (r.Float64()*2-1)*shiftX
	cy := photoH/2 + (r.Float64()*2-1)*shiftY
	// Forward map label → photo: translate, rotate, scale, then a
	// perspective term (the top of the label further away than the bottom).
	px, py := persp*(r.Float64()*2-1), persp
	fwd := mul3(
		mat3{1, 0, cx, 0, 1, cy, 0, 0, 1},
		mat3{math.Cos(rad) * scale, -math.Sin(rad) * scale, 0, math.Sin(rad) * scale, math.Cos(rad) * scale, 0, 0, 0, 1},
		mat3{1, 0, 0, 0, 1, 0, px, py, 1},
		mat3{1, 0, -labelW / 2, 0, 1, -labelH / 2, 0, 0, 1},
	)
	inv := fwd.inverse()
	bgBase := 90 + r.Float64()*60
	gx, gy := (r.Float64()*2-1)*0.05, (r.Float64()*2-1)*0.05
	out := image.NewGray(image.Rect(0, 0, photoW, photoH))
	paper := 0.92 + r.Float64()*0.08 // white is never quite white
	for y := 0; y < photoH; y++ {
		for x := 0; x < photoW; x++ {
			X, Y, W := inv.apply(float64(x)+0.5, float64(y)+0.5)
			lx, ly := X/W, Y/W
			var v float64
			if W > 0 && lx >= 0 && ly >= 0 && lx < labelW && ly < labelH {
				v = bilinear(lab, lx-0.5, ly-0.5) * paper
			} else {
				v = bgBase + gx*float64(x) + gy*float64(y)
			}
			// Soft light falling off to one side.
			v *= 0.85 + 0.15*float64(x)/photoW
			out.Pix[y*out.Stride+x] = clamp8(v)
		}
	}
	// Every photo is a little soft.
	boxBlur(out, 1)
	return out
}

type mat3 [9]float64

func mul3(ms ...mat3) mat3 {
	out := ms[0]
	for _, m := range ms[1:] {
		var r mat3
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				for k := 0; k < 3; k++ {
					r[i*3+j] += out[i*3+k] * m[k*3+j]
				}
			}
		}
		out = r
	}
	return out
}

func (m mat3) apply(x, y float64) (float64, float64, float64) {
	return m[0]*x + m[1]*y + m[2], m[3]*x + m[4]*y + m[5], m[6]*x + m[7]*y + m[8]
}

func (m mat3) inverse() mat3 {
	a, b, c, d, e, f, g, h, i := m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]
	A, B, C := e*i-f*h, -(d*i - f*g), d*h-e*g
	det := a*A + b*B + c*C
	return mat3{
		A / det, -(b*i - c*h) / det, (b*f - c*e) / det,
		B / det, (a*i - c*g) / det, -(a*f - c*d) / det,
		C / det, -(a*h - b*g) / det, (a*e - b*d) / det,
	}
}

func bilinear(g *image.Gray, x, y float64) float64 {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(x, y int) float64 {
		w, h := g.Rect.Dx(), g.Rect.Dy()
		x, y = max(0, min(w-1, x)), max(0, min(h-1, y))
		return float64(g.Pix[y*g.Stride+x])
	}
	return at(x0, y0)*(1-fx)*(1-fy) + at(x0+1, y0)*fx*(1-fy) + at(x0, y0+1)*(1-fx)*fy + at(x0+1, y0+1)*fx*fy
}

func clamp8(v float64) uint8 {
	switch {
	case v < 0:
		return 0
	case v > 255:
		return 255
	}
	return uint8(v + 0.5)
}

// boxBlur blurs g in place with a (2r+1)² box.
func boxBlur(g *image.Gray, r int) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	tmp := make([]uint8, len(g.Pix))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s, n := 0, 0
			for k := max(0, x-r); k <= min(w-1, x+r); k++ {
				s += int(g.Pix[y*g.Stride+k])
				n++
			}
			tmp[y*g.Stride+x] = uint8(s / n)
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s, n := 0, 0
			for k := max(0, y-r); k <= min(h-1, y+r); k++ {
				s += int(tmp[k*g.Stride+x])
				n++
			}
			g.Pix[y*g.Stride+x] = uint8(s / n)
		}
	}
}

// resize scales g to w×h by area averaging (bilinear when enlarging).
func resize(g *image.Gray, w, h int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	sx, sy := float64(g.Rect.Dx())/float64(w), float64(g.Rect.Dy())/float64(h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if sx <= 1 {
				out.Pix[y*out.Stride+x] = clamp8(bilinear(g, (float64(x)+0.5)*sx-0.5, (float64(y)+0.5)*sy-0.5))
				continue
			}
			x0, x1 := int(float64(x)*sx), int(float64(x+1)*sx)
			y0, y1 := int(float64(y)*sy), int(float64(y+1)*sy)
			s, n := 0, 0
			for yy := y0; yy < max(y1, y0+1); yy++ {
				for xx := x0; xx < max(x1, x0+1); xx++ {
					s += int(g.Pix[yy*g.Stride+xx])
					n++
				}
			}
			out.Pix[y*out.Stride+x] = uint8(s / n)
		}
	}
	return out
}

func toGray(im image.Image) *image.Gray {
	if g, ok := im.(*image.Gray); ok {
		return g
	}
	b := im.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), im, b.Min, draw.Src)
	return g
}

// TestEvalLabelsCarryTheirNumber checks the generator itself: every label,
// before any photo is taken of it, holds a barcode with its number that a
// plain decoder reads, so a miss in the benchmark is the photo's fault.
func TestEvalLabelsCarryTheirNumber(t *testing.T) {
	for ki, kind := range labelKinds {
		t.Run(kind, func(t *testing.T) {
			r := rand.New(rand.NewPCG(tuneSeedBase, uint64(ki)))
			lab, want, sym, codes := drawLabelCodes(t, kind, r)
			var got []string
			for _, p := range readAllPlain(t, lab, codes) {
				for _, c := range Candidates(p.text, tracker.DetectOptions{}) {
					if c.Valid && c.Number == want && p.symbology == sym {
						return
					}
					got = append(got, p.symbology+":"+c.Number)
				}
			}
			t.Fatalf("label %s: want %s (%s) among %v", kind, want, sym, got)
		})
	}
}

type plainRead struct{ text, symbology string }

// readAllPlain decodes each barcode of a clean label from its own box.
func readAllPlain(t *testing.T, lab *image.Gray, codes []image.Rectangle) []plainRead {
	var out []plainRead
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_ASSUME_GS1: true, gozxing.DecodeHintType_TRY_HARDER: true}
	for _, r := range codes {
		r = r.Inset(-30).Intersect(lab.Rect)
		crop := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
		draw.Draw(crop, crop.Rect, lab, r.Min, draw.Src)
		bmp := bitmap(crop, gozxing.NewHybridBinarizer)
		for name, rd := range map[string]gozxing.Reader{"code128": oned.NewCode128Reader(), "code39": oned.NewCode39Reader(), "itf": oned.NewITFReader(),
			"datamatrix": datamatrix.NewDataMatrixReader(), "qr": qrcode.NewQRCodeReader()} {
			if res, err := rd.Decode(bmp, hints); err == nil {
				out = append(out, plainRead{res.GetText(), name})
			}
		}
	}
	return out
}
