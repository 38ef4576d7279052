package bot

// Answering without the inbox. When the database accepts no writes (disk
// full, read-only file: storage.CannotWrite), updates cannot be stored, so
// the inbox would leave every one unanswered. Instead they are answered
// straight away from reads: the commands that only read (/start, /help,
// /list, /status) as usual, everything else with one plea for patience
// (storage_full). These answers go out directly, not through the outbox:
// there is no row to keep them in. An update is confirmed to Telegram once
// it was answered; if sending fails it is not confirmed and Telegram
// delivers it again (the ones already answered are remembered for the run,
// so none is answered twice, except across a crash in between).

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/storage"
)

// maxAnsweredUnstored bounds the memory of updates answered without the
// inbox; Telegram redelivers within minutes, not thousands of updates later.
const maxAnsweredUnstored = 10000

// unstored is the state of answering without the inbox.
type unstored struct {
	mu       sync.Mutex
	on       bool               // the last store failed for want of writes
	answered map[int64]struct{} // update ids answered without being stored
	pace     DirectPacer        // nil: unpaced (no notifier)
}

// DirectPacer waits until Telegram's limits allow one more message to a
// chat and returns what to call once Telegram answered it: the notifier's
// Pace, so direct answers and the outbox share one pacer.
type DirectPacer func(ctx context.Context, chatID int64, group bool) (sent func(), err error)

// PaceDirect makes the answers sent without the outbox (the database takes
// no writes) wait for p, like every send of the outbox.
func (a *App) PaceDirect(p DirectPacer) {
	a.unstored.mu.Lock()
	a.unstored.pace = p
	a.unstored.mu.Unlock()
}

// storeFailed notes that storing failed because the database takes no
// writes; it logs once per spell, with the reason.
func (a *App) storeFailed(ctx context.Context, err error) {
	a.unstored.mu.Lock()
	first := !a.unstored.on
	a.unstored.on = true
	a.unstored.mu.Unlock()
	if first {
		a.log.ErrorContext(ctx, "bot: the database takes no writes (disk full or read-only); answering /help, /list and /status "+
			"from reads and everything else with a request to try later", slog.Any("error", err))
	}
}

// storeWorked ends a spell of storeFailed.
func (a *App) storeWorked(ctx context.Context) {
	a.unstored.mu.Lock()
	was := a.unstored.on
	a.unstored.on = false
	a.unstored.mu.Unlock()
	if was {
		a.log.InfoContext(ctx, "bot: the database takes writes again; updates go through the inbox")
	}
}

// answerUnstored answers ups without storing anything. An error means some
// answer could not be sent: the caller must not confirm the updates.
func (a *App) answerUnstored(ctx context.Context, ups []storage.InboxUpdate) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
	defer cancel()
	for _, u := range ups {
		a.unstored.mu.Lock()
		_, done := a.unstored.answered[u.UpdateID]
		a.unstored.mu.Unlock()
		if done {
			continue
		}
		var upd models.Update
		if err := json.Unmarshal(u.Body, &upd); err != nil {
			continue // read by UpdateMeta already; nothing to answer
		}
		if err := a.answerOneUnstored(ctx, &upd); err != nil {
			return err
		}
		a.unstored.mu.Lock()
		if a.unstored.answered == nil || len(a.unstored.answered) >= maxAnsweredUnstored {
			a.unstored.answered = map[int64]struct{}{}
		}
		a.unstored.answered[u.UpdateID] = struct{}{}
		a.unstored.mu.Unlock()
		if a.onUpdate != nil {
			a.onUpdate("unstored")
		}
	}
	return nil
}

func (a *App) answerOneUnstored(ctx context.Context, upd *models.Update) error {
	switch {
	case upd.Message != nil:
		m := upd.Message
		if m.From != nil && m.From.IsBot || m.MigrateToChatID != 0 || m.MigrateFromChatID != 0 {
			return nil
		}
		chat := chatOf(m.Chat)
		in := Message{Chat: chat, From: userOf(m.From), Text: m.Text}
		if r := m.ReplyToMessage; r != nil && r.From != nil && strings.EqualFold(r.From.Username, a.username) {
			in.ReplyToBot, in.ReplyToText = true, r.Text
		}
		replyTo := 0
		if chat.group() {
			replyTo = m.ID
		}
		for _, r := range a.eng.readOnlyReplies(ctx, in) {
			if err := a.sendNow(ctx, chat.ID, r, replyTo); err != nil {
				return err
			}
		}
	case upd.CallbackQuery != nil:
		cq := upd.CallbackQuery
		p := a.eng.readOnlyPrinter(ctx, updateChat(upd), cq.From.LanguageCode)
		if _, err := a.tg.AnswerCallbackQuery(ctx, answerParams(cq.ID, ClickResult{Answer: p.T("storage_full"), Alert: true})); err != nil {
			// Too old or refused: nothing to retry.
			a.log.DebugContext(ctx, "bot: answerCallbackQuery", slog.Any("error", err))
		}
	}
	// Membership changes: nothing to say; the chat is stored once writes work.
	return nil
}

// sendNow sends r to chatID at once, split under Telegram's limit. Telegram's
// refusals read as for the outbox (notify.Classify): a group that became a
// supergroup is answered there; a chat that blocked the bot, or a message
// Telegram refuses, cannot be answered however often the update comes back,
// so it counts as answered rather than holding up every other chat's.
func (a *App) sendNow(ctx context.Context, chatID int64, r Reply, replyTo int) error {
	parts := Split(r.Text)
	for i := 0; i < len(parts); i++ {
		p := &tg.SendMessageParams{ChatID: chatID, Text: parts[i], ParseMode: models.ParseModeHTML,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: tg.True()}}
		if i == len(parts)-1 {
			p.ReplyMarkup = markup(r)
		}
		if replyTo != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
		}
		sent, err := a.paceDirect(ctx, chatID)
		if err != nil {
			return fmt.Errorf("send to chat %d: %w", chatID, err)
		}
		_, err = a.tg.SendMessage(ctx, p)
		sent()
		switch v := notify.Classify(err, false); v.Outcome {
		case notify.Delivered:
		case notify.Migrated:
			if chatID == v.To {
				return fmt.Errorf("send to chat %d: migrated to itself: %w", chatID, err)
			}
			chatID, replyTo = v.To, 0 // the message quoted stayed in the old chat
			i--
		case notify.Blocked, notify.Refused:
			a.log.WarnContext(ctx, "bot: answer without storing cannot be sent; not retried",
				slog.Int64("chat", chatID), slog.Any("error", err))
			return nil
		default:
			return fmt.Errorf("send to chat %d: %w", chatID, err)
		}
	}
	return nil
}

// paceDirect waits for the pacer, if there is one.
func (a *App) paceDirect(ctx context.Context, chatID int64) (sent func(), err error) {
	a.unstored.mu.Lock()
	pace := a.unstored.pace
	a.unstored.mu.Unlock()
	if pace == nil {
		return func() {}, nil
	}
	return pace(ctx, chatID, chatID < 0)
}

// readOnlyPrinter speaks the chat's stored language, else the client's,
// without storing either.
func (e *Engine) readOnlyPrinter(ctx context.Context, chatID int64, clientLang string) *locale.Printer {
	if stored, err := e.store.ChatLanguage(ctx, chatID); err == nil {
		if l, ok := locale.Parse(stored); ok {
			return locale.For(l)
		}
	}
	return locale.For(locale.Of(clientLang))
}

// readOnlyReplies answers m while nothing can be written: what only reads
// as usual, the rest with storage_full; nil when m asks for no answer (a
// group message not for the bot).
func (e *Engine) readOnlyReplies(ctx context.Context, m Message) []Reply {
	text := strings.TrimSpace(m.Text)
	cmd, args, isCmd := parseCommand(text, e.username)
	if isCmd && cmd == "" {
		return nil // a command for another bot
	}
	if !isCmd && m.Chat.group() {
		if _, mentioned := stripMention(text, e.username); !mentioned && !m.ReplyToBot {
			return nil
		}
	}
	ctx = withPrinter(ctx, e.readOnlyPrinter(ctx, m.Chat.ID, m.From.Lang))
	switch {
	case cmd == "help":
		return []Reply{{Text: helpText(pr(ctx), e.demo)}}
	case cmd == "start" && args == "":
		return e.start(ctx, m, args)
	case cmd == "list":
		return e.list(ctx, m, args)
	case cmd == "history":
		return e.history(ctx, m)
	case cmd == "status":
		return e.status(ctx, m, args)
	}
	return []Reply{{Text: pr(ctx).T("storage_full")}}
}
