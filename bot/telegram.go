package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/notify"
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
	// ScanTimeout bounds reading one photo's barcodes; 0: label.DefaultTimeout.
	ScanTimeout time.Duration
	// OnUpdate, when set, is told the kind of each update handled (message,
	// command, callback, my_chat_member, other; unstored: answered without the
	// inbox while the database takes no writes), for metrics.
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

	// Our own getUpdates loop (intake.go) needs these.
	token, apiURL string
	scanTimeout   time.Duration // photo.go
	http          *http.Client
	pollWait      time.Duration
	wake          chan struct{} // new updates in the inbox
	queued        func()        // told when replies were queued (the notifier's Wake)
	unstored      unstored      // answering while the database takes no writes (readonly.go)
	swept         func()        // tests: told after each look at the inbox (albums wait for one)

	// tests: what a chat has waiting (queued messages, unsent answers) after flood control
	floodChecked func(chat int64, waiting int)
}

// OnQueued sets f to be called whenever handling queued replies, so the
// notifier sends them at once.
func (a *App) OnQueued(f func()) { a.queued = f }

// Commands is the menu registered with setMyCommands, in English (the
// default for languages without their own).
var Commands = CommandsIn(locale.For(locale.EN))

// CommandsIn is the command menu in one language.
func CommandsIn(p *locale.Printer) []models.BotCommand {
	var out []models.BotCommand
	for _, c := range []string{"track", "list", "history", "stop", "mute", "unmute", "status", "rename", "carrier", "timezone", "quiet", "language", "help"} {
		out = append(out, models.BotCommand{Command: c, Description: p.T("menu_" + c)})
	}
	return out
}

// registerProfile sets the command menu, the description and the short
// description: the English ones as the default, then one per language for
// clients in that language (language_code).
func (a *App) registerProfile(ctx context.Context) error {
	for _, l := range locale.All {
		p, code := locale.For(l), string(l)
		if l == locale.EN {
			code = "" // the default for every other language too
		}
		if _, err := a.tg.SetMyCommands(ctx, &tg.SetMyCommandsParams{Commands: CommandsIn(p), LanguageCode: code}); err != nil {
			return fmt.Errorf("telegram: setMyCommands %s: %w", l, err)
		}
		if _, err := a.tg.SetMyDescription(ctx, &tg.SetMyDescriptionParams{Description: p.T("bot_description"), LanguageCode: code}); err != nil {
			return fmt.Errorf("telegram: setMyDescription %s: %w", l, err)
		}
		if _, err := a.tg.SetMyShortDescription(ctx, &tg.SetMyShortDescriptionParams{ShortDescription: p.T("bot_short_description"), LanguageCode: code}); err != nil {
			return fmt.Errorf("telegram: setMyShortDescription %s: %w", l, err)
		}
	}
	return nil
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
	return &Engine{store: store, router: router, demo: demo, maxParcels: maxParcels, log: log.With("component", "bot"), now: now}
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
	a := &App{eng: newEngine(cfg.Store, cfg.Router, cfg.Demo, cfg.MaxParcels, cfg.Logger, cfg.Now), wake: make(chan struct{}, 1)}
	a.log = a.eng.log
	a.onUpdate = cfg.OnUpdate
	a.eng.refresh = cfg.Refresh
	a.eng.isAdmin = a.isAdmin
	a.eng.scan = a.scanFile
	a.scanTimeout = cfg.ScanTimeout

	client, poll := cfg.HTTPClient, pollTimeout
	if client == nil {
		client = &http.Client{Timeout: pollTimeout + 15*time.Second}
	} else if client.Timeout > 0 && client.Timeout < poll+5*time.Second {
		poll = max(client.Timeout-5*time.Second, 2*time.Second)
	}
	a.token, a.http, a.pollWait = cfg.Token, client, poll-time.Second
	a.apiURL = "https://api.telegram.org"
	opts := []tg.Option{
		tg.WithSkipGetMe(), // called below with the caller's context
		tg.WithErrorsHandler(a.onError),
		tg.WithHTTPClient(poll, client),
	}
	if cfg.APIURL != "" {
		a.apiURL = strings.TrimRight(cfg.APIURL, "/")
		opts = append(opts, tg.WithServerURL(a.apiURL))
	}
	b, err := tg.New(cfg.Token, opts...)
	if err != nil {
		return nil, fmt.Errorf("telegram: client: %w", err)
	}
	var me *models.User
	if err := startupRetry(ctx, a.log, "telegram: getMe", func(ctx context.Context) error {
		var err error
		me, err = b.GetMe(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	a.tg, a.username = b, me.Username
	a.eng.username = me.Username
	return a, nil
}

// Telegram is the client, for the notifier and webhook mode.
func (a *App) Telegram() *tg.Bot { return a.tg }

// RenderPush renders an outbox row for the notifier at send time.
func (a *App) RenderPush(ctx context.Context, it storage.OutboxItem) (notify.Message, bool, error) {
	r, ok, err := a.eng.RenderOutbox(ctx, it)
	if !ok || err != nil {
		return notify.Message{}, ok, err
	}
	return notify.Message{Text: clipMessage(r.Text), Markup: markup(r)}, true, nil
}

// clipMessage keeps a push within one message: pushes are short, and one cut
// between lines keeps the markup balanced.
func clipMessage(text string) string {
	if parts := Split(text); len(parts) > 0 {
		return parts[0]
	}
	return text
}

// Run registers the command menu, drops any webhook and long-polls into the
// inbox, handling what it stores, until ctx is done (nil) or Telegram
// reports a conflicting poller (ErrConflict). Updates under way are
// finished before it returns; stored ones not begun wait for the next start.
func (a *App) Run(ctx context.Context) error {
	if err := startupRetry(ctx, a.log, "telegram: deleteWebhook", func(ctx context.Context) error {
		_, err := a.tg.DeleteWebhook(ctx, &tg.DeleteWebhookParams{})
		return err
	}); err != nil {
		return err
	}
	if err := startupRetry(ctx, a.log, "telegram: command menu", a.registerProfile); err != nil {
		return err
	}
	a.log.InfoContext(ctx, "bot: polling Telegram", slog.String("bot", a.username))
	workCtx, stopWork := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.work(workCtx); close(done) }()
	err := a.poll(ctx)
	stopWork()
	<-done
	return err
}

// RunWebhook registers the command menu and handles the updates that
// WebhookHandler stores until ctx is done. The caller serves that handler
// (behind the secret-token check) and registers the webhook.
func (a *App) RunWebhook(ctx context.Context) error {
	if err := startupRetry(ctx, a.log, "telegram: command menu", a.registerProfile); err != nil {
		return err
	}
	a.log.InfoContext(ctx, "bot: taking updates by webhook", slog.String("bot", a.username))
	a.work(ctx)
	return nil
}

// onError receives the client's errors.
func (a *App) onError(err error) {
	a.log.Warn("bot: telegram client", slog.Any("error", err))
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
	return User{ID: u.ID, Name: name, Lang: u.LanguageCode}
}

func (a *App) isAdmin(ctx context.Context, chatID, userID int64) (bool, error) {
	m, err := a.tg.GetChatMember(ctx, &tg.GetChatMemberParams{ChatID: chatID, UserID: userID})
	if err != nil {
		return false, fmt.Errorf("telegram: getChatMember: %w", err)
	}
	return m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator, nil
}
