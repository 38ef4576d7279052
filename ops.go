package main

// Operations: Prometheus metrics, the /healthz report, the HTTP server that
// serves both on TRACKBOT_HTTP_LISTEN, and `trackbot healthcheck` for Docker.
//
// The bot, poller and notifier know nothing of this file: main.go passes the
// metrics' Observe* methods to them as plain func hooks, and the metrics feed
// the health report from the same calls (attachHealth).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/robfig/cron/v3"

	"github.com/trackbot/trackbot/tracker/poller"
)

// Label values are closed sets so a bug or a hostile input can never blow up
// the series count; anything unexpected is folded into a catch-all.
var (
	updateKinds   = []string{"message", "command", "callback", "my_chat_member", "unstored", "other"}
	pollOutcomes  = []string{"ok", "not_found", "error", "resting"}
	pushOutcomes  = []string{"sent", "retried", "failed", "blocked", "migrated"}
	carrierLabel  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	outboxTimeout = 2 * time.Second
)

func oneOf(v string, allowed []string, fallback string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return fallback
}

func carrierName(c string) string {
	if carrierLabel.MatchString(c) {
		return c
	}
	return "other"
}

// metrics holds trackbot's Prometheus instruments. Its methods are safe for
// concurrent use and cheap enough to call on every update and poll.
type metrics struct {
	gatherer prometheus.Gatherer
	health   atomic.Pointer[health]

	updates       *prometheus.CounterVec
	polls         *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	pushes        *prometheus.CounterVec
	ticks         prometheus.Counter
	tickDuration  prometheus.Histogram
	pollLag       prometheus.Gauge
	tickShipments prometheus.Gauge
	lastTick      prometheus.Gauge
}

// newMetrics registers trackbot's metrics with reg (a fresh registry when
// nil). outbox is asked at scrape time for the unsent push count and the
// oldest unsent push's creation time — (*storage.Store).OutboxStats.
func newMetrics(reg prometheus.Registerer, outbox func(ctx context.Context) (depth int, oldest time.Time, err error)) *metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{gatherer: prometheus.DefaultGatherer}
	if g, ok := reg.(prometheus.Gatherer); ok {
		m.gatherer = g
	}
	m.updates = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "trackbot_updates_total",
		Help: "Telegram updates handled, by kind.",
	}, []string{"kind"})
	m.polls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "trackbot_polls_total",
		Help: "Shipment look-ups at carriers, by carrier and outcome (ok, not_found, error, resting).",
	}, []string{"carrier", "outcome"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "trackbot_carrier_request_duration_seconds",
		Help: "Time a carrier took to answer a look-up.",
		// Carrier APIs answer in 0.2–3 s normally; the tail shows outages.
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30},
	}, []string{"carrier"})
	m.pushes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "trackbot_pushes_total",
		Help: "Outbox messages handled by the notifier, by outcome (sent, retried, failed, blocked, migrated).",
	}, []string{"outcome"})
	m.ticks = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "trackbot_poll_ticks_total",
		Help: "Poller ticks run.",
	})
	m.tickDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "trackbot_poll_tick_duration_seconds",
		Help:    "Time from a poller tick's start to its end.",
		Buckets: []float64{0.1, 0.5, 1, 5, 15, 30, 60, 120, 300},
	})
	m.pollLag = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "trackbot_poll_lag_seconds",
		Help: "At the last tick, how late the oldest due shipment was.",
	})
	m.tickShipments = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "trackbot_poll_tick_shipments",
		Help: "Shipments due at the last tick.",
	})
	m.lastTick = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "trackbot_poll_last_tick_timestamp_seconds",
		Help: "Unix time the last poller tick started.",
	})
	reg.MustRegister(m.updates, m.polls, m.latency, m.pushes, m.ticks, m.tickDuration,
		m.pollLag, m.tickShipments, m.lastTick)
	if outbox != nil {
		reg.MustRegister(&outboxCollector{stats: outbox, now: time.Now})
	}
	// Zero series for the known label values, so rate() and alerts see a 0
	// rather than a missing series before the first event.
	for _, k := range updateKinds {
		m.updates.WithLabelValues(k)
	}
	for _, o := range pushOutcomes {
		m.pushes.WithLabelValues(o)
	}
	return m
}

// attachHealth makes the Observe hooks feed h as well.
func (m *metrics) attachHealth(h *health) { m.health.Store(h) }

// ObserveUpdate counts one Telegram update (message, command, callback,
// my_chat_member, other).
func (m *metrics) ObserveUpdate(kind string) {
	m.updates.WithLabelValues(oneOf(kind, updateKinds, "other")).Inc()
}

// ObservePoll records one look-up at a carrier. latency is ignored for
// "resting" (the carrier was not asked).
func (m *metrics) ObservePoll(carrier, outcome string, latency time.Duration) {
	carrier = carrierName(carrier)
	outcome = oneOf(outcome, pollOutcomes, "error")
	m.polls.WithLabelValues(carrier, outcome).Inc()
	if outcome != "resting" && latency > 0 {
		m.latency.WithLabelValues(carrier).Observe(latency.Seconds())
	}
	if h := m.health.Load(); h != nil {
		h.ObservePoll(carrier, outcome, latency)
	}
}

// ObservePush records what became of one outbox message.
func (m *metrics) ObservePush(outcome string) {
	m.pushes.WithLabelValues(oneOf(outcome, pushOutcomes, "failed")).Inc()
}

// ObserveTick records a finished poller tick: when it started, how late the
// oldest due shipment was, and how many shipments were due.
func (m *metrics) ObserveTick(started time.Time, lag time.Duration, shipments int) {
	m.ticks.Inc()
	if d := time.Since(started); d >= 0 {
		m.tickDuration.Observe(d.Seconds())
	}
	m.pollLag.Set(max(lag, 0).Seconds())
	m.tickShipments.Set(float64(shipments))
	m.lastTick.Set(float64(started.UnixNano()) / 1e9)
	if h := m.health.Load(); h != nil {
		h.ObserveTick(started, lag, shipments)
	}
}

// outboxCollector reads the outbox at scrape time, so the gauges are never
// stale and nothing has to keep them up to date.
type outboxCollector struct {
	stats func(ctx context.Context) (int, time.Time, error)
	now   func() time.Time
}

var (
	outboxDepthDesc = prometheus.NewDesc("trackbot_outbox_depth",
		"Pushes waiting to be sent (chats that blocked the bot not counted).", nil, nil)
	outboxAgeDesc = prometheus.NewDesc("trackbot_outbox_oldest_unsent_age_seconds",
		"Age of the oldest push waiting to be sent; 0 when none waits.", nil, nil)
)

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxDepthDesc
	ch <- outboxAgeDesc
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	// Collect has no context; bound the query so a locked database cannot
	// hang the scrape.
	ctx, cancel := context.WithTimeout(context.Background(), outboxTimeout)
	defer cancel()
	depth, oldest, err := c.stats(ctx)
	if err != nil {
		slog.Warn("metrics: outbox stats", "component", "ops", slog.Any("error", err))
		ch <- prometheus.NewInvalidMetric(outboxDepthDesc, fmt.Errorf("outbox stats: %w", err))
		return
	}
	age := 0.0
	if depth > 0 && !oldest.IsZero() {
		age = max(c.now().Sub(oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(outboxDepthDesc, prometheus.GaugeValue, float64(depth))
	ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age)
}

// ---------------------------------------------------------------- health

// Health report states.
const (
	healthOK       = "ok"
	healthDegraded = "degraded" // a carrier is failing; the bot itself works
	healthDown     = "down"     // the database or the scheduler is not working
)

// health keeps what /healthz reports: the database (pinged per request), the
// poller's last tick and each carrier's last success and error.
type health struct {
	ping func(ctx context.Context) error
	now  func() time.Time
	// engine, instance and role say which instance answers and what it does
	// among those sharing the database; role is nil for a lone instance.
	engine, instance string
	role             func() string

	// staleAfter: no tick for this long means the scheduler is stuck.
	staleAfter time.Duration
	// carrierGrace: a carrier failing for this long (no success in between)
	// makes the report "degraded"; shorter blips are normal for carrier APIs.
	carrierGrace time.Duration
	pingTimeout  time.Duration

	mu       sync.Mutex
	started  time.Time
	lastTick time.Time
	// telegram is telegramConnecting while the start-up calls to Telegram
	// are retried (the scheduler has not started yet) and telegramConnected
	// after; empty where nothing reports it.
	telegram string
	carriers map[string]*carrierHealth
	lanes    func() []poller.LaneHealth // nil: not reported
}

type carrierHealth struct {
	lastSuccess, lastError, failingSince time.Time
}

// newHealth reports the scheduler stuck after three tick intervals without a
// tick (counted from start-up before the first one).
func newHealth(ping func(ctx context.Context) error, tickEvery time.Duration) *health {
	if tickEvery <= 0 {
		tickEvery = time.Minute
	}
	return &health{
		ping:         ping,
		now:          time.Now,
		staleAfter:   3 * tickEvery,
		carrierGrace: 15 * time.Minute,
		pingTimeout:  2 * time.Second,
		started:      time.Now(),
		carriers:     map[string]*carrierHealth{},
	}
}

// tickInterval is the longest gap between two ticks of a cron spec over the
// next few runs, for newHealth ("@every 1m" → 1m, "0 * * * *" → 1h).
func tickInterval(spec string, from time.Time) (time.Duration, error) {
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return 0, fmt.Errorf("health: schedule %q: %w", spec, err)
	}
	var longest time.Duration
	prev := s.Next(from)
	for range 8 {
		next := s.Next(prev)
		if next.IsZero() {
			break
		}
		longest = max(longest, next.Sub(prev))
		prev = next
	}
	if longest <= 0 {
		return 0, fmt.Errorf("health: schedule %q never repeats", spec)
	}
	return longest, nil
}

// ObservePoll updates the carrier's last success or error. A "not_found"
// answer is a success: the carrier answered. "resting" changes nothing.
func (h *health) ObservePoll(carrier, outcome string, _ time.Duration) {
	if outcome == "resting" {
		return
	}
	now := h.now()
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.carriers[carrier]
	if c == nil {
		c = &carrierHealth{}
		h.carriers[carrier] = c
	}
	switch outcome {
	case "ok", "not_found":
		c.lastSuccess, c.failingSince = now, time.Time{}
	default:
		c.lastError = now
		if c.failingSince.IsZero() {
			c.failingSince = now
		}
	}
}

// Telegram states in the report.
const (
	telegramConnecting = "connecting"
	telegramConnected  = "connected"
)

// setTelegram records the start-up state. Connected also restarts the
// scheduler's grace: it starts only once Telegram has answered.
func (h *health) setTelegram(state string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.telegram = state
	if state == telegramConnected {
		h.started = h.now()
	}
}

// ObserveTick records that the scheduler ticked.
func (h *health) ObserveTick(started time.Time, _ time.Duration, _ int) {
	h.mu.Lock()
	if started.After(h.lastTick) {
		h.lastTick = started
	}
	h.mu.Unlock()
}

type healthReport struct {
	Status    string                   `json:"status"`
	Engine    string                   `json:"engine,omitempty"`   // sqlite | postgresql
	Instance  string                   `json:"instance,omitempty"` // TRACKBOT_INSTANCE
	Role      string                   `json:"role,omitempty"`     // leader | follower
	Telegram  string                   `json:"telegram,omitempty"` // connecting | connected
	Database  healthPart               `json:"database"`
	Scheduler schedulerReport          `json:"scheduler"`
	Carriers  map[string]carrierReport `json:"carriers"`
	// Lanes: each carrier client's polling lane (informational: a busy
	// lane is a slow or paced carrier, not an unhealthy bot).
	Lanes map[string]laneReport `json:"lanes,omitempty"`
}

type laneReport struct {
	Queued   int        `json:"queued"`             // shipments waiting or being polled
	BusyFor  string     `json:"busy_for,omitempty"` // how long its current work has run
	LastDone *time.Time `json:"last_done"`
}

type healthPart struct {
	Status string `json:"status"`
	Error  string `json:"error,omitempty"`
}

type schedulerReport struct {
	Status   string     `json:"status"`
	LastTick *time.Time `json:"last_tick"`
	Error    string     `json:"error,omitempty"`
}

type carrierReport struct {
	Status       string     `json:"status"` // ok | failing
	LastSuccess  *time.Time `json:"last_success"`
	LastError    *time.Time `json:"last_error"`
	FailingSince *time.Time `json:"failing_since,omitempty"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Second)
	return &t
}

// report checks the database and assembles the state. Error texts are fixed
// phrases: the real error goes to the log, never to an unauthenticated page.
func (h *health) report(ctx context.Context) healthReport {
	r := healthReport{Status: healthOK, Database: healthPart{Status: healthOK}, Carriers: map[string]carrierReport{},
		Engine: h.engine, Instance: h.instance}
	if h.role != nil {
		r.Role = h.role()
	}
	if h.ping == nil {
		r.Database = healthPart{Status: healthDown, Error: "no database configured"}
	} else {
		pctx, cancel := context.WithTimeout(ctx, h.pingTimeout)
		err := h.ping(pctx)
		cancel()
		if err != nil {
			slog.Warn("healthz: database ping failed", "component", "ops", slog.Any("error", err))
			r.Database = healthPart{Status: healthDown, Error: "database did not answer"}
		}
	}

	now := h.now()
	h.mu.Lock()
	lastTick, started := h.lastTick, h.started
	r.Telegram = h.telegram
	names := make([]string, 0, len(h.carriers))
	for name := range h.carriers {
		names = append(names, name)
	}
	sort.Strings(names)
	failing := false
	for _, name := range names {
		c := h.carriers[name]
		cr := carrierReport{Status: healthOK, LastSuccess: timePtr(c.lastSuccess), LastError: timePtr(c.lastError)}
		if !c.failingSince.IsZero() {
			cr.FailingSince = timePtr(c.failingSince)
			if now.Sub(c.failingSince) >= h.carrierGrace {
				cr.Status, failing = "failing", true
			}
		}
		r.Carriers[name] = cr
	}
	h.mu.Unlock()

	if h.lanes != nil {
		r.Lanes = map[string]laneReport{}
		for _, l := range h.lanes() {
			lr := laneReport{Queued: l.Queued, LastDone: timePtr(l.LastDone)}
			if l.BusyFor > 0 {
				lr.BusyFor = l.BusyFor.Truncate(time.Second).String()
			}
			r.Lanes[l.Client] = lr
		}
	}
	r.Scheduler = schedulerReport{Status: healthOK, LastTick: timePtr(lastTick)}
	since := lastTick
	if since.IsZero() {
		since = started // give the first tick time to happen
	}
	// While Telegram is still being reached at start-up the scheduler has
	// not started: the process is alive and retrying, which is healthy.
	if r.Telegram != telegramConnecting && now.Sub(since) > h.staleAfter {
		r.Scheduler.Status = healthDown
		r.Scheduler.Error = fmt.Sprintf("no poller tick for %s", now.Sub(since).Truncate(time.Second))
	}

	switch {
	case r.Database.Status != healthOK || r.Scheduler.Status != healthOK:
		r.Status = healthDown
	case failing:
		r.Status = healthDegraded
	}
	return r
}

// ServeHTTP answers /healthz: 200 for ok and degraded, 503 for down.
func (h *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := h.report(r.Context())
	code := http.StatusOK
	if rep.Status == healthDown {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	if r.Method == http.MethodHead {
		return
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep)
}

// ---------------------------------------------------------------- server

// newOpsServer serves /healthz and /metrics on addr. The caller runs
// ListenAndServe and Shutdown.
func newOpsServer(addr string, m *metrics, h *health) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", h)
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.gatherer, promhttp.HandlerOpts{
		// One failing collector (the outbox query) must not hide the rest.
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	}))
	return &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

// healthcheckURL turns a listen address into the URL of its /healthz as
// seen from inside the same container: ":8080" and wildcard hosts become
// 127.0.0.1.
func healthcheckURL(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return "", errors.New("TRACKBOT_HTTP_LISTEN is not set, so there is no /healthz to check")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("TRACKBOT_HTTP_LISTEN: %q is not host:port (try \":8080\")", addr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// runHealthcheck is `trackbot healthcheck`: it asks the running bot's
// /healthz and fails unless the answer is 200. The report is copied to
// stdout so `docker inspect` shows it.
func runHealthcheck(ctx context.Context, addr string, stdout io.Writer) error {
	u, err := healthcheckURL(addr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("healthcheck: read %s: %w", u, err)
	}
	_, _ = stdout.Write(body)
	if resp.StatusCode != http.StatusOK {
		var rep struct {
			Status string `json:"status"`
		}
		_ = json.Unmarshal(body, &rep)
		if rep.Status != "" {
			return fmt.Errorf("healthcheck: %s answered %s (status %s)", u, resp.Status, rep.Status)
		}
		return fmt.Errorf("healthcheck: %s answered %s", u, resp.Status)
	}
	return nil
}
