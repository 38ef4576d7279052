package label

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"
)

// A handful of generated photos (tuning seeds): the full evaluation set is
// the benchmark's, too slow for every CI run.
func TestScanPhotos(t *testing.T) {
	for _, kp := range [][2]string{{"ups", "clean"}, {"usps", "rot90"}, {"royalmail", "dim"}, {"qrurl", "tilt"}, {"sscc", "jpeg"}, {"itf", "rot270"}} {
		s := evalSample(t, kp[0], kp[1], tuneSeedBase)
		t.Run(s.Kind+"/"+s.Perturb, func(t *testing.T) {
			// A generous time box: the race detector slows decoding
			// tenfold, and this test is about reading, not time.
			res, err := Scan(context.Background(), bytes.NewReader(s.JPEG), Options{Timeout: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			f, ok := res.Number()
			if !ok || f.Number != s.Want || f.Symbology != s.Symbology {
				t.Fatalf("read %v, want %s from %s", numbers(res), s.Want, s.Symbology)
			}
			if res.Barcodes < 1 {
				t.Errorf("Barcodes = %d", res.Barcodes)
			}
		})
	}
}

// Only tracking numbers come back from a label with other barcodes on it:
// the UPS label's 420 routing code and its 2-D block hold none.
func TestScanKeepsOnlyTrackingNumbers(t *testing.T) {
	{
		s := evalSample(t, "ups", "clean", tuneSeedBase)
		res, err := Scan(context.Background(), bytes.NewReader(s.JPEG), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range res.Found {
			if f.Number != s.Want {
				t.Errorf("kept %s (%s) from %q", f.Number, f.Symbology, f.Payload)
			}
		}
	}
}

func TestScanNoBarcode(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 640, 480))
	for i := range g.Pix {
		g.Pix[i] = uint8(200 + i%7)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, g); err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), &buf, Options{})
	if err != nil || len(res.Found) != 0 || res.Barcodes != 0 {
		t.Fatalf("blank image: %+v, %v", res, err)
	}
}

func TestScanRefuses(t *testing.T) {
	tests := []struct {
		name string
		in   io.Reader
		want error
	}{
		{"over 20 MB", io.LimitReader(zeros{}, MaxBytes+1), ErrTooLarge},
		{"over 40 megapixels", bytes.NewReader(hugePNG(t, 10000, 5000)), ErrTooManyPixels},
		{"text", strings.NewReader("hello, this is not a picture"), ErrNotImage},
		{"empty", strings.NewReader(""), ErrNotImage},
		{"truncated JPEG", bytes.NewReader(truncatedJPEG(t)), ErrNotImage},
		{"HEIC", strings.NewReader("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), ErrHEIC},
		{"HEIF", strings.NewReader("\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic"), ErrHEIC},
		{"other ISO-BMFF (MP4)", strings.NewReader("\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isomiso2"), ErrNotImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Scan(context.Background(), tt.in, Options{})
			if !errors.Is(err, tt.want) || !errors.Is(err, ErrNotImage) && tt.want != ErrTooLarge && tt.want != ErrTooManyPixels {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.want == ErrNotImage && errors.Is(err, ErrHEIC) {
				t.Fatalf("err = %v: not a HEIC file", err)
			}
		})
	}
}

// The time box ends the search: with its deadline already past, the scan
// decodes nothing (each decoding step checks the context first).
func TestScanTimeBox(t *testing.T) {
	photo := evalSample(t, "ups", "clean", tuneSeedBase).JPEG
	res, err := Scan(context.Background(), bytes.NewReader(photo), Options{Timeout: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Barcodes != 0 || len(res.Found) != 0 {
		t.Fatalf("a spent time box still decoded: %+v", res)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if res, _ := Scan(ctx, bytes.NewReader(photo), Options{}); res.Barcodes != 0 {
		t.Fatalf("a cancelled scan still decoded: %+v", res)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// hugePNG is a tiny PNG whose header claims w×h pixels.
func hugePNG(t *testing.T, w, h uint32) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func truncatedJPEG(t *testing.T) []byte {
	s := evalSample(t, "ups", "clean", tuneSeedBase)
	return s.JPEG[:len(s.JPEG)/2]
}

// FuzzScan: no input crashes the decoder entry point or outlives its time
// box by much, and whatever it returns is well formed.
func FuzzScan(f *testing.F) {
	var buf bytes.Buffer
	_ = png.Encode(&buf, image.NewGray(image.Rect(0, 0, 16, 16)))
	f.Add(buf.Bytes())
	f.Add([]byte("GIF89a\x10\x00\x10\x00\x00\x00\x00;"))
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
	f.Add([]byte("RIFF\x1a\x00\x00\x00WEBPVP8 "))
	f.Add([]byte("not an image"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Scan(context.Background(), bytes.NewReader(data), Options{Timeout: 100 * time.Millisecond})
		if err != nil {
			if !errors.Is(err, ErrNotImage) && !errors.Is(err, ErrTooManyPixels) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		for _, f := range res.Found {
			if f.Number == "" || f.Symbology == "" {
				t.Fatalf("malformed candidate %+v", f)
			}
		}
	})
}
