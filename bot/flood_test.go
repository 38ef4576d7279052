package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

// TestFloodIsBoundedAndToldOnce: one chat sends 300 different messages and
// 30 copies of one more, all at once, then 100 more once told to slow down.
// Repeats are answered once; what the chat has waiting never grows past
// floodBacklog (beyond it, messages are closed unanswered and the chat is
// told once to slow down); another chat is answered while the flooding
// chat's answers are still going out. Nothing here depends on how fast the
// machine is: counts are asserted against what the bot recorded.
func TestFloodIsBoundedAndToldOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("a flood under Telegram's limits")
	}
	flooder := telegramtest.User{ID: 8_300_001, FirstName: "Flo"}
	calm := telegramtest.User{ID: 8_300_002, FirstName: "Cal"}
	var mu sync.Mutex
	most := map[int64]int{} // the most each chat had waiting after a sweep
	r := newLoadRig(t, withSpeedup(telegramLimits, speedup), spedUpLimits, func(a *App) {
		a.floodChecked = func(chat int64, waiting int) {
			mu.Lock()
			most[chat] = max(most[chat], waiting)
			mu.Unlock()
		}
	})
	fc := telegramtest.Private(flooder)
	var first []string
	for i := range 30 {
		first = append(first, "/list", fmt.Sprintf("/help %d", i))
	}
	for i := 30; i < 300; i++ {
		first = append(first, fmt.Sprintf("/help %d", i))
	}
	// At once: all thirty copies reach the bot in its first getUpdates.
	r.srv.SendTexts(fc, flooder, first...)
	for i := range 3 {
		r.srv.SendText(telegramtest.Private(calm), calm, fmt.Sprintf("/help %d", i))
	}
	waitFor(t, "the calm chat's three answers", func() bool { return len(r.srv.SentTo(calm.ID)) == 3 })
	notice := func() int {
		n := 0
		for _, s := range r.srv.SentTo(flooder.ID) {
			if strings.Contains(s.Text, "faster than I can answer") {
				n++
			}
		}
		return n
	}
	waitFor(t, "the slow-down notice", func() bool { return notice() == 1 })
	var second []string
	for i := 300; i < 400; i++ {
		second = append(second, fmt.Sprintf("/help %d", i))
	}
	r.srv.SendTexts(fc, flooder, second...)
	out := map[string]int{}
	defer func() { t.Logf("outcomes %v", out) }()
	waitFor(t, "every message closed", func() bool {
		var err error
		out, err = r.store.UpdateOutcomes(context.Background())
		return err == nil && out["handled"]+out["duplicate"]+out["flood"] == 433
	})
	waitFor(t, "the answers to go out", func() bool {
		d, _, _ := r.store.OutboxStats(context.Background())
		return d == 0
	})
	got := len(r.srv.SentTo(flooder.ID))
	t.Logf("flood: outcomes %v; the flooding chat got %d messages; most waiting %v", out, got, most)
	if out["duplicate"] != 29 {
		t.Errorf("%d duplicates closed, want 29 (30 copies of /list, one answered)", out["duplicate"])
	}
	if out["flood"] == 0 {
		t.Errorf("outcomes %v: nothing closed as flood", out)
	}
	// Bounded: past floodBacklog only the slow-down notice is added, and
	// the message under way may be counted twice (queued and answered).
	mu.Lock()
	peak := most[flooder.ID]
	mu.Unlock()
	if peak < floodBacklog || peak > floodBacklog+2 {
		t.Errorf("the flooding chat had at most %d waiting, want about floodBacklog (%d)", peak, floodBacklog)
	}
	if notice() != 1 {
		t.Errorf("told to slow down %d times, want once", notice())
	}
	if got != out["handled"]-3+1 {
		for _, s := range r.srv.SentTo(flooder.ID) {
			t.Logf("%.60q", s.Text)
		}
		t.Errorf("flooding chat got %d messages for %d handled updates (+1 notice)", got, out["handled"]-3)
	}
	// Not starved: the calm chat's answers went out before the flooding
	// chat's (paced at one a second per chat) were through.
	lastCalm, lastFlood := -1, -1
	for i, s := range r.srv.Sent() {
		switch s.ChatID {
		case calm.ID:
			lastCalm = i
		case flooder.ID:
			lastFlood = i
		}
	}
	if lastCalm > lastFlood {
		t.Errorf("the calm chat's last answer was message %d, after the flooding chat's last (%d)", lastCalm, lastFlood)
	}
	if st := r.srv.Stats(); st.TooMany != 0 {
		t.Errorf("%d × 429", st.TooMany)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
