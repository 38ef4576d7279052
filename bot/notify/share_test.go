package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
)

// Three instances send one PostgreSQL outbox together: every message goes
// out once and each chat's in order, all three take part, and together
// they keep to Telegram's limits, which the fake Bot API enforces (its
// time runs speedup times faster, and the instances' paces pace times: the
// margin the defaults keep at real time shrinks with the speedup, below
// what a busy machine's scheduling jitter takes).
func TestInstancesShareTheOutbox(t *testing.T) {
	const speedup, pace, instances, chats, groups, perChat = 4, 3.5, 3, 90, 6, 3
	dsn := storagetest.PostgresDSN(t)
	ctx := context.Background()
	tg := telegramtest.NewServer(token)
	t.Cleanup(tg.Close)
	tg.EnforceLimits(telegramtest.Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20, Speedup: speedup})
	limits := Limits{
		PerSecond:         DefaultLimits.PerSecond * pace,
		PerChatPerSecond:  DefaultLimits.PerChatPerSecond * pace,
		PerGroupPerMinute: DefaultLimits.PerGroupPerMinute * pace,
	}

	notifiers := newInstances(t, dsn, tg, instances, Config{Limits: limits, Lease: 5 * time.Second, Interval: 50 * time.Millisecond})
	e := &env{store: notifiers[0].cfg.Store, tg: tg}
	var (
		ids  []int64
		msgs []storage.OutboxMessage
	)
	for c := range chats {
		id := int64(7000 + c)
		if c < groups {
			id = -id
		}
		ids = append(ids, id)
		e.chat(t, id)
		for k := range perChat {
			msgs = append(msgs, msg(id, fmt.Sprintf("%d-%d", id, k), fmt.Sprintf("chat %d message %d", id, k)))
		}
	}

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, n := range notifiers {
		wg.Add(1)
		go func() { defer wg.Done(); _ = n.Run(runCtx) }()
	}
	e.enqueue(t, msgs...)
	for _, n := range notifiers {
		n.Wake()
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := tg.WaitSent(wctx, len(msgs))
	stop()
	wg.Wait()
	if err != nil {
		t.Fatalf("%d of %d messages sent: %v", len(tg.Sent()), len(msgs), err)
	}

	sent := tg.Sent()
	if len(sent) != len(msgs) {
		t.Errorf("%d sends, want %d (each message once)", len(sent), len(msgs))
	}
	for _, id := range ids {
		var want []string
		for k := range perChat {
			want = append(want, fmt.Sprintf("chat %d message %d", id, k))
		}
		if got := texts(sent, id); !equal(got, want) {
			t.Errorf("chat %d got %q, want %q", id, got, want)
		}
	}
	for i, n := range notifiers {
		if n.Stats().Sent == 0 {
			t.Errorf("instance %d sent nothing: the instances did not share the outbox", i)
		}
	}
	if st := tg.Stats(); st.TooMany != 0 {
		t.Errorf("the Bot API refused %d sends with 429", st.TooMany)
	}
	if most := mostInWindow(sent, time.Second/speedup); most > 30 {
		t.Errorf("%d sends within one (scaled) second, want at most 30", most)
	}
}

// mostInWindow is the most sends that fell within any window.
func mostInWindow(sent []telegramtest.Sent, window time.Duration) int {
	var at []time.Time
	for _, s := range sent {
		at = append(at, s.At)
	}
	slices.SortFunc(at, time.Time.Compare)
	most := 0
	for i, j := 0, 0; i < len(at); i++ {
		for at[i].Sub(at[j]) >= window {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

// A message another instance queues for a chat this one holds is sent at
// once: the queuing commit wakes it (LISTEN/NOTIFY), though neither looks
// at the outbox on its own for an hour.
func TestInstancesWakeEachOther(t *testing.T) {
	dsn := storagetest.PostgresDSN(t)
	ctx := context.Background()
	tg := telegramtest.NewServer(token)
	t.Cleanup(tg.Close)
	notifiers := newInstances(t, dsn, tg, 2, Config{Limits: fast, Interval: time.Hour})
	const chat = 7301
	e := &env{store: notifiers[0].cfg.Store, tg: tg}
	e.chat(t, chat)
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	for _, n := range notifiers {
		wg.Add(1)
		go func() { defer wg.Done(); _ = n.Run(runCtx) }()
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	// Each message is queued through instance 0's store and woken by the
	// database alone; keep queuing until the listeners are up.
	for i := 0; ; i++ {
		e.enqueue(t, msg(chat, fmt.Sprintf("k%d", i), fmt.Sprintf("message %d", i)))
		sctx, scancel := context.WithTimeout(wctx, 300*time.Millisecond)
		_, err := tg.WaitSent(sctx, 1)
		scancel()
		if err == nil {
			break
		}
		if wctx.Err() != nil {
			t.Fatal("nothing sent: no instance was woken")
		}
	}
	before := len(tg.Sent())
	e.enqueue(t, msg(chat, "next", "next message"))
	if _, err := tg.WaitSent(wctx, before+1); err != nil {
		t.Fatalf("the next message was not sent: %v", err)
	}
	if got := texts(tg.Sent(), chat); got[len(got)-1] != "next message" {
		t.Errorf("chat got %q, want the next message last", got)
	}
}

// newInstances makes n notifiers on dsn as n instances would have them,
// each with its own store and Telegram client, configured as cfg.
func newInstances(t *testing.T, dsn string, tg *telegramtest.Server, n int, cfg Config) []*Notifier {
	t.Helper()
	var out []*Notifier
	for i := range n {
		st, err := storage.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		b, err := bot.New(token, bot.WithServerURL(tg.URL), bot.WithSkipGetMe())
		if err != nil {
			t.Fatal(err)
		}
		c := cfg
		c.Store, c.Telegram, c.Owner = st, b, fmt.Sprintf("i%d", i)
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		out = append(out, New(c))
	}
	return out
}
