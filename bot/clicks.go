package bot

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

// HandleClick answers a button press. Buttons outlive what they act on
// (a parcel stopped from another message, a restart): those answer with a
// short note instead of an error.
func (e *Engine) HandleClick(ctx context.Context, c Click) ClickResult {
	cb, err := ParseCallback(c.Data)
	if err != nil {
		return ClickResult{Answer: "This button no longer works."}
	}
	if cb.Action == ActForce {
		return e.forceTrack(ctx, c, cb.Arg)
	}
	sub, err := e.store.SubscriptionByID(ctx, cb.SubID)
	if isNotFound(err) || err == nil && sub.ChatID != c.Chat.ID {
		return ClickResult{Answer: "I'm no longer following that parcel here."}
	}
	if err != nil {
		return ClickResult{Answer: "Sorry, something went wrong.", Replies: e.fail(ctx, "subscription by id", err)}
	}
	switch cb.Action {
	case ActRefresh:
		return e.refreshClick(ctx, sub)
	case ActStop:
		return e.unsubscribe(ctx, c.Chat, c.From, sub, true)
	case ActGotIt:
		r := e.unsubscribe(ctx, c.Chat, c.From, sub, true)
		if r.Answer == "Stopped." {
			r.Answer = "Enjoy it! I've stopped following it."
			r.Replies = []Reply{{Text: "✅ " + parcelName(sub.Label, sub.Shipment.Number) + " arrived. I've stopped following it.", Edit: true}}
		}
		return r
	case ActRename:
		return ClickResult{Replies: []Reply{{
			Text: "✏️ Send the new name for " + parcelName(sub.Label, sub.Shipment.Number) +
				" as a reply to this message. (parcel #" + itoa(sub.ID) + ")",
			ForceReply: true,
		}}}
	case ActCarrier:
		return ClickResult{Replies: []Reply{e.carrierChoices(sub)}}
	case ActSetCarrier:
		r, ok := e.setCarrier(ctx, sub, cb.Arg, true)
		if !ok {
			return ClickResult{Answer: "The carrier was not changed.", Replies: r}
		}
		return ClickResult{Answer: "Carrier updated.", Replies: r}
	case ActNotReceived:
		return e.notReceived(ctx, sub)
	}
	return ClickResult{Answer: "This button no longer works."}
}

func (e *Engine) refreshClick(ctx context.Context, sub storage.Subscription) ClickResult {
	name := carrierName(sub.Shipment.Carrier)
	if e.refresh != nil {
		if err := e.refresh(ctx, sub.Shipment.ID); err != nil {
			e.log.WarnContext(ctx, "bot: refresh", slog.Int64("shipment", sub.Shipment.ID), slog.Any("error", err))
			return ClickResult{Answer: "I couldn't check " + name + " just now; I'll keep trying on schedule."}
		}
		return ClickResult{Answer: "Checking with " + name + " now. You'll get a message here if anything changed."}
	}
	res, err := e.lookup(ctx, sub.Shipment.Carrier, sub.Shipment.Number)
	if err != nil {
		return ClickResult{Answer: stripTags(lookupFailed(sub.Shipment.Carrier, sub.Shipment.Number, err)), Alert: true}
	}
	res.Carrier = sub.Shipment.Carrier
	sub.Shipment.Status = res.Status
	text := parcelName(sub.Label, sub.Shipment.Number) + "\n" + renderResult(res, e.now())
	return ClickResult{Answer: "Updated.", Replies: []Reply{{Text: text, Buttons: ParcelButtons(sub), Edit: true}}}
}

// notReceived records the complaint and queues the advice for it through the
// outbox; the dedupe key makes a second press harmless.
func (e *Engine) notReceived(ctx context.Context, sub storage.Subscription) ClickResult {
	now := e.now()
	err := e.store.MarkNotReceived(ctx, sub.ID, now)
	if isNotFound(err) {
		return ClickResult{Answer: "I'm no longer following that parcel here."}
	}
	if err != nil {
		return ClickResult{Answer: "Sorry, something went wrong.", Replies: e.fail(ctx, "mark not received", err)}
	}
	sub.NotReceivedAt = now
	advs := advice.Evaluate(sub.AdviceInput(followedValid), now)
	pick := -1
	for i, a := range advs {
		if a.Rule == advice.RuleNotReceivedCheck || a.Rule == advice.RuleNotReceived {
			pick = i
			break
		}
	}
	if pick < 0 && len(advs) > 0 {
		pick = 0
	}
	if pick < 0 {
		return ClickResult{Answer: "Noted. Check with your neighbours and any safe place first; I'll keep an eye on it."}
	}
	a := advs[pick]
	msg := storage.OutboxMessage{ChatID: sub.ChatID, SubscriptionID: sub.ID, DedupeKey: "advice:" + itoa(sub.ID) + ":" + a.Rule,
		Text: renderAdvice(sub, a)}
	if _, err := e.store.Enqueue(ctx, msg); err != nil {
		return ClickResult{Answer: "Sorry, something went wrong.", Replies: e.fail(ctx, "enqueue advice", err)}
	}
	return ClickResult{Answer: "Sorry to hear that. I'm sending you what to do."}
}

// renderAdvice is an advice push in Telegram HTML.
func renderAdvice(sub storage.Subscription, a advice.Advice) string {
	var b strings.Builder
	b.WriteString("📭 <b>" + esc(a.Title) + "</b> — " + parcelName(sub.Label, sub.Shipment.Number) + "\n" + esc(a.Text))
	if a.ContactName != "" {
		b.WriteString("\n\n☎️ Whom to contact: ")
		if a.ContactURL != "" {
			b.WriteString("<a href=\"" + esc(a.ContactURL) + "\">" + esc(a.ContactName) + "</a>")
		} else {
			b.WriteString(esc(a.ContactName))
		}
	}
	if u := tracker.TrackingURL(sub.Shipment.Carrier, sub.Shipment.Number); u != "" {
		b.WriteString("\n<a href=\"" + esc(u) + "\">Tracking page</a>")
	}
	return b.String()
}

// --- chat lifecycle

// MemberChanged handles my_chat_member: the bot was added to a chat,
// removed, or blocked/unblocked by a user. Data is kept either way.
func (e *Engine) MemberChanged(ctx context.Context, chat Chat, status string) []Reply {
	switch status {
	case "member", "administrator", "creator":
		if err := e.store.TouchChat(ctx, storage.Chat{ID: chat.ID, Type: chat.Type, Title: chat.Title, Active: true}); err != nil {
			return e.fail(ctx, "touch chat", err)
		}
		if chat.group() {
			return []Reply{{Text: "👋 Hi all! I follow parcels for this group. Send <code>/track NUMBER</code> or mention me with a tracking number; " +
				"everyone here will see the updates. /help has the rest."}}
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
			return ClickResult{Answer: forceTexts.forceFailed, Replies: []Reply{f.reply}}
		}
		return ClickResult{Answer: forceTexts.forced, Replies: []Reply{f.reply}}
	}
	return ClickResult{Answer: "This button no longer works."}
}
