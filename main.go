// Command trackbot is a Telegram bot that follows parcels: paste a tracking
// number, and it recognises the carrier, polls it, and tells the chat when
// anything changes.
//
// Data flow: Telegram update → bot (commands, pasted text, questions, buttons)
// → storage (chats, shipments, subscriptions). A cron tick → poller → carrier
// clients → storage (events, status, outbox in one transaction) → notifier →
// Telegram.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/trackbot/trackbot/logredact"
)

const usage = `trackbot — parcel tracking for Telegram

Usage:
  trackbot [run]          run the bot (needs TELEGRAM_BOT_TOKEN)
  trackbot console        talk to the bot in this terminal (demo carrier on, no token needed)
  trackbot detect [TEXT…] find tracking numbers (reads stdin lines when no TEXT)
  trackbot scan IMAGE…    read tracking numbers from label photos' barcodes
  trackbot status NUMBER  look a number up once at its carrier
  trackbot carriers [--check]
                          which carriers are configured and the numbers each covers;
                          --check makes one authenticated call to each
  trackbot ask QUESTION…  answer a question about parcels
  trackbot healthcheck    ask a running bot's /healthz (for Docker's HEALTHCHECK)
  trackbot migrate-db --from trackbot.db --to postgres://…
                          copy a database into another (SQLite → PostgreSQL); idempotent, checks counts

Configuration is read from the environment; see README.md.
`

func main() {
	// The one read of the environment: everything below is handed it, so
	// tests give each run an environment of its own and run side by side.
	environ := os.Environ()
	if err := runEnv(context.Background(), os.Args[1:], environ, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "trackbot: "+secrets(environ).Value(oneLine(err)))
		os.Exit(1)
	}
}

// runEnv runs a sub-command with the environment environ ("KEY=value"
// entries, a later one overriding an earlier) under a parent context:
// cancelling it stops the bot as SIGINT or SIGTERM would, which is how the
// end-to-end tests stop it.
func runEnv(parent context.Context, args []string, environ []string, stdin io.Reader, stdout, stderr io.Writer) error {
	getenv := lookupEnv(environ)
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "detect":
		return runDetect(args, getenv, stdin, stdout)
	case "ask":
		return runAsk(args, stdout)
	case "migrate-db":
		return runMigrateDB(parent, args, stdout, stderr)
	case "scan":
		return runScan(parent, args, getenv, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "run", "console", "healthcheck", "status", "carriers":
	default: // before reading the environment, so a typo is named as such
		return unknownCommand(cmd)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	cfg.environ = environ
	// Signals are caught only here, after detect and ask: those read stdin
	// without a context, and Ctrl-C must still end them at once.
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := newLogger(cfg, stderr)
	// Code that logs through slog's default (the webhook guard, /healthz,
	// the metrics collector) must write to the same place, in the same format.
	defer useDefaultLogger(logger)()
	switch cmd {
	case "run":
		return runBot(ctx, stop, cfg, logger)
	case "console":
		return runConsole(ctx, cfg, args, stdin, stdout)
	case "healthcheck":
		return runHealthcheck(ctx, cfg.HTTPListen, stdout)
	case "status":
		router, notes := newRouter(cfg.getenv, cfg.Demo, nil)
		for _, n := range notes {
			logger.Debug(n)
		}
		return runStatus(ctx, args, router, stdout)
	case "carriers":
		router, _ := newRouter(cfg.getenv, cfg.Demo, nil)
		return runCarriers(ctx, args, cfg.getenv, router, stdout)
	default:
		return unknownCommand(cmd)
	}
}

func unknownCommand(cmd string) error {
	return fmt.Errorf("unknown command %q (try: trackbot help)", cmd)
}

// newLogger writes cfg's format at cfg's level through the redactor, so no
// line can hold a secret from the environment or an outsized body, whoever
// logs it (our code, the Telegram library, net/http).
func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(secrets(cfg.environ).Handler(h))
}

// lookupEnv is getenv over environ; a later entry for a key wins.
func lookupEnv(environ []string) func(string) string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) string { return m[k] }
}

// secrets is a redactor for every secret in the environment: the bot token
// (and its secret half), the webhook secret, carrier keys and secrets, and a
// database URL's password.
func secrets(environ []string) *logredact.Redactor {
	var list []string
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "TRACKBOT_DB":
			if u, err := url.Parse(v); err == nil && u.User != nil {
				if pw, ok := u.User.Password(); ok {
					list = append(list, pw)
				}
			}
		case strings.Contains(k, "SECRET"), strings.Contains(k, "TOKEN"), strings.Contains(k, "PASSWORD"),
			strings.HasSuffix(k, "_KEY"):
			list = append(list, v)
			if _, half, ok := strings.Cut(v, ":"); ok && k == "TELEGRAM_BOT_TOKEN" {
				list = append(list, half)
			}
		}
	}
	return logredact.New(list...)
}

// useDefaultLogger makes l slog's (and the log package's) default and
// returns the function that puts the previous ones back.
func useDefaultLogger(l *slog.Logger) (restore func()) {
	prev, out, flags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(l)
	return func() {
		slog.SetDefault(prev)
		log.SetOutput(out) // SetDefault(prev) alone leaves log writing to l
		log.SetFlags(flags)
	}
}

// oneLine keeps the contract's "one-line error on stderr".
func oneLine(err error) string {
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}
