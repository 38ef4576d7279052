package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

// TestFloodIsBoundedAndToldOnce: one chat sends 300 different messages and
// 30 copies of one more, all at once, then 100 more. Repeats are answered
// once; beyond floodBacklog waiting, messages are closed unanswered and the
// chat is told once to slow down; another chat is answered all the while.
func TestFloodIsBoundedAndToldOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("a flood under Telegram's limits")
	}
	r := newLoadRig(t, withSpeedup(telegramLimits, speedup), spedUpLimits)
	flooder := telegramtest.User{ID: 8_300_001, FirstName: "Flo"}
	calm := telegramtest.User{ID: 8_300_002, FirstName: "Cal"}
	fc := telegramtest.Private(flooder)
	for i := range 30 {
		r.srv.SendText(fc, flooder, "/list")
		r.srv.SendText(fc, flooder, fmt.Sprintf("/help %d", i))
	}
	for i := 30; i < 300; i++ {
		r.srv.SendText(fc, flooder, fmt.Sprintf("/help %d", i))
	}
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
	for i := 300; i < 400; i++ {
		r.srv.SendText(fc, flooder, fmt.Sprintf("/help %d", i))
	}
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
	t.Logf("flood: outcomes %v; the flooding chat got %d messages", out, got)
	if out["duplicate"] != 29 {
		t.Errorf("%d duplicates closed, want 29 (30 copies of /list, one answered)", out["duplicate"])
	}
	if out["flood"] == 0 || out["handled"] > 3+floodBacklog+10 {
		t.Errorf("outcomes %v: the flood was not bounded", out)
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
