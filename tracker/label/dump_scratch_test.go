package label

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/makiuchi-d/gozxing/oned"
)

func TestDumpScratch(t *testing.T) {
	want := os.Getenv("DUMP")
	if want == "" {
		t.Skip()
	}
	for _, s := range evalSet(t, tuneSeedBase, 1) {
		if s.Kind+"/"+s.Perturb != want {
			continue
		}
		im, _ := jpeg.Decode(bytes.NewReader(s.JPEG))
		g := fitWork(grayOf(im))
		save("/tmp/d_photo.png", g)
		lines, squares := findRegions(g)
		for i, l := range lines {
			t.Logf("line %d: %+v scales %v", i, l, l.scales(g))
			save(fmt.Sprintf("/tmp/d_line%d.png", i), l.cut(g, 1))
		}
		for i, q := range squares {
			t.Logf("square %d: %+v", i, q)
			save(fmt.Sprintf("/tmp/d_sq%d.png", i), q.cut(g, 1))
		}
	}
}

func save(name string, g *image.Gray) {
	f, _ := os.Create(name)
	png.Encode(f, g)
	f.Close()
}

func TestDumpRow(t *testing.T) {
	f, err := os.Open("/tmp/d_line0.png")
	if err != nil {
		t.Skip()
	}
	im, _ := png.Decode(f)
	g := im.(*image.Gray)
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var row []uint8
	for x := 0; x < w; x++ {
		row = append(row, g.GrayAt(x, h/2).Y)
	}
	t.Log(w, h, row[:60], row[w-60:])
}

func TestDumpC39(t *testing.T) {
	f, err := os.Open("/tmp/d_line0.png")
	if err != nil {
		t.Skip()
	}
	im, _ := png.Decode(f)
	g := im.(*image.Gray)
	g2 := scaleGray(g, g.Rect.Dx()*2, g.Rect.Dy()*2)
	for name, c := range map[string]*image.Gray{"raw": g, "smooth": smoothBars(g, 3), "sharp": sharpenBars(smoothBars(g, 3), 3, 1.5), "thr": thresholdBars(smoothBars(g, 3), 4), "thr2": thresholdBars(smoothBars(g2, 3), 8), "raw2": g2} {
		bmp := bitmap(c, hybrid)
		res, err := oned.NewCode39Reader().Decode(bmp, hints1DHard)
		t.Log(name, res, err)
		save("/tmp/d_"+name+".png", c)
	}
}

func TestDumpC39Label(t *testing.T) {
	if os.Getenv("C39") == "" {
		t.Skip()
	}
	r := rand.New(rand.NewPCG(1, 1))
	lab, want, _ := drawLabel(t, "code39", r)
	for _, k := range []float64{1, 0.9, 0.8, 0.72, 0.6} {
		g := scaleGray(lab, int(labelW*k), int(labelH*k))
		band := image.NewGray(image.Rect(0, 0, g.Rect.Dx(), int(200*k)))
		for y := 0; y < band.Rect.Dy(); y++ {
			copy(band.Pix[y*band.Stride:], g.Pix[(int(780*k)+y)*g.Stride:(int(780*k)+y+1)*g.Stride])
		}
		res, err := oned.NewCode39Reader().Decode(bitmap(band, hybrid), hints1DHard)
		t.Log(k, want, res, err)
	}
}
