package main

// End-to-end tests of `trackbot run`: the real program (storage on a SQLite
// file, carriers from the environment, poller on its cron schedule,
// notifier, ops server, webhook server) driven through real HTTP only — the
// fake Bot API (telegramtest) on one side, a carrier's fake API on the other,
// the ops endpoints and the webhook listener in between. The tests wait on
// conditions with deadlines, never on bare sleeps.

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// e2eToken looks like a real token (digits, colon, secret part) so the
// secret-leak checks search for something a log could plausibly contain.
const e2eToken = "6001234567:AAHe2eSecretPartOfTheBotToken_xyz"

// wait is the deadline of every condition an end-to-end test waits for.
const wait = 15 * time.Second

// lockedBuffer is an io.Writer the program logs to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// records decodes the JSON log lines written so far.
func (l *lockedBuffer) records() []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}

// world is what surrounds the program in a test: Telegram, UPS, a database
// file and the environment pointing at them.
type world struct {
	t    *testing.T
	tg   *telegramtest.Server
	ups  *upstest.Server
	db   string
	mu   sync.Mutex
	logs []*lockedBuffer // every run's log, for the secret checks
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, tg: telegramtest.NewServer(e2eToken), ups: upstest.NewServer(),
		db: filepath.Join(t.TempDir(), "trackbot.db")}
	t.Cleanup(w.tg.Close)
	t.Cleanup(w.ups.Close)
	env := map[string]string{
		"TELEGRAM_BOT_TOKEN":     e2eToken,
		"TELEGRAM_API_URL":       w.tg.URL,
		"TRACKBOT_DB":            w.db,
		"TRACKBOT_POLL_SCHEDULE": "@every 1s",
		"TRACKBOT_HTTP_LISTEN":   "127.0.0.1:0",
		"TRACKBOT_LOG_FORMAT":    "json",
		"TRACKBOT_LOG_LEVEL":     "debug", // the most a log ever says: secrets must not be in it either
		"UPS_CLIENT_ID":          upstest.ClientID,
		"UPS_CLIENT_SECRET":      upstest.ClientSecret,
		"UPS_API_URL":            w.ups.URL(),
	}
	// The developer's own environment must not leak into the program.
	for _, k := range []string{"TRACKBOT_DEMO", "TRACKBOT_POLL_INTERVAL", "TRACKBOT_MAX_PARCELS",
		"TRACKBOT_WEBHOOK_URL", "TRACKBOT_WEBHOOK_LISTEN", "TRACKBOT_WEBHOOK_SECRET",
		"USPS_CLIENT_ID", "USPS_CLIENT_SECRET", "USPS_API_URL", "FEDEX_API_KEY", "FEDEX_SECRET_KEY", "FEDEX_API_URL",
		"DHL_API_KEY", "DHL_API_URL", "SEVENTEENTRACK_API_KEY", "SEVENTEENTRACK_API_URL"} {
		env[k] = ""
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	return w
}

// running is one start of `trackbot run`.
type running struct {
	t      *testing.T
	cancel context.CancelFunc
	done   chan error
	log    *lockedBuffer
	ops    string // the ops server's bound address
	once   sync.Once
	err    error
}

// start runs the program as `trackbot run` and waits until it takes
// updates: ready is the log message that says so.
func (w *world) start(ready string) *running {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: w.t, cancel: cancel, done: make(chan error, 1), log: &lockedBuffer{}}
	w.mu.Lock()
	w.logs = append(w.logs, r.log)
	w.mu.Unlock()
	go func() { r.done <- runContext(ctx, []string{"run"}, strings.NewReader(""), io.Discard, r.log) }()
	w.t.Cleanup(func() { r.stop() })
	r.ops = r.waitLog("ops: listening")["addr"].(string)
	r.waitLog(ready)
	return r
}

func (w *world) startPolling() *running { return w.start("bot: polling Telegram") }

// waitLog waits for a log record with message msg and returns it. It fails
// the test if the program ends first.
func (r *running) waitLog(msg string) map[string]any {
	r.t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		for _, rec := range r.log.records() {
			if rec["msg"] == msg {
				return rec
			}
		}
		select {
		case err := <-r.done:
			r.done <- err
			r.t.Fatalf("program ended (%v) before logging %q; log:\n%s", err, msg, r.log)
		case <-time.After(10 * time.Millisecond):
		}
	}
	r.t.Fatalf("no %q in the log within %s; log:\n%s", msg, wait, r.log)
	return nil
}

// stop cancels the program as a signal would and returns what run returned.
func (r *running) stop() error {
	r.once.Do(func() {
		r.cancel()
		select {
		case r.err = <-r.done:
		case <-time.After(30 * time.Second):
			r.t.Errorf("program did not stop within 30s of cancel; log:\n%s", r.log)
		}
	})
	return r.err
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", wait, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// sends keeps only sendMessage calls (not edits).
func sends(all []telegramtest.Sent) []telegramtest.Sent {
	var out []telegramtest.Sent
	for _, s := range all {
		if s.Method == "sendMessage" {
			out = append(out, s)
		}
	}
	return out
}

// waitChat waits until chat has received at least n messages and returns them.
func (w *world) waitChat(chat int64, n int) []telegramtest.Sent {
	w.t.Helper()
	waitFor(w.t, fmt.Sprintf("%d messages in chat %d", n, chat), func() bool { return len(sends(w.tg.SentTo(chat))) >= n })
	return sends(w.tg.SentTo(chat))
}

// say sends text as from in chat and returns the bot's next message there.
func (w *world) say(chat telegramtest.Chat, from telegramtest.User, text string) telegramtest.Sent {
	w.t.Helper()
	n := len(sends(w.tg.SentTo(chat.ID)))
	w.tg.SendText(chat, from, text)
	return w.waitChat(chat.ID, n+1)[n]
}

// click presses a button and waits for the bot's answerCallbackQuery.
func (w *world) click(from telegramtest.User, on telegramtest.Sent, data string) telegramtest.Answer {
	w.t.Helper()
	id, err := w.tg.Click(from, on, data)
	if err != nil {
		w.t.Fatal(err)
	}
	var got telegramtest.Answer
	waitFor(w.t, "the answer to button "+data, func() bool {
		for _, a := range w.tg.Answers() {
			if a.QueryID == id {
				got = a
				return true
			}
		}
		return false
	})
	return got
}

// buttonData finds the callback data of the button whose data starts with prefix.
func buttonData(t *testing.T, s telegramtest.Sent, prefix string) string {
	t.Helper()
	for _, b := range s.Markup.Buttons() {
		if strings.HasPrefix(b.CallbackData, prefix) {
			return b.CallbackData
		}
	}
	t.Fatalf("no %q button on %q: %+v", prefix, s.Text, s.Markup.Buttons())
	return ""
}

// makeDue is time passing: the shipment's next poll comes due now. It
// writes the database file as a second process would (storage allows it:
// BEGIN IMMEDIATE and a busy timeout).
func (w *world) makeDue(number string) {
	w.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+w.db+"?_busy_timeout=10000&_txlock=immediate")
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE shipments SET next_poll_at = 0 WHERE number = ?`, number)
	if err != nil {
		w.t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		w.t.Fatalf("makeDue %s: %d rows", number, n)
	}
}

// upsStep scripts the UPS fake's answer for number: events newest first.
func upsStep(srv *upstest.Server, number string, events ...upstest.Event) {
	srv.SetShipment(number, upstest.Shipment{Events: events, Service: "UPS Ground"})
}

// pushes are the messages in sent whose headline is one of the statuses'
// titles, in order.
func pushes(sent []telegramtest.Sent) []string {
	var out []string
	for _, s := range sent {
		for _, st := range []tracker.Status{tracker.StatusInTransit, tracker.StatusOutForDelivery, tracker.StatusDelivered} {
			if strings.Contains(s.Text, "<b>"+st.Title()+"</b>") {
				out = append(out, st.Title())
			}
		}
	}
	return out
}

// noRepeats fails if the chat got the same push (a message from the
// outbox: status or advice) twice.
func noRepeats(t *testing.T, sent []telegramtest.Sent) {
	t.Helper()
	seen := map[string]int{}
	for i, s := range sent {
		if !strings.Contains(s.Text, "Track on ") && !strings.HasPrefix(s.Text, "📭") {
			continue // an answer to a command: the same question may get the same answer
		}
		if j, ok := seen[s.Text]; ok {
			t.Errorf("message %d repeats message %d: %q", i, j, s.Text)
		}
		seen[s.Text] = i
	}
}

// TestEndToEndParcelStory is the whole story in a private chat, with a
// restart in the middle: /start, a pasted shipping e-mail, the parcel moving
// in transit → out for delivery → (restart) → delivered at the UPS fake,
// each change pushed once and in order with its buttons, /list after the
// restart, and "Not received" answered with advice through the outbox.
func TestEndToEndParcelStory(t *testing.T) {
	w := newWorld(t)
	ann := telegramtest.User{ID: 5550101, FirstName: "Ann"}
	chat := telegramtest.Private(ann)
	num := upstest.TrackingNumber(4711)
	loc := time.FixedZone("EST", -5*3600)
	t0 := time.Now().In(loc).Add(-3 * time.Hour).Truncate(time.Minute)
	inTransit := upstest.Event{Time: t0, Status: tracker.StatusInTransit, City: "Secaucus", State: "NJ", Country: "US"}
	upsStep(w.ups, num, inTransit)

	r := w.startPolling()
	if hello := w.say(chat, ann, "/start"); !strings.Contains(hello.Text, "Hi!") {
		t.Errorf("/start answered %q", hello.Text)
	}
	mail := "Hello Ann,\n\nGood news: your order from Pots & Pans <shop@example.com> has shipped.\n" +
		"Carrier: UPS Ground\nTracking number: " + num + "\n\nThanks for shopping with us!"
	following := w.say(chat, ann, mail)
	if !strings.Contains(following.Text, "Following") || !strings.Contains(following.Text, num) || !strings.Contains(following.Text, "UPS") {
		t.Fatalf("paste answered %q", following.Text)
	}
	refresh := buttonData(t, following, "ref:")
	subID := strings.TrimPrefix(refresh, "ref:")

	// The cron tick (every second) picks the new shipment up at once.
	sent := w.waitChat(chat.ID, 3)
	first := sent[2]
	if !strings.Contains(first.Text, "<b>In transit</b>") || !strings.Contains(first.Text, "<code>"+num+"</code>") {
		t.Fatalf("first push %q", first.Text)
	}
	if b := first.Markup.Buttons(); len(b) != 1 || !strings.Contains(b[0].URL, num) {
		t.Errorf("in-transit push buttons %+v, want the UPS page", b)
	}

	// Out for delivery, found when Ann presses Refresh on the first answer.
	ofd := upstest.Event{Time: t0.Add(2 * time.Hour), Status: tracker.StatusOutForDelivery, City: "Hoboken", State: "NJ", Country: "US"}
	upsStep(w.ups, num, ofd, inTransit)
	if a := w.click(ann, following, refresh); !strings.Contains(a.Text, "Checking with UPS") {
		t.Errorf("refresh answered %q", a.Text)
	}
	sent = w.waitChat(chat.ID, 4)
	if !strings.Contains(sent[3].Text, "<b>Out for delivery</b>") {
		t.Fatalf("second push %q", sent[3].Text)
	}

	// Restart. The last update before it (/list) must not be answered again.
	list := w.say(chat, ann, "/list")
	if !strings.Contains(list.Text, num) || !strings.Contains(list.Text, "Out for delivery") {
		t.Errorf("/list before restart %q", list.Text)
	}
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	before := len(sends(w.tg.SentTo(chat.ID)))
	r = w.startPolling()
	w.say(chat, ann, "/help")
	w.say(chat, ann, "/list")
	after := sends(w.tg.SentTo(chat.ID))[before:]
	if len(after) != 2 || !strings.Contains(after[0].Text, "How I work") {
		for _, s := range after {
			t.Logf("after restart: %q", s.Text)
		}
		t.Fatalf("after restart, /help and /list got %d messages, want their 2 answers", len(after))
	}
	if !strings.Contains(after[1].Text, num) || !strings.Contains(after[1].Text, "1 parcel") {
		t.Errorf("/list after restart %q", after[1].Text)
	}

	// Delivered: an hour passes, the tick polls, the push has the two buttons.
	delivered := upstest.Event{Time: t0.Add(150 * time.Minute), Status: tracker.StatusDelivered, City: "Hoboken", State: "NJ", Country: "US"}
	upsStep(w.ups, num, delivered, ofd, inTransit)
	w.makeDue(num)
	n := len(sends(w.tg.SentTo(chat.ID)))
	sent = w.waitChat(chat.ID, n+1)
	push := sent[n]
	if !strings.Contains(push.Text, "<b>Delivered</b>") {
		t.Fatalf("third push %q", push.Text)
	}
	if buttonData(t, push, "got:") != "got:"+subID || buttonData(t, push, "nr:") != "nr:"+subID {
		t.Errorf("delivered buttons %+v", push.Markup.Buttons())
	}

	// Not received: advice is queued and the notifier sends it, once.
	if a := w.click(ann, push, "nr:"+subID); !strings.Contains(a.Text, "what to do") {
		t.Errorf("not received answered %q", a.Text)
	}
	sent = w.waitChat(chat.ID, n+2)
	advice := sent[n+1]
	if !strings.HasPrefix(advice.Text, "📭") || !strings.Contains(advice.Text, num) {
		t.Errorf("advice %q", advice.Text)
	}
	w.click(ann, push, "nr:"+subID) // pressed again: the dedupe key holds
	fams := scrape(t, r.ops)
	if d := value(sample(fams, "trackbot_outbox_depth")); d != 0 {
		t.Errorf("outbox depth %v after a second press, want 0", d)
	}

	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	all := sends(w.tg.SentTo(chat.ID))
	noRepeats(t, all)
	if got, want := strings.Join(pushes(all), " → "), "In transit → Out for delivery → Delivered"; got != want {
		t.Errorf("pushes %s, want %s", got, want)
	}
	for _, s := range all {
		if s.ParseMode != "HTML" {
			t.Errorf("message sent without HTML parse mode: %q", s.Text)
		}
	}
}

// storeAt opens the program's database as a second process would, for
// looking at what it left behind.
func storeAt(t *testing.T, path string) *storage.Store {
	t.Helper()
	st, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

var _ = strconv.Itoa
var _ = http.StatusOK
