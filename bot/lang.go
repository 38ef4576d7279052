package bot

import (
	"context"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/tracker"
)

// printerKey carries the printer of the chat being answered, so every
// reply of one update is written in the same language without threading a
// parameter through each helper.
type printerKey struct{}

func withPrinter(ctx context.Context, p *locale.Printer) context.Context {
	return context.WithValue(ctx, printerKey{}, p)
}

// pr is the printer of the chat being answered (English outside an update).
func pr(ctx context.Context) *locale.Printer {
	if p, ok := ctx.Value(printerKey{}).(*locale.Printer); ok {
		return p
	}
	return locale.For(locale.EN)
}

// chatLanguage is the language a chat is written to in: the stored one, or
// else the one of the user's Telegram client (region ignored, English when
// unsupported), which is then stored so it sticks. A store error is logged
// and answered in the client's language: a language is never worth a failed
// reply.
func (e *Engine) chatLanguage(ctx context.Context, chatID int64, clientLang string) locale.Lang {
	stored, err := e.store.ChatLanguage(ctx, chatID)
	if err != nil {
		e.log.WarnContext(ctx, "bot: chat language", slog.Int64("chat", chatID), slog.Any("error", err))
	}
	if l, ok := locale.Parse(stored); ok {
		return l
	}
	l := locale.Of(clientLang)
	if err == nil && (clientLang != "" || stored == "") {
		if _, err := e.store.SetChatLanguage(ctx, chatID, string(l), true); err != nil {
			e.log.WarnContext(ctx, "bot: set chat language", slog.Int64("chat", chatID), slog.Any("error", err))
		}
	}
	return l
}

// ChatPrinter is the printer for a chat's stored language (English when it
// has none), for messages rendered outside an update, such as pushes.
func (e *Engine) ChatPrinter(ctx context.Context, chatID int64) *locale.Printer {
	stored, err := e.store.ChatLanguage(ctx, chatID)
	if err != nil {
		e.log.WarnContext(ctx, "bot: chat language", slog.Int64("chat", chatID), slog.Any("error", err))
	}
	return locale.For(locale.Of(stored))
}

// languagePicker is the /language reply: one button per language.
func languagePicker(p *locale.Printer) Reply {
	var rows [][]Button
	for i, l := range locale.All {
		if i%2 == 0 {
			rows = append(rows, nil)
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], Button{Text: l.Flag() + " " + l.Name(), Data: CallbackData(ActLanguage, 0, string(l))})
	}
	return Reply{Text: p.T("language_pick") + "\n" + p.T("language_now", "Language", esc(p.Lang().Name())), Buttons: rows}
}

// setLanguage answers a language button: the choice is stored for the chat
// and confirmed in the new language.
func (e *Engine) setLanguage(ctx context.Context, chatID int64, code string) ClickResult {
	l, ok := locale.Parse(code)
	if !ok {
		return ClickResult{Answer: pr(ctx).T("button_dead")}
	}
	if _, err := e.store.SetChatLanguage(ctx, chatID, string(l), false); err != nil {
		return ClickResult{Answer: pr(ctx).T("toast_error"), Replies: e.fail(ctx, "set chat language", err)}
	}
	p := locale.For(l)
	return ClickResult{Answer: p.T("language_set"), Replies: []Reply{{Text: p.T("language_set"), Edit: true}}}
}

// statusTitle is a status's title in the chat's language.
func statusTitle(p *locale.Printer, s tracker.Status) string {
	if !s.Valid() {
		s = tracker.StatusUnknown
	}
	return p.T("status_" + string(s))
}

// statusLine is a parcel's status as one line of plain text in the chat's
// language: the status's title, with the carrier's own words (cleaned, on
// one line, otherwise as the carrier wrote them) after it when they add
// something. Words that only repeat the title, in the chat's language or
// in English (what most carriers write), add nothing; words that start
// with the title say it already and stand alone. Callers clip and escape.
//
//	in transit, ""                        → "In transit"
//	delivered, "DELIVERED"                → "Delivered"
//	delivered, "Delivered, left at door"  → "Delivered, left at door"
//	in transit, "Departed facility"       → "In transit: Departed facility"
func statusLine(p *locale.Printer, s tracker.Status, statusText string) string {
	title := statusTitle(p, s)
	text := strings.Join(strings.Fields(tracker.PlainText(statusText)), " ")
	switch {
	case text == "" || strings.EqualFold(text, title) || strings.EqualFold(text, statusTitle(locale.For(locale.EN), s)):
		return title
	case startsWithWord(text, title):
		return text
	}
	return p.T("status_line", "Title", title, "Carrier", text)
}

// startsWithWord reports whether s begins with the word(s) prefix, ignoring
// case: "In transit, on time" does, "In transitional hub" does not.
func startsWithWord(s, prefix string) bool {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[len(prefix):])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}
