package bot

// Photos of shipping labels, screenshots and QR codes. A photo (its largest
// size) or an image sent as a file is downloaded through getFile, read by
// tracker/label, and what it holds goes through the same follow flow as a
// pasted number; the caption is read as text too. Downloading and decoding
// happen outside the inbox transaction, like a carrier look-up (inbox.go's
// netPlan): the handler asks, the worker fetches, the handler runs again.
//
// Albums come as one update per photo; they are answered once, together
// (album.go).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/label"
)

// photoTimeout bounds one download plus one decode.
const photoTimeout = 30 * time.Second

// albumBudget bounds the downloads and decodes of one update's photos
// together: an album of ten would otherwise spend ten time boxes inside the
// handling's replyTimeout, and a handling cut short answers nothing. A
// photo starts only with time left and gets what is left; the answer says
// how many were not reached.
const albumBudget = 20 * time.Second

// errOutOfTime: the album's budget ran out before this photo was read.
var errOutOfTime = errors.New("bot: no time left to read this photo of the album")

// Photo is an incoming image message, transport-neutral. Text is the caption.
type Photo struct {
	Message
	FileID      string
	FileSize    int64  // as Telegram announced it; 0 when unknown
	MediaGroup  string // album id, "" for a single photo
	Unsupported string // "HEIC", "file" (not an image), or "" for what we read
}

// photoOf reads the image of a message: the largest size of a photo, or a
// document that is an image. ok is false for a message without one.
func photoOf(m *models.Message) (p Photo, ok bool) {
	p.MediaGroup = m.MediaGroupID
	switch {
	case len(m.Photo) > 0:
		best := m.Photo[0]
		for _, s := range m.Photo[1:] {
			if s.Width*s.Height > best.Width*best.Height {
				best = s
			}
		}
		p.FileID, p.FileSize = best.FileID, int64(best.FileSize)
		return p, true
	case m.Document != nil:
		d := m.Document
		mime := strings.ToLower(d.MimeType)
		name := strings.ToLower(d.FileName)
		switch {
		case mime == "image/heic" || mime == "image/heif" || strings.HasSuffix(name, ".heic") || strings.HasSuffix(name, ".heif"):
			p.Unsupported = "HEIC"
		case strings.HasPrefix(mime, "image/"):
		default:
			p.Unsupported = "file" // a PDF label, a zip: answered, not read
		}
		p.FileID, p.FileSize = d.FileID, d.FileSize
		return p, true
	}
	return p, false
}

// scanAnswer is a photo read outside the transaction.
type scanAnswer struct {
	res label.Result
	err error
}

// scanIn makes the engine's photo reader of a transaction: answers come
// from plan, a missing one is fetched by the worker between two runs.
func (plan *netPlan) scanIn(orig *Engine) func(ctx context.Context, fileID string) (label.Result, error) {
	return func(ctx context.Context, fileID string) (label.Result, error) {
		if ans, ok := plan.scans[fileID]; ok {
			return ans.res, ans.err
		}
		plan.missing = append(plan.missing, func(ctx context.Context) {
			if plan.scans == nil {
				plan.scans = map[string]scanAnswer{}
			}
			plan.scans[fileID] = orig.scanWithin(ctx, plan, fileID)
		})
		return label.Result{}, errNeedNetwork
	}
}

// scanWithin reads one photo with what is left of the update's budget for
// photos (albumBudget, on the engine's clock, from the first photo read).
// A photo not reached, or cut short before it gave a number, is
// errOutOfTime.
func (e *Engine) scanWithin(ctx context.Context, plan *netPlan, fileID string) scanAnswer {
	budget := e.scanBudget
	if budget <= 0 {
		budget = albumBudget
	}
	if plan.scanDeadline.IsZero() {
		plan.scanDeadline = e.now().Add(budget)
	}
	left := plan.scanDeadline.Sub(e.now())
	if left <= 0 {
		return scanAnswer{err: errOutOfTime}
	}
	sctx, cancel := context.WithTimeout(ctx, left)
	defer cancel()
	res, err := e.scan(sctx, fileID)
	if _, ok := res.Number(); !ok && sctx.Err() != nil {
		return scanAnswer{res: res, err: fmt.Errorf("%w (%v)", errOutOfTime, sctx.Err())}
	}
	return scanAnswer{res, err}
}

// HandlePhoto answers a photo or image file. In groups it reacts only to a
// photo whose caption mentions the bot or that replies to the bot.
func (e *Engine) HandlePhoto(ctx context.Context, ph Photo) []Reply {
	return e.HandlePhotos(ctx, []Photo{ph})
}

// HandlePhotos answers the photos of one album (or a single photo) in one
// answer: the numbers read from all of them (and from the captions) go
// through the follow flow together, as if pasted in one message, under a
// line saying what was read from how many photos; when none holds a number,
// one message says why. In groups the album counts when one of its photos
// mentions the bot or replies to it.
func (e *Engine) HandlePhotos(ctx context.Context, phs []Photo) []Reply {
	if len(phs) == 0 {
		return nil
	}
	first := phs[0]
	addressed := !first.Chat.group()
	var captions []string
	for _, ph := range phs {
		c := strings.TrimSpace(ph.Text)
		if ph.Chat.group() {
			rest, mentioned := stripMention(c, e.username)
			addressed = addressed || mentioned || ph.ReplyToBot
			c = strings.TrimSpace(rest)
		}
		if c != "" {
			captions = append(captions, c)
		}
	}
	if !addressed || e.scan == nil {
		return nil
	}
	if err := e.store.TouchChat(ctx, storage.Chat{ID: first.Chat.ID, Type: first.Chat.Type, Title: first.Chat.Title, Active: true}); err != nil {
		return e.fail(ctx, "touch chat", err)
	}
	ctx = withPrinter(ctx, locale.For(e.chatLanguage(ctx, first.Chat.ID, first.From.Lang)))
	p := pr(ctx)
	// Every photo is asked for before any answer, so the worker fetches
	// them all between two runs.
	reads := make([]photoRead, len(phs))
	waiting := false
	for i, ph := range phs {
		reads[i] = e.readPhoto(ctx, ph)
		waiting = waiting || errors.Is(reads[i].err, errNeedNetwork)
	}
	if waiting {
		return nil // run again with the photos read
	}
	// The caption is read as text: a number typed under the photo counts.
	caption := strings.Join(captions, "\n")
	capCands := detect(caption, e.demo)
	var cands []tracker.Candidate
	var read []label.Found
	seen := map[string]bool{}
	photosRead := 0
	for _, r := range reads {
		// One number a photo, the label's best: another valid one beside
		// it is most likely a misread of the label's other barcodes, and
		// following it would follow a parcel that does not exist.
		f, ok := r.res.Number()
		if !ok {
			for _, f := range r.res.Found {
				if f.Valid { // an Amazon order number: explained, not followed
					cands = append(cands, f.Candidate)
					break
				}
			}
			continue
		}
		photosRead++
		if !seen[f.Number] {
			seen[f.Number] = true
			read = append(read, f)
			cands = append(cands, f.Candidate)
		}
	}
	cands = append(cands, capCands...)
	// Photos the budget did not reach are said so, not passed over.
	var tried []photoRead
	outOfTime := ""
	for _, r := range reads {
		if !errors.Is(r.err, errOutOfTime) {
			tried = append(tried, r)
		}
	}
	if skipped := len(reads) - len(tried); skipped > 0 {
		outOfTime = p.T("photo_out_of_time", "Count", p.Num(skipped), "Total", p.Num(len(reads)))
	}
	if len(cands) > 0 {
		name := ""
		if len(capCands) == 0 && len(read) == 1 {
			name = photoLabel(caption)
		}
		out := e.candidates(ctx, first.Message, cands, name)
		if len(read) > 0 && len(out) > 0 {
			// Say where the numbers came from, above the usual answer.
			out[0].Text = joinLines(readLine(p, read, photosRead, len(phs)), outOfTime) + "\n\n" + out[0].Text
		} else if outOfTime != "" && len(out) > 0 {
			out[0].Text = outOfTime + "\n\n" + out[0].Text
		}
		return out
	}
	for _, r := range reads {
		if r.err != nil && !knownPhotoError(r.err) {
			e.log.WarnContext(ctx, "bot: photo", slog.Int64("chat", first.Chat.ID), slog.Any("error", r.err))
		}
	}
	if len(tried) == 0 {
		return []Reply{{Text: outOfTime}}
	}
	return []Reply{{Text: joinLines(unreadText(p, tried), outOfTime)}}
}

// joinLines joins the lines that are not empty.
func joinLines(lines ...string) string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// photoRead is what one photo held, or why it could not be read.
type photoRead struct {
	res label.Result
	err error
}

// readPhoto refuses what cannot be read before downloading, then reads.
func (e *Engine) readPhoto(ctx context.Context, ph Photo) photoRead {
	switch {
	case ph.Unsupported == "HEIC":
		return photoRead{err: errUnsupported}
	case ph.Unsupported != "":
		return photoRead{err: label.ErrNotImage}
	case ph.FileSize > label.MaxBytes:
		return photoRead{err: label.ErrTooLarge}
	}
	res, err := e.scan(ctx, ph.FileID)
	return photoRead{res, err}
}

// readLine names what was read: from one photo, the number and its
// barcode; from an album, every number and from how many of the photos.
func readLine(p *locale.Printer, read []label.Found, photosRead, photos int) string {
	if photos == 1 {
		return p.T("photo_read", "Number", esc(read[0].Number), "Symbology", symbologyName(read[0].Symbology))
	}
	list := make([]string, len(read))
	for i, f := range read {
		list[i] = "<code>" + esc(f.Number) + "</code> (" + symbologyName(f.Symbology) + ")"
	}
	return p.T("photo_album_read", "Read", p.Num(photosRead), "Total", p.Num(photos), "Numbers", strings.Join(list, ", "))
}

// unreadText is the one message for photos that held no number, the most
// useful thing to say first: a misread number, then barcodes without a
// number, then no barcode, then why a file could not be read.
func unreadText(p *locale.Printer, reads []photoRead) string {
	var misread string
	barcodes, scanned := false, false
	var firstErr error
	for _, r := range reads {
		switch {
		case r.err != nil:
			if firstErr == nil {
				firstErr = r.err
			}
		case len(r.res.Found) > 0: // only numbers whose check fails
			if misread == "" {
				misread = r.res.Found[0].Number
			}
		case r.res.Barcodes > 0:
			barcodes = true
		default:
			scanned = true
		}
	}
	switch {
	case misread != "":
		return p.T("photo_misread", "Number", esc(misread))
	case barcodes:
		return p.T("photo_no_number")
	case scanned && len(reads) > 1:
		return p.T("photo_album_none", "Total", p.Num(len(reads)))
	case scanned:
		return p.T("photo_no_barcode")
	case errors.Is(firstErr, errUnsupported), errors.Is(firstErr, label.ErrHEIC):
		return p.T("photo_heic")
	case errors.Is(firstErr, label.ErrTooLarge), errors.Is(firstErr, label.ErrTooManyPixels):
		return p.T("photo_too_large")
	case errors.Is(firstErr, label.ErrNotImage):
		return p.T("photo_not_image")
	}
	return p.T("photo_download_failed")
}

// knownPhotoError: the user's file, not our failure (nothing to log).
func knownPhotoError(err error) bool {
	return errors.Is(err, errUnsupported) || errors.Is(err, label.ErrTooLarge) ||
		errors.Is(err, label.ErrTooManyPixels) || errors.Is(err, label.ErrNotImage)
}

var errUnsupported = errors.New("bot: unsupported image format")

// photoLabel: a short caption without a number names the parcel.
func photoLabel(caption string) string {
	if caption == "" || strings.Contains(caption, "\n") || len(strings.Fields(caption)) > 6 {
		return ""
	}
	l, err := cleanLabel(caption)
	if err != nil {
		return ""
	}
	return l
}

func symbologyName(s string) string {
	switch s {
	case "code128":
		return "Code 128"
	case "code39":
		return "Code 39"
	case "itf":
		return "ITF"
	case "qr":
		return "QR"
	case "datamatrix":
		return "Data Matrix"
	}
	return s
}

// scanFile downloads a file through getFile and the file URL, then reads
// it. The URL holds the token: it never reaches a log line or an error.
func (a *App) scanFile(ctx context.Context, fileID string) (label.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, photoTimeout)
	defer cancel()
	f, err := a.tg.GetFile(ctx, &tg.GetFileParams{FileID: fileID})
	if err != nil {
		return label.Result{}, fmt.Errorf("telegram: getFile: %w", redactURL(err))
	}
	if f.FileSize > label.MaxBytes {
		return label.Result{}, label.ErrTooLarge
	}
	if f.FilePath == "" {
		return label.Result{}, errors.New("telegram: getFile: no file_path (file too big to download?)")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.apiURL+"/file/bot"+a.token+"/"+f.FilePath, nil)
	if err != nil {
		return label.Result{}, errors.New("telegram: file: bad file path")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return label.Result{}, fmt.Errorf("telegram: file: %w", redactURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return label.Result{}, fmt.Errorf("telegram: file: HTTP %d", resp.StatusCode)
	}
	return label.Scan(ctx, resp.Body, label.Options{Detect: tracker.DetectOptions{Demo: a.eng.demo}, Timeout: a.scanTimeout})
}

// dispatchPhoto queues the answer to a message without text: a photo or
// an image file (anything else, a sticker or a voice note, gets none), or a
// whole album with it; album is the album's other updates.
func (a *App) dispatchPhoto(ctx context.Context, e *Engine, m *models.Message, q *replyQueue) (out []storage.OutboxMessage, answer *tg.AnswerCallbackQueryParams, album []int64) {
	if _, ok := photoOf(m); !ok {
		return nil, nil, nil
	}
	msgs, album, err := albumMessages(ctx, e.store, q.update, m)
	if err != nil {
		a.log.ErrorContext(ctx, "bot: album", slog.Any("error", err))
		msgs, album = []*models.Message{m}, nil // answered alone
	}
	var phs []Photo
	for _, m := range msgs {
		ph, ok := photoOf(m)
		if !ok {
			continue
		}
		ph.Message = Message{Chat: chatOf(m.Chat), From: userOf(m.From), Text: m.Caption}
		if r := m.ReplyToMessage; r != nil && r.From != nil && strings.EqualFold(r.From.Username, a.username) {
			ph.ReplyToBot, ph.ReplyToText = true, r.Text
		}
		phs = append(phs, ph)
	}
	chat := chatOf(m.Chat)
	replyTo := 0
	if chat.group() {
		replyTo = m.ID
	}
	for _, r := range e.HandlePhotos(ctx, phs) {
		q.add(chat.ID, r, 0, replyTo)
	}
	return q.out, nil, album
}
