package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/notice"
)

// HandleClick answers a button press. Buttons outlive what they act on
// (a parcel stopped from another message, a restart): those answer with a
// short note instead of an error.
func (e *Engine) HandleClick(ctx context.Context, c Click) ClickResult {
	ctx = withPrinter(ctx, locale.For(e.chatLanguage(ctx, c.Chat.ID, c.From.Lang)))
	p := pr(ctx)
	cb, err := ParseCallback(c.Data)
	if err != nil {
		return ClickResult{Answer: p.T("button_dead")}
	}
	if cb.Action == ActLanguage {
		return e.setLanguage(ctx, c.Chat.ID, cb.Arg)
	}
	if cb.Action == ActForce {
		return e.forceTrack(ctx, c, cb.Arg)
	}
	if cb.Action == ActTopic {
		return e.topicClick(ctx, c.Chat.ID, cb.SubID, cb.Arg)
	}
	if cb.Action == ActZone {
		return e.zoneClick(ctx, c.Chat.ID, cb.Arg)
	}
	sub, err := e.store.SubscriptionByID(ctx, cb.SubID)
	if isNotFound(err) || err == nil && sub.ChatID != c.Chat.ID {
		return ClickResult{Answer: p.T("no_longer_following")}
	}
	if err != nil {
		return ClickResult{Answer: p.T("toast_error"), Replies: e.fail(ctx, "subscription by id", err)}
	}
	switch cb.Action {
	case ActRename, ActCarrier, ActSetCarrier:
		// One rule in groups for changing a parcel, as for stopping it: the
		// person who added it, or an admin. An alert only: the group needn't see it.
		if no := e.refusal(ctx, c.Chat, c.From, sub); no != "" {
			return ClickResult{Answer: stripTags(no), Alert: true}
		}
	}
	switch cb.Action {
	case ActRefresh:
		return e.refreshClick(ctx, sub)
	case ActStop:
		return e.unsubscribe(ctx, c.Chat, c.From, sub, true)
	case ActGotIt:
		r := e.unsubscribe(ctx, c.Chat, c.From, sub, true)
		if r.stopped {
			r.Answer = p.T("got_it_toast")
			r.Replies = []Reply{{Text: p.T("got_it", "Name", parcelName(sub.Label, sub.Shipment.Number)), Edit: true}}
		}
		return r
	case ActRename:
		return ClickResult{Replies: []Reply{{
			Text:       p.T("rename_prompt", "Name", parcelName(sub.Label, sub.Shipment.Number), "ID", itoa(sub.ID)),
			ForceReply: true,
			Hint:       p.T("rename_placeholder"),
		}}}
	case ActCarrier:
		return ClickResult{Replies: []Reply{e.carrierChoices(p, sub)}}
	case ActSetCarrier:
		r, ok := e.setCarrier(ctx, sub, cb.Arg, true)
		if !ok {
			return ClickResult{Answer: p.T("carrier_not_changed"), Replies: r}
		}
		return ClickResult{Answer: p.T("carrier_updated"), Replies: r}
	case ActNotReceived:
		return e.notReceived(ctx, sub)
	}
	return ClickResult{Answer: p.T("button_dead")}
}

func (e *Engine) refreshClick(ctx context.Context, sub storage.Subscription) ClickResult {
	p := pr(ctx)
	name := carrierName(p, sub.Shipment.Carrier)
	if e.refresh != nil {
		if err := e.refresh(ctx, sub.Shipment.ID); err != nil {
			e.log.WarnContext(ctx, "bot: refresh", slog.Int64("shipment", sub.Shipment.ID), slog.Any("error", err))
			return ClickResult{Answer: p.T("refresh_failed", "Carrier", name)}
		}
		return ClickResult{Answer: p.T("refresh_started", "Carrier", name)}
	}
	res, err := e.lookup(ctx, sub.Shipment.Carrier, sub.Shipment.Number)
	if err != nil {
		return ClickResult{Answer: stripTags(lookupFailed(p, sub.Shipment.Carrier, sub.Shipment.Number, err)), Alert: true}
	}
	res.Carrier = sub.Shipment.Carrier
	sub.Shipment = withResult(sub.Shipment, res)
	text := e.renderStatus(sub, res.Events, e.view(ctx, sub.ChatID), true)
	return ClickResult{Answer: p.T("toast_updated"), Replies: []Reply{{Text: text, Buttons: parcelButtons(p, sub), Edit: true}}}
}

// notReceived records the complaint and queues the advice for it through the
// outbox; the dedupe key makes a second press harmless.
func (e *Engine) notReceived(ctx context.Context, sub storage.Subscription) ClickResult {
	p := pr(ctx)
	now := e.now()
	err := e.store.MarkNotReceived(ctx, sub.ID, now)
	if isNotFound(err) {
		return ClickResult{Answer: p.T("no_longer_following")}
	}
	if err != nil {
		return ClickResult{Answer: p.T("toast_error"), Replies: e.fail(ctx, "mark not received", err)}
	}
	sub.NotReceivedAt = now
	a := e.assessSub(sub, tracker.Event{}, now)
	if a.Main.Rule == "" {
		return ClickResult{Answer: p.T("not_received_noted")}
	}
	msg := storage.OutboxMessage{ChatID: sub.ChatID, SubscriptionID: sub.ID, DedupeKey: "advice:" + itoa(sub.ID) + ":" + a.Main.Rule,
		Kind: string(notice.KindAdvice), Payload: notice.Encode(notice.Advice{Rule: a.Main.Rule})}
	if _, err := e.store.Enqueue(ctx, msg); err != nil {
		return ClickResult{Answer: p.T("toast_error"), Replies: e.fail(ctx, "enqueue advice", err)}
	}
	return ClickResult{Answer: p.T("not_received_sending")}
}

// --- chat lifecycle

// MemberChangedBy handles my_chat_member, knowing who made the change: a group
// takes the language of whoever added the bot.
func (e *Engine) MemberChangedBy(ctx context.Context, chat Chat, status string, by User) []Reply {
	switch status {
	case "member", "administrator", "creator":
		if err := e.store.TouchChat(ctx, storage.Chat{ID: chat.ID, Type: chat.Type, Title: chat.Title, Active: true}); err != nil {
			return e.fail(ctx, "touch chat", err)
		}
		ctx = withPrinter(ctx, locale.For(e.chatLanguage(ctx, chat.ID, by.Lang)))
		if chat.group() {
			return []Reply{{Text: pr(ctx).T("group_hello")}}
		}
	case "left", "kicked":
		e.ChatGone(ctx, chat.ID)
	}
	return nil
}

// ChatGone marks a chat inactive (403 on send, bot removed): nothing more is
// sent there, its parcels stay, and any message from it brings it back.
func (e *Engine) ChatGone(ctx context.Context, chatID int64) {
	if err := e.store.SetChatActive(ctx, chatID, false); err != nil && !isNotFound(err) {
		e.log.ErrorContext(ctx, "bot: mark chat inactive", slog.Int64("chat", chatID), slog.Any("error", err))
		return
	}
	e.log.InfoContext(ctx, "bot: chat inactive", slog.Int64("chat", chatID))
}

// ChatMigrated moves a group's parcels to its new supergroup id.
func (e *Engine) ChatMigrated(ctx context.Context, oldID, newID int64) error {
	err := e.store.MigrateChat(ctx, oldID, newID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // already moved (Telegram announces it in both chats)
	}
	if err != nil {
		return err
	}
	e.log.InfoContext(ctx, "bot: chat migrated", slog.Int64("from", oldID), slog.Int64("to", newID))
	return nil
}

// forceTrack follows a number the user insists on although its check digit
// failed ("Track it anyway"). The number must still read as that carrier's
// typo, so the button cannot be used to follow arbitrary text.
func (e *Engine) forceTrack(ctx context.Context, c Click, arg string) ClickResult {
	carrier, number, _ := strings.Cut(arg, ":")
	for _, cand := range detect(number, e.demo) {
		if cand.Number != number || cand.Carrier != carrier || cand.Valid || cand.Kind != tracker.KindTracking {
			continue
		}
		f := e.follow(ctx, Message{Chat: c.Chat, From: c.From}, cand, "")
		if f.err {
			return ClickResult{Answer: pr(ctx).T("force_failed"), Replies: []Reply{f.reply}}
		}
		return ClickResult{Answer: pr(ctx).T("forced"), Replies: []Reply{f.reply}}
	}
	return ClickResult{Answer: pr(ctx).T("button_dead")}
}
