package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
)

const token = "123456:test-token"

// fast limits keep tests short; the throughput benchmark uses the real ones.
var fast = Limits{PerSecond: 200, PerChatPerSecond: 50, PerGroupPerMinute: 3000}

type env struct {
	store *storage.Store
	tg    *telegramtest.Server
	n     *Notifier
}

func newEnv(t testing.TB, limits Limits) *env {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(ctx, filepath.Join(t.TempDir(), "trackbot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tg := telegramtest.NewServer(token)
	t.Cleanup(tg.Close)
	b, err := bot.New(token, bot.WithServerURL(tg.URL), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	n := New(Config{Store: st, Telegram: b, Limits: limits, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return &env{store: st, tg: tg, n: n}
}

func (e *env) chat(t testing.TB, id int64) {
	t.Helper()
	typ := "private"
	if id < 0 {
		typ = "group"
	}
	if err := e.store.TouchChat(context.Background(), storage.Chat{ID: id, Type: typ, Title: "c", Active: true}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) enqueue(t testing.TB, msgs ...storage.OutboxMessage) {
	t.Helper()
	if _, err := e.store.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

func msg(chat int64, key, text string) storage.OutboxMessage {
	return storage.OutboxMessage{ChatID: chat, DedupeKey: key, Text: text}
}

func texts(sent []telegramtest.Sent, chat int64) []string {
	var out []string
	for _, s := range sent {
		if s.ChatID == chat {
			out = append(out, s.Text)
		}
	}
	return out
}

func equal(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func depth(t testing.TB, st *storage.Store) int {
	t.Helper()
	d, _, err := st.OutboxStats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFlushSendsEachMessageOnceInOrder(t *testing.T) {
	e := newEnv(t, fast)
	ctx := context.Background()
	e.chat(t, 1)
	e.chat(t, 2)
	e.enqueue(t, msg(1, "a", "<b>one</b>"), msg(2, "b", "two"), msg(1, "c", "three"), msg(1, "d", "four &amp; more"))
	e.enqueue(t, msg(1, "a", "<b>one</b> again")) // same key: dropped by the outbox
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	sent := e.tg.Sent()
	if got, want := texts(sent, 1), []string{"<b>one</b>", "three", "four &amp; more"}; !equal(got, want) {
		t.Errorf("chat 1 got %q, want %q", got, want)
	}
	if got := texts(sent, 2); !equal(got, []string{"two"}) {
		t.Errorf("chat 2 got %q", got)
	}
	for _, s := range sent {
		if s.ParseMode != "HTML" {
			t.Errorf("parse mode %q", s.ParseMode)
		}
	}
	if d := depth(t, e.store); d != 0 {
		t.Errorf("outbox depth %d after flush", d)
	}
}

func TestMarkupIsSent(t *testing.T) {
	e := newEnv(t, fast)
	e.chat(t, 5)
	m := msg(5, "k", "✅ <b>Delivered</b>")
	m.Markup = `{"inline_keyboard":[[{"text":"Got it","callback_data":"got:9"},{"text":"Not received","callback_data":"nr:9"}]]}`
	e.enqueue(t, m)
	if err := e.n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	sent := e.tg.Sent()
	if len(sent) != 1 {
		t.Fatalf("sent %d", len(sent))
	}
	b := sent[0].Markup.Buttons()
	if len(b) != 2 || b[0].CallbackData != "got:9" || b[1].CallbackData != "nr:9" || b[1].Text != "Not received" {
		t.Errorf("buttons %+v", b)
	}
}

func TestBlockedChatIsMarkedInactiveAndKeepsItsMessages(t *testing.T) {
	e := newEnv(t, fast)
	ctx := context.Background()
	e.chat(t, 7)
	e.chat(t, 8)
	e.tg.Block(7)
	e.enqueue(t, msg(7, "x", "first"), msg(7, "y", "second"), msg(8, "z", "other chat"))
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := e.store.Chat(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	if c.Active {
		t.Error("blocked chat still active")
	}
	if got := texts(e.tg.Sent(), 8); len(got) != 1 {
		t.Errorf("other chat got %q", got)
	}
	if e.n.Stats().Sent != 1 {
		t.Errorf("stats %+v: a refused message was counted as sent", e.n.Stats())
	}

	// The user comes back: the kept messages go out, in order, once.
	e.tg.Unblock(7)
	e.chat(t, 7)
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := texts(e.tg.Sent(), 7); !equal(got, []string{"first", "second"}) {
		t.Errorf("after unblock chat 7 got %q", got)
	}
}

func TestTooManyRequestsWaitsRetryAfter(t *testing.T) {
	e := newEnv(t, fast)
	ctx := context.Background()
	e.chat(t, 10)
	e.chat(t, 11)
	e.enqueue(t, msg(10, "p", "p1"), msg(10, "q", "p2"))
	e.tg.RateLimitNext(1, 1)
	start := time.Now()
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := texts(e.tg.Sent(), 10); len(got) != 0 {
		t.Fatalf("sent %q despite the 429", got)
	}
	// Within retry_after nothing goes out, to any chat.
	e.enqueue(t, msg(11, "r", "other"))
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(e.tg.Sent()) != 0 && time.Since(start) < time.Second {
		t.Errorf("sent during retry_after: %+v", e.tg.Sent())
	}
	deadline := time.Now().Add(5 * time.Second)
	for depth(t, e.store) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		if err := e.n.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := texts(e.tg.Sent(), 10); !equal(got, []string{"p1", "p2"}) {
		t.Errorf("after retry chat 10 got %q", got)
	}
	first := e.tg.Sent()[0].At
	if first.Sub(start) < time.Second {
		t.Errorf("resent after %v, before retry_after", first.Sub(start))
	}
	if s := e.n.Stats(); s.TooMany != 1 || s.Sent != 3 {
		t.Errorf("stats %+v", s)
	}
}

func TestMigratedGroupIsFollowed(t *testing.T) {
	e := newEnv(t, fast)
	ctx := context.Background()
	const old, super = -4001, -1004001
	e.chat(t, old)
	e.enqueue(t, msg(old, "m1", "to the group"), msg(old, "m2", "and more"))
	e.tg.Migrate(old, super)
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	sent := e.tg.Sent()
	if got := texts(sent, super); !equal(got, []string{"to the group", "and more"}) {
		t.Errorf("supergroup got %q (all: %+v)", got, sent)
	}
	if _, err := e.store.Chat(ctx, super); err != nil {
		t.Errorf("new chat not stored: %v", err)
	}
	if d := depth(t, e.store); d != 0 {
		t.Errorf("outbox depth %d", d)
	}
}

func TestBadMessageFailsAloneAndTheNextGoesOut(t *testing.T) {
	e := newEnv(t, fast)
	ctx := context.Background()
	e.chat(t, 20)
	e.enqueue(t, msg(20, "bad", "<b>unclosed"), msg(20, "good", "fine"))
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := texts(e.tg.Sent(), 20); !equal(got, []string{"fine"}) {
		t.Errorf("chat got %q", got)
	}
	if s := e.n.Stats(); s.Failed != 1 {
		t.Errorf("stats %+v", s)
	}
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(e.tg.Sent()) != 1 {
		t.Errorf("failed message offered again")
	}
}

func TestNetworkFailureIsRetried(t *testing.T) {
	e := newEnv(t, fast)
	ctx := context.Background()
	e.chat(t, 30)
	e.enqueue(t, msg(30, "n", "hello"))
	e.tg.Close() // Telegram unreachable
	if err := e.n.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if s := e.n.Stats(); s.Retried != 1 || s.Sent != 0 {
		t.Errorf("stats %+v", s)
	}
	items, err := e.store.PendingOutbox(ctx, time.Now().Add(time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Attempts != 1 {
		t.Errorf("message not kept for retry: %+v", items)
	}
}

func TestRunDrainsUntilCancelled(t *testing.T) {
	e := newEnv(t, fast)
	e.chat(t, 40)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- e.n.Run(ctx) }()
	e.enqueue(t, msg(40, "r1", "run one"))
	e.n.Wake()
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	if _, err := e.tg.WaitSent(wctx, 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// BenchmarkNotifierThroughput drains 300 messages to distinct chats against
// a fake Bot API that enforces Telegram's limits, with the default pacing.
// Run with -benchtime=1x: one iteration takes about ten seconds.
func BenchmarkNotifierThroughput(b *testing.B) {
	const msgs = 300
	e := newEnv(b, DefaultLimits)
	e.tg.EnforceLimits(telegramtest.Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20})
	for i := range msgs {
		e.chat(b, int64(1000+i))
	}
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		batch := make([]storage.OutboxMessage, msgs)
		for c := range msgs {
			batch[c] = msg(int64(1000+c), fmt.Sprintf("bench:%d:%d", i, c), fmt.Sprintf("🚚 <b>In transit</b> parcel %d", c))
		}
		e.enqueue(b, batch...)
		start := time.Now()
		if err := e.n.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	st := e.tg.Stats()
	b.ReportMetric(float64(st.Sends)/total.Seconds(), "msg/s")
	b.ReportMetric(float64(st.TooMany), "429s")
	if d := depth(b, e.store); d != 0 {
		b.Errorf("outbox depth %d after drain", d)
	}
}

// fillDatabase packs the store's SQLite file to its page limit (as a full
// disk would leave it): SetMaxPages at its size, then inbox rows until a
// write needs a page it cannot have.
func fillDatabase(t testing.TB, st *storage.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := st.SetMaxPages(ctx, 0); err != nil {
		t.Fatal(err)
	}
	body := []byte(strings.Repeat("x", 2000))
	for id := int64(1); ; id++ {
		_, err := st.StoreUpdates(ctx, time.Unix(1, 0), storage.InboxUpdate{UpdateID: id, Body: body})
		if storage.CannotWrite(err) {
			return
		}
		if err != nil || id > 100000 {
			t.Fatalf("filling the database: %v after %d rows", err, id)
		}
	}
}

// roomAndDrain lifts fillDatabase's limit and flushes until the outbox is
// empty (the marks' back-off is under a second at first).
func (e *env) roomAndDrain(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.store.SetMaxPages(ctx, 1<<30); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); depth(t, e.store) != 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("outbox not drained after the disk had room again")
		}
		if err := e.n.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFullDiskSentButUnmarkedGoesOutOnce: a push Telegram accepted while the
// database takes no writes cannot be marked sent; it is delivered once all
// the same, never again while the disk stays full, and marked sent once
// writing works again.
//
// The push is a long message (4,096 characters, two overflow pages): marking
// it rewrites its record onto new pages, which a database packed to its
// max_page_count refuses, as a full disk refuses the WAL's growth.
func TestFullDiskSentButUnmarkedGoesOutOnce(t *testing.T) {
	e := newEnv(t, fast)
	ctx := context.Background()
	const chat = 9001
	e.chat(t, chat)
	long := strings.Repeat("ü", 4096)
	e.enqueue(t, msg(chat, "long", long))
	fillDatabase(t, e.store)

	for range 5 { // each Flush loads the outbox anew, as Run does every second
		// Bounded: a notifier that sends the row again on every load
		// never finishes a Flush.
		fctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := e.n.Flush(fctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := len(e.tg.SentTo(chat)); got != 1 {
		t.Fatalf("delivered %d times on a full disk, want once", got)
	}
	if d := depth(t, e.store); d != 1 {
		t.Fatalf("outbox depth %d on a full disk, want the row still unmarked (the test's disk is not full)", d)
	}

	e.roomAndDrain(t)
	if got := len(e.tg.SentTo(chat)); got != 1 {
		t.Errorf("delivered %d times in all, want once", got)
	}
	if s := e.n.Stats(); s.Sent != 1 {
		t.Errorf("stats %+v, want one sent", s)
	}
}

// TestFullDiskUnmarkedIsBounded: once as many sends wait for their marks
// as the notifier remembers, it sends nothing more until they are written;
// the rest waits in the outbox, and everything goes out once in the end.
func TestFullDiskUnmarkedIsBounded(t *testing.T) {
	e := newEnv(t, fast)
	e.n.maxUnmarked = 2
	ctx := context.Background()
	const chats = 4
	for c := range int64(chats) {
		e.chat(t, 9100+c)
		e.enqueue(t, msg(9100+c, fmt.Sprint("long", c), strings.Repeat("ü", 4096)))
	}
	fillDatabase(t, e.store)
	for range 3 {
		if err := e.n.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(e.tg.Sent()); got != 2 {
		t.Fatalf("sent %d on a full disk, want the 2 the notifier may remember", got)
	}
	if d := depth(t, e.store); d != chats {
		t.Fatalf("outbox depth %d on a full disk, want %d", d, chats)
	}
	e.roomAndDrain(t)
	for c := range int64(chats) {
		if got := len(e.tg.SentTo(9100 + c)); got != 1 {
			t.Errorf("chat %d got %d messages, want 1", 9100+c, got)
		}
	}
}

// TestFullDiskUnmarkedKeepsItsLease: with two instances sharing the outbox
// (Owner, leases), a push the first sent but could not mark stays its own:
// the second never sends it while the disk is full, not even after the
// first's Release, and once writing works again it is marked, delivered
// once in all.
func TestFullDiskUnmarkedKeepsItsLease(t *testing.T) {
	e := newEnv(t, fast)
	ctx := context.Background()
	const chat = 9002
	e.chat(t, chat)
	e.enqueue(t, msg(chat, "long", strings.Repeat("ü", 4096)))
	fillDatabase(t, e.store)
	instance := func(owner string) *Notifier {
		b, err := bot.New(token, bot.WithServerURL(e.tg.URL), bot.WithSkipGetMe())
		if err != nil {
			t.Fatal(err)
		}
		return New(Config{Store: e.store, Telegram: b, Limits: fast, Owner: owner, Lease: 2 * time.Second,
			Interval: 10 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	}
	first, second := instance("first"), instance("second")
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan struct{}, 2)
	go func() { _ = first.Run(runCtx); done <- struct{}{} }()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := e.tg.WaitSent(wctx, 1); err != nil {
		t.Fatal(err)
	}
	// The send is answered before its mark is refused: wait for the latter.
	for first.unmarkedCount() == 0 {
		if wctx.Err() != nil {
			t.Fatal("the full disk took the mark (the test's disk is not full)")
		}
		time.Sleep(time.Millisecond)
	}
	go func() { _ = second.Run(runCtx); done <- struct{}{} }()
	if err := first.Release(ctx); err != nil {
		t.Fatal(err)
	}
	// Nothing to wait for: the second must do nothing for longer than a
	// lease unrenewed lasts (leases count whole seconds).
	time.Sleep(3 * time.Second)
	if got := len(e.tg.SentTo(chat)); got != 1 {
		t.Fatalf("delivered %d times on a full disk, want once", got)
	}
	if d := depth(t, e.store); d != 1 {
		t.Fatalf("outbox depth %d on a full disk, want the row still unmarked", d)
	}

	if _, err := e.store.SetMaxPages(ctx, 1<<30); err != nil {
		t.Fatal(err)
	}
	for depth(t, e.store) != 0 {
		if wctx.Err() != nil {
			t.Fatal("not marked sent after the disk had room again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	<-done
	if got := len(e.tg.SentTo(chat)); got != 1 {
		t.Errorf("delivered %d times in all, want once", got)
	}
}

func (n *Notifier) unmarkedCount() int {
	n.qmu.Lock()
	defer n.qmu.Unlock()
	return len(n.unmarked)
}
