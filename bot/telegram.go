package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

// ErrConflict: Telegram answered getUpdates with 409 because another process
// polls the same token (or a webhook is set). Looping would only fight it.
var ErrConflict = errors.New("telegram: 409 Conflict: another instance is already polling this bot token; stop it (or its webhook) and start again")

const (
	// pollTimeout is the long-poll wait; the HTTP client's timeout must exceed it.
	pollTimeout = 50 * time.Second
	// replyTimeout bounds sending a handler's replies, also during shutdown.
	replyTimeout = 30 * time.Second
)

// Config wires the Telegram bot.
type Config struct {
	Token, APIURL string
	Store         *storage.Store
	Router        *tracker.Router
	Demo          bool
	MaxParcels    int // 0: DefaultMaxParcels
	Logger        *slog.Logger
	Now           func() time.Time
	// Refresh asks the poller to poll a shipment now; nil makes the refresh
	// button do a live look-up itself.
	Refresh    func(ctx context.Context, shipmentID int64) error
	HTTPClient *http.Client
	// OnUpdate, when set, is told the kind of each update handled (message,
	// command, callback, my_chat_member, other), for metrics.
	OnUpdate func(kind string)
}

// App is the bot on Telegram: the go-telegram client feeding the engine.
type App struct {
	eng      *Engine
	tg       *tg.Bot
	username string
	log      *slog.Logger

	onUpdate func(kind string)
	inflight sync.WaitGroup
	conflict atomic.Bool
	mu       sync.Mutex
	stop     context.CancelFunc // ends the running poll loop
}

// Commands is the menu registered with setMyCommands.
var Commands = []models.BotCommand{
	{Command: "track", Description: "Follow a tracking number: /track NUMBER [name]"},
	{Command: "list", Description: "Parcels followed in this chat"},
	{Command: "stop", Description: "Stop following: /stop NUMBER or name"},
	{Command: "status", Description: "Look a number up once: /status NUMBER"},
	{Command: "rename", Description: "Rename a parcel: /rename NUMBER new name"},
	{Command: "carrier", Description: "Set the carrier: /carrier NUMBER CODE"},
	{Command: "help", Description: "What I can do"},
}

func newEngine(store *storage.Store, router *tracker.Router, demo bool, maxParcels int, log *slog.Logger, now func() time.Time) *Engine {
	if maxParcels <= 0 {
		maxParcels = DefaultMaxParcels
	}
	if log == nil {
		log = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	if router == nil {
		router = tracker.NewRouter(nil, nil)
	}
	return &Engine{store: store, router: router, demo: demo, maxParcels: maxParcels, log: log, now: now}
}

// New creates the Telegram client, learns the bot's username with getMe and
// registers the handlers. It does not start polling; Run does.
func New(ctx context.Context, cfg Config) (*App, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("telegram: TELEGRAM_BOT_TOKEN is empty")
	}
	if cfg.Store == nil {
		return nil, errors.New("telegram: no store")
	}
	a := &App{eng: newEngine(cfg.Store, cfg.Router, cfg.Demo, cfg.MaxParcels, cfg.Logger, cfg.Now)}
	a.log = a.eng.log
	a.onUpdate = cfg.OnUpdate
	a.eng.refresh = cfg.Refresh
	a.eng.isAdmin = a.isAdmin

	client, poll := cfg.HTTPClient, pollTimeout
	if client == nil {
		client = &http.Client{Timeout: pollTimeout + 15*time.Second}
	} else if client.Timeout > 0 && client.Timeout < poll+5*time.Second {
		poll = max(client.Timeout-5*time.Second, 2*time.Second)
	}
	opts := []tg.Option{
		tg.WithSkipGetMe(), // called below with the caller's context
		tg.WithDefaultHandler(a.handle),
		tg.WithErrorsHandler(a.onError),
		tg.WithHTTPClient(poll, client),
		tg.WithAllowedUpdates(tg.AllowedUpdates{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery, models.AllowedUpdateMyChatMember}),
	}
	if cfg.APIURL != "" {
		opts = append(opts, tg.WithServerURL(strings.TrimRight(cfg.APIURL, "/")))
	}
	b, err := tg.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram: client: %w", err)
	}
	me, err := b.GetMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe (is the token right?): %w", err)
	}
	a.tg, a.username = b, me.Username
	a.eng.username = me.Username
	return a, nil
}

// Telegram is the client, for the notifier and webhook mode.
func (a *App) Telegram() *tg.Bot { return a.tg }

// Username is the bot's @name without the "@".
func (a *App) Username() string { return a.username }

// Engine is the conversation engine behind the adapter.
func (a *App) Engine() *Engine { return a.eng }

// Run registers the command menu, drops any webhook and long-polls until ctx
// is done (nil) or Telegram reports a conflicting poller (ErrConflict).
func (a *App) Run(ctx context.Context) error {
	if _, err := a.tg.DeleteWebhook(ctx, &tg.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("telegram: deleteWebhook: %w", err)
	}
	if _, err := a.tg.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: Commands}); err != nil {
		return fmt.Errorf("telegram: setMyCommands: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	a.mu.Lock()
	a.stop = cancel
	a.mu.Unlock()
	a.log.InfoContext(ctx, "bot: polling Telegram", slog.String("bot", a.username))
	a.tg.Start(runCtx)
	cancel()
	a.inflight.Wait()
	if a.conflict.Load() {
		return ErrConflict
	}
	return nil
}

// RunWebhook registers the command menu and processes updates that arrive
// through the client's WebhookHandler until ctx is done. The caller serves
// that handler (behind the secret-token check) and registers the webhook.
func (a *App) RunWebhook(ctx context.Context) error {
	if _, err := a.tg.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: Commands}); err != nil {
		return fmt.Errorf("telegram: setMyCommands: %w", err)
	}
	a.log.InfoContext(ctx, "bot: taking updates by webhook", slog.String("bot", a.username))
	a.tg.StartWebhook(ctx)
	a.inflight.Wait()
	return nil
}

// onError receives the client's errors (getUpdates failures among them).
// The client would retry a 409 forever, so we stop it instead.
func (a *App) onError(err error) {
	if errors.Is(err, tg.ErrorConflict) {
		if a.conflict.CompareAndSwap(false, true) {
			a.log.Error("bot: Telegram says another instance is polling this token (409 Conflict); stopping")
		}
		a.mu.Lock()
		if a.stop != nil {
			a.stop()
		}
		a.mu.Unlock()
		return
	}
	a.log.Warn("bot: telegram client", slog.Any("error", err))
}

// handle runs in its own goroutine per update (the client's default).
func (a *App) handle(ctx context.Context, _ *tg.Bot, upd *models.Update) {
	a.inflight.Add(1)
	defer a.inflight.Done()
	// Replies to an update already taken should still go out during shutdown.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
	defer cancel()
	if a.onUpdate != nil {
		a.onUpdate(updateKind(upd))
	}
	switch {
	case upd.Message != nil:
		a.onMessage(ctx, upd.Message)
	case upd.CallbackQuery != nil:
		a.onCallback(ctx, upd.CallbackQuery)
	case upd.MyChatMember != nil:
		m := upd.MyChatMember
		chat := chatOf(m.Chat)
		for _, r := range a.eng.MemberChanged(ctx, chat, string(m.NewChatMember.Type)) {
			a.deliver(ctx, chat.ID, r, 0, 0)
		}
	}
}

func updateKind(upd *models.Update) string {
	switch {
	case upd.Message != nil && strings.HasPrefix(upd.Message.Text, "/"):
		return "command"
	case upd.Message != nil:
		return "message"
	case upd.CallbackQuery != nil:
		return "callback"
	case upd.MyChatMember != nil:
		return "my_chat_member"
	}
	return "other"
}

func chatOf(c models.Chat) Chat {
	title := c.Title
	if title == "" {
		title = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	return Chat{ID: c.ID, Type: string(c.Type), Title: title}
}

func userOf(u *models.User) User {
	if u == nil {
		return User{}
	}
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" && u.Username != "" {
		name = "@" + u.Username
	}
	return User{ID: u.ID, Name: name}
}

func (a *App) onMessage(ctx context.Context, m *models.Message) {
	chat := chatOf(m.Chat)
	switch {
	case m.MigrateToChatID != 0:
		if err := a.eng.ChatMigrated(ctx, chat.ID, m.MigrateToChatID); err != nil {
			a.log.ErrorContext(ctx, "bot: migrate chat", slog.Any("error", err))
		}
		return
	case m.MigrateFromChatID != 0:
		if err := a.eng.ChatMigrated(ctx, m.MigrateFromChatID, chat.ID); err != nil {
			a.log.ErrorContext(ctx, "bot: migrate chat", slog.Any("error", err))
		}
		return
	case m.Text == "" || m.From != nil && m.From.IsBot:
		return
	}
	in := Message{Chat: chat, From: userOf(m.From), Text: m.Text}
	if r := m.ReplyToMessage; r != nil && r.From != nil && strings.EqualFold(r.From.Username, a.username) {
		in.ReplyToBot, in.ReplyToText = true, r.Text
	}
	replyTo := 0
	if chat.group() {
		replyTo = m.ID // in a busy group, show which message the answer is for
	}
	for _, r := range a.eng.HandleMessage(ctx, in) {
		a.deliver(ctx, chat.ID, r, 0, replyTo)
	}
}

func (a *App) onCallback(ctx context.Context, q *models.CallbackQuery) {
	msg := q.Message.Message
	if msg == nil {
		a.answer(ctx, q.ID, ClickResult{Answer: "This button is too old to use."})
		return
	}
	chat := chatOf(msg.Chat)
	res := a.eng.HandleClick(ctx, Click{Chat: chat, From: userOf(&q.From), Data: q.Data, MessageText: msg.Text})
	a.answer(ctx, q.ID, res)
	for _, r := range res.Replies {
		edit := 0
		if r.Edit {
			edit = msg.ID
		}
		a.deliver(ctx, chat.ID, r, edit, 0)
	}
}

func (a *App) answer(ctx context.Context, id string, r ClickResult) {
	_, err := a.tg.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: id, Text: tracker.Clip(r.Answer, 200), ShowAlert: r.Alert})
	if err != nil {
		// Usually "query is too old": the press still did its work.
		a.log.DebugContext(ctx, "bot: answerCallbackQuery", slog.Any("error", err))
	}
}

func (a *App) isAdmin(ctx context.Context, chatID, userID int64) (bool, error) {
	m, err := a.tg.GetChatMember(ctx, &tg.GetChatMemberParams{ChatID: chatID, UserID: userID})
	if err != nil {
		return false, fmt.Errorf("telegram: getChatMember: %w", err)
	}
	return m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator, nil
}

func markup(r Reply) models.ReplyMarkup {
	if r.ForceReply {
		return &models.ForceReply{ForceReply: true, InputFieldPlaceholder: "New name"} // not selective: in a group, the prompt came from a button, not a message to reply to
	}
	if len(r.Buttons) == 0 {
		return nil
	}
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: make([][]models.InlineKeyboardButton, 0, len(r.Buttons))}
	for _, row := range r.Buttons {
		var out []models.InlineKeyboardButton
		for _, b := range row {
			out = append(out, models.InlineKeyboardButton{Text: b.Text, CallbackData: b.Data, URL: b.URL})
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, out)
	}
	return kb
}

// deliver sends (or, with editID, edits) one reply, split under the length
// limit. It follows a group's move to a supergroup, waits out one 429, and
// marks the chat inactive on 403.
func (a *App) deliver(ctx context.Context, chatID int64, r Reply, editID, replyTo int) {
	parts := Split(r.Text)
	for i, part := range parts {
		var mk models.ReplyMarkup
		if i == len(parts)-1 {
			mk = markup(r)
		}
		edit := editID != 0 && i == 0
		if !a.sendPart(ctx, &chatID, part, mk, edit, editID, replyTo) {
			return
		}
	}
}

func (a *App) sendPart(ctx context.Context, chatID *int64, text string, mk models.ReplyMarkup, edit bool, editID, replyTo int) bool {
	noPreview := &models.LinkPreviewOptions{IsDisabled: tg.True()}
	waited := false
	for attempt := 0; attempt < 4; attempt++ {
		var err error
		if edit {
			_, err = a.tg.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: *chatID, MessageID: editID, Text: text,
				ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview, ReplyMarkup: mk})
		} else {
			p := &tg.SendMessageParams{ChatID: *chatID, Text: text, ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview, ReplyMarkup: mk}
			if replyTo != 0 {
				p.ReplyParameters = &models.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
			}
			_, err = a.tg.SendMessage(ctx, p)
		}
		var migrate *tg.MigrateError
		var flood *tg.TooManyRequestsError
		switch {
		case err == nil:
			return true
		case errors.As(err, &migrate): // before ErrorBadRequest: it does not wrap it
			newID := int64(migrate.MigrateToChatID)
			if err := a.eng.ChatMigrated(ctx, *chatID, newID); err != nil {
				a.log.ErrorContext(ctx, "bot: migrate chat", slog.Any("error", err))
			}
			*chatID, edit, replyTo = newID, false, 0 // the old message ids mean nothing there
		case errors.As(err, &flood) && !waited:
			waited = true
			wait := time.Duration(max(flood.RetryAfter, 1)) * time.Second
			a.log.WarnContext(ctx, "bot: Telegram flood control", slog.Int64("chat", *chatID), slog.Duration("retry_after", wait))
			select {
			case <-ctx.Done():
				return false
			case <-time.After(wait):
			}
		case errors.Is(err, tg.ErrorForbidden):
			a.eng.ChatGone(ctx, *chatID)
			return false
		case edit && strings.Contains(err.Error(), "message is not modified"):
			return true
		case edit && errors.Is(err, tg.ErrorBadRequest):
			edit = false // the message is gone or too old: send it anew
		default:
			a.log.ErrorContext(ctx, "bot: send", slog.Int64("chat", *chatID), slog.Any("error", err))
			return false
		}
	}
	return false
}
