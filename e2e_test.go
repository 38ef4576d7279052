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
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// e2eToken looks like a real token (digits, colon, secret part) so the
// secret-leak checks search for something a log could plausibly contain.
const e2eToken = "6001234567:AAHe2eSecretPartOfTheBotToken_xyz"

// wait is the deadline of every condition an end-to-end test waits for.
const wait = 15 * time.Second

// afterKillWait bounds a wave after an instance is killed: leases to run out
// and a shared carrier pace on a busy test machine.
const afterKillWait = 45 * time.Second

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
	env  map[string]string
}

// setenv sets a variable of the world's environment, for the runs started
// after it (in process and in children).
func (w *world) setenv(k, v string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.env[k] = v
}

// environ is the world's environment as "KEY=value" entries.
func (w *world) environ() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.env))
	for k, v := range w.env {
		out = append(out, k+"="+v)
	}
	return out
}

// TestPostgreSQL says, in one line, whether these tests also ran on PostgreSQL.
func TestPostgreSQL(t *testing.T) { storagetest.RequirePostgres(t) }

func newWorld(t *testing.T) *world { return newWorldOn(t, storagetest.SQLite) }

// newWorldOn is newWorld on a fresh database of the engine's.
func newWorldOn(t *testing.T, db storagetest.Engine) *world {
	t.Helper()
	w := &world{t: t, tg: telegramtest.NewServer(e2eToken), ups: upstest.NewServer(), db: db.DSN(t)}
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
	// The developer's own environment must not leak into the children
	// (which inherit it; the program in process sees only env).
	for _, k := range []string{"TRACKBOT_DEMO", "TRACKBOT_INSTANCE", "TRACKBOT_POLL_LEASE", "TRACKBOT_SEND_LEASE", "TRACKBOT_POLL_INTERVAL", "TRACKBOT_MAX_PARCELS",
		"TRACKBOT_WEBHOOK_URL", "TRACKBOT_WEBHOOK_LISTEN", "TRACKBOT_WEBHOOK_SECRET",
		"USPS_CLIENT_ID", "USPS_CLIENT_SECRET", "USPS_API_URL", "FEDEX_API_KEY", "FEDEX_SECRET_KEY", "FEDEX_API_URL",
		"DHL_API_KEY", "DHL_API_URL", "SEVENTEENTRACK_API_KEY", "SEVENTEENTRACK_API_URL"} {
		env[k] = ""
	}
	w.env = env
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
	environ := w.environ()
	go func() { r.done <- runEnv(ctx, []string{"run"}, environ, strings.NewReader(""), io.Discard, r.log) }()
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
	waitForWithin(t, wait, what, cond)
}

// waitForWithin is waitFor with a deadline of its own.
func waitForWithin(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
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
	db, err := storagetest.OpenSQL(w.db)
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE shipments SET next_poll_at = 0 WHERE number = $1`, number)
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
			if title := locale.For(locale.EN).T("status_" + string(st)); strings.Contains(s.Text, "<b>"+title+"</b>") {
				out = append(out, title)
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
func TestEndToEndParcelStory(t *testing.T) { storagetest.EachInTurn(t, testEndToEndParcelStory) }

func testEndToEndParcelStory(t *testing.T, db storagetest.Engine) {
	w := newWorldOn(t, db)
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
	w.waitChat(chat.ID, 2) // and asked for the time zone (bot/zoneguess.go)
	mail := "Hello Ann,\n\nGood news: your order from Pots & Pans <shop@example.com> has shipped.\n" +
		"Carrier: UPS Ground\nTracking number: " + num + "\n\nThanks for shopping with us!"
	following := w.say(chat, ann, mail)
	if !strings.Contains(following.Text, "Following") || !strings.Contains(following.Text, num) || !strings.Contains(following.Text, "UPS") {
		t.Fatalf("paste answered %q", following.Text)
	}
	refresh := buttonData(t, following, "ref:")
	subID := strings.TrimPrefix(refresh, "ref:")

	// The cron tick (every second) picks the new shipment up at once.
	sent := w.waitChat(chat.ID, 4)
	first := sent[3]
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
	sent = w.waitChat(chat.ID, 5)
	if !strings.Contains(sent[4].Text, "<b>Out for delivery</b>") {
		t.Fatalf("second push %q", sent[4].Text)
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
	if !strings.HasPrefix(advice.Text, "💡") || !strings.Contains(advice.Text, "look around first") || !strings.Contains(advice.Text, num) {
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

// pushedTo maps each chat to how many copies of the push whose headline is
// title it received.
func pushedTo(tg *telegramtest.Server, title string) map[int64]int {
	out := map[int64]int{}
	for _, s := range sends(tg.Sent()) {
		if strings.Contains(s.Text, "<b>"+title+"</b>") {
			out[s.ChatID]++
		}
	}
	return out
}

// TestEndToEndShutdownUnderLoad cancels the program while the notifier is
// draining one change to many chats: every push is then either received by
// Telegram exactly once or still pending in the database, and the next start
// sends the rest.
func TestEndToEndShutdownUnderLoad(t *testing.T) {
	old := flushTimeout
	flushTimeout = 200 * time.Millisecond // cut the shutdown flush short: rows must be left pending
	t.Cleanup(func() { flushTimeout = old })

	w := newWorld(t)
	num := upstest.TrackingNumber(90210)
	const followers = 120
	r := w.startPolling()
	chats := make([]int64, followers)
	for i := range followers {
		u := telegramtest.User{ID: int64(7000000 + i), FirstName: "User" + strconv.Itoa(i)}
		chats[i] = u.ID
		// Not scripted at UPS yet: the first poll finds nothing to announce.
		w.tg.SendText(telegramtest.Private(u), u, "/track "+num)
	}
	waitFor(t, "every follower's confirmation", func() bool { return len(sends(w.tg.Sent())) >= followers })

	upsStep(w.ups, num, upstest.Event{Time: time.Now().Add(-time.Hour), Status: tracker.StatusInTransit, City: "Louisville", State: "KY", Country: "US"})
	w.makeDue(num)
	// Telegram's pace (about 30 a second) makes the drain take seconds: stop
	// the program a quarter of the way in.
	waitFor(t, "a quarter of the pushes", func() bool { return len(pushedTo(w.tg, "In transit")) >= followers/4 })
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}

	received := pushedTo(w.tg, "In transit")
	st := storeAt(t, w.db)
	pending, err := st.PendingOutbox(context.Background(), time.Now().Add(24*time.Hour), 10*followers)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	pendingChats := map[int64]bool{}
	for _, it := range pending {
		pendingChats[it.ChatID] = true
		if received[it.ChatID] > 0 {
			t.Errorf("chat %d received the push and it is still pending: it would be sent twice", it.ChatID)
		}
	}
	for chat, n := range received {
		if n != 1 {
			t.Errorf("chat %d received the push %d times", chat, n)
		}
	}
	if len(pending) == 0 || len(received) == followers {
		t.Fatalf("the drain was not cut short (received %d, pending %d): the test proves nothing", len(received), len(pending))
	}
	// Neither received nor pending would mean marked sent without being sent, or lost.
	for _, c := range chats {
		if received[c] == 0 && !pendingChats[c] {
			t.Errorf("chat %d: push neither received nor pending", c)
		}
	}
	t.Logf("at shutdown: %d received, %d pending", len(received), len(pending))

	// The next start sends the rest, and nothing twice.
	r = w.startPolling()
	waitFor(t, "every follower's push", func() bool { return len(pushedTo(w.tg, "In transit")) == followers })
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	total := 0
	for chat, n := range pushedTo(w.tg, "In transit") {
		total += n
		if n != 1 {
			t.Errorf("chat %d received the push %d times", chat, n)
		}
	}
	if total != followers {
		t.Errorf("received %d pushes in all, want %d", total, followers)
	}
	if d, _, err := storeAt(t, w.db).OutboxStats(context.Background()); err != nil || d != 0 {
		t.Errorf("outbox depth after the drain: %d, %v", d, err)
	}
}

// webhookUpdate is the JSON Telegram POSTs for a text message.
func webhookUpdate(t *testing.T, id int64, from telegramtest.User, text string) []byte {
	t.Helper()
	u := telegramtest.Update{UpdateID: id, Message: &telegramtest.Message{MessageID: int(id), From: &from,
		Chat: telegramtest.Private(from), Date: time.Now().Unix(), Text: text, Entities: telegramtest.Entities(text)}}
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func postUpdate(t *testing.T, url, secret string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestEndToEndWebhookMode runs the program in webhook mode: it registers the
// webhook with its secret, refuses updates without that secret, answers the
// ones with it through the Bot API, and drops the webhook when started in
// polling mode again.
func TestEndToEndWebhookMode(t *testing.T) { storagetest.EachInTurn(t, testEndToEndWebhookMode) }

func testEndToEndWebhookMode(t *testing.T, db storagetest.Engine) {
	w := newWorldOn(t, db)
	const secret = "e2e_Webhook-secret_0042"
	w.setenv("TRACKBOT_WEBHOOK_URL", "https://bot.example.org/telegram/hook")
	w.setenv("TRACKBOT_WEBHOOK_SECRET", secret)
	w.setenv("TRACKBOT_WEBHOOK_LISTEN", "127.0.0.1:0")
	r := w.start("bot: taking updates by webhook")
	hook := "http://" + r.waitLog("webhook: listening")["addr"].(string) + "/telegram/hook"

	if url, got := w.tg.Webhook(); url != "https://bot.example.org/telegram/hook" || got != secret {
		t.Errorf("setWebhook got url %q secret %q", url, got)
	}
	bea := telegramtest.User{ID: 5550202, FirstName: "Bea"}
	for _, tc := range []struct {
		name, secret string
	}{{"no secret", ""}, {"wrong secret", secret + "x"}, {"another secret", "not-the-secret"}} {
		if code := postUpdate(t, hook, tc.secret, webhookUpdate(t, 11, bea, "/list")); code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", tc.name, code)
		}
	}
	if code := postUpdate(t, hook, secret, webhookUpdate(t, 12, bea, "/help")); code != http.StatusOK {
		t.Fatalf("right secret: status %d, want 200", code)
	}
	got := w.waitChat(bea.ID, 1)
	if !strings.Contains(got[0].Text, "How I work") {
		t.Errorf("webhook update answered with %q", got[0].Text)
	}
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	if n := len(sends(w.tg.SentTo(bea.ID))); n != 1 {
		t.Errorf("chat got %d messages; the refused updates must not be processed", n)
	}
	if n := w.tg.Calls("getUpdates"); n != 0 {
		t.Errorf("webhook mode called getUpdates %d times", n)
	}

	// Back to long polling: the webhook goes, updates come by getUpdates.
	w.setenv("TRACKBOT_WEBHOOK_URL", "")
	w.setenv("TRACKBOT_WEBHOOK_SECRET", "")
	r = w.startPolling()
	if url, _ := w.tg.Webhook(); url != "" {
		t.Errorf("webhook %q still set in polling mode", url)
	}
	if a := w.say(telegramtest.Private(bea), bea, "/list"); !strings.Contains(a.Text, "not following anything") {
		t.Errorf("/list by polling answered %q", a.Text)
	}
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	for _, l := range w.logs {
		if strings.Contains(l.String(), secret) {
			t.Errorf("the webhook secret is in the log")
		}
	}
}

// TestEndToEndOps scrapes /metrics and /healthz of a running bot that has
// handled an update, polled UPS and pushed a change, and runs `trackbot
// healthcheck` against it.
func TestEndToEndOps(t *testing.T) { storagetest.EachInTurn(t, testEndToEndOps) }

func testEndToEndOps(t *testing.T, db storagetest.Engine) {
	w := newWorldOn(t, db)
	w.setenv("TRACKBOT_INSTANCE", "ops-1")
	cy := telegramtest.User{ID: 5550303, FirstName: "Cy"}
	num := upstest.TrackingNumber(31337)
	upsStep(w.ups, num, upstest.Event{Time: time.Now().Add(-2 * time.Hour), Status: tracker.StatusInTransit, City: "Reno", State: "NV", Country: "US"})
	r := w.startPolling()
	w.say(telegramtest.Private(cy), cy, "/track "+num+" boots")
	w.waitChat(cy.ID, 2) // the push

	var fams = scrape(t, r.ops)
	waitFor(t, "the push counted", func() bool {
		fams = scrape(t, r.ops)
		return value(sample(fams, "trackbot_pushes_total", "outcome", "sent")) >= 1
	})
	checks := []struct {
		name   string
		labels []string
		min    float64
	}{
		{"trackbot_updates_total", []string{"kind", "command"}, 1},
		{"trackbot_polls_total", []string{"carrier", "ups", "outcome", "ok"}, 1},
		{"trackbot_pushes_total", []string{"outcome", "sent"}, 1},
		{"trackbot_poll_ticks_total", nil, 1},
		{"trackbot_outbox_depth", nil, 0},
	}
	for _, c := range checks {
		m := sample(fams, c.name, c.labels...)
		if m == nil {
			t.Errorf("%s%v missing from /metrics", c.name, c.labels)
			continue
		}
		if v := value(m); v < c.min {
			t.Errorf("%s%v = %v, want at least %v", c.name, c.labels, v, c.min)
		}
	}

	code, body := opsGet(t, "http://"+r.ops+"/healthz")
	var rep healthReport
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("/healthz: %v: %s", err, body)
	}
	if code != http.StatusOK || rep.Status != healthOK {
		t.Errorf("/healthz %d %s", code, body)
	}
	if ups, ok := rep.Carriers["ups"]; !ok || ups.LastSuccess == nil || time.Since(*ups.LastSuccess) > time.Minute {
		t.Errorf("/healthz carriers %s, want ups with a recent last_success", body)
	}
	// The one instance leads; /healthz says which engine and instance.
	wantEngine := map[string]string{"sqlite": "sqlite", "postgres": "postgresql"}[db.Name]
	if rep.Engine != wantEngine || rep.Instance != "ops-1" || rep.Role != "leader" {
		t.Errorf("/healthz engine %q instance %q role %q, want %s ops-1 leader", rep.Engine, rep.Instance, rep.Role, wantEngine)
	}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			if l := m.GetLabel(); len(l) == 0 || !slices.ContainsFunc(l, func(p *dto.LabelPair) bool {
				return p.GetName() == "instance_id" && p.GetValue() == "ops-1"
			}) {
				t.Errorf("%s%v has no instance_id=ops-1", name, l)
				break
			}
		}
	}

	listen := map[string]string{"TRACKBOT_HTTP_LISTEN": r.ops}
	var out, errOut bytes.Buffer
	if err := runWith(listen, []string{"healthcheck"}, nil, &out, &errOut); err != nil {
		t.Errorf("healthcheck: %v", err)
	}
	if !strings.Contains(out.String(), `"status": "ok"`) {
		t.Errorf("healthcheck printed %q", out.String())
	}
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	// Stopped: the health check must now fail.
	if err := runWith(listen, []string{"healthcheck"}, nil, io.Discard, io.Discard); err == nil {
		t.Error("healthcheck succeeded against a stopped bot")
	}
}

// TestEndToEndSecretsNeverLogged runs the bot through carrier errors (401
// from UPS with a wrong secret, then 503) and Telegram errors (403 blocked,
// 429, a dropped connection) at debug level, and looks for the bot token and
// the carrier credentials in everything it logged.
func TestEndToEndSecretsNeverLogged(t *testing.T) {
	w := newWorld(t)
	const wrongSecret = "ups-Wrong-Secret-9f8e7d6c5b4a"
	w.setenv("UPS_CLIENT_SECRET", wrongSecret)
	dee := telegramtest.User{ID: 5550404, FirstName: "Dee"}
	eve := telegramtest.User{ID: 5550505, FirstName: "Eve"}
	num := upstest.TrackingNumber(2718)
	upsStep(w.ups, num, upstest.Event{Time: time.Now().Add(-time.Hour), Status: tracker.StatusInTransit, City: "Austin", State: "TX", Country: "US"})

	// Run 1: UPS refuses the credentials.
	r := w.startPolling()
	w.say(telegramtest.Private(dee), dee, "/track "+num)
	r.waitLog("poll: carrier failed")
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}

	// Run 2: right credentials, but UPS is down for a while; Telegram
	// refuses a blocked chat, rate-limits a reply and drops a connection.
	w.setenv("UPS_CLIENT_SECRET", upstest.ClientSecret)
	w.ups.FailNext(1, http.StatusServiceUnavailable, 0)
	w.tg.Block(eve.ID)
	r = w.startPolling()
	w.tg.SendText(telegramtest.Private(eve), eve, "/track "+num)
	w.makeDue(num)
	r.waitLog("send: chat blocked the bot, marking inactive") // its answer to /track met the 403
	r.waitLog("poll: carrier failed")
	w.tg.RateLimitNext(1, 1)
	w.say(telegramtest.Private(dee), dee, "/help")
	w.tg.CloseClientConnections()
	w.say(telegramtest.Private(dee), dee, "/list")
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}
	if w.ups.Requests() == 0 {
		t.Fatal("UPS was never asked: the test proves nothing")
	}

	var all strings.Builder
	for _, l := range w.logs {
		all.WriteString(l.String())
	}
	log := all.String()
	for _, want := range []string{"HTTP 503", "HTTP 401", "too many requests", "getUpdates failed"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not mention %q: the errors did not happen", want)
		}
	}
	_, tokenSecret, _ := strings.Cut(e2eToken, ":")
	for name, secret := range map[string]string{
		"bot token": e2eToken, "bot token's secret part": tokenSecret,
		"UPS client secret": upstest.ClientSecret, "wrong UPS client secret": wrongSecret,
		"UPS access token": base64.RawURLEncoding.EncodeToString([]byte("upstest-token-"))[:16], // the fake's tokens all start so
	} {
		if strings.Contains(log, secret) {
			i := strings.Index(log, secret)
			t.Errorf("the %s is in the log: …%s…", name, log[max(0, i-200):min(len(log), i+len(secret)+50)])
		}
	}
}

// TestEndToEndConflict: another instance polls the same token, so Telegram
// answers getUpdates with 409; the program stops with an error that says so
// instead of retrying forever.
func TestEndToEndConflict(t *testing.T) {
	w := newWorld(t)
	r := w.startPolling()
	before := w.tg.Calls("getUpdates")
	w.tg.Conflict()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup's stop
		if err == nil || !strings.Contains(err.Error(), "another instance") {
			t.Errorf("run returned %v, want an error about another instance", err)
		}
	case <-time.After(wait):
		t.Fatalf("run still going %s after 409; getUpdates called %d times", wait, w.tg.Calls("getUpdates"))
	}
	if n := w.tg.Calls("getUpdates") - before; n > 3 {
		t.Errorf("getUpdates called %d times after the conflict: a retry loop", n)
	}
}
