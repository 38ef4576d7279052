package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

const testToken = "4242:secret-test-token"

var (
	ann   = telegramtest.User{ID: 101, FirstName: "Ann"}
	bob   = telegramtest.User{ID: 102, FirstName: "Bob"}
	carol = telegramtest.User{ID: 103, FirstName: "Carol"}
)

// upsNumber is the seed-th generated UPS number (upstest.TrackingNumber).
func upsNumber(seed int) string { return upstest.TrackingNumber(seed) }

// typo swaps two different neighbouring digits of the package number, which
// the check digit always catches.
func typo(n string) string {
	b := []byte(n)
	for i := 10; i < 16; i++ {
		if b[i] != b[i+1] {
			b[i], b[i+1] = b[i+1], b[i]
			return string(b)
		}
	}
	panic("no swappable digits in " + n)
}

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

type harness struct {
	t        *testing.T
	srv      *telegramtest.Server
	store    *storage.Store
	app      *App
	logs     *lockedBuf
	done     chan error
	notified chan error // the notifier's Run has returned
	// lastAnswer is the answerCallbackQuery of the last click made with n == 0.
	lastAnswer telegramtest.Answer
}

// TestPostgreSQL says, in one line, whether these tests also ran on PostgreSQL.
func TestPostgreSQL(t *testing.T) { storagetest.RequirePostgres(t) }

func newHarness(t *testing.T, maxParcels int) *harness {
	return newHarnessOn(t, maxParcels, storagetest.SQLite)
}

// newHarnessOn is newHarness on a fresh database of the engine's.
func newHarnessOn(t *testing.T, maxParcels int, db storagetest.Engine) *harness {
	t.Helper()
	return newHarnessAt(t, maxParcels, db, nil)
}

// newHarnessAt is newHarnessOn with the bot's clock (nil: time.Now).
func newHarnessAt(t *testing.T, maxParcels int, db storagetest.Engine, now func() time.Time) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := telegramtest.NewServer(testToken)
	store, err := storage.Open(ctx, db.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuf{}
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	app, err := New(ctx, Config{Token: testToken, APIURL: srv.URL, Store: store, Router: router, Demo: true,
		MaxParcels: maxParcels, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		HTTPClient: &http.Client{Timeout: 10 * time.Second}, ScanTimeout: time.Minute, Now: now}) // photos: reading, not speed (race detector)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: srv, store: store, app: app, logs: logs, done: make(chan error, 1)}
	h.runNotifier(ctx, app, store)
	go func() { h.done <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-h.done; err != nil && !errors.Is(err, ErrConflict) {
			t.Errorf("Run: %v", err)
		}
		<-h.notified // what it sent is recorded before the store closes
		if strings.Contains(logs.String(), "secret-test-token") {
			t.Error("the bot token appeared in the logs")
		}
		store.Close()
		srv.Close()
	})
	return h
}

// runNotifier sends what the app queues, as `trackbot run` does, until ctx
// is done; h.done then reports once both have stopped.
func (h *harness) runNotifier(ctx context.Context, app *App, store *storage.Store) {
	n := notify.New(notify.Config{Store: store, Telegram: app.Telegram(), Logger: app.log, Render: app.RenderPush,
		Limits: notify.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerGroupPerMinute: 60000}})
	app.OnQueued(n.Wake)
	app.PaceDirect(n.Pace)
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()
	h.notified = done
}

// say sends text and returns the n messages the bot sends (or edits) in reply.
func (h *harness) say(chat telegramtest.Chat, from telegramtest.User, text string, n int) []telegramtest.Sent {
	h.t.Helper()
	before := len(h.srv.Sent())
	h.srv.SendText(chat, from, text)
	return h.wait(before, n)
}

func (h *harness) wait(before, n int) []telegramtest.Sent {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := h.srv.WaitSent(ctx, before+n)
	if err != nil {
		h.t.Fatalf("%v; sent so far: %+v", err, got[before:])
	}
	return got[before : before+n]
}

// quiet asserts the bot sends nothing more within a short while.
func (h *harness) quiet(before int) {
	h.t.Helper()
	time.Sleep(300 * time.Millisecond)
	if got := h.srv.Sent(); len(got) != before {
		h.t.Fatalf("expected no reply, got %+v", got[before:])
	}
}

func (h *harness) click(from telegramtest.User, on telegramtest.Sent, data string, n int) []telegramtest.Sent {
	h.t.Helper()
	before := len(h.srv.Sent())
	id, err := h.srv.Click(from, on, data)
	if err != nil {
		h.t.Fatal(err)
	}
	if n == 0 {
		h.lastAnswer = h.answerTo(id)
		return nil
	}
	return h.wait(before, n)
}

// answerTo waits for the answerCallbackQuery of the query id: an earlier
// click's answer may come after its message, so "the last answer" is not it.
func (h *harness) answerTo(id string) telegramtest.Answer {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		for _, a := range h.srv.Answers() {
			if a.QueryID == id {
				return a
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no answerCallbackQuery for query %s", id)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) waitAnswers(before int) telegramtest.Answer {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if a := h.srv.Answers(); len(a) > before {
			return a[len(a)-1]
		}
		if time.Now().After(deadline) {
			h.t.Fatal("no answerCallbackQuery")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func has(t *testing.T, s telegramtest.Sent, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s.Text, sub) {
			t.Errorf("message %q lacks %q", s.Text, sub)
		}
	}
}

func button(t *testing.T, s telegramtest.Sent, action string) string {
	t.Helper()
	for _, b := range s.Markup.Buttons() {
		if strings.HasPrefix(b.CallbackData, action+":") {
			return b.CallbackData
		}
	}
	t.Fatalf("no %q button on %q: %+v", action, s.Text, s.Markup)
	return ""
}

func TestPrivateChat(t *testing.T) { storagetest.Each(t, testPrivateChat) }

func testPrivateChat(t *testing.T, db storagetest.Engine) {
	h := newHarnessOn(t, 4, db)
	pc := telegramtest.Private(ann)

	r := h.say(pc, ann, "/start", 2)[0] // the welcome, then the time zone question
	has(t, r, "Hi", "/track")
	// One menu per language (English is the default for all others).
	if h.srv.Calls("setMyCommands") != 6 || h.srv.Calls("deleteWebhook") != 1 || !strings.Contains(string(h.srv.Commands()), `"list"`) {
		t.Errorf("start-up calls: setMyCommands %d deleteWebhook %d commands %s", h.srv.Calls("setMyCommands"), h.srv.Calls("deleteWebhook"), h.srv.Commands())
	}

	a, b := upsNumber(1), upsNumber(2)
	email := "Your order has shipped!\nTracking: " + a + "\nSecond box: " + a[:6] + " " + a[6:10] + " " + a[10:] + "\nand " + b + "\nThanks"
	rs := h.say(pc, ann, email, 2)
	for i, n := range []string{a, b} {
		has(t, rs[i], "Following", n, "UPS", "UPS is not checked automatically on this server", "carrier's page")
		var link bool
		for _, btn := range rs[i].Markup.Buttons() {
			link = link || strings.HasPrefix(btn.URL, "https://www.ups.com/") && strings.Contains(btn.URL, n)
		}
		if !link {
			t.Errorf("no carrier page button: %+v", rs[i].Markup)
		}
		button(t, rs[i], ActStop)
	}
	has(t, h.say(pc, ann, a, 1)[0], "already following", "not checked automatically on this server")

	list := h.say(pc, ann, "/list", 1)[0]
	has(t, list, "2 parcels", a, b, "UPS", "not checked automatically on this server")

	has(t, h.say(pc, ann, "/status "+b, 1)[0], "UPS is not checked automatically on this server", "ups.com")
	has(t, h.say(pc, ann, "/status DEMO1", 1)[0], "Demo Express", "DEMO1", "/track DEMO1")

	has(t, h.say(pc, ann, "/stop "+a, 1)[0], "Stopped following", a)
	list = h.say(pc, ann, "/list", 1)[0]
	has(t, list, "1 parcel", b)
	if strings.Contains(list.Text, a) {
		t.Errorf("stopped parcel still listed: %s", list.Text)
	}

	has(t, h.say(pc, ann, "here: "+typo(upsNumber(3)), 1)[0], "UPS", "check digit", "probably wrong")
	has(t, h.say(pc, ann, "order 112-3456789-0123456", 1)[0], "order", "Your Orders")
	has(t, h.say(pc, ann, "/start track_DEMO2", 1)[0], "Following", "DEMO2", "Demo Express")
	has(t, h.say(pc, ann, "hello there", 1)[0], "Hi!", "parcels for you here", "/list")

	// Limit of 4: b, DEMO2, DEMO3, DEMO4 fill it.
	has(t, h.say(pc, ann, "/track DEMO3 shoes", 1)[0], "Following", "shoes")
	has(t, h.say(pc, ann, "/track DEMO4", 1)[0], "Following")
	has(t, h.say(pc, ann, "/track DEMO5", 1)[0], "already follows 4 parcels", "/stop")
}

func TestGroupChat(t *testing.T) { storagetest.Each(t, testGroupChat) }

func testGroupChat(t *testing.T, db storagetest.Engine) {
	h := newHarnessOn(t, 10, db)
	g := telegramtest.Group(-4001, "Flat <3")
	before := len(h.srv.Sent())
	h.srv.AddToGroup(g, ann)
	has(t, h.wait(before, 1)[0], "Hi all")

	before = len(h.srv.Sent())
	h.srv.SendText(g, bob, "anyone seen my keys? DEMO1")
	h.srv.SendText(g, bob, "/list@some_other_bot")
	h.quiet(before)

	has(t, h.say(g, ann, "@trackbot_test_bot please follow DEMO1", 1)[0], "Following", "DEMO1")
	r := h.say(g, bob, "/track@trackbot_test_bot DEMO2 Bob's lamp", 1)[0]
	has(t, r, "Following", "Bob&#39;s lamp")
	if r.ReplyTo == 0 {
		t.Error("group answers should reply to the message they answer")
	}

	list := h.say(g, carol, "/list@TrackBot_Test_Bot", 1)[0]
	has(t, list, "added by Ann", "added by Bob", "DEMO1", "DEMO2")

	// A reply to the bot counts as addressed to it.
	before = len(h.srv.Sent())
	h.srv.ReplyText(g, carol, "what does this mean?", list)
	if got := h.wait(before, 1)[0]; got.ChatID != g.ID || got.Text == "" {
		t.Errorf("a reply to the bot was not answered: %+v", got)
	}

	has(t, h.say(g, bob, "/stop DEMO1", 1)[0], "Only Ann", "admin")
	h.srv.SetMember(g.ID, carol, "administrator")
	has(t, h.say(g, carol, "/stop DEMO1", 1)[0], "Stopped following")
	has(t, h.say(g, bob, "/stop@trackbot_test_bot Bob's lamp", 1)[0], "Stopped following")

	// Removing the bot keeps the data but marks the chat inactive.
	h.srv.RemoveFromGroup(g, ann)
	waitActive(t, h.store, g.ID, false)
}

func waitActive(t *testing.T, st *storage.Store, chatID int64, want bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := st.Chat(context.Background(), chatID)
		if err == nil && c.Active == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("chat %d active=%v (err %v), want %v", chatID, c.Active, err, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCallbackButtons(t *testing.T) {
	h := newHarness(t, 10)
	pc := telegramtest.Private(ann)
	msg := h.say(pc, ann, "/track DEMO1", 1)[0]

	edit := h.click(ann, msg, button(t, msg, ActRefresh), 1)[0]
	if edit.Method != "editMessageText" || edit.MessageID != msg.MessageID {
		t.Errorf("refresh should edit the message: %+v", edit)
	}
	has(t, edit, "Demo Express", "DEMO1")
	if a := h.waitAnswers(0); a.Text != "Updated." {
		t.Errorf("refresh answer %+v", a)
	}

	prompt := h.click(ann, msg, button(t, msg, ActRename), 1)[0]
	if !prompt.Markup.ForceReply || !strings.Contains(prompt.Text, "(parcel #") {
		t.Fatalf("rename prompt %+v", prompt)
	}
	before := len(h.srv.Sent())
	h.srv.ReplyText(pc, ann, "<b>gift</b> & *stuff*", prompt)
	has(t, h.wait(before, 1)[0], "now called <b>&lt;b&gt;gift&lt;/b&gt; &amp; *stuff*</b>")

	choices := h.click(ann, msg, button(t, msg, ActCarrier), 1)[0]
	var cs string
	for _, btn := range choices.Markup.Buttons() {
		if btn.CallbackData == CallbackData(ActSetCarrier, mustSubID(t, msg), "ups") {
			cs = btn.CallbackData
		}
	}
	if cs == "" {
		t.Fatalf("no UPS choice: %+v", choices.Markup)
	}
	switched := h.click(ann, choices, cs, 1)[0]
	has(t, switched, "now set to <b>UPS</b>", "not checked automatically on this server") // no UPS client in this test

	has(t, h.click(ann, msg, button(t, msg, ActStop), 1)[0], "Stopped following")
	// The other message's buttons are now stale.
	h.click(ann, switched, button(t, switched, ActRefresh), 0)
	if a := h.lastAnswer; !strings.Contains(a.Text, "no longer following") {
		t.Errorf("stale button answer %+v", a)
	}

	// Delivered: Got it / Not received.
	ctx := context.Background()
	sub, _, err := h.store.Subscribe(ctx, storage.SubscribeParams{ChatID: ann.ID, Carrier: "demo", Number: "DEMO6", AddedBy: ann.ID, AddedByName: "Ann", Now: time.Now().Add(-72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	delivered := time.Now().Add(-26 * time.Hour)
	_, err = h.store.RecordPoll(ctx, storage.PollRecord{ShipmentID: sub.Shipment.ID, PolledAt: delivered, NextPollAt: delivered.Add(time.Hour),
		Result: tracker.Result{Number: "DEMO6", Carrier: "demo", Status: tracker.StatusDelivered,
			Events: []tracker.Event{{Time: delivered, Status: tracker.StatusDelivered, Description: "Left at front door"}}}})
	if err != nil {
		t.Fatal(err)
	}
	dm := h.say(pc, ann, "DEMO6", 1)[0]
	has(t, dm, "already following", "Delivered")
	h.click(ann, dm, button(t, dm, ActNotReceived), 0)
	if a := h.lastAnswer; !strings.Contains(a.Text, "Sorry to hear") {
		t.Errorf("not received answer %+v", a)
	}
	items, err := h.store.PendingOutbox(ctx, time.Now().Add(time.Minute), 10)
	if err != nil || len(items) != 1 || !strings.HasPrefix(items[0].DedupeKey, fmt.Sprintf("advice:%d:", sub.ID)) {
		t.Fatalf("advice queued: %+v %v", items, err)
	}
	got, _ := h.store.SubscriptionByID(ctx, sub.ID)
	if got.NotReceivedAt.IsZero() {
		t.Error("not received not recorded")
	}
	has(t, h.click(ann, dm, button(t, dm, ActGotIt), 1)[0], "arrived")
}

// A stopped parcel's buttons stay stale after another parcel is followed:
// the new parcel must not take the old one's id, or the old Stop stops it.
func TestStaleButtonAfterNewParcel(t *testing.T) { storagetest.Each(t, testStaleButtonAfterNewParcel) }

func testStaleButtonAfterNewParcel(t *testing.T, db storagetest.Engine) {
	h := newHarnessOn(t, 10, db)
	pc := telegramtest.Private(ann)
	a := h.say(pc, ann, "/track DEMO1", 1)[0]
	has(t, h.say(pc, ann, "/stop DEMO1", 1)[0], "Stopped following") // a keeps its buttons
	b := h.say(pc, ann, "/track DEMO2", 1)[0]
	if aID, bID := mustSubID(t, a), mustSubID(t, b); aID == bID {
		t.Errorf("DEMO2 took stopped DEMO1's subscription id %d", aID)
	}

	for _, act := range []string{ActRefresh, ActStop} {
		h.click(ann, a, button(t, a, act), 0)
		if !strings.Contains(h.lastAnswer.Text, "no longer following") {
			t.Errorf("DEMO1's old %s answered %+v", act, h.lastAnswer)
		}
	}
	subs, err := h.store.ChatSubscriptions(context.Background(), ann.ID)
	if err != nil || len(subs) != 1 || subs[0].Shipment.Number != "DEMO2" || subs[0].ID != mustSubID(t, b) {
		t.Fatalf("DEMO2 must still be followed: %+v, %v", subs, err)
	}
	for _, m := range h.srv.Sent() {
		if m.Method == "editMessageText" && m.MessageID == a.MessageID {
			t.Errorf("DEMO1's old message was edited: %+v", m)
		}
	}
}

func mustSubID(t *testing.T, s telegramtest.Sent) int64 {
	t.Helper()
	c, err := ParseCallback(button(t, s, ActStop))
	if err != nil {
		t.Fatal(err)
	}
	return c.SubID
}

func TestBlockedChat(t *testing.T) {
	h := newHarness(t, 10)
	pc := telegramtest.Private(bob)
	h.say(pc, bob, "/track DEMO1", 1)
	h.srv.Block(bob.ID)
	h.srv.SendText(pc, bob, "/list")
	waitActive(t, h.store, bob.ID, false)
	subs, err := h.store.ChatSubscriptions(context.Background(), bob.ID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("data must be kept: %v %v", subs, err)
	}
	h.srv.Unblock(bob.ID)
	has(t, h.say(pc, bob, "/start", 1)[0], "Hi")
	waitActive(t, h.store, bob.ID, true)
}

func TestFloodControlRetry(t *testing.T) {
	h := newHarness(t, 10)
	pc := telegramtest.Private(carol)
	h.srv.RateLimitNext(1, 1)
	start := time.Now()
	has(t, h.say(pc, carol, "/help", 1)[0], "How I work")
	if d := time.Since(start); d < time.Second {
		t.Errorf("resent after %v, before retry_after", d)
	}
	if st := h.srv.Stats(); st.TooMany != 1 || st.Sends != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestSupergroupMigration(t *testing.T) { storagetest.Each(t, testSupergroupMigration) }

func testSupergroupMigration(t *testing.T, db storagetest.Engine) {
	h := newHarnessOn(t, 10, db)
	ctx := context.Background()
	g := telegramtest.Group(-5001, "Family")
	h.say(g, ann, "/track DEMO1", 1)

	// Telegram's service message in the old group.
	h.srv.AnnounceMigration(g, -1005001, ann)
	deadline := time.Now().Add(5 * time.Second)
	for {
		subs, _ := h.store.ChatSubscriptions(ctx, -1005001)
		if len(subs) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("subscriptions did not move to the supergroup")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// A send answered with migrate_to_chat_id moves the chat and is resent there.
	g2 := telegramtest.Group(-5002, "Team")
	h.say(g2, bob, "/track DEMO2", 1)
	h.srv.Migrate(g2.ID, -1005002)
	before := len(h.srv.Sent())
	h.srv.SendText(g2, bob, "/list")
	r := h.wait(before, 1)[0]
	if r.ChatID != -1005002 {
		t.Fatalf("resent to %d", r.ChatID)
	}
	has(t, r, "DEMO2")
	if subs, _ := h.store.ChatSubscriptions(ctx, -1005002); len(subs) != 1 {
		t.Errorf("subscriptions after migrate error: %v", subs)
	}
}

func TestConflictStopsRun(t *testing.T) {
	h := newHarness(t, 10)
	h.srv.Conflict()
	select {
	case err := <-h.done:
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("Run returned %v", err)
		}
		h.done <- err // for the cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Run kept polling through a 409")
	}
	if !strings.Contains(h.logs.String(), "409") {
		t.Error("the conflict should be logged plainly")
	}
}

func TestBadInput(t *testing.T) {
	h := newHarness(t, 10)
	pc := telegramtest.Private(carol)
	tests := []struct {
		name, in string
		want     []string
	}{
		{"4000 characters", strings.Repeat("blah ", 800), []string{"/help"}},
		{"4000 characters with a number", strings.Repeat("x ", 1990) + " DEMO3", []string{"Following", "DEMO3"}},
		{"emoji", "📦🎁🚚 where is it?? 🤷", []string{"Your parcel:", "DEMO3", "Normal for a day or two"}},
		{"html label", "/track DEMO1 <script>alert(1)</script>", []string{"&lt;script&gt;alert(1)&lt;/script&gt;"}},
		{"markdown label", "/rename DEMO1 *bold* _it_ [x](http://y)", []string{"*bold* _it_ [x](http://y)"}},
		{"sql label", "/rename DEMO1 '); DROP TABLE subscriptions;--", []string{"&#39;); DROP TABLE subscriptions;--"}},
		{"list after sql", "/list", []string{"DROP TABLE", "DEMO1"}},
		{"unknown command", "/frobnicate now", []string{"don't know", "/frobnicate", "/help"}},
		{"unknown command with html", "/<b>", []string{"/help"}},
		{"track without number", "/track", []string{"Which number"}},
		{"track rubbish", "/track hello world", []string{"doesn't look like a tracking number"}},
		{"stop without argument", "/stop", []string{"Which parcel"}},
		{"stop unknown", "/stop DEMO9", []string{"not following anything called"}},
		{"stop several unknown", "/stop DEMO9 extra words", []string{"didn't stop anything", "Not found here", "DEMO9", "extra", "words"}},
		{"status without number", "/status", []string{"Which number"}},
		{"rename without name", "/rename DEMO1", []string{"/rename NUMBER new name"}},
		{"long label", "/rename DEMO1 " + strings.Repeat("a", 100), []string{"too long"}},
		{"carrier extra args", "/carrier DEMO1 ups extra", []string{"/carrier NUMBER CODE"}},
		{"carrier unknown code", "/carrier DEMO1 pigeon", []string{"don't know the carrier", "pigeon"}},
		{"list with argument", "/list everything", []string{"takes no arguments"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			has(t, h.say(pc, carol, tc.in, 1)[0], tc.want...)
		})
	}
	if st := h.srv.Stats(); st.BadRequests != 0 {
		t.Errorf("Telegram refused %d of our messages", st.BadRequests)
	}
}

func TestConsole(t *testing.T) {
	ctx := context.Background()
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	in := strings.NewReader(strings.Join([]string{
		"/track DEMO1 birthday <gift>",
		"1", // Refresh
		"2", // Rename
		"cake",
		"/list",
		"/stop cake",
		"/list",
		"/quit",
		"never read",
	}, "\n"))
	var out bytes.Buffer
	if err := RunConsole(ctx, ConsoleConfig{Store: store, Router: router, In: in, Out: &out}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"Hi!", "Following birthday <gift>", "[1] 🔄 Refresh", "(Updated.)", "Demo Express", "type your answer",
		"now called cake", "1 parcel followed here", "Stopped following cake", "not following anything here"} {
		if !strings.Contains(text, want) {
			t.Errorf("console output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "<b>") || strings.Contains(text, "&lt;") {
		t.Errorf("console shows raw HTML:\n%s", text)
	}
}

// Engine is the conversation engine behind the adapter (tests drive it
// directly).
func (a *App) Engine() *Engine { return a.eng }

// Username is the bot's @name without the "@".
func (a *App) Username() string { return a.username }
