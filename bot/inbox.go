package bot

// Handling stored updates. Every update from Telegram is first stored in the
// inbox (intake.go); a worker then handles each one in a single database
// transaction that holds its effects, its replies (outbox rows in the reply
// lane, keyed by the update id) and its "handled" mark. A crash either loses
// the whole attempt (the update is handled again on restart) or none of it,
// so every update is handled and answered exactly once. The notifier sends
// the replies.
//
// A transaction must not wait on the network (it holds the one writer
// connection), so a handler that needs a carrier look-up or an admin check
// records the need and gives up; the worker rolls back, makes the calls
// outside any transaction and runs the handler again with the answers.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

// errNeedNetwork: the handler wants a network answer it does not have yet.
var errNeedNetwork = errors.New("bot: needs a network call outside the transaction")

// maxNetRounds bounds the look-up / run-again cycle for one update.
const maxNetRounds = 4

// netPlan is one update's network answers, gathered outside the
// transaction, and the calls still missing.
type netPlan struct {
	admins  map[[2]int64]adminAnswer
	lookups map[[2]string]lookupAnswer
	missing []func(ctx context.Context)
	refresh []int64               // shipments to poll once the transaction committed
	scans   map[string]scanAnswer // photos read, by file id (photo.go)
	// scanDeadline is when this update's photos must be read by, set by
	// the first one read (photo.go).
	scanDeadline time.Time
}

type adminAnswer struct {
	ok  bool
	err error
}

type lookupAnswer struct {
	res tracker.Result
	err error
}

// afterCommit is what handling leaves to do once the transaction committed.
type afterCommit struct {
	answer  *tg.AnswerCallbackQueryParams
	refresh []int64
}

// UpdateMeta reads the update id and the chat an update concerns (0 when
// none) from its JSON.
func UpdateMeta(body []byte) (updateID, chatID int64, err error) {
	var u models.Update
	if err := json.Unmarshal(body, &u); err != nil {
		return 0, 0, fmt.Errorf("update: %w", err)
	}
	if u.ID <= 0 {
		return 0, 0, errors.New("update: no update_id")
	}
	return u.ID, updateChat(&u), nil
}

func updateChat(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil:
		return u.CallbackQuery.Message.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

// HandleStored handles one stored update: effects, replies and the handled
// mark in one transaction, then the after-commit work (a callback's toast, a
// refresh poll). storage.ErrAlreadyHandled when another run got there first.
func (a *App) HandleStored(ctx context.Context, u storage.InboxUpdate) error {
	var upd models.Update
	if err := json.Unmarshal(u.Body, &upd); err != nil {
		// Nothing to answer: record it handled so it is not offered again.
		return a.eng.store.CloseUpdate(ctx, u.UpdateID, a.eng.now(), nil, "unreadable")
	}
	plan := &netPlan{admins: map[[2]int64]adminAnswer{}, lookups: map[[2]string]lookupAnswer{}}
	for round := 0; ; round++ {
		after, queued, err := a.handleIn(ctx, u.UpdateID, &upd, plan, round < maxNetRounds)
		if errors.Is(err, errNeedNetwork) {
			for _, fetch := range plan.missing {
				fetch(ctx)
			}
			continue
		}
		if err != nil {
			return err
		}
		if queued > 0 && a.queued != nil {
			a.queued()
		}
		if a.onUpdate != nil {
			a.onUpdate(updateKind(&upd))
		}
		a.afterCommit(ctx, after)
		return nil
	}
}

// handleIn handles upd in one transaction (storage.UpdateTx): its effects,
// its replies and the handled mark commit together. errNeedNetwork (and
// nothing stored) when the handling needs answers plan does not have yet
// and mayAsk allows fetching them first.
func (a *App) handleIn(ctx context.Context, id int64, upd *models.Update, plan *netPlan, mayAsk bool) (afterCommit, int, error) {
	ut, err := a.eng.store.BeginUpdate(ctx, id)
	if err != nil {
		return afterCommit{}, 0, err
	}
	defer ut.Rollback()
	plan.missing, plan.refresh = nil, nil
	out, answer, album := a.dispatch(ctx, a.engineIn(ut.Store, plan), upd)
	if len(plan.missing) > 0 && mayAsk {
		return afterCommit{}, 0, errNeedNetwork
	}
	// The album's other photos were answered with this one (album.go).
	if len(album) > 0 {
		if err := ut.Store.CloseUpdates(ctx, a.eng.now(), album, "album", nil); err != nil {
			return afterCommit{}, 0, err
		}
	}
	if err := ut.Finish(ctx, a.eng.now(), out, "handled"); err != nil {
		return afterCommit{}, 0, err
	}
	return afterCommit{answer: answer, refresh: plan.refresh}, len(out), nil
}

// engineIn is the engine working inside tx, with plan's network answers.
func (a *App) engineIn(tx *storage.Store, plan *netPlan) *Engine {
	e := *a.eng
	e.store = tx
	orig := a.eng
	e.isAdmin = func(ctx context.Context, chatID, userID int64) (bool, error) {
		k := [2]int64{chatID, userID}
		if ans, ok := plan.admins[k]; ok {
			return ans.ok, ans.err
		}
		plan.missing = append(plan.missing, func(ctx context.Context) {
			ok, err := false, error(nil)
			if orig.isAdmin != nil {
				ok, err = orig.isAdmin(ctx, chatID, userID)
			}
			plan.admins[k] = adminAnswer{ok, err}
		})
		return false, errNeedNetwork
	}
	e.lookupFn = func(ctx context.Context, carrier, number string) (tracker.Result, error) {
		k := [2]string{carrier, number}
		if ans, ok := plan.lookups[k]; ok {
			return ans.res, ans.err
		}
		plan.missing = append(plan.missing, func(ctx context.Context) {
			res, err := orig.lookup(ctx, carrier, number)
			plan.lookups[k] = lookupAnswer{res, err}
		})
		return tracker.Result{}, errNeedNetwork
	}
	if orig.scan != nil {
		e.scan = plan.scanIn(orig)
	}
	if orig.refresh != nil {
		// Polled after the commit: the poll writes, and this transaction
		// holds the writer.
		e.refresh = func(_ context.Context, shipmentID int64) error {
			plan.refresh = append(plan.refresh, shipmentID)
			return nil
		}
	}
	return &e
}

// dispatch runs the engine on one update and turns its replies into outbox
// rows (reply lane, dedupe key from the update id); album lists the other
// updates of a photo album answered with this one, to close with it.
func (a *App) dispatch(ctx context.Context, e *Engine, upd *models.Update) (out []storage.OutboxMessage, answer *tg.AnswerCallbackQueryParams, album []int64) {
	q := replyQueue{update: upd.ID}
	switch {
	case upd.Message != nil:
		m := upd.Message
		chat := chatOf(m.Chat)
		switch {
		case m.MigrateToChatID != 0:
			if err := e.ChatMigrated(ctx, chat.ID, m.MigrateToChatID); err != nil {
				a.log.ErrorContext(ctx, "bot: migrate chat", slog.Any("error", err))
			}
			return nil, nil, nil
		case m.MigrateFromChatID != 0:
			if err := e.ChatMigrated(ctx, m.MigrateFromChatID, chat.ID); err != nil {
				a.log.ErrorContext(ctx, "bot: migrate chat", slog.Any("error", err))
			}
			return nil, nil, nil
		case m.From != nil && m.From.IsBot:
			return nil, nil, nil
		case m.Text == "":
			return a.dispatchPhoto(ctx, e, m, &q)
		}
		in := Message{Chat: chat, From: userOf(m.From), Text: m.Text}
		if r := m.ReplyToMessage; r != nil && r.From != nil && strings.EqualFold(r.From.Username, a.username) {
			in.ReplyToBot, in.ReplyToText = true, r.Text
		}
		replyTo := 0
		if chat.group() {
			replyTo = m.ID // in a busy group, show which message the answer is for
		}
		for _, r := range e.HandleMessage(ctx, in) {
			q.add(chat.ID, r, 0, replyTo)
		}
	case upd.CallbackQuery != nil:
		cq := upd.CallbackQuery
		msg := cq.Message.Message
		if msg == nil {
			return nil, answerParams(cq.ID, ClickResult{Answer: locale.For(locale.Of(cq.From.LanguageCode)).T("button_too_old")}), nil
		}
		chat := chatOf(msg.Chat)
		res := e.HandleClick(ctx, Click{Chat: chat, From: userOf(&cq.From), Data: cq.Data, MessageText: msg.Text})
		for _, r := range res.Replies {
			edit := 0
			if r.Edit {
				edit = msg.ID
			}
			q.add(chat.ID, r, edit, 0)
		}
		return q.out, answerParams(cq.ID, res), nil
	case upd.MyChatMember != nil:
		m := upd.MyChatMember
		chat := chatOf(m.Chat)
		for _, r := range e.MemberChangedBy(ctx, chat, string(m.NewChatMember.Type), userOf(&m.From)) {
			q.add(chat.ID, r, 0, 0)
		}
	}
	return q.out, nil, nil
}

func answerParams(id string, r ClickResult) *tg.AnswerCallbackQueryParams {
	return &tg.AnswerCallbackQueryParams{CallbackQueryID: id, Text: tracker.Clip(r.Answer, 200), ShowAlert: r.Alert}
}

// replyQueue collects one update's replies as outbox rows.
type replyQueue struct {
	update int64
	out    []storage.OutboxMessage
}

// add queues r, split under Telegram's length limit: buttons ride on the
// last part, and only the first part edits (editID) the message pressed.
func (q *replyQueue) add(chatID int64, r Reply, editID, replyTo int) {
	parts := Split(r.Text)
	for i, part := range parts {
		m := storage.OutboxMessage{
			ChatID:    chatID,
			DedupeKey: "upd:" + strconv.FormatInt(q.update, 10) + ":" + strconv.Itoa(len(q.out)),
			Text:      part,
			Reply:     true,
			ReplyTo:   replyTo,
		}
		if r.DedupeKey != "" {
			m.DedupeKey = r.DedupeKey + ":" + strconv.Itoa(i)
		}
		if i == 0 {
			m.EditID = editID
		}
		if i == len(parts)-1 {
			m.Markup = markupJSON(r)
		}
		q.out = append(q.out, m)
	}
}

// afterCommit answers a button press (the toast) and starts the polls a
// refresh asked for. Neither is worth keeping across a crash: a toast is
// only useful within seconds, and the schedule polls anyway.
func (a *App) afterCommit(ctx context.Context, after afterCommit) {
	if after.answer != nil {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if _, err := a.tg.AnswerCallbackQuery(actx, after.answer); err != nil {
			// Usually "query is too old": the press still did its work.
			a.log.DebugContext(ctx, "bot: answerCallbackQuery", slog.Any("error", err))
		}
		cancel()
	}
	for _, id := range after.refresh {
		go func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
			defer cancel()
			if err := a.eng.refresh(rctx, id); err != nil {
				a.log.WarnContext(rctx, "bot: refresh", slog.Int64("shipment", id), slog.Any("error", err))
			}
		}()
	}
}
