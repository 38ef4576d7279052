package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// startOps runs newOpsServer on a free loopback port and returns its address.
func startOps(t *testing.T, m *metrics, h *health) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newOpsServer(l.Addr().String(), m, h)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("ops server shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("ops server: %v", err)
		}
	})
	return l.Addr().String()
}

func opsGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := opsGet(t, "http://"+addr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics answered %d: %s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, body)
	}
	return fams
}

// sample finds the metric in fams with exactly the given labels.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		own := 0 // the labels besides instance_id, which every series of a running bot has
		for _, lp := range m.GetLabel() {
			if lp.GetName() != "instance_id" {
				own++
			}
		}
		if own*2 != len(labels) {
			continue
		}
		for i := 0; i < len(labels); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				found = found || lp.GetName() == labels[i] && lp.GetValue() == labels[i+1]
			}
			if !found {
				continue next
			}
		}
		return m
	}
	return nil
}

func value(m *dto.Metric) float64 {
	switch {
	case m == nil:
		return math.NaN()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Untyped != nil:
		return m.GetUntyped().GetValue()
	}
	return math.NaN()
}

func okPing(context.Context) error { return nil }

func TestMetricsScrape(t *testing.T) {
	queuedAt := time.Now().Add(-90 * time.Second)
	outbox := func(ctx context.Context) (int, time.Time, error) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("outbox stats called without a deadline")
		}
		return 3, queuedAt, nil
	}
	m := newMetrics(prometheus.NewRegistry(), outbox)
	h := newHealth(okPing, time.Minute)
	m.attachHealth(h)

	m.ObserveUpdate("command")
	m.ObserveUpdate("command")
	m.ObserveUpdate("callback")
	m.ObserveUpdate("inline_query") // not a kind we name: folded into other
	m.ObservePoll("ups", "ok", 200*time.Millisecond)
	m.ObservePoll("ups", "not_found", 700*time.Millisecond)
	m.ObservePoll("ups", "error", 2*time.Second)
	m.ObservePoll("usps", "resting", 0)
	m.ObservePoll("Not A Carrier!", "ok", time.Millisecond)
	m.ObservePoll("dhl", "exploded", time.Second) // unknown outcome counts as error
	for range 3 {
		m.ObservePush("sent")
	}
	m.ObservePush("retried")
	m.ObservePush("blocked")
	tickStart := time.Now().Add(-2 * time.Second)
	m.ObserveTick(tickStart, 45*time.Second, 7)

	fams := scrape(t, startOps(t, m, h))

	checks := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"trackbot_updates_total", []string{"kind", "command"}, 2},
		{"trackbot_updates_total", []string{"kind", "callback"}, 1},
		{"trackbot_updates_total", []string{"kind", "other"}, 1},
		{"trackbot_updates_total", []string{"kind", "message"}, 0},
		{"trackbot_polls_total", []string{"carrier", "ups", "outcome", "ok"}, 1},
		{"trackbot_polls_total", []string{"carrier", "ups", "outcome", "not_found"}, 1},
		{"trackbot_polls_total", []string{"carrier", "ups", "outcome", "error"}, 1},
		{"trackbot_polls_total", []string{"carrier", "usps", "outcome", "resting"}, 1},
		{"trackbot_polls_total", []string{"carrier", "other", "outcome", "ok"}, 1},
		{"trackbot_polls_total", []string{"carrier", "dhl", "outcome", "error"}, 1},
		{"trackbot_pushes_total", []string{"outcome", "sent"}, 3},
		{"trackbot_pushes_total", []string{"outcome", "retried"}, 1},
		{"trackbot_pushes_total", []string{"outcome", "blocked"}, 1},
		{"trackbot_pushes_total", []string{"outcome", "failed"}, 0},
		{"trackbot_pushes_total", []string{"outcome", "migrated"}, 0},
		{"trackbot_poll_ticks_total", nil, 1},
		{"trackbot_poll_lag_seconds", nil, 45},
		{"trackbot_poll_tick_shipments", nil, 7},
		{"trackbot_poll_last_tick_timestamp_seconds", nil, float64(tickStart.UnixNano()) / 1e9},
		{"trackbot_outbox_depth", nil, 3},
	}
	for _, c := range checks {
		got := value(sample(fams, c.name, c.labels...))
		if math.Abs(got-c.want) > 1e-3 {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if age := value(sample(fams, "trackbot_outbox_oldest_unsent_age_seconds")); age < 90 || age > 120 {
		t.Errorf("oldest unsent age = %v s, want about 90", age)
	}

	lat := sample(fams, "trackbot_carrier_request_duration_seconds", "carrier", "ups")
	if lat == nil || lat.GetHistogram().GetSampleCount() != 3 || math.Abs(lat.GetHistogram().GetSampleSum()-2.9) > 1e-9 {
		t.Errorf("ups latency histogram = %v, want 3 samples summing to 2.9 s", lat)
	}
	if sample(fams, "trackbot_carrier_request_duration_seconds", "carrier", "usps") != nil {
		t.Error("a resting poll (no request) was counted as carrier latency")
	}
	tick := fams["trackbot_poll_tick_duration_seconds"].GetMetric()
	if len(tick) != 1 || tick[0].GetHistogram().GetSampleCount() != 1 || tick[0].GetHistogram().GetSampleSum() < 2 {
		t.Errorf("tick duration = %v, want one sample of at least 2 s", tick)
	}
	// The hooks fed the health report too.
	rep := h.report(context.Background())
	if rep.Scheduler.LastTick == nil || rep.Carriers["ups"].LastSuccess == nil || rep.Carriers["ups"].LastError == nil {
		t.Errorf("health not fed by the metric hooks: %+v", rep)
	}
	for name := range fams {
		if !strings.HasPrefix(name, "trackbot_") {
			t.Errorf("metric %s lacks the trackbot_ prefix", name)
		}
	}
}

func TestMetricsOutbox(t *testing.T) {
	tests := map[string]struct {
		depth     int
		oldest    time.Time
		err       error
		wantDepth float64 // NaN: series absent
		wantAge   float64
	}{
		"empty":          {depth: 0, wantDepth: 0, wantAge: 0},
		"one waiting 5m": {depth: 1, oldest: time.Now().Add(-5 * time.Minute), wantDepth: 1, wantAge: 300},
		"clock skew":     {depth: 2, oldest: time.Now().Add(time.Hour), wantDepth: 2, wantAge: 0},
		"database error": {err: errors.New("database is locked"), wantDepth: math.NaN(), wantAge: math.NaN()},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := newMetrics(prometheus.NewRegistry(), func(context.Context) (int, time.Time, error) {
				return tc.depth, tc.oldest, tc.err
			})
			m.ObservePush("sent")
			fams := scrape(t, startOps(t, m, newHealth(okPing, time.Minute)))
			depth := value(sample(fams, "trackbot_outbox_depth"))
			age := value(sample(fams, "trackbot_outbox_oldest_unsent_age_seconds"))
			if math.IsNaN(tc.wantDepth) != math.IsNaN(depth) || !math.IsNaN(depth) && depth != tc.wantDepth {
				t.Errorf("depth = %v, want %v", depth, tc.wantDepth)
			}
			if math.IsNaN(tc.wantAge) != math.IsNaN(age) || !math.IsNaN(age) && math.Abs(age-tc.wantAge) > 5 {
				t.Errorf("age = %v, want about %v", age, tc.wantAge)
			}
			// A failing outbox query must not hide the other metrics.
			if got := value(sample(fams, "trackbot_pushes_total", "outcome", "sent")); got != 1 {
				t.Errorf("pushes sent = %v, want 1", got)
			}
		})
	}
}

func TestTickInterval(t *testing.T) {
	from := time.Date(2026, 3, 2, 10, 17, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"@every 1m":    time.Minute,
		"@every 90s":   90 * time.Second,
		"*/5 * * * *":  5 * time.Minute,
		"0 * * * *":    time.Hour,
		"0 9,17 * * *": 16 * time.Hour,
	}
	for spec, want := range tests {
		got, err := tickInterval(spec, from)
		if err != nil || got != want {
			t.Errorf("tickInterval(%q) = %v, %v; want %v", spec, got, err, want)
		}
	}
	if _, err := tickInterval("every minute", from); err == nil {
		t.Error("tickInterval accepted a malformed spec")
	}
}

// fakeClock is a settable clock for health.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func TestHealthz(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	down := errors.New("disk I/O error")
	tests := map[string]struct {
		ping         error
		script       func(h *health, clock *fakeClock) // events before the request at t0
		wantCode     int
		wantStatus   string
		wantDB       string
		wantSched    string
		wantCarriers map[string]string
	}{
		"fresh start, no tick yet": {
			script:   func(h *health, c *fakeClock) { h.started = t0.Add(-30 * time.Second) },
			wantCode: 200, wantStatus: "ok", wantDB: "ok", wantSched: "ok",
		},
		"all well": {
			script: func(h *health, c *fakeClock) {
				c.set(t0.Add(-time.Minute))
				h.ObservePoll("ups", "ok", 0)
				h.ObservePoll("usps", "not_found", 0)
				h.ObserveTick(t0.Add(-time.Minute), 0, 2)
			},
			wantCode: 200, wantStatus: "ok", wantDB: "ok", wantSched: "ok",
			wantCarriers: map[string]string{"ups": "ok", "usps": "ok"},
		},
		"carrier blip": {
			script: func(h *health, c *fakeClock) {
				c.set(t0.Add(-2 * time.Minute))
				h.ObservePoll("fedex", "error", 0)
				h.ObserveTick(t0.Add(-time.Minute), 0, 1)
			},
			wantCode: 200, wantStatus: "ok", wantDB: "ok", wantSched: "ok",
			wantCarriers: map[string]string{"fedex": "ok"},
		},
		"carrier failing for a while": {
			script: func(h *health, c *fakeClock) {
				c.set(t0.Add(-2 * time.Hour))
				h.ObservePoll("dhl", "ok", 0)
				h.ObservePoll("ups", "ok", 0)
				c.set(t0.Add(-40 * time.Minute))
				h.ObservePoll("dhl", "error", 0)
				c.set(t0.Add(-time.Minute))
				h.ObservePoll("dhl", "error", 0)
				h.ObservePoll("dhl", "resting", 0)
				h.ObserveTick(t0.Add(-time.Minute), 0, 1)
			},
			wantCode: 200, wantStatus: "degraded", wantDB: "ok", wantSched: "ok",
			wantCarriers: map[string]string{"dhl": "failing", "ups": "ok"},
		},
		"carrier recovered": {
			script: func(h *health, c *fakeClock) {
				c.set(t0.Add(-time.Hour))
				h.ObservePoll("ups", "error", 0)
				c.set(t0.Add(-time.Minute))
				h.ObservePoll("ups", "ok", 0)
				h.ObserveTick(t0.Add(-time.Minute), 0, 1)
			},
			wantCode: 200, wantStatus: "ok", wantDB: "ok", wantSched: "ok",
			wantCarriers: map[string]string{"ups": "ok"},
		},
		"database down": {
			ping:     down,
			script:   func(h *health, c *fakeClock) { h.ObserveTick(t0.Add(-time.Minute), 0, 0) },
			wantCode: 503, wantStatus: "down", wantDB: "down", wantSched: "ok",
		},
		"scheduler stuck": {
			script:   func(h *health, c *fakeClock) { h.ObserveTick(t0.Add(-10*time.Minute), 0, 0) },
			wantCode: 503, wantStatus: "down", wantDB: "ok", wantSched: "down",
		},
		"scheduler never ticked": {
			script:   func(h *health, c *fakeClock) { h.started = t0.Add(-time.Hour) },
			wantCode: 503, wantStatus: "down", wantDB: "ok", wantSched: "down",
		},
		"telegram still being reached after an hour": {
			script: func(h *health, c *fakeClock) {
				h.started = t0.Add(-time.Hour)
				h.setTelegram(telegramConnecting)
			},
			wantCode: 200, wantStatus: "ok", wantDB: "ok", wantSched: "ok",
		},
		"telegram reached: the scheduler's grace starts then": {
			script: func(h *health, c *fakeClock) {
				h.started = t0.Add(-time.Hour)
				h.setTelegram(telegramConnecting)
				c.set(t0.Add(-2 * time.Minute))
				h.setTelegram(telegramConnected)
			},
			wantCode: 200, wantStatus: "ok", wantDB: "ok", wantSched: "ok",
		},
		"telegram reached, then no tick": {
			script: func(h *health, c *fakeClock) {
				h.setTelegram(telegramConnecting)
				c.set(t0.Add(-4 * time.Minute))
				h.setTelegram(telegramConnected)
			},
			wantCode: 503, wantStatus: "down", wantDB: "ok", wantSched: "down",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			clock := &fakeClock{t: t0}
			h := newHealth(func(ctx context.Context) error {
				if _, ok := ctx.Deadline(); !ok {
					t.Error("ping without a deadline")
				}
				return tc.ping
			}, time.Minute)
			h.now = clock.now
			h.started = t0
			tc.script(h, clock)
			clock.set(t0)
			addr := startOps(t, newMetrics(prometheus.NewRegistry(), nil), h)

			code, body := opsGet(t, "http://"+addr+"/healthz")
			var rep struct {
				Status   string `json:"status"`
				Database struct {
					Status string `json:"status"`
					Error  string `json:"error"`
				} `json:"database"`
				Scheduler struct {
					Status   string     `json:"status"`
					LastTick *time.Time `json:"last_tick"`
				} `json:"scheduler"`
				Carriers map[string]struct {
					Status      string     `json:"status"`
					LastSuccess *time.Time `json:"last_success"`
					LastError   *time.Time `json:"last_error"`
				} `json:"carriers"`
			}
			if err := json.Unmarshal(body, &rep); err != nil {
				t.Fatalf("healthz body is not JSON: %v\n%s", err, body)
			}
			if code != tc.wantCode || rep.Status != tc.wantStatus || rep.Database.Status != tc.wantDB || rep.Scheduler.Status != tc.wantSched {
				t.Fatalf("got %d %s db=%s scheduler=%s, want %d %s db=%s scheduler=%s\n%s", code, rep.Status,
					rep.Database.Status, rep.Scheduler.Status, tc.wantCode, tc.wantStatus, tc.wantDB, tc.wantSched, body)
			}
			if len(rep.Carriers) != len(tc.wantCarriers) {
				t.Errorf("carriers = %v, want %v", rep.Carriers, tc.wantCarriers)
			}
			for name, want := range tc.wantCarriers {
				if got := rep.Carriers[name]; got.Status != want || got.LastSuccess == nil && got.LastError == nil {
					t.Errorf("carrier %s = %+v, want status %s with a time", name, got, want)
				}
			}
			if tc.ping != nil && strings.Contains(string(body), tc.ping.Error()) {
				t.Errorf("healthz shows the raw database error: %s", body)
			}
		})
	}
}

func TestHealthzHeadAndMethods(t *testing.T) {
	addr := startOps(t, newMetrics(prometheus.NewRegistry(), nil), newHealth(okPing, time.Minute))
	resp, err := http.Head("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("HEAD /healthz = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Post("http://"+addr+"/healthz", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz = %d, want 405", resp.StatusCode)
	}
	if code, _ := opsGet(t, "http://"+addr+"/"); code != http.StatusNotFound {
		t.Errorf("GET / = %d, want 404", code)
	}
}

func TestHealthcheckURL(t *testing.T) {
	tests := map[string]string{
		":8080":          "http://127.0.0.1:8080/healthz",
		"0.0.0.0:9100":   "http://127.0.0.1:9100/healthz",
		"[::]:9100":      "http://127.0.0.1:9100/healthz",
		"localhost:81":   "http://localhost:81/healthz",
		"10.1.2.3:8080":  "http://10.1.2.3:8080/healthz",
		"[::1]:8080":     "http://[::1]:8080/healthz",
		" :8080 ":        "http://127.0.0.1:8080/healthz",
		"":               "",
		"8080":           "",
		"localhost":      "",
		"127.0.0.1:":     "",
		"a:b:c":          "",
		"http://x:8080/": "",
	}
	for addr, want := range tests {
		got, err := healthcheckURL(addr)
		if want == "" {
			if err == nil || (addr != "" && !strings.Contains(err.Error(), "TRACKBOT_HTTP_LISTEN")) {
				t.Errorf("healthcheckURL(%q) = %q, %v; want an error naming TRACKBOT_HTTP_LISTEN", addr, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("healthcheckURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}

func TestRunHealthcheck(t *testing.T) {
	var pingErr error
	var mu sync.Mutex
	h := newHealth(func(context.Context) error { mu.Lock(); defer mu.Unlock(); return pingErr }, time.Minute)
	addr := startOps(t, newMetrics(prometheus.NewRegistry(), nil), h)
	_, port, _ := net.SplitHostPort(addr)
	ctx := context.Background()

	var out bytes.Buffer
	if err := runHealthcheck(ctx, ":"+port, &out); err != nil {
		t.Fatalf("healthy bot: %v", err)
	}
	if !strings.Contains(out.String(), `"status": "ok"`) {
		t.Errorf("healthcheck printed %q, want the report", out.String())
	}

	mu.Lock()
	pingErr = errors.New("no such table")
	mu.Unlock()
	out.Reset()
	err := runHealthcheck(ctx, ":"+port, &out)
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "down") {
		t.Fatalf("database down: err = %v, want 503 / down", err)
	}

	// Nothing listening: fails fast instead of hanging.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	if err := runHealthcheck(ctx, closed, io.Discard); err == nil {
		t.Error("healthcheck passed with nothing listening")
	}
	if err := runHealthcheck(ctx, "", io.Discard); err == nil || !strings.Contains(err.Error(), "TRACKBOT_HTTP_LISTEN") {
		t.Errorf("healthcheck without an address: %v", err)
	}
}

func TestOpsEndpointsKeepSecrets(t *testing.T) {
	const (
		botToken      = "7001234567:AAHsecretBotTokenDoNotShow_12345"
		carrierSecret = "ups-client-secret-Zq81xx"
		webhookSecret = "hook_secret_Jk29"
	)
	// Errors that (wrongly) carry secrets, as a careless driver might build them.
	leaky := errors.New("open https://api.telegram.org/bot" + botToken + " with " + carrierSecret)
	h := newHealth(func(context.Context) error { return leaky }, time.Minute)
	m := newMetrics(prometheus.NewRegistry(), func(context.Context) (int, time.Time, error) { return 0, time.Time{}, leaky })
	m.attachHealth(h)
	// Hooks called with secrets in place of labels must not surface them.
	m.ObserveUpdate(botToken)
	m.ObservePoll(carrierSecret, "ok", time.Second)
	m.ObservePoll("ups", webhookSecret, time.Second)
	m.ObservePush(botToken)
	m.ObserveTick(time.Now(), 0, 1)
	addr := startOps(t, m, h)

	for _, path := range []string{"/healthz", "/metrics"} {
		_, body := opsGet(t, "http://"+addr+path)
		if len(body) == 0 {
			t.Fatalf("%s served nothing", path)
		}
		for _, secret := range []string{botToken, "AAHsecretBotToken", carrierSecret, webhookSecret} {
			if bytes.Contains(body, []byte(secret)) {
				t.Errorf("%s serves secret %q:\n%s", path, secret, body)
			}
		}
	}
}

func BenchmarkObservePoll(b *testing.B) {
	m := newMetrics(prometheus.NewRegistry(), nil)
	m.attachHealth(newHealth(okPing, time.Minute))
	carriers := []string{"ups", "usps", "fedex", "dhl"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.ObservePoll(carriers[i%len(carriers)], "ok", 300*time.Millisecond)
	}
}

func BenchmarkObserveUpdate(b *testing.B) {
	m := newMetrics(prometheus.NewRegistry(), nil)
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveUpdate("message")
	}
}
