package bot

// Photos of shipping labels, screenshots and QR codes. A photo (its largest
// size) or an image sent as a file is downloaded through getFile, read by
// tracker/label, and what it holds goes through the same follow flow as a
// pasted number; the caption is read as text too. Downloading and decoding
// happen outside the inbox transaction, like a carrier look-up (inbox.go's
// netPlan): the handler asks, the worker fetches, the handler runs again.
//
// Albums come as one update per photo. To keep them from flooding the chat,
// album replies carry dedupe keys of the album: a number read from two of its
// photos is answered once, and "couldn't read" at most once per album.

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
			res, err := orig.scan(ctx, fileID)
			if plan.scans == nil {
				plan.scans = map[string]scanAnswer{}
			}
			plan.scans[fileID] = scanAnswer{res, err}
		})
		return label.Result{}, errNeedNetwork
	}
}

// HandlePhoto answers a photo or image file. In groups it reacts only to a
// photo whose caption mentions the bot or that replies to the bot.
func (e *Engine) HandlePhoto(ctx context.Context, ph Photo) []Reply {
	caption := strings.TrimSpace(ph.Text)
	if ph.Chat.group() {
		rest, mentioned := stripMention(caption, e.username)
		if !mentioned && !ph.ReplyToBot {
			return nil
		}
		caption = strings.TrimSpace(rest)
	}
	if e.scan == nil {
		return nil // the console has no photos
	}
	if err := e.store.TouchChat(ctx, storage.Chat{ID: ph.Chat.ID, Type: ph.Chat.Type, Title: ph.Chat.Title, Active: true}); err != nil {
		return e.fail(ctx, "touch chat", err)
	}
	ctx = withPrinter(ctx, locale.For(e.chatLanguage(ctx, ph.Chat.ID, ph.From.Lang)))
	p := pr(ctx)
	album := func(rs []Reply, key string) []Reply {
		if ph.MediaGroup != "" {
			for i := range rs {
				rs[i].DedupeKey = fmt.Sprintf("album:%d:%s:%s:%d", ph.Chat.ID, ph.MediaGroup, key, i)
			}
		}
		return rs
	}
	var res label.Result
	var err error
	switch {
	case ph.Unsupported == "HEIC":
		err = errUnsupported
	case ph.Unsupported != "":
		err = label.ErrNotImage
	case ph.FileSize > label.MaxBytes:
		err = label.ErrTooLarge
	default:
		res, err = e.scan(ctx, ph.FileID)
		if errors.Is(err, errNeedNetwork) {
			return nil // run again with the photo read
		}
	}
	// The caption is read as text: a number typed under the photo counts.
	capCands := detect(caption, e.demo)
	var cands []tracker.Candidate
	var read []label.Found
	for _, f := range res.Found {
		if f.Valid {
			read = append(read, f)
			cands = append(cands, f.Candidate)
		}
	}
	cands = append(cands, capCands...)
	if len(cands) > 0 {
		name := ""
		if len(capCands) == 0 && len(read) == 1 {
			name = photoLabel(caption)
		}
		out := e.candidates(ctx, ph.Message, cands, name)
		if len(read) > 0 && len(out) > 0 {
			// Say where the number came from, above the usual answer.
			out[0].Text = p.T("photo_read", "Number", esc(read[0].Number), "Symbology", symbologyName(read[0].Symbology)) + "\n\n" + out[0].Text
		}
		return album(out, "n:"+cands[0].Number)
	}
	var text string
	switch {
	case errors.Is(err, errUnsupported):
		text = p.T("photo_heic")
	case errors.Is(err, label.ErrTooLarge), errors.Is(err, label.ErrTooManyPixels):
		text = p.T("photo_too_large")
	case errors.Is(err, label.ErrNotImage):
		text = p.T("photo_not_image")
	case err != nil:
		e.log.WarnContext(ctx, "bot: photo", slog.Int64("chat", ph.Chat.ID), slog.Any("error", err))
		text = p.T("photo_download_failed")
	case len(res.Found) > 0: // only numbers whose check fails: a misread
		text = p.T("photo_misread", "Number", esc(res.Found[0].Number))
	case res.Barcodes > 0:
		text = p.T("photo_no_number")
	default:
		text = p.T("photo_no_barcode")
	}
	if ph.MediaGroup != "" && err == nil {
		text = p.T("photo_album_unread") // one message for the whole album
		return album([]Reply{{Text: text}}, "none")
	}
	return []Reply{{Text: text}}
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
// an image file (anything else, a sticker or a voice note, gets none).
func (a *App) dispatchPhoto(ctx context.Context, e *Engine, m *models.Message, q *replyQueue) []storage.OutboxMessage {
	ph, ok := photoOf(m)
	if !ok {
		return nil
	}
	chat := chatOf(m.Chat)
	ph.Message = Message{Chat: chat, From: userOf(m.From), Text: m.Caption}
	if r := m.ReplyToMessage; r != nil && r.From != nil && strings.EqualFold(r.From.Username, a.username) {
		ph.ReplyToBot, ph.ReplyToText = true, r.Text
	}
	replyTo := 0
	if chat.group() {
		replyTo = m.ID
	}
	for _, r := range e.HandlePhoto(ctx, ph) {
		q.add(chat.ID, r, 0, replyTo)
	}
	return q.out
}
