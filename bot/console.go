package bot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

// consoleDrainEvery is how often the console shows newly queued pushes
// while nobody types.
const consoleDrainEvery = 2 * time.Second

// ConsoleChatID is the console's one private chat.
const ConsoleChatID = 1

// defaultPasteGap is the pause that ends a message of several lines: a
// paste reaches the console in one burst, a person types a line and waits.
const defaultPasteGap = 300 * time.Millisecond

// ConsoleConfig wires RunConsole.
type ConsoleConfig struct {
	Store      *storage.Store
	Router     *tracker.Router // should include the demo carrier
	MaxParcels int
	In         io.Reader
	Out        io.Writer
	Now        func() time.Time
	Logger     *slog.Logger
	// Lang, when set, is the chat's language (as /language would set it);
	// otherwise the chat keeps the one it has, English for a new one.
	Lang locale.Lang
	// PasteGap is the pause that ends a message of several lines (a
	// pasted e-mail); a blank line ends one at once. Default 300 ms.
	PasteGap time.Duration
}

// console is the terminal transport: the same Engine as on Telegram, HTML
// shown as plain text, buttons as numbered choices.
type console struct {
	eng     *Engine
	out     io.Writer
	chat    Chat
	user    User
	buttons []Button // of the last message that had any
	btnText string   // that message's text
	prompt  string   // text of a pending ForceReply prompt
	p       *locale.Printer
}

// RunConsole talks to one user over In/Out until EOF, /quit or ctx is done.
func RunConsole(ctx context.Context, cfg ConsoleConfig) error {
	if cfg.Store == nil || cfg.In == nil || cfg.Out == nil {
		return fmt.Errorf("console: store, input and output are required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	c := &console{
		eng:  newEngine(cfg.Store, cfg.Router, true, cfg.MaxParcels, log, cfg.Now),
		out:  cfg.Out,
		chat: Chat{ID: ConsoleChatID, Type: "private", Title: "console"},
		user: User{ID: 0, Name: "you"},
	}
	c.eng.scan = scanPath(c.eng.demo) // pictures by path (consolephoto.go)
	if cfg.Lang != "" {
		if _, err := cfg.Store.SetChatLanguage(ctx, ConsoleChatID, string(cfg.Lang), false); err != nil {
			return fmt.Errorf("console: %w", err)
		}
	}
	c.p = c.eng.ChatPrinter(ctx, ConsoleChatID)
	fmt.Fprintln(c.out, c.p.T("console_intro"))
	for _, r := range c.eng.HandleMessage(ctx, Message{Chat: c.chat, From: c.user, Text: "/start"}) {
		c.show(r)
	}
	c.drainOutbox(ctx) // what happened while you were away
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(cfg.In)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
	}()
	// Pushes show up while you wait, as they would on a phone.
	tick := time.NewTicker(consoleDrainEvery)
	defer tick.Stop()
	// Lines that are not a command, a button's number or a picture's path
	// make one message until a blank line or a pause (a pasted e-mail is
	// one message, as on Telegram, not one per line).
	gapEvery := cfg.PasteGap
	if gapEvery <= 0 {
		gapEvery = defaultPasteGap
	}
	var pending []string
	gap := time.NewTimer(gapEvery)
	gap.Stop()
	send := func(text string) {
		c.step(ctx, text)
		c.drainOutbox(ctx)
		fmt.Fprint(c.out, "> ")
	}
	flush := func() {
		gap.Stop()
		if len(pending) > 0 {
			text := strings.Join(pending, "\n")
			pending = nil
			send(text)
		}
	}
	fmt.Fprint(c.out, "> ")
	for {
		select {
		case <-tick.C:
			if c.drainOutbox(ctx) > 0 {
				fmt.Fprint(c.out, "> ")
			}
			continue
		case <-ctx.Done():
			fmt.Fprintln(c.out)
			return nil
		case err := <-errc:
			flush()
			fmt.Fprintln(c.out)
			if err != nil {
				return fmt.Errorf("console: read: %w", err)
			}
			return nil
		case <-gap.C:
			flush()
		case line := <-lines:
			line = strings.TrimSpace(line)
			switch {
			case line == "" && len(pending) == 0:
				fmt.Fprint(c.out, "> ")
			case line == "":
				flush()
			case strings.HasPrefix(line, "/") || len(pending) == 0 && c.alone(line):
				flush()
				if line == "/quit" || line == "/exit" {
					return nil
				}
				send(line)
			default:
				pending = append(pending, line)
				gap.Reset(gapEvery)
			}
		}
	}
}

// alone reports whether line is a whole message by itself when it starts
// one: a button's number or a picture's path.
func (c *console) alone(line string) bool {
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(c.buttons) {
		return true
	}
	_, _, ok := photoLine(line)
	return ok
}

// consoleBotRE is the "@bot" of a command: the console has one bot, so
// whatever its name, the command is for it.
var consoleBotRE = regexp.MustCompile(`^(/[A-Za-z0-9_]{1,32})@[A-Za-z0-9_]+`)

func (c *console) step(ctx context.Context, line string) {
	line = consoleBotRE.ReplaceAllString(line, "$1")
	if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(c.buttons) {
		b := c.buttons[n-1]
		if b.URL != "" {
			fmt.Fprintln(c.out, "🔗 "+b.URL)
			return
		}
		if b.Copy != "" { // a terminal has no clipboard: the text to copy
			fmt.Fprintln(c.out, "📋 "+b.Copy)
			return
		}
		res := c.eng.HandleClick(ctx, Click{Chat: c.chat, From: c.user, Data: b.Data, MessageText: c.btnText})
		if res.Answer != "" {
			fmt.Fprintln(c.out, "  ("+res.Answer+")")
		}
		for _, r := range res.Replies {
			c.show(r)
		}
		return
	}
	if paths, caption, ok := photoLine(line); ok {
		c.prompt = ""
		c.photos(ctx, paths, caption)
		return
	}
	m := Message{Chat: c.chat, From: c.user, Text: line}
	if c.prompt != "" && !strings.HasPrefix(line, "/") {
		m.ReplyToBot, m.ReplyToText = true, c.prompt
	}
	c.prompt = ""
	for _, r := range c.eng.HandleMessage(ctx, m) {
		c.show(r)
	}
}

func (c *console) show(r Reply) {
	text := stripTags(linksShown(r.Text))
	if r.Edit {
		text = c.pr().T("console_updated") + " " + text
	}
	fmt.Fprintln(c.out, text)
	if r.ForceReply {
		c.prompt = text
		fmt.Fprintln(c.out, "  "+c.pr().T("console_type_answer"))
	}
	if len(r.Buttons) == 0 {
		return
	}
	c.buttons, c.btnText = nil, text
	var b strings.Builder
	for _, row := range r.Buttons {
		b.WriteString(" ")
		for _, btn := range row {
			c.buttons = append(c.buttons, btn)
			fmt.Fprintf(&b, " [%d] %s", len(c.buttons), btn.Text)
		}
		b.WriteString("\n")
	}
	fmt.Fprint(c.out, b.String())
}

// drainOutbox shows what the poller and advice queued for the console chat:
// on Telegram the notifier sends these.
// It returns how many it showed.
func (c *console) drainOutbox(ctx context.Context) int {
	items, err := c.eng.store.PendingOutbox(ctx, c.eng.now().Add(time.Second), 100)
	if err != nil {
		c.eng.log.ErrorContext(ctx, "console: outbox", slog.Any("error", err))
		return 0
	}
	shown := 0
	for _, it := range items {
		if it.ChatID != c.chat.ID {
			continue
		}
		r, ok, err := c.eng.RenderOutbox(ctx, it)
		var later *notify.DeferError
		if errors.As(err, &later) {
			if err := c.eng.store.Defer(ctx, it.ID, later.Until); err != nil {
				c.eng.log.ErrorContext(ctx, "console: defer", slog.Any("error", err))
			}
			continue // quiet hours: it shows when they end
		}
		if err != nil {
			c.eng.log.ErrorContext(ctx, "console: render", slog.Any("error", err))
		}
		if ok && err == nil {
			if shown == 0 {
				fmt.Fprintln(c.out)
			}
			shown++
			// Shown like any reply, so the push's buttons (Got it / Not
			// received, the carrier's page) can be picked by number too.
			r.Text = "🔔 " + r.Text
			c.show(r)
		}
		if err := c.eng.store.MarkSent(ctx, it.ID, c.eng.now()); err != nil {
			c.eng.log.ErrorContext(ctx, "console: mark sent", slog.Any("error", err))
		}
	}
	return shown
}

// pr is the console chat's printer (English before RunConsole set it).
func (c *console) pr() *locale.Printer {
	if c.p == nil {
		return locale.For(locale.EN)
	}
	return c.p
}

// linkRE is a link as the bot writes it (tghtml.Builder.Link, the catalogs).
var linkRE = regexp.MustCompile(`<a href="([^"]*)">([^<]*)</a>`)

// linksShown writes each link as "text (URL)": a terminal has no links to
// tap, so the address must be there to copy.
func linksShown(s string) string {
	return linkRE.ReplaceAllString(s, "$2 ($1)")
}
