package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/cluster"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/poller"
)

const (
	adviceSchedule   = "@every 1h" // advice thresholds are hours and days apart
	pruneSchedule    = "@daily"
	keepSentMessages = 90 * 24 * time.Hour // dedupe keys must outlive any re-announcement of the same change
	// keepHandledUpdates outlives any redelivery: Telegram gives up on an
	// unanswered webhook update after a day at most.
	keepHandledUpdates = 2 * 24 * time.Hour
	// consolePollInterval is the console's in-transit interval: the demo clock
	// plays four days in ten minutes, so the console polls on that scale.
	consolePollInterval = 30 * time.Second
)

// flushTimeout is how long shutdown keeps sending what is queued; what is
// left stays in the outbox for the next start. A variable so tests can cut a
// drain short.
var flushTimeout = 10 * time.Second

// tickGrace is how long shutdown lets a running poll tick finish before
// cancelling it: a lane paced to a call a minute (USPS) or waiting on a
// hanging carrier would otherwise hold the shutdown for minutes. What the
// tick did not reach stays due. A variable so tests can shorten it.
var tickGrace = 5 * time.Second

// runBot is `trackbot run`: the Telegram bot, the poller on its schedule and
// the notifier, until a signal. stopSignals restores default signal handling
// once shutdown starts, so a second Ctrl-C ends the process at once.
func runBot(ctx context.Context, stopSignals func(), cfg config, root *slog.Logger) error {
	log := root.With("component", "run") // its own lines; the parts it starts name themselves
	if err := cfg.requireToken(); err != nil {
		return err
	}
	store, err := storage.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("database %s: %w", storage.Redacted(cfg.DB), err)
	}
	defer store.Close()

	router, notes := newRouter(cfg.getenv, cfg.Demo, nil)
	resumeDemo(router, store)
	for _, n := range notes {
		log.Info("carriers: " + n)
	}
	if !lookupsPossible(router) {
		log.Warn(nothingAutomatic)
	}

	reg := prometheus.NewRegistry()
	// Every series carries the instance, so several sharing one database
	// are told apart ("instance" itself is Prometheus's target label).
	m := newMetrics(prometheus.WrapRegistererWith(prometheus.Labels{"instance_id": cfg.Instance}, reg), store.OutboxStats)
	m.gatherer = reg // the wrapper registers but does not gather
	tickEvery, err := tickInterval(cfg.PollSchedule, time.Now())
	if err != nil {
		return fmt.Errorf("TRACKBOT_POLL_SCHEDULE: %w", err)
	}
	h := newHealth(store.Ping, tickEvery)
	m.attachHealth(h)
	// Instances on one database elect a leader: it alone polls Telegram
	// (long polling) and runs the sweeps. Alone on SQLite, it always leads.
	role := cluster.New(cluster.Config{Store: store, Logger: root})
	h.engine, h.instance, h.role = string(store.Engine()), cfg.Instance, role.Name

	poll := poller.New(poller.Config{
		Store: store, Router: router, BaseInterval: cfg.PollInterval, Logger: root,
		Observe: m.ObservePoll, ValidNumber: validNumber, Lease: cfg.PollLease,
		BatchLimit: cfg.PollBatch,
	})
	h.lanes = poll.Lanes
	// Bind the ports before any work starts, so a port in use fails start-up
	// at once; the log gives the bound address (useful with port 0).
	var opsLn, hookLn net.Listener
	var servers []*http.Server
	if cfg.HTTPListen != "" {
		if opsLn, err = net.Listen("tcp", cfg.HTTPListen); err != nil {
			return fmt.Errorf("TRACKBOT_HTTP_LISTEN: %w", err)
		}
		defer opsLn.Close()
	}
	if cfg.WebhookURL != "" {
		if hookLn, err = net.Listen("tcp", cfg.WebhookListen); err != nil {
			return fmt.Errorf("TRACKBOT_WEBHOOK_LISTEN: %w", err)
		}
		defer hookLn.Close()
	}

	if opsLn != nil {
		// /healthz answers from here on: while Telegram is still being
		// reached (start-up calls retried for minutes), the health check
		// sees a live process "connecting", not a dead one to restart.
		h.setTelegram(telegramConnecting)
		opsSrv := serve(root, "ops", newOpsServer(cfg.HTTPListen, m, h), opsLn)
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = opsSrv.Shutdown(stopCtx) // at once if the end below did it already
		}()
		servers = append(servers, opsSrv)
	}

	app, err := bot.New(ctx, bot.Config{
		Token: cfg.Token, APIURL: cfg.APIURL, Store: store, Router: router, Demo: cfg.Demo,
		MaxParcels: cfg.MaxParcels, Logger: root, Refresh: poll.PollNow, OnUpdate: m.ObserveUpdate,
	})
	if err != nil {
		return err
	}
	limits := notify.DefaultLimits
	if f := cfg.SendSpeedup; f > 1 {
		limits = notify.Limits{PerSecond: limits.PerSecond * f, PerChatPerSecond: limits.PerChatPerSecond * f,
			PerGroupPerMinute: limits.PerGroupPerMinute * f, Window: time.Duration(float64(time.Second) / f)}
	}
	// On PostgreSQL every instance sends: each the chats it leases, all
	// from one schedule kept under Telegram's overall limit. Alone on
	// SQLite, the one instance sends everything.
	var owner string
	if store.Engine() == storage.PostgreSQL {
		owner = cfg.Instance + "/" + processTag()
	}
	notifier := notify.New(notify.Config{Store: store, Telegram: app.Telegram(), Logger: root, Observe: m.ObservePush,
		Render: app.RenderPush, Limits: limits, Owner: owner, Lease: cfg.SendLease})
	app.OnQueued(notifier.Wake)
	app.PaceDirect(notifier.Pace) // a full database's direct answers share the limits

	// Background work runs on its own context so that, at shutdown, updates
	// stop first and the poller and notifier finish what they hold.
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	sched := cron.New()
	if _, err := sched.AddFunc(cfg.PollSchedule, func() {
		started := time.Now()
		st := poll.Tick(workCtx)
		// Even a tick that found only stalled lanes' shipments is the
		// scheduler ticking: /healthz fails only when it stops.
		m.ObserveTick(started, st.Lag, st.Polled+st.Failed)
		if !st.Skipped {
			notifier.Wake()
		}
	}); err != nil {
		return fmt.Errorf("TRACKBOT_POLL_SCHEDULE: %w", err)
	}
	mustAdd(sched, adviceSchedule, func() {
		if !role.Held() {
			return
		}
		if n, err := poll.AdviceSweep(workCtx); err != nil {
			log.Warn("advice sweep", slog.Any("error", err))
		} else if n > 0 {
			notifier.Wake()
		}
	})
	mustAdd(sched, pruneSchedule, func() {
		if !role.Held() {
			return
		}
		if _, err := store.PruneOutbox(workCtx, time.Now().Add(-keepSentMessages)); err != nil {
			log.Warn("prune outbox", slog.Any("error", err))
		}
		if _, err := store.PruneInbox(workCtx, time.Now().Add(-keepHandledUpdates)); err != nil {
			log.Warn("prune inbox", slog.Any("error", err))
		}
	})
	sched.Start()

	// The role outlives the work: it is let go only after the flush.
	roleCtx, stopRole := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRole()
	roleDone := make(chan struct{})
	go func() { defer close(roleDone); role.Run(roleCtx) }()

	notifyDone := make(chan error, 1)
	go func() { notifyDone <- notifier.Run(workCtx) }()

	// A failure here still goes through the shutdown below: the schedule and
	// the notifier are already running.
	err = switchUpdateMode(ctx, app.Telegram(), cfg.WebhookURL, cfg.WebhookSecret)
	if err == nil && opsLn != nil {
		h.setTelegram(telegramConnected)
	}
	switch {
	case err != nil:
	case hookLn != nil:
		hook := webhookHandler(cfg.WebhookSecret, app.WebhookHandler())
		hookSrv := serve(root, "webhook", newWebhookServer(cfg.WebhookListen, hook), hookLn)
		err = app.RunWebhook(ctx)
		// Stop taking updates first: Telegram keeps what we refuse and
		// delivers it again to the next start.
		stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = hookSrv.Shutdown(stopCtx)
		cancel()
	default:
		// Only the leader polls Telegram; another instance takes over
		// within seconds of its death.
		err = role.Lead(ctx, app.Run)
	}

	// Shutdown: updates have stopped (Run returned). Stop the schedule
	// (waiting for a running tick, tickGrace at most), let the notifier
	// flush what is queued, then close the servers and the database.
	stopSignals()
	log.Info("shutting down: finishing polls and queued messages (Ctrl-C again to quit at once)")
	ticking := sched.Stop().Done()
	select {
	case <-ticking:
	case <-time.After(tickGrace):
		log.Info("shutdown: a poll tick is still waiting on a carrier lane; stopping it (its parcels stay due)")
	}
	stopWork()
	<-ticking
	if nerr := <-notifyDone; nerr != nil && !errors.Is(nerr, context.Canceled) {
		log.Warn("notifier", slog.Any("error", nerr))
	}
	flushCtx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	if ferr := notifier.Flush(flushCtx); ferr != nil {
		log.Warn("flush at shutdown", slog.Any("error", ferr))
	}
	// What is left of this instance's chats goes to the others now, not
	// when the leases run out.
	if rerr := notifier.Release(flushCtx); rerr != nil {
		log.Warn("release chats at shutdown", slog.Any("error", rerr))
	}
	stopRole()
	<-roleDone
	for _, s := range servers {
		_ = s.Shutdown(flushCtx)
	}
	log.Info("stopped")
	return err
}

// runConsole is `trackbot console`: the same conversation engine in the
// terminal, with the demo carrier on and the poller and notifier running so
// demo parcels move while you watch.
func runConsole(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	lang, err := consoleLang(args)
	if err != nil {
		return err
	}
	store, err := storage.Open(ctx, cfg.DB)
	if err != nil {
		return fmt.Errorf("database %s: %w", storage.Redacted(cfg.DB), err)
	}
	defer store.Close()
	router, _ := newRouter(cfg.getenv, true, nil)
	resumeDemo(router, store)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	poll := poller.New(poller.Config{Store: store, Router: router, BaseInterval: consolePollInterval, Logger: quiet})
	go func() {
		t := time.NewTicker(5 * time.Second) // the demo clock is fast; so is the console's poll
		defer t.Stop()
		for {
			poll.Tick(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return bot.RunConsole(ctx, bot.ConsoleConfig{
		Store: store, Router: router, MaxParcels: cfg.MaxParcels, In: stdin, Out: stdout, Logger: quiet, Lang: lang,
	})
}

// consoleLang reads `console [--lang CODE]`.
func consoleLang(args []string) (locale.Lang, error) {
	fs := flag.NewFlagSet("console", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	code := fs.String("lang", "", "")
	if err := fs.Parse(args); err != nil {
		return "", fmt.Errorf("console: %w (usage: trackbot console [--lang CODE])", err)
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("console: unexpected %q (usage: trackbot console [--lang CODE])", fs.Arg(0))
	}
	if *code == "" {
		return "", nil
	}
	l, ok := locale.Parse(*code)
	if !ok {
		return "", fmt.Errorf("console: --lang %q: not a language I speak (%s)", *code, locale.Codes())
	}
	return l, nil
}

// validNumber tells the advice rules whether a followed number passes its
// format's check digit, so "stays invalid" advice can fire.
func validNumber(carrier, number string) bool {
	for _, c := range tracker.DetectWith(number, tracker.DetectOptions{Demo: true}) {
		if c.Number == number {
			return c.Valid
		}
	}
	return true // a number set by hand with /carrier: we cannot judge it, so don't nag
}

func mustAdd(c *cron.Cron, spec string, f func()) {
	if _, err := c.AddFunc(spec, f); err != nil {
		panic(fmt.Sprintf("cron spec %q: %v", spec, err)) // constant specs: a programming error
	}
}

// serve starts srv on l in the background and logs if it stops unexpectedly.
func serve(log *slog.Logger, name string, srv *http.Server, l net.Listener) *http.Server {
	log = log.With("component", name)
	log.Info(name+": listening", slog.String("addr", l.Addr().String()))
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error(name+": server stopped", slog.Any("error", err))
		}
	}()
	return srv
}

// processTag tells this process from any other given the same instance
// name: two of them must never both count a chat's lease as their own.
func processTag() string {
	return rand.Text()[:8]
}
