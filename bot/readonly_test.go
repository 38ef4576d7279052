package bot

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
)

// fillInbox packs the inbox's pages with small handled rows (ids far above
// Telegram's, so the worker never sees them) through a connection of its
// own, until no free page is left: an update stored next needs a new page.
func fillInbox(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := int64(1) << 50
	batch := func() {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		for range 500 {
			id++
			if _, err := tx.Exec(`INSERT INTO inbox (update_id, chat_id, body, received_at, handled_at, outcome)
				VALUES ($1, 0, 'x', 1, 1, 'filler')`, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	for {
		batch()
		var free int
		if err := db.QueryRow(`PRAGMA freelist_count`).Scan(&free); err != nil {
			t.Fatal(err)
		}
		if free == 0 {
			break
		}
	}
	batch() // the page the next real update belongs on is full too
}

// TestFullDiskAnswersReadsAndAsksToWait fills the real SQLite file the bot
// runs on (max_page_count at its size, its pages packed): /help, /list and
// /status are still answered, from reads, exactly as before; /track gets
// the storage-full reply and follows nothing; nothing reaches the inbox,
// and the updates are confirmed to Telegram (never delivered again). Once
// the limit is lifted the bot works as usual.
func TestFullDiskAnswersReadsAndAsksToWait(t *testing.T) {
	srv := telegramtest.NewServer(testToken)
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "bot.db")
	h, _ := startApp(t, srv, path)
	ctx := context.Background()
	p := locale.For(locale.EN)
	u := telegramtest.User{ID: 7100, FirstName: "Kim", LanguageCode: "en"}
	pc := telegramtest.Private(u)

	has(t, h.say(pc, u, "/track DEMO1 lamp", 1)[0], "DEMO1")
	help := h.say(pc, u, "/help", 1)[0]
	has(t, h.say(pc, u, "/list", 1)[0], "DEMO1", "lamp")
	status := h.say(pc, u, "/status DEMO1", 1)[0]
	// The outbox is done with its rows before the disk fills.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		n, err := h.store.PendingReplies(ctx, pc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d replies still queued", n)
		}
	}

	fillInbox(t, path)
	if _, err := h.store.SetMaxPages(ctx, 0); err != nil {
		t.Fatal(err)
	}
	sayFull := func(text string) telegramtest.Sent {
		t.Helper()
		return h.say(pc, u, text, 1)[0]
	}
	got := sayFull("/help")
	if got.Text != help.Text {
		t.Errorf("/help on a full disk:\n%s\nwant as before:\n%s", got.Text, help.Text)
	}
	has(t, sayFull("/list"), "DEMO1", "lamp")
	if got := sayFull("/status DEMO1"); !strings.Contains(got.Text, "DEMO1") || got.Text == p.T("storage_full") {
		t.Errorf("/status on a full disk: %q, want the parcel as before:\n%s", got.Text, status.Text)
	}
	wantFull := p.T("storage_full")
	for _, text := range []string{"/track DEMO2 chair", "DEMO3", "/stop DEMO1"} {
		if got := sayFull(text); got.Text != wantFull {
			t.Errorf("%q on a full disk: %q, want %q", text, got.Text, wantFull)
		}
	}
	if n := strings.Count(h.logs.String(), "the database takes no writes"); n != 1 {
		t.Errorf("full disk logged %d times, want once:\n%s", n, h.logs.String())
	}

	// Lift the limit: the next update goes through the inbox as usual, and
	// none of those answered while full comes back.
	if _, err := h.store.SetMaxPages(ctx, 1<<30); err != nil {
		t.Fatal(err)
	}
	has(t, h.say(pc, u, "/track DEMO2 chair", 1)[0], "DEMO2")
	has(t, h.say(pc, u, "/list", 1)[0], "DEMO1", "DEMO2")
	subs, err := h.store.ChatSubscriptions(ctx, pc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 {
		t.Errorf("%d parcels followed, want 2 (DEMO1 still, DEMO2 only after the disk had room)", len(subs))
	}
	pending, err := h.store.PendingUpdates(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("updates left in the inbox: %+v", pending)
	}
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored int
	if err := db.QueryRow(`SELECT COUNT(*) FROM inbox WHERE outcome != 'filler'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 6 { // 4 before the disk filled, 2 after
		t.Errorf("%d updates stored, want 6: one answered while the disk was full was delivered again", stored)
	}
	if !strings.Contains(h.logs.String(), "takes writes again") {
		t.Error("no log line when writes worked again")
	}
}

// TestFullDiskWebhook: in webhook mode an update the full database cannot
// take is answered directly and acknowledged with 200 only once answered;
// when the answer cannot be sent either, 500 makes Telegram send it again.
func TestFullDiskWebhook(t *testing.T) {
	ctx := context.Background()
	srv := telegramtest.NewServer(testToken)
	path := filepath.Join(t.TempDir(), "hook.db")
	store, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	logs := &lockedBuf{}
	app, err := New(ctx, Config{Token: testToken, APIURL: srv.URL, Store: store, Demo: true,
		Logger: slog.New(slog.NewTextHandler(logs, nil)), HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	fillInbox(t, path)
	if _, err := store.SetMaxPages(ctx, 0); err != nil {
		t.Fatal(err)
	}
	u := telegramtest.User{ID: 7200, FirstName: "Ada", LanguageCode: "de"}
	postAs := func(id int64, from telegramtest.User, chat telegramtest.Chat, text string) int {
		t.Helper()
		body, err := json.Marshal(telegramtest.Update{UpdateID: id, Message: &telegramtest.Message{MessageID: int(id), From: &from,
			Chat: chat, Date: time.Now().Unix(), Text: text}})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		app.WebhookHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
		return rec.Code
	}
	post := func(id int64, text string) int { t.Helper(); return postAs(id, u, telegramtest.Private(u), text) }
	de := locale.For(locale.DE)
	if code := post(1, "/help"); code != http.StatusOK {
		t.Fatalf("/help: status %d, want 200", code)
	}
	if code := post(2, "/track DEMO1"); code != http.StatusOK {
		t.Fatalf("/track: status %d, want 200", code)
	}
	sent := srv.SentTo(u.ID)
	if len(sent) != 2 {
		t.Fatalf("sent %d messages, want 2: %+v", len(sent), sent)
	}
	if sent[0].Text != helpText(de, true) {
		t.Errorf("/help: %q, want the German help", sent[0].Text)
	}
	if sent[1].Text != de.T("storage_full") {
		t.Errorf("/track: %q, want %q", sent[1].Text, de.T("storage_full"))
	}
	if code := post(1, "/help"); code != http.StatusOK || len(srv.SentTo(u.ID)) != 2 {
		t.Errorf("a redelivered update: status %d, %d messages; want 200 and no second answer", code, len(srv.SentTo(u.ID)))
	}

	// Refusals read as the outbox reads them (notify.Classify): a chat that
	// blocked the bot can never be answered, so its update is acknowledged
	// rather than sent again forever; a group that became a supergroup is
	// answered there.
	blocked := telegramtest.User{ID: 7201, FirstName: "Bo", LanguageCode: "en"}
	srv.Block(blocked.ID)
	if code := postAs(4, blocked, telegramtest.Private(blocked), "/help"); code != http.StatusOK {
		t.Errorf("a chat that blocked the bot: status %d, want 200 (it cannot be answered however often it comes)", code)
	}
	group := telegramtest.Group(-7300, "Flat")
	srv.Migrate(group.ID, -1007300)
	if code := postAs(5, u, group, "/help@"+app.username); code != http.StatusOK {
		t.Errorf("a migrated group: status %d, want 200", code)
	}
	if got := srv.SentTo(-1007300); len(got) != 1 || got[0].Text != helpText(de, true) {
		t.Errorf("the supergroup got %+v, want the German help once", got)
	}

	srv.Close() // nothing can be sent now
	if code := post(3, "/help"); code != http.StatusInternalServerError {
		t.Errorf("unsendable answer: status %d, want 500", code)
	}
	if pending, err := store.PendingUpdates(ctx, 0); err != nil || len(pending) != 0 {
		t.Errorf("inbox: %v, %v; want nothing stored", pending, err)
	}
}

// TestFullDiskAnswersUnderTelegramLimits: while the database takes no
// writes, answers go out directly, not through the outbox, but still through
// the notifier's pacer: 30 chats asking 4 times each at once are all
// answered, in order, without one 429 from a Bot API enforcing Telegram's
// limits (sped up as in the load tests).
func TestFullDiskAnswersUnderTelegramLimits(t *testing.T) {
	const chats, each = 30, 4
	r := newLoadRig(t, withSpeedup(telegramLimits, speedup), spedUpLimits)
	fillInbox(t, r.path)
	if _, err := r.store.SetMaxPages(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	for k := range each {
		for c := range chats {
			u := telegramtest.User{ID: int64(8_300_000 + c), FirstName: fmt.Sprint("F", c), LanguageCode: "en"}
			r.srv.SendText(telegramtest.Private(u), u, fmt.Sprintf("/list %d", k))
		}
	}
	r.waitSent(t, chats*each, time.Minute)
	for c := range chats {
		if got := len(r.srv.SentTo(int64(8_300_000 + c))); got != each {
			t.Errorf("chat %d got %d answers, want %d", c, got, each)
		}
	}
	if n, err := r.store.PendingReplies(context.Background(), 8_300_000); err != nil || n != 0 {
		t.Errorf("%d replies in the outbox (%v): the disk was meant to be full", n, err)
	}
	if st := r.srv.Stats(); st.Sends != chats*each || st.TooMany != 0 {
		t.Errorf("Bot API stats %+v: want %d sends and no 429", st, chats*each)
	}
}
