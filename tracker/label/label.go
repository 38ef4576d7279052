// Package label reads tracking numbers from photos of shipping labels,
// screenshots and QR codes: it finds the barcodes in an image, decodes them
// with gozxing and turns each payload into tracking-number candidates
// through tracker's detection, the same rules as pasted text.
//
// It is domain code: no Telegram, no storage. The entry point refuses what
// would cost too much before decoding (file size, pixel count) and is
// time-boxed, so a hostile or broken file costs at most one bounded scan.
package label

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/gif" // screenshots and forwarded images come in all formats
	_ "image/jpeg"
	_ "image/png"
	"io"
	"time"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"

	"github.com/trackbot/trackbot/tracker"
)

const (
	// MaxBytes is Telegram's download limit for bots (20 MB).
	MaxBytes = 20 << 20
	// MaxPixels refuses decompression bombs: a small file that would
	// decode to gigabytes. 40 MP is above any phone camera in use.
	MaxPixels = 40_000_000
	// DefaultTimeout bounds the search for barcodes in one image.
	DefaultTimeout = 2 * time.Second
)

var (
	// ErrTooLarge: the file is over MaxBytes.
	ErrTooLarge = errors.New("the file is larger than 20 MB")
	// ErrTooManyPixels: the image is over MaxPixels.
	ErrTooManyPixels = errors.New("the image is larger than 40 megapixels")
	// ErrNotImage: not a JPEG, PNG, GIF, WebP or BMP image, or a broken one.
	ErrNotImage = errors.New("not a readable image (JPEG, PNG, WebP, GIF or BMP)")
	// ErrHEIC: an iPhone's HEIC/HEIF photo, which no pure-Go decoder reads
	// (see the README); it is also an ErrNotImage.
	ErrHEIC = fmt.Errorf("%w: a HEIC/HEIF photo, which cannot be read here; send it as JPEG or PNG", ErrNotImage)
)

// heifBrands are the ISO-BMFF major brands of HEIC/HEIF stills and sequences.
var heifBrands = map[string]bool{"heic": true, "heix": true, "hevc": true, "hevx": true, "heim": true,
	"heis": true, "mif1": true, "msf1": true}

// isHEIF: the file starts with an ISO-BMFF "ftyp" box of a HEIF brand.
func isHEIF(data []byte) bool {
	return len(data) >= 12 && string(data[4:8]) == "ftyp" && heifBrands[string(data[8:12])]
}

// Options tunes Scan. The zero value is the product's setting.
type Options struct {
	Detect  tracker.DetectOptions
	Timeout time.Duration // 0: DefaultTimeout
}

// Found is one tracking-number candidate read from a barcode.
type Found struct {
	tracker.Candidate
	Symbology string // "code128", "code39", "itf", "qr", "datamatrix"
	Payload   string // the barcode's text, as decoded
}

// Result is what one image held.
type Result struct {
	// Found lists the valid candidates, or when there is none the invalid
	// ones (a misread, or digits that only look like a number). The scan
	// stops at the first valid tracking number, so there is usually one.
	Found []Found
	// Barcodes counts the barcodes decoded, with or without a number: a
	// label with barcodes but no number is told apart from an unreadable
	// photo.
	Barcodes int
}

// Number returns the first valid tracking candidate, if any.
func (r Result) Number() (Found, bool) {
	for _, f := range r.Found {
		if f.Valid && f.Kind == tracker.KindTracking {
			return f, true
		}
	}
	return Found{}, false
}

// Scan reads an image file (at most MaxBytes) and returns the tracking
// numbers its barcodes hold. Errors are ErrTooLarge, ErrTooManyPixels or
// ErrNotImage (wrapped with the decoder's reason); a readable image without
// barcodes is an empty Result, not an error.
func Scan(ctx context.Context, r io.Reader, opt Options) (Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return Result{}, fmt.Errorf("label: read: %w", err)
	}
	if len(data) > MaxBytes {
		return Result{}, ErrTooLarge
	}
	img, err := decode(data)
	if err != nil {
		return Result{}, err
	}
	return ScanImage(ctx, img, opt), nil
}

// decode checks the header's dimensions before decoding pixels.
func decode(data []byte) (img image.Image, err error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if isHEIF(data) {
			return nil, ErrHEIC
		}
		return nil, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: empty image", ErrNotImage)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, ErrTooManyPixels
	}
	// A decoder bug on a hostile file must not take the bot down.
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("%w: decoder failed: %v", ErrNotImage, p)
		}
	}()
	img, _, err = image.Decode(bufio.NewReader(bytes.NewReader(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotImage, err)
	}
	return img, nil
}

// ScanImage is Scan for a decoded image.
func ScanImage(ctx context.Context, img image.Image, opt Options) Result {
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	s := newScanner(ctx, opt.Detect)
	s.run(grayOf(img))
	return s.result()
}

// grayOf returns the image's luminance as a compact *image.Gray (stride ==
// width), without copying where the image already is one (a JPEG's Y plane).
func grayOf(img image.Image) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.Gray:
		if m.Stride == w {
			return &image.Gray{Pix: m.Pix[:w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}
		}
	case *image.YCbCr:
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			copy(g.Pix[y*w:(y+1)*w], m.Y[m.YOffset(b.Min.X, b.Min.Y+y):])
		}
		return g
	case *image.NRGBA:
		g := image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := 0; x < w; x++ {
				p := row[x*4 : x*4+4]
				// Transparent pixels are paper, not ink.
				a := int(p[3])
				l := (299*int(p[0]) + 587*int(p[1]) + 114*int(p[2])) / 1000
				g.Pix[y*w+x] = uint8((l*a + 255*(255-a)) / 255)
			}
		}
		return g
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(g, g.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(g, g.Rect, img, b.Min, draw.Over)
	return g
}
