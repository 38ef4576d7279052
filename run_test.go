package main

// The sub-command contracts of design.md, exercised through run(args,
// stdin, stdout, stderr) as the binary's main calls it.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
	"github.com/trackbot/trackbot/tracker/usps/uspstest"
)

// upuNumber is a generated UPU S10 number.
var upuNumber = seventeentest.S10Number

// jsonLines decodes stdout as one JSON object per line.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is not one JSON object: %v", line, err)
		}
		recs = append(recs, m)
	}
	return recs
}

// sameFields checks that got has exactly the contract's fields with these
// values, plus only the extra fields the contract welcomes.
func sameFields(t *testing.T, got, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s = %#v, want %#v (line %v)", k, got[k], v, got)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && k != "format" && k != "suggestion" {
			t.Errorf("unexpected field %q in %v", k, got)
		}
	}
}

func TestRunDetectContract(t *testing.T) {
	t.Parallel()
	ups := upstest.TrackingNumber(1234)
	upu := upuNumber("RR", 27182818, "DE")
	order := "114-2718281-8284590"
	tracking := func(input, number, carrier, service, country, url string) map[string]any {
		return map[string]any{"input": input, "number": number, "carrier": carrier, "service": service,
			"valid": true, "country": country, "url": url, "kind": "tracking"}
	}
	none := func(input string) map[string]any {
		return map[string]any{"input": input, "number": "", "carrier": "", "valid": false}
	}
	upsLine := tracking("ship "+ups+" today", ups, "ups", "UPS Ground", "", tracker.TrackingURL("ups", ups))
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []map[string]any
	}{
		{"arguments", []string{"ship " + ups + " today", "no number here", upu}, "", []map[string]any{
			upsLine,
			none("no number here"),
			tracking(upu, upu, "s10", "Registered letter post", "DE", tracker.TrackingURL("s10", upu)),
		}},
		{"order number", []string{"order " + order}, "", []map[string]any{
			{"input": "order " + order, "number": order, "carrier": "amazon", "service": "", "valid": false,
				"country": "", "url": "", "kind": "order"},
		}},
		{"stdin lines", nil, "ship " + ups + " today\r\nnothing\n", []map[string]any{upsLine, none("nothing")}},
		{"two numbers in one line", []string{ups + " and " + upu}, "", []map[string]any{
			tracking(ups+" and "+upu, ups, "ups", "UPS Ground", "", tracker.TrackingURL("ups", ups)),
			tracking(ups+" and "+upu, upu, "s10", "Registered letter post", "DE", tracker.TrackingURL("s10", upu)),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := runWith(nil, append([]string{"detect"}, tc.args...), strings.NewReader(tc.stdin), &out, &errOut); err != nil {
				t.Fatalf("detect: %v (stderr %q)", err, errOut.String())
			}
			got := jsonLines(t, out.String())
			if len(got) != len(tc.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(got), len(tc.want), out.String())
			}
			for i := range got {
				sameFields(t, got[i], tc.want[i])
			}
		})
	}
}

// TestRunStatusContract looks numbers up at the UPS fake through `trackbot
// status`: an answer (not_found included) is success with one JSON line;
// no usable answer is an error of one line, without secrets.
func TestRunStatusContract(t *testing.T) {
	t.Parallel()
	srv := upstest.NewServer()
	defer srv.Close()
	env := map[string]string{"UPS_CLIENT_ID": upstest.ClientID, "UPS_CLIENT_SECRET": upstest.ClientSecret, "UPS_API_URL": srv.URL()}
	known, unknown := upstest.TrackingNumber(501), upstest.TrackingNumber(502)
	when := time.Date(2026, 5, 4, 9, 30, 0, 0, time.FixedZone("CST", -6*3600))
	srv.SetShipment(known, upstest.Shipment{Events: []upstest.Event{
		{Time: when, Status: tracker.StatusOutForDelivery, City: "Dallas", State: "TX", Country: "US"},
	}})

	statusOf := func(number string) (map[string]any, error, string) {
		var out, errOut bytes.Buffer
		err := runWith(env, []string{"status", number}, nil, &out, &errOut)
		if err != nil {
			return nil, err, out.String()
		}
		recs := jsonLines(t, out.String())
		if len(recs) != 1 {
			t.Fatalf("status printed %d lines", len(recs))
		}
		return recs[0], nil, out.String()
	}

	got, err, _ := statusOf(known)
	if err != nil {
		t.Fatalf("status %s: %v", known, err)
	}
	if got["number"] != known || got["carrier"] != "ups" || got["status"] != "out_for_delivery" {
		t.Errorf("status %v", got)
	}
	events, _ := got["events"].([]any)
	if len(events) != 1 {
		t.Fatalf("events %v", got["events"])
	}
	ev := events[0].(map[string]any)
	if tm, err := time.Parse(time.RFC3339, fmt.Sprint(ev["time"])); err != nil || !tm.Equal(when) {
		t.Errorf("event time %v, want %s in RFC 3339", ev["time"], when.Format(time.RFC3339))
	}
	for _, k := range []string{"number", "carrier", "status", "status_text", "eta", "events"} {
		if _, ok := got[k]; !ok {
			t.Errorf("field %q missing", k)
		}
	}

	if got, err, _ := statusOf(unknown); err != nil || got["status"] != "not_found" {
		t.Errorf("unknown number: %v, %v; want not_found and success", got, err)
	}

	fail := []struct {
		name  string
		setup func()
		want  string
	}{
		{"carrier down", func() { srv.FailNext(10, http.StatusServiceUnavailable, 0) }, "503"},
		{"wrong credentials", func() { env["UPS_CLIENT_SECRET"] = "not-the-ups-secret-123" }, "401"},
	}
	for _, tc := range fail {
		t.Run(tc.name, func(t *testing.T) {
			tc.setup()
			_, err, out := statusOf(known)
			if err == nil {
				t.Fatalf("status succeeded: %s", out)
			}
			msg := oneLine(err)
			if msg != err.Error() || !strings.Contains(msg, tc.want) || !strings.Contains(msg, known) {
				t.Errorf("error %q: want one line naming the number and %s", err, tc.want)
			}
			for _, secret := range []string{upstest.ClientSecret, "not-the-ups-secret-123"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error shows a secret: %q", msg)
				}
			}
			if out != "" {
				t.Errorf("stdout %q on failure, want nothing", out)
			}
		})
	}
}

func TestRunAskContract(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := runWith(nil, []string{"ask", "it", "says", "delivered", "but", "I", "never", "got", "it"}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	recs := jsonLines(t, out.String())
	if len(recs) != 1 {
		t.Fatalf("ask printed %q", out.String())
	}
	if recs[0]["topic"] != "delivered_not_received" || recs[0]["lang"] != "en" {
		t.Errorf("ask printed %v, want topic delivered_not_received in English", recs[0])
	}
	if c, ok := recs[0]["confidence"].(float64); !ok || c < 0.85 || c > 1 {
		t.Errorf("confidence %v, want a confident probability", recs[0]["confidence"])
	}
	if _, ok := recs[0]["alternatives"]; ok {
		t.Errorf("a confident answer lists alternatives: %v", recs[0])
	}
	if a, _ := recs[0]["answer"].(string); len(a) < 40 {
		t.Errorf("answer %q", a)
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"run"}, "@BotFather"},
		{nil, "@BotFather"}, // plain `trackbot` is run
		{[]string{"status"}, "usage"},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		err := runWith(nil, tc.args, strings.NewReader(""), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("run %q: %v, want an error containing %q", tc.args, err, tc.want)
			continue
		}
		if msg := oneLine(err); strings.Contains(msg, "\n") || msg == "" {
			t.Errorf("run %q: error %q is not one line", tc.args, msg)
		}
	}
}

// A mistyped command is named as such even when the environment is broken.
func TestUnknownCommandBeforeConfig(t *testing.T) {
	t.Parallel()
	var out, errOut strings.Builder
	err := runWith(map[string]string{"TRACKBOT_DEMO": "bogus"}, []string{"stauts"}, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), `unknown command "stauts"`) {
		t.Fatalf("got %v, want unknown command", err)
	}
}

// TestReadOnlyPlaceSaysSo: `trackbot run` with TRACKBOT_DB in a directory
// it may not write to, or naming a file it may not write, stops at once
// with a message that says which and what to do. The program runs as a
// child process; when the tests run as root (whom permissions do not
// stop), the child runs as the unprivileged user nobody, as a container's
// non-root user would.
func TestReadOnlyPlaceSaysSo(t *testing.T) {
	asRoot := os.Geteuid() == 0
	// A copy of the test binary everyone may run: go test's own build
	// directory is its owner's alone.
	open := t.TempDir()
	chmod(t, filepath.Dir(open), 0o755)
	chmod(t, open, 0o755)
	bin := filepath.Join(open, "trackbot.test")
	copyFile(t, os.Args[0], bin, 0o755)

	tests := []struct {
		name string
		// place makes the database's place under root and returns TRACKBOT_DB.
		place func(t *testing.T, root string) string
		want  []string
	}{
		{"directory", func(t *testing.T, root string) string {
			dir := filepath.Join(root, "data")
			if err := os.Mkdir(dir, 0o555); err != nil {
				t.Fatal(err)
			}
			chmod(t, dir, 0o555)
			return filepath.Join(dir, "trackbot.db")
		}, []string{"the directory", "is not writable", "write access"}},
		{"file", func(t *testing.T, root string) string {
			dir := filepath.Join(root, "data")
			if err := os.Mkdir(dir, 0o777); err != nil {
				t.Fatal(err)
			}
			chmod(t, dir, 0o777)
			db := filepath.Join(dir, "trackbot.db")
			st, err := storage.Open(context.Background(), db)
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
			chmod(t, db, 0o444)
			return db
		}, []string{"is read-only", "make the file writable"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(open, tc.name)
			if err := os.Mkdir(root, 0o755); err != nil {
				t.Fatal(err)
			}
			chmod(t, root, 0o755)
			db := tc.place(t, root)
			cmd := exec.Command(bin, "-test.run=^TestCrashChild$", "-test.count=1")
			cmd.Dir = open
			cmd.Env = append(os.Environ(), crashChildEnv+"=1", "TRACKBOT_DB="+db,
				"TELEGRAM_BOT_TOKEN=123456:readonly-test", "HOME="+open, "GOCOVERDIR=")
			if asRoot {
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatalf("start the program as nobody: %v", err)
			}
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil {
					t.Fatalf("the program started with %s; log:\n%s", db, stderr.String())
				}
			case <-time.After(time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("the program did not stop within a minute; log:\n%s", stderr.String())
			}
			msg := stderr.String()
			for _, w := range append(tc.want, db) {
				if !strings.Contains(msg, w) {
					t.Errorf("the program's last words lack %q:\n%s", w, msg)
				}
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, mode); err != nil {
		t.Fatal(err)
	}
}

// TestShutdownDoesNotWaitForAPacedLane: USPS, paced to a call a minute, is
// working through five due parcels when the program is stopped. The stop
// lets the tick run for its grace and then cancels it, instead of waiting
// the minutes the lane needs; the parcels it did not reach stay due.
func TestShutdownDoesNotWaitForAPacedLane(t *testing.T) {
	w := newWorld(t)
	usf := uspstest.NewServer()
	t.Cleanup(usf.Close)
	w.setenv("USPS_CLIENT_ID", uspstest.ClientID)
	w.setenv("USPS_CLIENT_SECRET", uspstest.ClientSecret)
	w.setenv("USPS_API_URL", usf.URL())
	old := tickGrace
	tickGrace = 200 * time.Millisecond
	t.Cleanup(func() { tickGrace = old })

	ctx := context.Background()
	st, err := storage.Open(ctx, w.db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.TouchChat(ctx, storage.Chat{ID: 4242, Type: "private", Title: "c", Active: true}); err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for i := range 5 {
		num := uspstest.TrackingNumber(700 + i)
		usf.SetShipment(num, uspstest.Shipment{Events: []uspstest.Event{{Time: time.Now().Add(-time.Hour),
			Status: tracker.StatusInTransit, Type: "Arrived", City: "RENO", State: "NV"}}})
		if _, _, err := st.Subscribe(ctx, storage.SubscribeParams{ChatID: 4242, Carrier: "usps", Number: num, Now: time.Now()}); err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, num)
	}
	st.Close()

	r := w.startPolling()
	// The lane is stuck once it has been busy for seconds: five answers
	// from an unpaced fake take milliseconds.
	waitFor(t, "the USPS lane to wait on its pacing", func() bool {
		_, body := opsGet(t, "http://"+r.ops+"/healthz")
		var h struct {
			Lanes map[string]struct {
				BusyFor string `json:"busy_for"`
			} `json:"lanes"`
		}
		if json.Unmarshal([]byte(body), &h) != nil {
			return false
		}
		d, err := time.ParseDuration(h.Lanes["usps"].BusyFor)
		return err == nil && d >= 2*time.Second
	})
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err
	case <-time.After(20 * time.Second):
		t.Fatalf("the program was still stopping 20 s after cancel (the lane needs minutes); log:\n%s", r.log)
	}
	if !strings.Contains(r.log.String(), "still waiting on a carrier lane") {
		t.Errorf("the log does not say the tick was stopped:\n%s", r.log)
	}

	// What USPS did not answer is still followed and not marked polled.
	st, err = storage.Open(ctx, w.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	unpolled := 0
	subs, err := st.ChatSubscriptions(ctx, 4242)
	if err != nil || len(subs) != len(numbers) {
		t.Fatalf("subscriptions %v (%v), want %d", subs, err, len(numbers))
	}
	for _, s := range subs {
		if s.Shipment.PolledAt.IsZero() {
			unpolled++
		}
	}
	if unpolled == 0 {
		t.Errorf("every parcel was polled: the lane was not paced, the test proves nothing")
	}
}

// TestHealthzWhileTelegramUnreachable: at start-up Telegram answers getMe
// with 502 for a while. /healthz is served all the while and healthy (the
// Docker health check must not restart a bot that is only waiting), saying
// "telegram": "connecting"; once getMe gets through it says "connected" and
// the bot answers.
func TestHealthzWhileTelegramUnreachable(t *testing.T) {
	w := newWorld(t)
	target, err := url.Parse(w.tg.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var reachable atomic.Bool
	front := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if !reachable.Load() && strings.HasSuffix(r.URL.Path, "/getMe") {
			http.Error(rw, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
			return
		}
		proxy.ServeHTTP(rw, r)
	}))
	t.Cleanup(front.Close)
	w.setenv("TELEGRAM_API_URL", front.URL)

	r := w.start("bot: Telegram start-up call failed; retrying")
	telegramState := func() (int, string, string) {
		code, body := opsGet(t, "http://"+r.ops+"/healthz")
		var h struct{ Status, Telegram string }
		if err := json.Unmarshal(body, &h); err != nil {
			t.Fatalf("/healthz: %v in %s", err, body)
		}
		return code, h.Status, h.Telegram
	}
	if code, status, tg := telegramState(); code != http.StatusOK || status != "ok" || tg != "connecting" {
		t.Errorf("while getMe fails: /healthz %d, status %q, telegram %q; want 200, ok, connecting", code, status, tg)
	}
	var out bytes.Buffer
	if err := runHealthcheck(context.Background(), r.ops, &out); err != nil {
		t.Errorf("the health check fails while Telegram is being reached: %v", err)
	}

	reachable.Store(true)
	r.waitLog("bot: polling Telegram")
	if code, status, tg := telegramState(); code != http.StatusOK || status != "ok" || tg != "connected" {
		t.Errorf("once connected: /healthz %d, status %q, telegram %q; want 200, ok, connected", code, status, tg)
	}
	u := telegramtest.User{ID: 4711, FirstName: "Ann"}
	w.tg.SendText(telegramtest.Private(u), u, "/help")
	waitFor(t, "the answer to /help", func() bool { return len(w.tg.SentTo(u.ID)) == 1 })
}
