package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/label"
)

// DefaultMaxParcels is the per-chat limit when the configuration sets none.
const DefaultMaxParcels = 50

// maxLabel bounds labels so a list of 50 parcels stays readable.
const maxLabel = 64

// Engine is the conversation: it turns a chat's messages and button presses
// into replies and storage changes. It knows nothing of the transport, so the
// Telegram adapter and the console share it. Safe for concurrent use: all
// state lives in the store.
type Engine struct {
	store      *storage.Store
	router     *tracker.Router
	demo       bool
	maxParcels int
	log        *slog.Logger
	now        func() time.Time
	refresh    func(ctx context.Context, shipmentID int64) error
	username   string // the bot's @name without "@"; "" in the console
	// isAdmin says whether a user administers a group; nil means nobody does.
	isAdmin func(ctx context.Context, chatID, userID int64) (bool, error)
	// lookupFn, when set, replaces the live carrier look-up (see inbox.go).
	lookupFn func(ctx context.Context, carrier, number string) (tracker.Result, error)
	// scan downloads and reads a photo (photo.go); nil where there are no
	// photos (the console).
	scan func(ctx context.Context, fileID string) (label.Result, error)
	// scanBudget bounds reading one update's photos together (photo.go);
	// 0: albumBudget.
	scanBudget time.Duration
}

// Chat is where a message came from.
type Chat struct {
	ID    int64
	Type  string // private, group, supergroup, console
	Title string
}

func (c Chat) group() bool { return c.Type == "group" || c.Type == "supergroup" }

// User is who sent it.
type User struct {
	ID   int64
	Name string
	Lang string // the Telegram client's language_code ("de", "pt-br"), "" when unknown
}

// Message is an incoming text message, transport-neutral.
type Message struct {
	Chat Chat
	From User
	Text string
	// ReplyToBot is set when the message replies to one of the bot's
	// messages; ReplyToText is that message's plain text.
	ReplyToBot  bool
	ReplyToText string
}

// Click is a button press.
type Click struct {
	Chat        Chat
	From        User
	Data        string
	MessageText string // plain text of the message the button is on
}

// ClickResult is the answer to a button press: a short toast, and messages
// (Edit ones replace the message the button was on).
type ClickResult struct {
	Answer  string
	Alert   bool
	Replies []Reply
	stopped bool // the parcel was unsubscribed (Got it turns that into its own reply)
}

// HandleMessage answers one message. In groups it only reacts to commands,
// mentions of the bot and replies to the bot, so it never answers chatter.
func (e *Engine) HandleMessage(ctx context.Context, m Message) []Reply {
	text := strings.TrimSpace(m.Text)
	cmd, args, isCmd := parseCommand(text, e.username)
	if isCmd && cmd == "" {
		return nil // a command for another bot
	}
	if !isCmd && m.Chat.group() {
		rest, mentioned := stripMention(text, e.username)
		if !mentioned && !m.ReplyToBot {
			return nil
		}
		text = strings.TrimSpace(rest)
	}
	if err := e.store.TouchChat(ctx, storage.Chat{ID: m.Chat.ID, Type: m.Chat.Type, Title: m.Chat.Title, Active: true}); err != nil {
		return e.fail(ctx, "touch chat", err)
	}
	ctx = withPrinter(ctx, locale.For(e.chatLanguage(ctx, m.Chat.ID, m.From.Lang)))
	p := pr(ctx)
	if !isCmd && m.ReplyToBot {
		if id, ok := renamePrompt(m.ReplyToText); ok {
			return e.renameByID(ctx, m, id, text)
		}
	}
	if !isCmd {
		return e.paste(ctx, m, text)
	}
	switch cmd {
	case "start":
		return e.start(ctx, m, args)
	case "help":
		return []Reply{{Text: helpText(p, e.demo)}}
	case "language":
		return []Reply{languagePicker(p)}
	case "track":
		return e.track(ctx, m, args)
	case "list":
		return e.list(ctx, m, args)
	case "stop":
		return e.stop(ctx, m, args)
	case "status":
		return e.status(ctx, m, args)
	case "rename":
		return e.rename(ctx, m, args)
	case "carrier":
		return e.carrier(ctx, m, args)
	case "timezone", "tz":
		return e.timezone(ctx, m, args)
	case "quiet":
		return e.quiet(ctx, m, args)
	case "mute":
		return e.mute(ctx, m, args, true)
	case "unmute":
		return e.mute(ctx, m, args, false)
	case "history":
		return e.history(ctx, m)
	default:
		return []Reply{{Text: p.T("cmd_unknown", "Command", esc(tracker.Clip(cmd, 32)))}}
	}
}

// fail logs an internal error and tells the user plainly.
func (e *Engine) fail(ctx context.Context, what string, err error) []Reply {
	e.log.ErrorContext(ctx, "bot: "+what, slog.Any("error", err))
	return []Reply{{Text: pr(ctx).T("error_internal")}}
}

var commandRE = regexp.MustCompile(`^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$`)

// parseCommand splits "/cmd@bot args". cmd is "" (with isCmd) when the
// command is addressed to another bot. MatchTypeCommand in go-telegram/bot
// does not handle "@bot", hence our own parser.
func parseCommand(text, username string) (cmd, args string, isCmd bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	m := commandRE.FindStringSubmatch(text)
	if m == nil {
		if len(text) > 1 && text[1] != ' ' {
			// "/something odd": still a command, just not one we know.
			name, _, _ := strings.Cut(text[1:], " ")
			return name, "", true
		}
		return "", "", false
	}
	if m[2] != "" && !strings.EqualFold(m[2], username) {
		return "", "", true
	}
	return strings.ToLower(m[1]), strings.TrimSpace(m[3]), true
}

// stripMention finds "@username" in text, in any case and as a whole name
// ("@trackbot_fan" is someone else), and returns text with each such mention
// replaced by a space, and whether there was one. Telegram usernames are
// ASCII letters, digits and "_", so a byte scan is exact; it spares
// compiling a regexp per message.
func stripMention(text, username string) (string, bool) {
	if username == "" {
		return text, false
	}
	var b strings.Builder
	last, n := 0, len(username)
	for i := 0; i+1+n <= len(text); i++ {
		if text[i] != '@' || !equalFoldASCII(text[i+1:i+1+n], username) {
			continue
		}
		end := i + 1 + n
		if end < len(text) && isNameByte(text[end]) {
			continue
		}
		b.WriteString(text[last:i])
		b.WriteByte(' ')
		last, i = end, end-1
	}
	if last == 0 {
		return text, false
	}
	b.WriteString(text[last:])
	return b.String(), true
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func isNameByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// The prompt ends "(parcel #12)" in every language ("(Sendung #12)"…).
var renameRE = regexp.MustCompile(`\(\pL+ #(\d+)\)`)

// renamePrompt finds the subscription id in the text of a rename prompt. The
// id rides in the message itself, so a reply works even after a restart.
func renamePrompt(text string) (int64, bool) {
	m := renameRE.FindStringSubmatch(text)
	if m == nil {
		return 0, false
	}
	id, err := strconv.ParseInt(m[1], 10, 64)
	return id, err == nil
}

// errLabelTooLong: a label over maxLabel runes.
var errLabelTooLong = fmt.Errorf("labels are at most %d characters", maxLabel)

// cleanLabel normalises a label: one line, single spaces, bounded, and
// free of what would garble the messages it is shown in (see tracker.PlainText).
func cleanLabel(s string) (string, error) {
	s = strings.Join(strings.Fields(tracker.PlainText(s)), " ")
	if len([]rune(s)) > maxLabel {
		return "", errLabelTooLong
	}
	return s, nil
}

// refusal is why user may not change sub (rename it, set its carrier), or
// "" when they may: in a group, the one rule of mayRemove.
func (e *Engine) refusal(ctx context.Context, chat Chat, user User, sub storage.Subscription) string {
	if e.mayRemove(ctx, chat, user, sub) {
		return ""
	}
	p := pr(ctx)
	name := parcelName(sub.Label, sub.Shipment.Number)
	if sub.AddedByName != "" {
		return p.T("change_only_named", "Who", esc(sub.AddedByName), "Name", name)
	}
	return p.T("change_only_anon", "Name", name)
}

// mayRemove: in a group, whoever added a parcel and the group's admins may
// remove it; in a private chat, the one user.
func (e *Engine) mayRemove(ctx context.Context, chat Chat, user User, sub storage.Subscription) bool {
	if !chat.group() || sub.AddedBy == user.ID {
		return true
	}
	if e.isAdmin == nil {
		return false
	}
	ok, err := e.isAdmin(ctx, chat.ID, user.ID)
	if errors.Is(err, errNeedNetwork) {
		return false // asked again with the answer
	}
	if err != nil {
		e.log.WarnContext(ctx, "bot: admin check", slog.Int64("chat", chat.ID), slog.Any("error", err))
		return false
	}
	return ok
}

// findOne resolves "NUMBER|label" to exactly one of the chat's parcels, or
// the reply explaining why not.
func (e *Engine) findOne(ctx context.Context, chatID int64, query string) (storage.Subscription, []Reply) {
	subs, err := e.store.FindSubscriptions(ctx, chatID, query)
	if err != nil {
		return storage.Subscription{}, e.fail(ctx, "find subscriptions", err)
	}
	switch len(subs) {
	case 0:
		return storage.Subscription{}, []Reply{{Text: pr(ctx).T("find_none", "Query", esc(tracker.Clip(query, 80)))}}
	case 1:
		return subs[0], nil
	}
	var b strings.Builder
	b.WriteString(pr(ctx).T("find_many", "Query", esc(tracker.Clip(query, 80))) + "\n")
	for _, s := range subs {
		b.WriteString("• " + parcelName(s.Label, s.Shipment.Number) + " <code>" + esc(s.Shipment.Number) + "</code>\n")
	}
	return storage.Subscription{}, []Reply{{Text: b.String()}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
