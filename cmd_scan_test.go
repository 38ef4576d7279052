package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// barcodePNG renders contents as a barcode on white paper with a margin,
// scale pixels per module, and writes it as a PNG file.
func barcodePNG(t *testing.T, path string, w gozxing.Writer, format gozxing.BarcodeFormat, contents string, scale int) {
	t.Helper()
	bm, err := w.Encode(contents, format, 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := bm.GetHeight()
	if format != gozxing.BarcodeFormat_QR_CODE {
		h = 40 // a 1-D code: stretch its one row
	}
	img := image.NewGray(image.Rect(0, 0, (bm.GetWidth()+20)*scale, (h+20)*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 0; y < h*scale; y++ {
		for x := 0; x < bm.GetWidth()*scale; x++ {
			row := y / scale
			if format != gozxing.BarcodeFormat_QR_CODE {
				row = 0
			}
			if bm.Get(x/scale, row) {
				img.SetGray(x+10*scale, y+10*scale, color.Gray{})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestRunScan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ups := ups18("7R3K2W03" + "4455661")
	p := func(name string) string { return filepath.Join(dir, name) }
	barcodePNG(t, p("ups.png"), oned.NewCode128Writer(), gozxing.BarcodeFormat_CODE_128, ups, 3)
	barcodePNG(t, p("qr.png"), qrcode.NewQRCodeWriter(), gozxing.BarcodeFormat_QR_CODE, "https://www.ups.com/track?tracknum="+ups, 6)
	barcodePNG(t, p("routing.png"), oned.NewCode128Writer(), gozxing.BarcodeFormat_CODE_128, "\u00f142090210", 3)
	if err := os.WriteFile(p("notes.txt"), []byte("not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	png1, _ := os.ReadFile(p("ups.png"))
	if err := os.WriteFile(p("cut.png"), png1[:len(png1)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	upsLine := map[string]any{"number": ups, "carrier": "ups", "valid": true, "kind": "tracking", "service": "UPS Ground",
		"country": "", "url": "https://www.ups.com/track?loc=en_US&tracknum=" + ups}
	with := func(m map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name string
		file string
		want map[string]any
	}{
		{"Code 128 label", "ups.png", with(upsLine, "input", p("ups.png"), "symbology", "code128")},
		{"QR with a tracking URL", "qr.png", with(upsLine, "input", p("qr.png"), "symbology", "qr")},
		{"a routing barcode only", "routing.png", map[string]any{"input": p("routing.png"), "number": "", "carrier": "", "valid": false}},
		{"not an image", "notes.txt", map[string]any{"input": p("notes.txt"), "error": "*"}},
		{"truncated PNG", "cut.png", map[string]any{"input": p("cut.png"), "error": "*"}},
		{"missing file", "nope.jpg", map[string]any{"input": p("nope.jpg"), "error": "*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := runScan(context.Background(), []string{p(tt.file)}, envMap(nil), &out); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != 1 {
				t.Fatalf("got %d lines: %s", len(lines), out.String())
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
				t.Fatalf("not JSON: %s", lines[0])
			}
			for k, v := range tt.want {
				if v == "*" {
					if s, _ := got[k].(string); s == "" {
						t.Errorf("%s: want a reason, got %v", k, got[k])
					}
					continue
				}
				if got[k] != v {
					t.Errorf("%s = %v, want %v (line %s)", k, got[k], v, lines[0])
				}
			}
			for k := range got {
				if _, ok := tt.want[k]; !ok && k != "format" {
					t.Errorf("unexpected field %s in %s", k, lines[0])
				}
			}
		})
	}
}

func TestScanCommand(t *testing.T) {
	dir := t.TempDir()
	barcodePNG(t, filepath.Join(dir, "a.png"), oned.NewCode128Writer(), gozxing.BarcodeFormat_CODE_128, "TBA123456789000", 3)
	var out, errOut bytes.Buffer
	// Several images, one of them unreadable: every one answered, exit 0.
	if err := runWith(nil, []string{"scan", filepath.Join(dir, "a.png"), filepath.Join(dir, "missing.png")}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("scan: %v", err)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 || !strings.Contains(out.String(), `"number":"TBA123456789000"`) {
		t.Fatalf("output: %s", out.String())
	}
	// No image is wrong usage: non-zero with a one-line error.
	if err := runWith(nil, []string{"scan"}, strings.NewReader(""), &out, &errOut); err == nil || strings.Contains(err.Error(), "\n") {
		t.Fatalf("scan without IMAGE: %v", err)
	}
}
