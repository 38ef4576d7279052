package label

import (
	"image"
	"math"
	"slices"
)

// Regions are found from the structure tensor of the image gradient, per
// block: a 1-D barcode is a patch of strong gradients all along one
// direction (high coherence), a Data Matrix or QR code a patch of strong
// gradients in every direction. Text is strong too, but in short runs of
// mixed direction, and a decoder rejects the few text regions that pass.
const (
	block      = 16   // block side, pixels
	minCoh1D   = 0.70 // coherence of a 1-D block
	maxAngle   = 0.30 // radians between neighbouring blocks of one 1-D code
	maxLines   = 8    // 1-D regions decoded, largest first
	maxSquares = 6    // 2-D regions decoded
	maxCut     = 2400 // longest cut-out side, pixels
)

type blockStat struct {
	jxx, jyy, jxy float64
	energy, coh   float64
	angle         float64 // gradient direction, [0, π)
}

// line is a 1-D candidate: a centre, the direction across its bars (u) and
// its extent along u and along the bars.
type line struct {
	cx, cy     float64
	ux, uy     float64
	half, tall float64 // half-length along u, half-height along the bars
	blocks     int
}

// square is a 2-D candidate: a bounding box.
type square struct {
	r      image.Rectangle
	blocks int
}

func findRegions(g *image.Gray) ([]line, []square) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	bw, bh := w/block, h/block
	if bw < 2 || bh < 2 {
		return nil, nil
	}
	st := make([]blockStat, bw*bh)
	energies := make([]float64, 0, len(st))
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			var jxx, jyy, jxy float64
			for y := by * block; y < (by+1)*block; y++ {
				if y == 0 || y == h-1 {
					continue
				}
				row := g.Pix[y*g.Stride:]
				up, down := g.Pix[(y-1)*g.Stride:], g.Pix[(y+1)*g.Stride:]
				for x := max(bx*block, 1); x < min((bx+1)*block, w-1); x++ {
					gx := float64(int(row[x+1]) - int(row[x-1]))
					gy := float64(int(down[x]) - int(up[x]))
					jxx += gx * gx
					jyy += gy * gy
					jxy += gx * gy
				}
			}
			b := &st[by*bw+bx]
			b.jxx, b.jyy, b.jxy = jxx, jyy, jxy
			b.energy = (jxx + jyy) / (block * block)
			if e := jxx + jyy; e > 0 {
				b.coh = math.Sqrt((jxx-jyy)*(jxx-jyy)+4*jxy*jxy) / e
			}
			b.angle = math.Mod(0.5*math.Atan2(2*jxy, jxx-jyy)+math.Pi, math.Pi)
			energies = append(energies, b.energy)
		}
	}
	// Strong is relative to the photo: a dim photo has weak edges everywhere.
	slices.Sort(energies)
	ref := energies[len(energies)*97/100]
	thr := math.Max(40, ref*0.12)
	strong := func(i int) bool { return st[i].energy >= thr }

	// 1-D: coherent blocks joined with neighbours of a similar angle.
	label := make([]int, len(st))
	var lines []line
	next := 0
	for i := range st {
		if label[i] != 0 || !strong(i) || st[i].coh < minCoh1D {
			continue
		}
		next++
		comp := flood(i, bw, bh, label, next, func(a, b int) bool {
			return strong(b) && st[b].coh >= minCoh1D && angleDiff(st[a].angle, st[b].angle) < maxAngle
		})
		if len(comp) < 3 {
			continue
		}
		if l, ok := makeLine(comp, st, bw); ok {
			lines = append(lines, l)
		}
	}
	slices.SortFunc(lines, func(a, b line) int { return b.blocks - a.blocks })

	// 2-D: strong blocks that are not part of a 1-D region.
	label2 := make([]int, len(st))
	var squares []square
	next = 0
	is2D := func(i int) bool { return strong(i) && (label[i] == 0 || st[i].coh < minCoh1D) }
	for i := range st {
		if label2[i] != 0 || !is2D(i) {
			continue
		}
		next++
		comp := flood(i, bw, bh, label2, next, func(_, b int) bool { return is2D(b) })
		if len(comp) < 4 {
			continue
		}
		r := image.Rectangle{Min: image.Pt(math.MaxInt, math.MaxInt)}
		for _, c := range comp {
			x, y := c%bw, c/bw
			r.Min.X, r.Min.Y = min(r.Min.X, x), min(r.Min.Y, y)
			r.Max.X, r.Max.Y = max(r.Max.X, x+1), max(r.Max.Y, y+1)
		}
		dx, dy := r.Dx(), r.Dy()
		if max(dx, dy) > 3*min(dx, dy) || len(comp)*5 < dx*dy*2 {
			continue // a line of text or a sparse scatter, not a code
		}
		squares = append(squares, square{r: image.Rect(r.Min.X*block, r.Min.Y*block, r.Max.X*block, r.Max.Y*block), blocks: len(comp)})
	}
	slices.SortFunc(squares, func(a, b square) int { return b.blocks - a.blocks })
	return lines, squares
}

// flood labels the 8-connected component of start and returns its blocks.
func flood(start, bw, bh int, label []int, id int, join func(a, b int) bool) []int {
	label[start] = id
	comp := []int{start}
	for k := 0; k < len(comp); k++ {
		a := comp[k]
		ax, ay := a%bw, a/bw
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				x, y := ax+dx, ay+dy
				if x < 0 || y < 0 || x >= bw || y >= bh {
					continue
				}
				b := y*bw + x
				if label[b] == 0 && join(a, b) {
					label[b] = id
					comp = append(comp, b)
				}
			}
		}
	}
	return comp
}

func angleDiff(a, b float64) float64 {
	d := math.Abs(a - b)
	return math.Min(d, math.Pi-d)
}

// makeLine measures a 1-D component along its mean gradient direction.
func makeLine(comp []int, st []blockStat, bw int) (line, bool) {
	var jxx, jyy, jxy, sx, sy float64
	for _, c := range comp {
		jxx, jyy, jxy = jxx+st[c].jxx, jyy+st[c].jyy, jxy+st[c].jxy
		sx += float64(c%bw)*block + block/2
		sy += float64(c/bw)*block + block/2
	}
	a := 0.5 * math.Atan2(2*jxy, jxx-jyy)
	ux, uy := math.Cos(a), math.Sin(a)
	cx, cy := sx/float64(len(comp)), sy/float64(len(comp))
	var umin, umax, vmin, vmax float64
	for _, c := range comp {
		px := float64(c%bw)*block + block/2 - cx
		py := float64(c/bw)*block + block/2 - cy
		u, v := px*ux+py*uy, -px*uy+py*ux
		umin, umax = math.Min(umin, u), math.Max(umax, u)
		vmin, vmax = math.Min(vmin, v), math.Max(vmax, v)
	}
	// Re-centre, and pad along u for the edge blocks and the quiet zone.
	mu, mv := (umin+umax)/2, (vmin+vmax)/2
	cx, cy = cx+mu*ux-mv*uy, cy+mu*uy+mv*ux
	half := (umax-umin)/2 + 2*block
	tall := (vmax-vmin)/2 + block/2
	if (umax-umin)/block < 2 {
		return line{}, false // too short across the bars to be a code
	}
	return line{cx: cx, cy: cy, ux: ux, uy: uy, half: half, tall: tall, blocks: len(comp)}, true
}

// cut samples the region at scale k with its bars upright: a band through
// the middle, at most 160 rows tall at scale 1: under perspective or
// with the printed digits below it, some rows read better than others.
func (l line) cut(g *image.Gray, k float64) *image.Gray {
	tall := math.Min(l.tall, 80)
	w := int(math.Min(2*l.half*k, maxCut))
	h := max(int(2*tall*k), 8)
	out := image.NewGray(image.Rect(0, 0, w, h))
	vx, vy := -l.uy, l.ux
	for j := 0; j < h; j++ {
		v := (float64(j)+0.5)/k - tall
		for i := 0; i < w; i++ {
			u := (float64(i)+0.5)/k - l.half
			out.Pix[j*w+i] = bilerp(g, l.cx+u*l.ux+v*vx, l.cy+u*l.uy+v*vy)
		}
	}
	return out
}

// cut returns the square's box with a quiet zone, scaled by k.
func (s square) cut(g *image.Gray, k float64) *image.Gray {
	pad := max(block, s.r.Dx()/4)
	r := s.r.Inset(-pad).Intersect(g.Rect)
	w, h := int(float64(r.Dx())*k), int(float64(r.Dy())*k)
	if k == 1 {
		out := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			copy(out.Pix[y*w:(y+1)*w], g.Pix[(r.Min.Y+y)*g.Stride+r.Min.X:])
		}
		return out
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Pix[y*w+x] = bilerp(g, float64(r.Min.X)+(float64(x)+0.5)/k, float64(r.Min.Y)+(float64(y)+0.5)/k)
		}
	}
	return out
}

// upscale: small codes are enlarged so a module spans a few pixels.
func (s square) upscale() float64 {
	if side := max(s.r.Dx(), s.r.Dy()); side < 200 {
		return 2
	}
	return 1
}

// bilerp reads g at a fractional position, bilinear, white outside.
func bilerp(g *image.Gray, x, y float64) uint8 {
	x, y = x-0.5, y-0.5
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if x0 < 0 || y0 < 0 || x0+1 >= w || y0+1 >= h {
		if x0 < -1 || y0 < -1 || x0 >= w || y0 >= h {
			return 255
		}
		x0, y0 = max(0, min(w-2, x0)), max(0, min(h-2, y0))
	}
	fx, fy := x-float64(x0), y-float64(y0)
	fx, fy = math.Max(0, math.Min(1, fx)), math.Max(0, math.Min(1, fy))
	p := g.Pix[y0*g.Stride+x0:]
	q := g.Pix[(y0+1)*g.Stride+x0:]
	v := float64(p[0])*(1-fx)*(1-fy) + float64(p[1])*fx*(1-fy) + float64(q[0])*(1-fx)*fy + float64(q[1])*fx*fy
	return uint8(v + 0.5)
}

// scaleGray resizes g: area average when shrinking, bilinear when growing.
func scaleGray(g *image.Gray, w, h int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	sx, sy := float64(g.Rect.Dx())/float64(w), float64(g.Rect.Dy())/float64(h)
	if sx <= 1 && sy <= 1 {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[y*w+x] = bilerp(g, (float64(x)+0.5)*sx, (float64(y)+0.5)*sy)
			}
		}
		return out
	}
	for y := 0; y < h; y++ {
		y0, y1 := int(float64(y)*sy), max(int(float64(y+1)*sy), int(float64(y)*sy)+1)
		for x := 0; x < w; x++ {
			x0, x1 := int(float64(x)*sx), max(int(float64(x+1)*sx), int(float64(x)*sx)+1)
			s, n := 0, 0
			for yy := y0; yy < min(y1, g.Rect.Dy()); yy++ {
				row := g.Pix[yy*g.Stride:]
				for xx := x0; xx < min(x1, g.Rect.Dx()); xx++ {
					s += int(row[xx])
					n++
				}
			}
			if n > 0 {
				out.Pix[y*w+x] = uint8(s / n)
			}
		}
	}
	return out
}

// smoothBars averages each pixel with the ±r rows around it. The cut-out
// has its bars upright, so this removes noise and JPEG blocks without
// blurring a single bar.
func smoothBars(g *image.Gray, r int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(g.Rect)
	for y := 0; y < h; y++ {
		y0, y1 := max(0, y-r), min(h-1, y+r)
		for x := 0; x < w; x++ {
			s := 0
			for yy := y0; yy <= y1; yy++ {
				s += int(g.Pix[yy*w+x])
			}
			out.Pix[y*w+x] = uint8(s / (y1 - y0 + 1))
		}
	}
	return out
}

// sharpenBars is an unsharp mask across the bars: thin bars that blur left
// grey get their contrast back before the row threshold.
func sharpenBars(g *image.Gray, r int, amount float64) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(g.Rect)
	for y := 0; y < h; y++ {
		row := g.Pix[y*w : (y+1)*w]
		for x := 0; x < w; x++ {
			s, n := 0, 0
			for xx := max(0, x-r); xx <= min(w-1, x+r); xx++ {
				s += int(row[xx])
				n++
			}
			v := float64(row[x]) + amount*(float64(row[x])-float64(s)/float64(n))
			out.Pix[y*w+x] = uint8(math.Max(0, math.Min(255, v)))
		}
	}
	return out
}

// thresholdBars binarises each row against its local mean over ±r pixels:
// a row-wide threshold loses thin bars next to wide ones.
func thresholdBars(g *image.Gray, r int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(g.Rect)
	for y := 0; y < h; y++ {
		row := g.Pix[y*w : (y+1)*w]
		lo, hi := 255, 0
		for _, p := range row {
			lo, hi = min(lo, int(p)), max(hi, int(p))
		}
		floor := (hi - lo) / 8 // flat paper stays white
		s := 0
		for xx := 0; xx <= min(w-1, r); xx++ {
			s += int(row[xx])
		}
		for x := 0; x < w; x++ {
			n := min(w-1, x+r) - max(0, x-r) + 1
			mean := s / n
			v := uint8(255)
			if int(row[x]) < mean-1 && int(row[x]) < hi-floor {
				v = 0
			}
			out.Pix[y*w+x] = v
			if x+r+1 < w {
				s += int(row[x+r+1])
			}
			if x-r >= 0 {
				s -= int(row[x-r])
			}
		}
	}
	return out
}

// blurGray returns g smoothed with a (2r+1)² box.
func blurGray(g *image.Gray, r int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	tmp := make([]int32, w*h)
	for y := 0; y < h; y++ {
		row := g.Pix[y*g.Stride:]
		for x := 0; x < w; x++ {
			s := int32(0)
			for xx := max(0, x-r); xx <= min(w-1, x+r); xx++ {
				s += int32(row[xx])
			}
			tmp[y*w+x] = s / int32(min(w-1, x+r)-max(0, x-r)+1)
		}
	}
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		y0, y1 := max(0, y-r), min(h-1, y+r)
		for x := 0; x < w; x++ {
			s := int32(0)
			for yy := y0; yy <= y1; yy++ {
				s += tmp[yy*w+x]
			}
			out.Pix[y*w+x] = uint8(s / int32(y1-y0+1))
		}
	}
	return out
}

// meanRun is the mean length of the light and dark runs along the line's
// centre, in pixels at scale 1: about two modules of the code.
func (l line) meanRun(g *image.Gray) float64 {
	n := int(2 * l.half)
	if n < 8 {
		return 1
	}
	row := make([]uint8, n)
	var lo, hi uint8 = 255, 0
	for i := range row {
		u := float64(i) - l.half
		row[i] = bilerp(g, l.cx+u*l.ux, l.cy+u*l.uy)
		lo, hi = min(lo, row[i]), max(hi, row[i])
	}
	mid := (int(lo) + int(hi)) / 2
	runs := 1
	for i := 1; i < n; i++ {
		if (int(row[i]) < mid) != (int(row[i-1]) < mid) {
			runs++
		}
	}
	return float64(n) / float64(runs)
}

// envelopeBars binarises each row at the middle between its local minimum
// and maximum over ±r pixels. Blur and a small scale leave a one-module
// space as a grey bump that a row-wide threshold (or a local mean, pulled
// down by the wide bars around it) puts among the bars; its own
// neighbourhood's extremes still bracket it. r must reach past half the
// widest bar so its middle sees paper.
func envelopeBars(g *image.Gray, r int) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(g.Rect)
	lo := make([]uint8, w)
	hi := make([]uint8, w)
	var mm minMax
	for y := 0; y < h; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		rlo, rhi := uint8(255), uint8(0)
		for _, p := range row {
			rlo, rhi = min(rlo, p), max(rhi, p)
		}
		mm.run(row, r, lo, hi)
		floor := int(rhi-rlo) / 4 // flat paper or flat ink stays as it is
		for x, p := range row {
			v := uint8(255)
			span := int(hi[x]) - int(lo[x])
			mid := (int(hi[x]) + int(lo[x])) / 2
			if span < floor {
				mid = (int(rhi) + int(rlo)) / 2
			}
			if int(p) < mid {
				v = 0
			}
			out.Pix[y*w+x] = v
		}
	}
	return out
}

// runMinMax fills lo and hi with the minimum and maximum of row over ±r
// (van Herk / Gil–Werman: blocks of the window's size, running extremes
// from each block's start and end, so a few comparisons a pixel whatever r).
func runMinMax(row []uint8, r int, lo, hi []uint8) {
	var m minMax
	m.run(row, r, lo, hi)
}

// minMax is runMinMax's scratch space, kept between the rows of an image.
type minMax struct{ buf []uint8 }

func (m *minMax) run(row []uint8, r int, lo, hi []uint8) {
	w, k := len(row), 2*r+1
	n := w + 2*r
	if cap(m.buf) < 5*n {
		m.buf = make([]uint8, 5*n)
	}
	b := m.buf[:5*n]
	pad := b[:n]
	for i := range pad {
		pad[i] = row[max(0, min(w-1, i-r))]
	}
	fmin, fmax := b[n:2*n], b[2*n:3*n] // from the block's start
	bmin, bmax := b[3*n:4*n], b[4*n:]  // to the block's end
	for i, p := range pad {
		if i%k == 0 {
			fmin[i], fmax[i] = p, p
		} else {
			fmin[i], fmax[i] = min(fmin[i-1], p), max(fmax[i-1], p)
		}
	}
	for i := n - 1; i >= 0; i-- {
		if i == n-1 || (i+1)%k == 0 {
			bmin[i], bmax[i] = pad[i], pad[i]
		} else {
			bmin[i], bmax[i] = min(bmin[i+1], pad[i]), max(bmax[i+1], pad[i])
		}
	}
	for x := 0; x < w; x++ {
		lo[x] = min(bmin[x], fmin[x+2*r])
		hi[x] = max(bmax[x], fmax[x+2*r])
	}
}

// gridAngle estimates how far a 2-D code's module grid is turned from the
// axes, in (-π/4, π/4]: its edges run in two perpendicular directions, so
// the gradient angles are averaged modulo 90° (angle ×4 on the circle,
// weighted by gradient energy).
func gridAngle(g *image.Gray) float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var c, s float64
	for y := 1; y < h-1; y++ {
		row := g.Pix[y*g.Stride:]
		up, down := g.Pix[(y-1)*g.Stride:], g.Pix[(y+1)*g.Stride:]
		for x := 1; x < w-1; x++ {
			// Scharr: central differences misjudge a sharp diagonal edge
			// by several degrees, these weights hardly.
			gx := float64(3*(int(up[x+1])-int(up[x-1])) + 10*(int(row[x+1])-int(row[x-1])) + 3*(int(down[x+1])-int(down[x-1])))
			gy := float64(3*(int(down[x-1])-int(up[x-1])) + 10*(int(down[x])-int(up[x])) + 3*(int(down[x+1])-int(up[x+1])))
			m := gx*gx + gy*gy
			if m == 0 {
				continue
			}
			// cos 4θ and sin 4θ from the gradient, without atan2.
			c2, s2 := (gx*gx-gy*gy)/m, 2*gx*gy/m
			c += m * (c2*c2 - s2*s2)
			s += m * 2 * s2 * c2
		}
	}
	return math.Atan2(s, c) / 4
}

// rotateGray turns g by a radians about its centre, at scale k, into an
// image large enough for all of it; what lies outside g is white.
func rotateGray(g *image.Gray, a, k float64) *image.Gray {
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	cs, sn := math.Cos(a), math.Sin(a)
	ow := int((w*math.Abs(cs) + h*math.Abs(sn)) * k)
	oh := int((w*math.Abs(sn) + h*math.Abs(cs)) * k)
	out := image.NewGray(image.Rect(0, 0, ow, oh))
	for y := 0; y < oh; y++ {
		dy := (float64(y) + 0.5 - float64(oh)/2) / k
		for x := 0; x < ow; x++ {
			dx := (float64(x) + 0.5 - float64(ow)/2) / k
			// The source point that lands here: turn back by a.
			out.Pix[y*ow+x] = bilerp(g, w/2+dx*cs+dy*sn, h/2-dx*sn+dy*cs)
		}
	}
	return out
}
