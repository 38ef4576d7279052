package bot

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/tghtml"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/assess"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/poller"
)

// walkClock is the one clock of a walk: the demo carrier, the poller and
// the engine read it; the test moves it.
type walkClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *walkClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *walkClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// storyWalk is a world for walking the demo stories hour by hour: SQLite,
// the demo carrier at speed 1 (story days are real days, so "tomorrow" and
// "late" mean what they say) on a clock starting on a Monday, the engine
// and the real poller.
type storyWalk struct {
	store  *storage.Store
	clk    *walkClock
	router *tracker.Router
	eng    *Engine
	p      *poller.Poller
}

func newStoryWalk(t *testing.T) *storyWalk {
	t.Helper()
	store, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "walk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	clk := &walkClock{t: time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)}
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{Speed: 1, Now: clk.Now})}, nil)
	return &storyWalk{store: store, clk: clk, router: router, eng: newEngine(store, router, true, 0, slog.New(slog.DiscardHandler), clk.Now),
		p: poller.New(poller.Config{Store: store, Router: router, Now: clk.Now, Logger: slog.New(slog.DiscardHandler), Rand: func() float64 { return 0.5 }})}
}

// tick polls what is due and runs the advice sweep, then renders every
// message due as the notifier would (at send time) and marks it sent,
// handing each rendered one to sent.
func (w *storyWalk) tick(t *testing.T, sent func(it storage.OutboxItem, r Reply)) {
	t.Helper()
	ctx := context.Background()
	w.p.Tick(ctx)
	if _, err := w.p.AdviceSweep(ctx); err != nil {
		t.Fatal(err)
	}
	now := w.clk.Now()
	items, err := w.store.PendingOutbox(ctx, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		r, ok, err := w.eng.RenderOutbox(ctx, it)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.store.MarkSent(ctx, it.ID, now); err != nil {
			t.Fatal(err)
		}
		if ok {
			sent(it, r)
		}
	}
}

// lineWith is the first line of text starting with prefix ("" when none).
func lineWith(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// listEntry is a parcel's block in /list: from its name to the blank line.
func listEntry(list, number string) string {
	for _, block := range strings.Split(list, "\n\n") {
		if strings.Contains(block, number) {
			return block
		}
	}
	return ""
}

// answerEntry is a parcel's paragraph in an answer about "my parcels".
func answerEntry(answer, number string) string { return listEntry(answer, number) }

// TestSurfacesAgreeThroughEveryDemoStory walks every demo story through the
// real poller, SQLite, the advice sweep and the engine, hour by story hour,
// and checks at every step that the push just rendered, /status, /list and
// an answer about "my parcels" all say the same: the same expected day
// (late or not), the same next step, the same ❗. (Answers are built in
// bot from the catalogs, English as every other language, with the lines
// pushes and /status use.)
func TestSurfacesAgreeThroughEveryDemoStory(t *testing.T) {
	ctx := context.Background()
	w := newStoryWalk(t)
	store, clk, eng := w.store, w.clk, w.eng
	chat := Chat{ID: 8080, Type: "private"}
	say := func(text string) string {
		return strings.Join(texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: text})), "\n")
	}
	numbers := demo.Numbers()
	for _, n := range numbers {
		say("/track " + n)
	}
	subs, err := store.ChatSubscriptions(ctx, chat.ID)
	if err != nil || len(subs) != len(numbers) {
		t.Fatalf("following %d, %v", len(subs), err)
	}

	pushes := 0
	seen := map[string]map[assess.Step]bool{}
	attention := map[string]bool{}
	for range 6 * 24 {
		now := clk.Now()
		v := view{now: now}
		// Pushes, rendered as the notifier would, each checked against
		// /status at the same moment.
		w.tick(t, func(it storage.OutboxItem, r Reply) {
			if it.Kind != "parcel" {
				return
			}
			sub, _ := store.SubscriptionByID(ctx, it.SubscriptionID)
			status := say("/status " + sub.Shipment.Number)
			if got, want := lineWith(r.Text, "👉"), lineWith(status, "👉"); got != want {
				t.Errorf("%s at %v: push and /status differ:\npush:   %s\nstatus: %s", sub.Shipment.Number, now, got, want)
			}
			if strings.Contains(r.Text, "Expected") != strings.Contains(status, "Expected") ||
				lineWith(r.Text, "🗓") != lineWith(status, "🗓") && lineWith(r.Text, "🗓") != "" {
				t.Errorf("%s at %v: expected lines differ:\npush:\n%s\nstatus:\n%s", sub.Shipment.Number, now, r.Text, status)
			}
			checkReply(t, "push", r)
			pushes++
		})

		list := say("/list")
		answer := say("where are my parcels?")
		latest, _ := store.LatestEvents(ctx, chat.ID)
		subs, _ := store.ChatSubscriptions(ctx, chat.ID)
		for _, sub := range subs {
			n := sub.Shipment.Number
			a := eng.assessSub(sub, latest[sub.Shipment.ID], now)
			if seen[n] == nil {
				seen[n] = map[assess.Step]bool{}
			}
			seen[n][a.Step] = true
			attention[n] = attention[n] || a.Attention
			status := say("/status " + n)
			entry := listEntry(list, n)
			ans := answerEntry(answer, n)
			var eta tghtml.Builder
			if expectedLine(&eta, a, v) {
				exp := eta.String()
				for where, text := range map[string]string{"/status": status, "/list": entry, "answer": ans} {
					if !strings.Contains(text, exp) {
						t.Errorf("%s at %v: %s lacks the expected line %q:\n%s", n, now, where, exp, text)
					}
				}
			} else if strings.Contains(status, "Expected") || strings.Contains(entry, "Expected") {
				t.Errorf("%s at %v: no expected day, yet:\n%s\n%s", n, now, status, entry)
			}
			// /status (with the parcel's buttons) and answers say the step
			// the catalog words for this assessment.
			if next := esc(stepText(v, a, true)); !strings.Contains(status, "👉 "+next) {
				t.Errorf("%s at %v: /status lacks %q:\n%s", n, now, next, status)
			}
			if next := esc(stepText(v, a, false)); !strings.Contains(ans, "👉 "+next) {
				t.Errorf("%s at %v: answer lacks %q:\n%s", n, now, next, ans)
			}
			if strings.Contains(entry, "❗") != a.Attention {
				t.Errorf("%s at %v: ❗ in /list is %v, attention %v (%s):\n%s", n, now, !a.Attention, a.Attention, a.Step, entry)
			}
			if a.Step == assess.StepToday && strings.Contains(status, "tomorrow") {
				t.Errorf("%s: out for delivery, expected tomorrow:\n%s", n, status)
			}
		}
		clk.Add(time.Hour)
	}
	if pushes < 3*len(numbers) {
		t.Errorf("only %d pushes rendered over six stories", pushes)
	}
	// Each story's moments were seen.
	want := map[string][]assess.Step{
		"DEMO1": {assess.StepLabel, assess.StepOnItsWay, assess.StepToday, assess.StepCheckAround},
		"DEMO2": {assess.StepException, assess.StepToday, assess.StepCollected},
		"DEMO3": {assess.StepAttempt, assess.StepPickup, assess.StepCollected},
		"DEMO4": {assess.StepActionNeeded, assess.StepOnItsWay, assess.StepCheckAround},
		"DEMO5": {assess.StepOnItsWay, assess.StepLateWait, assess.StepContact},
		"DEMO6": {assess.StepToday, assess.StepCheckAround},
	}
	for n, steps := range want {
		for _, s := range steps {
			if !seen[n][s] {
				t.Errorf("%s never reached step %s (saw %v)", n, s, seen[n])
			}
		}
	}
	if !attention["DEMO4"] || !attention["DEMO5"] || attention["DEMO1"] {
		t.Errorf("attention: %v; want DEMO4 (customs duties) and DEMO5 (late, stalled), not DEMO1", attention)
	}
}
