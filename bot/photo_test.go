package bot

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage/storagetest"
)

// labelImage draws a plain label: a 420 routing barcode and, when number is
// set, a Code 128 barcode of it, on white paper; turned a quarter when
// rotated, as a photo taken sideways.
func labelImage(t *testing.T, number string, rotated bool) *image.Gray {
	t.Helper()
	const w, h = 1000, 700
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 235
	}
	bar := func(contents string, y, height int) {
		bm, err := oned.NewCode128Writer().Encode(contents, gozxing.BarcodeFormat_CODE_128, 0, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		x0 := (w - 3*bm.GetWidth()) / 2
		for x := 0; x < bm.GetWidth(); x++ {
			if bm.Get(x, 0) {
				for yy := y; yy < y+height; yy++ {
					for k := 0; k < 3; k++ {
						g.Pix[yy*w+x0+3*x+k] = 20
					}
				}
			}
		}
	}
	bar("\u00f142090210", 80, 150)
	if number != "" {
		bar(number, 380, 200)
	}
	if !rotated {
		return g
	}
	r := image.NewGray(image.Rect(0, 0, h, w))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r.Pix[x*h+(h-1-y)] = g.Pix[y*w+x]
		}
	}
	return r
}

func jpegOf(t *testing.T, g image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// photoSizes are the sizes Telegram makes of a photo: a thumbnail (too
// small to read), a medium one and the original.
func photoSizes(t *testing.T, g *image.Gray) []telegramtest.Photo {
	b := g.Bounds()
	return []telegramtest.Photo{
		{Data: jpegOf(t, image.NewGray(image.Rect(0, 0, 90, 60))), Width: 90, Height: 60},
		{Data: jpegOf(t, image.NewGray(image.Rect(0, 0, 320, 224))), Width: 320, Height: 224},
		{Data: jpegOf(t, g), Width: b.Dx(), Height: b.Dy()},
	}
}

// waitPhoto waits for n replies: reading a photo takes longer than text,
// the more so under the race detector.
func (h *harness) waitPhoto(before, n int) []telegramtest.Sent {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got, err := h.srv.WaitSent(ctx, before+n)
	if err != nil {
		h.t.Fatalf("%v; sent so far: %+v", err, got[before:])
	}
	return got[before : before+n]
}

func TestPhotoOfALabelIsFollowed(t *testing.T) {
	h := newHarness(t, 10)
	n := upsNumber(31)
	chat := telegramtest.Private(ann)
	before := len(h.srv.Sent())
	h.srv.SendPhoto(chat, ann, photoSizes(t, labelImage(t, n, true)), "mum's <lamp>", "")
	got := h.waitPhoto(before, 1)
	has(t, got[0], "Read from the photo (Code 128)", n, "Following", "mum&#39;s &lt;lamp&gt;")
	// Only the largest size was downloaded.
	if d := h.srv.Downloads(); len(d) != 1 || !strings.HasSuffix(d[0], "file_2.jpg") {
		t.Errorf("downloads = %v, want the largest size only", d)
	}
	subs, err := h.store.ChatSubscriptions(context.Background(), chat.ID)
	if err != nil || len(subs) != 1 || subs[0].Shipment.Number != n || subs[0].Label != "mum's <lamp>" {
		t.Fatalf("subscriptions = %+v, %v", subs, err)
	}
	// The same label again: the usual "already following" answer.
	before = len(h.srv.Sent())
	h.srv.SendPhoto(chat, ann, photoSizes(t, labelImage(t, n, false)), "", "")
	has(t, h.waitPhoto(before, 1)[0], "already following")
}

func TestPhotoWithoutNumber(t *testing.T) {
	h := newHarness(t, 10)
	chat := telegramtest.Private(bob)
	tests := []struct {
		name string
		img  *image.Gray
		want string
	}{
		{"a routing barcode only", labelImage(t, "", false), "I found a barcode but no tracking number in it"},
		{"no barcode at all", image.NewGray(image.Rect(0, 0, 640, 480)), "I couldn't read a barcode — send a sharper close-up, or the photo as a file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(h.srv.Sent())
			h.srv.SendPhoto(chat, bob, photoSizes(t, tt.img), "", "")
			has(t, h.waitPhoto(before, 1)[0], tt.want)
		})
	}
}

func TestImageSentAsFile(t *testing.T) {
	h := newHarness(t, 10)
	chat := telegramtest.Private(carol)
	n := upsNumber(32)
	bm, err := qrcode.NewQRCodeWriter().Encode("https://www.ups.com/track?tracknum="+n, gozxing.BarcodeFormat_QR_CODE, 400, 400, nil)
	if err != nil {
		t.Fatal(err)
	}
	qr := image.NewGray(image.Rect(0, 0, 400, 400))
	for y := 0; y < 400; y++ {
		for x := 0; x < 400; x++ {
			if !bm.Get(x, y) {
				qr.Pix[y*400+x] = 255
			}
		}
	}
	var pngData bytes.Buffer
	if err := png.Encode(&pngData, qr); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file, mime string
		data             []byte
		size             int64
		want             string
		download         bool
	}{
		{"PNG screenshot of a QR code", "screenshot.png", "image/png", pngData.Bytes(), 0, "Read from the photo (QR)", true},
		{"a PDF", "label.pdf", "application/pdf", []byte("%PDF-1.4"), 0, "I can't open that file as a picture", false},
		{"HEIC", "IMG_0001.HEIC", "image/heic", []byte("....ftypheic"), 0, "I can't read HEIC files yet", false},
		{"broken JPEG", "cut.jpg", "image/jpeg", jpegOf(t, qr)[:300], 0, "I can't open that file as a picture", true},
		{"over 20 MB", "huge.png", "image/png", pngData.Bytes(), 25 << 20, "too large", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, downloads := len(h.srv.Sent()), len(h.srv.Downloads())
			h.srv.SendDocument(chat, carol, tt.data, tt.file, tt.mime, "", tt.size)
			has(t, h.waitPhoto(before, 1)[0], tt.want)
			if got := len(h.srv.Downloads()) - downloads; (got == 1) != tt.download {
				t.Errorf("downloads: %d, want download=%v", got, tt.download)
			}
		})
	}
}

func TestPhotoInGroup(t *testing.T) {
	h := newHarness(t, 10)
	group := telegramtest.Group(-5005, "Flat")
	n := upsNumber(33)
	before := len(h.srv.Sent())
	// Not for the bot: another member's holiday photo of a label.
	h.srv.SendPhoto(group, ann, photoSizes(t, labelImage(t, n, false)), "look at this", "")
	h.quiet(before)
	if d := h.srv.Downloads(); len(d) != 0 {
		t.Fatalf("downloaded %v for a photo not meant for the bot", d)
	}
	m := h.srv.SendPhoto(group, ann, photoSizes(t, labelImage(t, n, false)), "@"+telegramtest.BotUser.Username+" sofa", "")
	got := h.waitPhoto(before, 1)
	has(t, got[0], n, "Following", "sofa")
	if got[0].ReplyTo != m.MessageID {
		t.Errorf("reply_to = %d, want the photo %d", got[0].ReplyTo, m.MessageID)
	}
}

// An album of three photos of one label, one of them unreadable: one
// answer naming what was read from how many photos, not one per photo.
func TestAlbumIsAnsweredOnce(t *testing.T) {
	h := newHarness(t, 10)
	chat := telegramtest.Private(ann)
	n := upsNumber(34)
	before := len(h.srv.Sent())
	h.srv.SendPhoto(chat, ann, photoSizes(t, labelImage(t, n, false)), "", "album-1")
	h.srv.SendPhoto(chat, ann, photoSizes(t, labelImage(t, n, true)), "", "album-1")
	h.srv.SendPhoto(chat, ann, photoSizes(t, image.NewGray(image.Rect(0, 0, 640, 480))), "", "album-1")
	got := h.waitPhoto(before, 1)
	has(t, got[0], "Read from 2 of 3 photos: <code>"+n+"</code> (Code 128)", "Following")
	// Everything queued was sent: that one message is the whole answer.
	h.drained(chat.ID)
	if sent := h.srv.Sent(); len(sent) != before+1 {
		t.Fatalf("album answers: %+v", sent[before:])
	}
	if d := h.srv.Downloads(); len(d) != 3 {
		t.Errorf("downloads = %v, want each photo once", d)
	}
}

// In a group, an album counts when one of its photos mentions the bot (the
// caption sits on the first): one answer, replying to that photo. An
// album for the others gets none and is not downloaded.
func TestAlbumInGroup(t *testing.T) {
	h := newHarness(t, 10)
	group := telegramtest.Group(-5006, "Flat")
	n := upsNumber(35)
	before := len(h.srv.Sent())
	h.srv.SendPhoto(group, ann, photoSizes(t, labelImage(t, n, false)), "holiday", "album-g1")
	h.srv.SendPhoto(group, ann, photoSizes(t, labelImage(t, n, true)), "", "album-g1")
	m := h.srv.SendPhoto(group, bob, photoSizes(t, labelImage(t, n, false)), "@"+telegramtest.BotUser.Username+" sofa", "album-g2")
	h.srv.SendPhoto(group, bob, photoSizes(t, image.NewGray(image.Rect(0, 0, 640, 480))), "", "album-g2")
	got := h.waitPhoto(before, 1)
	has(t, got[0], "Read from 1 of 2 photos: <code>"+n+"</code> (Code 128)", "Following", "sofa")
	if got[0].ReplyTo != m.MessageID {
		t.Errorf("reply_to = %d, want the album's first photo %d", got[0].ReplyTo, m.MessageID)
	}
	h.drained(group.ID)
	if sent := h.srv.Sent(); len(sent) != before+1 {
		t.Fatalf("answers: %+v", sent[before:])
	}
	if d := h.srv.Downloads(); len(d) != 2 {
		t.Errorf("downloads = %v, want only the album for the bot", d)
	}
}

// slowFiles is a transport on which every file download moves the bot's
// clock on by step: reading a photo costs that much of the album's budget,
// on a clock the test controls.
type slowFiles struct {
	clk  *walkClock
	step time.Duration
}

func (s slowFiles) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/file/") {
		s.clk.Add(s.step)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// An album's photos share one budget: with 100 s for the album and 51 s a
// photo, two of four are read, the other two are not downloaded, and the
// answer says so beside what was read.
func TestAlbumIsReadWithinOneBudget(t *testing.T) {
	storagetest.Each(t, testAlbumIsReadWithinOneBudget)
}

func testAlbumIsReadWithinOneBudget(t *testing.T, db storagetest.Engine) {
	ctx := context.Background()
	store, srv, clk := albumWorld(t, db)
	client := &http.Client{Timeout: 10 * time.Second, Transport: slowFiles{clk, 51 * time.Second}}
	b := startAlbumBotWith(t, srv, store, clk, client, 100*time.Second)
	defer b.stop()
	chat := telegramtest.Private(carol)
	var ns []string
	for i := range 4 {
		ns = append(ns, upsNumber(60+i))
		srv.SendPhoto(chat, carol, photoSizes(t, labelImage(t, ns[i], i%2 == 1)), "", "album-budget")
	}
	waitStored(t, store, 4)
	clk.Add(albumQuiet + time.Second)
	b.app.Wake()
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	got, err := srv.WaitSent(wctx, 2)
	if err != nil {
		t.Fatalf("%v; sent %+v", err, got)
	}
	has(t, got[0], "Read from 2 of 4 photos: <code>"+ns[0]+"</code> (Code 128), <code>"+ns[1]+"</code> (Code 128)",
		"I ran out of time before reading 2 of the 4 photos — send those again on their own.", "Following", ns[0])
	has(t, got[1], "Following", ns[1])
	for _, n := range ns[2:] {
		for _, s := range srv.Sent() {
			if strings.Contains(s.Text, n) {
				t.Errorf("a photo past the budget was read: %q", s.Text)
			}
		}
	}
	if d := srv.Downloads(); len(d) != 2 {
		t.Errorf("downloads = %v, want the two photos within the budget", d)
	}
	subs, err := store.ChatSubscriptions(ctx, chat.ID)
	if err != nil || len(subs) != 2 {
		t.Fatalf("subscriptions = %+v, %v", subs, err)
	}
}
