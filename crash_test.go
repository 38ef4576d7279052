package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// crashChildEnv marks the test binary started by the kill -9 tests as the
// program under test.
const crashChildEnv = "TRACKBOT_TEST_CRASH_CHILD"

// TestCrashChild is `trackbot run` in a process of its own, for the kill -9
// tests. It does nothing in a normal test run.
func TestCrashChild(t *testing.T) {
	if os.Getenv(crashChildEnv) != "1" {
		t.Skip("only runs as the child of the kill -9 tests")
	}
	if err := run([]string{"run"}, strings.NewReader(""), os.Stdout, os.Stderr); err != nil {
		os.Stderr.WriteString("trackbot: " + oneLine(err) + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

// child is one start of the program as a separate process.
type child struct {
	cmd    *exec.Cmd
	log    *lockedBuffer
	exited chan struct{} // closed when the process has ended
	err    error         // what Wait returned, once exited is closed
}

func startChild(t *testing.T, w *world, ready string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), w.environ()...), crashChildEnv+"=1") // a later entry wins
	c := &child{cmd: cmd, log: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = c.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() { c.kill() })
	waitFor(t, "the program to take updates", func() bool {
		select {
		case <-c.exited:
			t.Fatalf("program ended (%v) before %q; log:\n%s", c.err, ready, c.log)
		default:
		}
		return strings.Contains(c.log.String(), ready)
	})
	return c
}

// kill is kill -9: no shutdown, no flush. It returns when it was sent.
func (c *child) kill() time.Time {
	select {
	case <-c.exited:
		return time.Time{}
	default:
	}
	at := time.Now()
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.exited
	return at
}

// stop is a graceful stop (SIGTERM).
func (c *child) stop(t *testing.T) {
	t.Helper()
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		t.Errorf("program did not stop within 30 s of SIGTERM; log:\n%s", c.log)
		c.kill()
	}
}

// crashWorld sets up the kill -9 tests: users who each send one /track,
// Telegram's limits enforced, no polling during the test.
func crashWorld(t *testing.T) *world {
	if testing.Short() {
		t.Skip("starts and kills the program as a child process several times")
	}
	w := newWorld(t)
	w.setenv("TRACKBOT_POLL_SCHEDULE", "@every 1h")
	w.setenv("TRACKBOT_LOG_LEVEL", "info")
	w.tg.EnforceLimits(telegramtest.Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20})
	return w
}

const crashUsers = 120

func crashUser(i int) telegramtest.User {
	return telegramtest.User{ID: int64(7_000_000 + i), FirstName: fmt.Sprintf("U%d", i)}
}

// sendBatch queues /track from users [from, to).
func sendBatch(w *world, from, to int) {
	for i := from; i < to; i++ {
		u := crashUser(i)
		w.tg.SendText(telegramtest.Private(u), u, fmt.Sprintf("/track %s parcel %d", upstest.TrackingNumber(5000+i), i))
	}
}

// resendWindow bounds how long before a kill Telegram may have accepted a
// message that the killed process had not yet recorded as sent. Telegram
// has no idempotency key, so such a message is sent again after the
// restart; any other duplicate is a bug. Generous for -race on 2 cores.
const resendWindow = 750 * time.Millisecond

// checkExactlyOnce asserts every user got exactly one answer and follows
// exactly one parcel. A second copy is tolerated only for a send Telegram
// accepted in the instant before a kill (see resendWindow).
func checkExactlyOnce(t *testing.T, w *world, kills []time.Time) {
	t.Helper()
	lost, dup, resent := 0, 0, 0
	for i := range crashUsers {
		u := crashUser(i)
		got := sends(w.tg.SentTo(u.ID))
		switch {
		case len(got) == 0:
			lost++
		case len(got) == 2 && inFlightAtKill(got[0].At, kills):
			resent++
		case len(got) > 1:
			dup++
			t.Errorf("user %d answered %d times, first at %s (kills at %v): %q", i, len(got), got[0].At.Format("15:04:05.000"), kills, got[0].Text)
		}
		if len(got) > 0 && !strings.Contains(got[0].Text, fmt.Sprintf("parcel %d", i)) {
			t.Errorf("user %d got %q", i, got[0].Text)
		}
	}
	st, err := storage.Open(context.Background(), w.db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	subscribed := 0
	for i := range crashUsers {
		subs, err := st.ChatSubscriptions(context.Background(), crashUser(i).ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(subs) == 1 {
			subscribed++
		} else {
			t.Errorf("user %d follows %d parcels, want 1", i, len(subs))
		}
	}
	stats := w.tg.Stats()
	t.Logf("%d users, %d kills: %d lost, %d duplicated, %d resent (accepted by Telegram just before a kill, not yet recorded); %d subscribed; Bot API: %d sends, %d × 429",
		crashUsers, len(kills), lost, dup, resent, subscribed, stats.Sends, stats.TooMany)
	if lost != 0 || dup != 0 {
		t.Errorf("%d lost and %d duplicated replies across kill -9, want 0 and 0", lost, dup)
	}
}

func inFlightAtKill(at time.Time, kills []time.Time) bool {
	for _, k := range kills {
		// A request already on the wire reaches the server just after the signal.
		if at.Before(k.Add(100*time.Millisecond)) && k.Sub(at) < resendWindow {
			return true
		}
	}
	return false
}

// answered counts users with at least one answer.
func answered(w *world) int {
	n := 0
	for i := range crashUsers {
		if len(sends(w.tg.SentTo(crashUser(i).ID))) > 0 {
			n++
		}
	}
	return n
}

// TestKill9LongPolling: the program is killed with SIGKILL twice while users
// write to it (updates being fetched, stored, handled and answered); after
// the last start every user has exactly one answer and one parcel.
func TestKill9LongPolling(t *testing.T) {
	w := crashWorld(t)
	const ready = `"msg":"bot: polling Telegram"`
	third := crashUsers / 3

	sendBatch(w, 0, third)
	c := startChild(t, w, ready)
	waitFor(t, "the first answers", func() bool { return answered(w) >= 10 })
	sendBatch(w, third, 2*third)
	kills := []time.Time{c.kill()}

	c = startChild(t, w, ready)
	waitFor(t, "more answers", func() bool { return answered(w) >= third+10 })
	sendBatch(w, 2*third, crashUsers)
	time.Sleep(20 * time.Millisecond) // let the poll take some of them
	kills = append(kills, c.kill())

	c = startChild(t, w, ready)
	waitFor(t, "every user answered", func() bool { return answered(w) == crashUsers })
	time.Sleep(1500 * time.Millisecond) // a duplicate would be sent by now
	c.stop(t)
	if w.tg.Pending() != 0 {
		t.Errorf("%d updates never confirmed to Telegram", w.tg.Pending())
	}
	checkExactlyOnce(t, w, kills)
}

// TestKill9Webhook: the same in webhook mode. The test plays Telegram's
// side of the webhook: it POSTs each update, several at a time, and posts
// again whatever did not get a 200 (a refused connection while the program
// is down, a 5xx) until it does.
func TestKill9Webhook(t *testing.T) {
	w := crashWorld(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	const secret = "crash-test-webhook-secret"
	w.setenv("TRACKBOT_WEBHOOK_URL", "https://bot.example/telegram")
	w.setenv("TRACKBOT_WEBHOOK_LISTEN", addr)
	w.setenv("TRACKBOT_WEBHOOK_SECRET", secret)
	const ready = `"msg":"bot: taking updates by webhook"`

	d := newDeliverer(t, w.tg, "http://"+addr, secret)
	third := crashUsers / 3
	sendBatch(w, 0, third)
	c := startChild(t, w, ready)
	go d.run()
	waitFor(t, "the first answers", func() bool { return answered(w) >= 10 })
	sendBatch(w, third, 2*third)
	time.Sleep(20 * time.Millisecond) // some are being posted
	kills := []time.Time{c.kill()}

	c = startChild(t, w, ready)
	waitFor(t, "more answers", func() bool { return answered(w) >= third+10 })
	sendBatch(w, 2*third, crashUsers)
	time.Sleep(20 * time.Millisecond)
	kills = append(kills, c.kill())

	c = startChild(t, w, ready)
	waitFor(t, "every user answered", func() bool { return answered(w) == crashUsers })
	time.Sleep(1500 * time.Millisecond)
	d.close()
	c.stop(t)
	t.Logf("webhook: %d posts, %d refused or failed (re-posted)", d.posts, d.failed)
	if d.failed == 0 {
		t.Error("no post failed: the kills did not hit the webhook")
	}
	checkExactlyOnce(t, w, kills)
}

// deliverer plays Telegram's webhook delivery: updates queued on the fake
// (taken from it as getUpdates would) are POSTed to the program.
type deliverer struct {
	t             *testing.T
	tg            *telegramtest.Server
	url, secret   string
	stopOnce      sync.Once
	stopCh        chan struct{}
	wg            sync.WaitGroup
	mu            sync.Mutex
	posts, failed int
}

func newDeliverer(t *testing.T, tg *telegramtest.Server, url, secret string) *deliverer {
	return &deliverer{t: t, tg: tg, url: url, secret: secret, stopCh: make(chan struct{})}
}

func (d *deliverer) close() {
	d.stopOnce.Do(func() { close(d.stopCh) })
	d.wg.Wait()
}

func (d *deliverer) run() {
	d.wg.Add(1)
	defer d.wg.Done()
	client := &http.Client{Timeout: 5 * time.Second}
	var offset int64
	for {
		select {
		case <-d.stopCh:
			return
		default:
		}
		// Take the queued updates from the fake as getUpdates would; the
		// offset confirms those already delivered.
		resp, err := client.Post(fmt.Sprintf("%s/bot%s/getUpdates", d.tg.URL, e2eToken), "application/json",
			strings.NewReader(fmt.Sprintf(`{"offset":%d,"timeout":1}`, offset)))
		if err != nil {
			continue
		}
		var env struct {
			Result []json.RawMessage `json:"result"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&env)
		resp.Body.Close()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8) // Telegram's default max_connections is 40
		for _, u := range env.Result {
			var id struct {
				UpdateID int64 `json:"update_id"`
			}
			_ = json.Unmarshal(u, &id)
			offset = max(offset, id.UpdateID+1)
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				d.deliver(client, u)
			}()
		}
		wg.Wait()
	}
}

// deliver posts one update until it gets a 200.
func (d *deliverer) deliver(client *http.Client, body []byte) {
	for {
		req, _ := http.NewRequest(http.MethodPost, d.url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(secretHeader, d.secret)
		resp, err := client.Do(req)
		d.mu.Lock()
		d.posts++
		d.mu.Unlock()
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		d.mu.Lock()
		d.failed++
		d.mu.Unlock()
		select {
		case <-d.stopCh:
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}
