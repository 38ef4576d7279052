package poller

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

func TestAdviceSweepQueuesEachRuleOncePerSubscription(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sub := e.follow(t, 900, s10("RK", 8080, "DE"), "<gift>")
	e.follow(t, 901, s10("RK", 8081, "DE"), "")

	e.p.Tick(ctx) // the carrier does not know the numbers
	// Just added: at most "tracking has not started yet", once each.
	first, err := e.p.AdviceSweep(ctx)
	if err != nil || first > 2 {
		t.Fatalf("fresh sweep: %d, %v", first, err)
	}
	// Ten days on and the carrier has never heard of the numbers.
	e.clock.Add(10 * 24 * time.Hour)
	e.p.Tick(ctx)
	n, err := e.p.AdviceSweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("sweep queued %d new, want a new rule for both subscriptions", n)
	}
	var mine int
	for _, it := range e.pending(t) {
		if strings.HasPrefix(it.DedupeKey, "advice:"+itoa(sub.ID)+":") {
			mine++
			if it.SubscriptionID != sub.ID || it.Kind != "advice" || !strings.Contains(it.Payload, `"rule":"`) || it.Text != "" {
				t.Errorf("advice push %+v", it)
			}
		}
	}
	if mine == 0 {
		t.Error("no advice for the first subscription")
	}
	// The same rules still fire: nothing is queued twice.
	if n, err := e.p.AdviceSweep(ctx); err != nil || n != 0 {
		t.Errorf("second sweep queued %d, %v", n, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPushAdvice(t *testing.T) {
	tests := []struct {
		rule, action string
		status       tracker.Status
		want         bool
	}{
		{advice.RuleStalled, advice.Contact, tracker.StatusInTransit, true},
		{advice.RuleNotReceived, advice.Contact, tracker.StatusDelivered, true},
		{advice.RuleActivationWait, advice.Wait, tracker.StatusNotFound, true},
		{advice.RuleActivationWait, advice.Wait, tracker.StatusUnknown, true},
		{advice.RuleActivationWait, advice.Wait, tracker.StatusInfoReceived, false}, // its status push said it
		{advice.RuleExceptionWait, advice.Wait, tracker.StatusException, false},
		{advice.RuleCustomsCheck, advice.Wait, tracker.StatusCustoms, false},
	}
	for _, tc := range tests {
		got := pushAdvice(advice.Advice{Rule: tc.rule, Action: tc.action}, tc.status)
		if got != tc.want {
			t.Errorf("pushAdvice(%s, %s) = %v, want %v", tc.rule, tc.status, got, tc.want)
		}
	}
}
