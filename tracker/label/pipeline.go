package label

import (
	"cmp"
	"context"
	"image"
	"math"
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/trackbot/trackbot/tracker"
)

// The pipeline, cheapest first, stopping at the first valid tracking number:
//
//  1. the whole image once with every reader, as a plain decoder would —
//     so a clean photo costs no more than it does there;
//  2. candidate regions found from the image's gradients (regions.go): bar
//     codes are strongly oriented texture, 2-D codes strong unoriented
//     texture. Each 1-D region is cut out along its own angle — any
//     rotation, not only 90° steps — and enlarged when its bars are thin;
//     each 2-D region is cut out square with a quiet zone, and enlarged
//     when small;
//  3. fallbacks for 2-D codes the regions missed: the other binarizer and
//     a smoothed copy of the whole image. (Whole-image turns by 90°/45°
//     and a row-by-row scan of the whole image read nothing the regions
//     had not on the tuning set, and cost the slowest photos ~20 % more.)
//
// Photos over workMax pixels on a side are scaled down first (barcodes in
// such photos are wide enough to survive it) and small images scaled up;
// a dim photo's greys are spread over the whole range (stretchDim).
const (
	workMax = 1600
	workMin = 800
)

type scanner struct {
	ctx      context.Context
	detect   tracker.DetectOptions
	found    []Found
	seen     map[string]bool
	reads    map[string]int  // decodings of each payload
	sure     map[string]bool // payloads that hold a valid number and need no second reading
	weak     map[string]bool // 1-D payloads whose number has no check digit of its own
	barcodes int
	valid    bool
}

func newScanner(ctx context.Context, opt tracker.DetectOptions) *scanner {
	return &scanner{ctx: ctx, detect: opt, seen: map[string]bool{}, reads: map[string]int{}, sure: map[string]bool{}, weak: map[string]bool{}}
}

func (s *scanner) done() bool { return s.valid || s.ctx.Err() != nil }

// result keeps the valid candidates when there are any: an invalid one
// beside them is a misread or another code's digits. Numbers read twice
// (or from a 2-D code) when there are any, else those read once; a number
// without a check digit of its own read only once from a 1-D code is left
// out (see take). Without a valid one, the invalid ones are all there is
// to tell.
func (s *scanner) result() Result {
	var sure, once, rest []Found
	for _, f := range s.found {
		switch {
		case !f.Valid:
			rest = append(rest, f)
		case s.sure[f.Payload] || s.reads[f.Payload] > 1:
			sure = append(sure, f)
		case !s.weak[f.Payload]:
			once = append(once, f)
		}
	}
	// Beside a number read twice, one read once is most likely a misread
	// of another barcode on the label: following it would follow a parcel
	// that does not exist.
	if len(sure) > 0 {
		return Result{Found: sure, Barcodes: s.barcodes}
	}
	if len(once) > 0 {
		// Read once each: the strongest first (payload.go's order: a
		// number with letters and a check digit rarely comes out of a
		// misread, a run of digits with one check digit does).
		slices.SortStableFunc(once, func(a, b Found) int {
			return cmp.Compare(strength(b.Candidate, false), strength(a.Candidate, false))
		})
		return Result{Found: once, Barcodes: s.barcodes}
	}
	return Result{Found: rest, Barcodes: s.barcodes}
}

// take records a decoded barcode and its candidates.
//
// A 1-D code's own check (Code 128: mod 103) lets about one random misread
// in a hundred through, and the pipeline makes hundreds of attempts on a
// hard photo; a tracking number's own check digit catches most of the rest
// but not all (one in ten or eleven), and some (Amazon's TBA…) have none.
// So the scan stops at a number from a 1-D code only once a second,
// independent decoding (another region, row set or variant) gives the same
// payload; one read once still counts when nothing better turns up, unless
// it has no check digit. 2-D codes carry Reed–Solomon error correction and
// need no second reading.
func (s *scanner) take(res *gozxing.Result) {
	text := res.GetText()
	if text == "" {
		return
	}
	if s.reads[text]++; s.reads[text] > 1 {
		if s.reads[text] == 2 && s.hasValid(text) {
			s.valid = true
		}
		return
	}
	sym := symbology(res.GetBarcodeFormat())
	oneD := sym == "code128" || sym == "code39" || sym == "itf"
	s.barcodes++
	for _, c := range Candidates(text, s.detect) {
		if s.seen[c.Number] {
			continue
		}
		s.seen[c.Number] = true
		s.found = append(s.found, Found{Candidate: c, Symbology: sym, Payload: text})
		if c.Valid && c.Kind == tracker.KindTracking {
			switch {
			case !oneD:
				s.sure[text] = true
				s.valid = true
			case !checked(c, s.detect):
				s.weak[text] = true
			}
		}
	}
}

// hasValid reports whether payload text gave a valid tracking number.
func (s *scanner) hasValid(text string) bool {
	for _, f := range s.found {
		if f.Payload == text && f.Valid && f.Kind == tracker.KindTracking {
			return true
		}
	}
	return false
}

// checked reports whether the number's format has a check digit: changing
// its last digit makes it invalid (or another carrier's).
func checked(c tracker.Candidate, opt tracker.DetectOptions) bool {
	b := []byte(c.Number)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] >= '0' && b[i] <= '9' {
			b[i] = '0' + (b[i]-'0'+1)%10
			for _, d := range tracker.DetectWith(string(b), opt) {
				if d.Number == string(b) && d.Valid && d.Carrier == c.Carrier {
					return false
				}
			}
			return true
		}
	}
	return false
}

func symbology(f gozxing.BarcodeFormat) string {
	switch f {
	case gozxing.BarcodeFormat_CODE_128:
		return "code128"
	case gozxing.BarcodeFormat_CODE_39:
		return "code39"
	case gozxing.BarcodeFormat_ITF:
		return "itf"
	case gozxing.BarcodeFormat_QR_CODE:
		return "qr"
	case gozxing.BarcodeFormat_DATA_MATRIX:
		return "datamatrix"
	}
	return f.String()
}

var (
	hints1D      = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_ASSUME_GS1: true}
	hints1DHard  = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_ASSUME_GS1: true, gozxing.DecodeHintType_TRY_HARDER: true}
	hints2D      = map[gozxing.DecodeHintType]interface{}{}
	hints2DHard  = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	binarizers   = []func(gozxing.LuminanceSource) gozxing.Binarizer{gozxing.NewHybridBinarizer, gozxing.NewGlobalHistgramBinarizer}
	hybrid, hist = binarizers[0], binarizers[1]
)

// readers1D are built per scan: gozxing readers keep state between calls.
func readers1D() []gozxing.Reader {
	return []gozxing.Reader{oned.NewCode128Reader(), oned.NewCode39Reader(), oned.NewITFReader()}
}

// decode1D tries the 1-D readers on g.
func (s *scanner) decode1D(g *image.Gray, bin func(gozxing.LuminanceSource) gozxing.Binarizer, hints map[gozxing.DecodeHintType]interface{}) {
	bmp := bitmap(g, bin)
	if bmp == nil {
		return
	}
	for _, rd := range readers1D() {
		if s.done() {
			return
		}
		if res, err := rd.Decode(bmp, hints); err == nil {
			s.take(res)
		}
	}
}

// decode2D tries Data Matrix then QR on g.
func (s *scanner) decode2D(g *image.Gray, bin func(gozxing.LuminanceSource) gozxing.Binarizer, hints map[gozxing.DecodeHintType]interface{}) {
	bmp := bitmap(g, bin)
	if bmp == nil {
		return
	}
	for _, rd := range []gozxing.Reader{datamatrix.NewDataMatrixReader(), qrcode.NewQRCodeReader()} {
		if s.done() {
			return
		}
		if res, err := safeDecode(rd, bmp, hints); err == nil {
			s.take(res)
		}
	}
}

// safeDecode guards against a panic inside a reader on odd input: a bad
// region must cost a miss, not the process.
func safeDecode(rd gozxing.Reader, bmp *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]interface{}) (res *gozxing.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = nil, gozxing.NewNotFoundException("panic")
		}
	}()
	return rd.Decode(bmp, hints)
}

func bitmap(g *image.Gray, bin func(gozxing.LuminanceSource) gozxing.Binarizer) *gozxing.BinaryBitmap {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 8 || h < 8 {
		return nil
	}
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.Pix, g.Stride, h, 0, 0, w, h, false)
	if err != nil {
		return nil
	}
	bmp, err := gozxing.NewBinaryBitmap(bin(src))
	if err != nil {
		return nil
	}
	return bmp
}

func (s *scanner) run(g *image.Gray) {
	g = stretchDim(fitWork(g))
	// 1. One plain pass over the whole image.
	s.decode1D(g, hybrid, hints1D)
	s.decode2D(g, hybrid, hints2D)
	if s.done() {
		return
	}
	// 2. Candidate regions, breadth first: the cheap try on every region
	// before the costly ones on any, so the usual photo ends early. In a
	// noisy photo every block has strong gradients and the regions merge
	// into one: they are found on a smoothed copy instead (the cut-outs
	// still come from g: the smoothing would blur thin bars).
	rg := g
	if noisy(g) {
		rg = blurGray(g, 1)
	}
	lines, squares := findRegions(rg)
	lines, squares = lines[:min(len(lines), maxLines)], squares[:min(len(squares), maxSquares)]
	cuts := make([][]*image.Gray, len(lines)) // per line, per scale (smoothed)
	scales := make([][]float64, len(lines))
	runs := make([]float64, len(lines)) // mean run length, scale 1
	cut := func(i, j int) *image.Gray {
		if cuts[i] == nil {
			runs[i] = lines[i].meanRun(g)
			scales[i] = []float64{1, 2}
			if runs[i] < 4 {
				scales[i] = []float64{2, 1} // thin bars
			}
			cuts[i] = make([]*image.Gray, len(scales[i]))
		}
		if j >= len(scales[i]) {
			return nil
		}
		if cuts[i][j] == nil {
			cuts[i][j] = smoothBars(lines[i].cut(g, scales[i][j]), 3)
		}
		return cuts[i][j]
	}
	eachLine := func(j int, try func(crop *image.Gray, k, run float64)) {
		for i := range lines {
			if s.done() {
				return
			}
			if c := cut(i, j); c != nil {
				try(c, scales[i][j], runs[i])
			}
		}
	}
	// eachAt is eachLine at scale k, whichever index it has.
	eachAt := func(k float64, try func(crop *image.Gray, k, run float64)) {
		for i := range lines {
			if s.done() {
				return
			}
			cut(i, 0)
			if j := slices.Index(scales[i], k); j >= 0 {
				try(cut(i, j), k, runs[i])
			}
		}
	}
	// A few rows spread over each cut-out, at its preferred scale.
	eachLine(0, func(c *image.Gray, _, _ float64) { s.decode1D(c, hybrid, hints1D) })
	for _, sq := range squares {
		if s.done() {
			return
		}
		s.decode2D(sq.cut(g, 1), hybrid, hints2D)
	}
	// Every row enlarged, sharpened across the bars and cut at the middle
	// of each row's local extremes: blur, perspective and small codes leave
	// one-module spaces as grey bumps between bars that a row-wide or
	// local-mean threshold loses (envelopeBars). The strongest remedy on
	// the tuning set, so it comes before the plain ones.
	eachAt(2, func(c *image.Gray, k, run float64) {
		s.decode1D(envelopeBars(sharpenBars(c, int(3*k), 1.5), int(3*run*k)), hybrid, hints1DHard)
	})
	eachAt(2, func(c *image.Gray, k, run float64) {
		s.decode1D(envelopeBars(sharpenBars(c, int(2*k), 3), int(3*run*k)), hybrid, hints1DHard)
	})
	// Every row, as it is, at both scales.
	for j := 0; j < 2; j++ {
		eachLine(j, func(c *image.Gray, _, _ float64) { s.decode1D(c, hybrid, hints1DHard) })
	}
	for _, sq := range squares {
		if s.done() {
			return
		}
		s.scanSquare(g, sq)
	}
	// The older remedies, rarely needed since: the envelope at scale 1,
	// sharpening and local-mean thresholds left to the decoder, and noise
	// averaged over more rows.
	eachAt(1, func(c *image.Gray, k, run float64) {
		s.decode1D(envelopeBars(sharpenBars(c, int(3*k), 1.5), int(3*run*k)), hybrid, hints1DHard)
	})
	for j := 0; j < 2; j++ {
		eachLine(j, func(c *image.Gray, k, _ float64) { s.decode1D(sharpenBars(c, int(3*k), 1.5), hybrid, hints1DHard) })
		eachLine(j, func(c *image.Gray, k, _ float64) { s.decode1D(thresholdBars(c, int(4*k)), hybrid, hints1DHard) })
		eachLine(j, func(c *image.Gray, k, _ float64) { s.decode1D(sharpenBars(c, int(2*k), 3), hybrid, hints1DHard) })
		eachLine(j, func(c *image.Gray, k, _ float64) {
			s.decode1D(thresholdBars(smoothBars(c, 10), int(4*k)), hybrid, hints1DHard)
		})
	}
	// Heavier blur: sharpened twice before the envelope.
	eachAt(2, func(c *image.Gray, k, run float64) {
		sh := sharpenBars(sharpenBars(c, int(2*k), 3), int(2*k), 3)
		s.decode1D(envelopeBars(sh, int(3*run*k)), hybrid, hints1DHard)
	})
	if s.done() {
		return
	}
	// 3. Fallbacks over the whole image.
	s.decode2D(g, hist, hints2DHard)
	if !s.done() {
		s.decode2D(blurGray(g, 1), hybrid, hints2D)
	}
}

// scanSquare retries a 2-D candidate: enlarged when small, the other
// binarizer, and smoothed against noise.
func (s *scanner) scanSquare(g *image.Gray, r square) {
	crop := r.cut(g, 1)
	if k := r.upscale(); k > 1 {
		crop = r.cut(g, k)
		s.decode2D(crop, hybrid, hints2D)
	}
	if !s.done() {
		s.decode2D(crop, hist, hints2D)
	}
	if a := gridAngle(r.cut(g, 1)); !s.done() && math.Abs(a) > 5*math.Pi/180 {
		// Turned by 15–45°, a small code's finder edges become staircases
		// the detector does not follow: turn it back onto the axes.
		s.decode2D(rotateGray(r.cut(g, 1), -a, max(r.upscale(), 1.5)), hybrid, hints2D)
	}
	if !s.done() {
		// Noise flips single pixels of a module: smooth them away first,
		// at the photo's own scale (smoothing after enlarging averages
		// too few of the original pixels).
		sm := blurGray(r.cut(g, 1), 1)
		if k := r.upscale(); k > 1 {
			sm = scaleGray(sm, int(float64(sm.Rect.Dx())*k), int(float64(sm.Rect.Dy())*k))
		}
		s.decode2D(sm, hybrid, hints2D)
	}
}

// noiseMin is the median pixel-to-neighbours difference above which a
// photo counts as noisy. A sharp photo's paper and background are smooth
// (a median of 0–2 even in JPEG); sensor noise of σ ≈ 10 gives about 8.
const noiseMin = 5

// noisy tells from an estimate of the noise from every fourth row: the median absolute
// difference between a pixel and the mean of its left and right
// neighbours, which edges (a minority of pixels) do not move.
func noisy(g *image.Gray) bool { return noiseLevel(g) >= noiseMin }

// noiseLevel is that median.
func noiseLevel(g *image.Gray) int {
	var hist [256]int
	n := 0
	w, h := g.Rect.Dx(), g.Rect.Dy()
	for y := 2; y < h-2; y += 4 {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		for x := 1; x < w-1; x += 2 {
			d := 2*int(row[x]) - int(row[x-1]) - int(row[x+1])
			if d < 0 {
				d = -d
			}
			hist[min(255, d/2)]++
			n++
		}
	}
	half := n / 2
	for v, c := range hist {
		if half -= c; half < 0 {
			return v
		}
	}
	return 0
}

// fitWork scales g into the working size range.
func fitWork(g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	side := max(w, h)
	switch {
	case side > workMax:
		k := float64(workMax) / float64(side)
		return scaleGray(g, int(float64(w)*k), int(float64(h)*k))
	case side < workMin && side > 0:
		k := math.Min(2, float64(workMin)/float64(side))
		return scaleGray(g, int(float64(w)*k), int(float64(h)*k))
	}
	return g
}

// dimRange is the spread of grey (1st to 99th percentile) under which a
// photo counts as taken in dim light.
const dimRange = 96

// stretchDim spreads a dim photo's greys over the whole range: under a
// dim lamp paper and ink lie some 40 levels apart, below the local
// contrast gozxing's binarizer takes for a flat patch (24) once blur and
// JPEG have taken their share. A photo with light enough is returned as
// it is (g may be the caller's image: it is never written).
func stretchDim(g *image.Gray) *image.Gray {
	var hist [256]int
	for _, v := range g.Pix {
		hist[v]++
	}
	n := len(g.Pix)
	lo, hi, c := -1, -1, 0
	for v, k := range hist {
		c += k
		if lo < 0 && c > n/100 {
			lo = v
		}
		if hi < 0 && c >= n-n/100 {
			hi = v
		}
	}
	if hi-lo >= dimRange || hi <= lo {
		return g
	}
	var lut [256]uint8
	for v := range lut {
		lut[v] = uint8(max(0, min(255, (v-lo)*255/(hi-lo))))
	}
	out := image.NewGray(g.Rect)
	for i, v := range g.Pix {
		out.Pix[i] = lut[v]
	}
	return out
}
