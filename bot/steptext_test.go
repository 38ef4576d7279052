package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/ask"
	"github.com/trackbot/trackbot/tracker/assess"
)

// TestAdviceDatesInTheChatsZone: the dates in advice and in the next step
// ("if it's still missing by …") are the chat's, in its language and zone.
// Delivered at 23:30 UTC and reported missing: the 48 hours end at 23:30
// UTC on Saturday, which is Saturday afternoon in Chicago but already
// Sunday in Berlin.
func TestAdviceDatesInTheChatsZone(t *testing.T) {
	delivered := time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC)
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	sub := storage.Subscription{ID: 1, ChatID: 1, CreatedAt: delivered.Add(-72 * time.Hour), NotReceivedAt: now.Add(-time.Hour),
		Shipment: storage.Shipment{Carrier: "ups", Number: "1Z", Status: tracker.StatusDelivered, DeliveredAt: delivered,
			StatusSince: delivered, PolledAt: now, CreatedAt: delivered.Add(-72 * time.Hour)}}
	in := sub.AdviceInput(true)
	a := assess.Parcel(assess.Input{Input: in, Checkable: true}, now)
	adv, ok := adviceFor(a, advice.RuleNotReceivedCheck)
	if !ok || a.Step != assess.StepNotReceived {
		t.Fatalf("assessment %+v: want the not-received check", a)
	}
	until := delivered.Add(advice.Default.NotReceivedWait)

	for _, tc := range []struct {
		lang      locale.Lang
		zone      string
		clock     string // the end of waiting there
		utcClock  string // what the UTC rendering would say instead
		nextDayIn bool   // the end falls on the next day there
	}{
		{locale.EN, "America/Chicago", "17:30", "23:30 UTC", false},
		{locale.DE, "Europe/Berlin", "00:30", "23:30", true},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		p := locale.For(tc.lang)
		v := view{now: now, loc: loc, p: p}

		_, text := adviceText(v, adv, sub, a)
		want := p.When(until.In(loc), now.In(loc))
		if !strings.Contains(text, want) || !strings.Contains(want, tc.clock) || strings.Contains(text, tc.utcClock) {
			t.Errorf("%s in %s: advice %q; want the end of waiting as %q (%s there), not %q", tc.lang, tc.zone, text, want, tc.clock, tc.utcClock)
		}

		step := stepText(v, a, true)
		local, utc := p.Date(until.In(loc), false), p.Date(until, false)
		if !strings.Contains(step, p.DayDate(until.In(loc), now.In(loc))) || !strings.Contains(step, local) {
			t.Errorf("%s in %s: next step %q; want the day %q", tc.lang, tc.zone, step, local)
		}
		if tc.nextDayIn && strings.Contains(step, utc) {
			t.Errorf("%s in %s: next step %q names the UTC day %q", tc.lang, tc.zone, step, utc)
		}
	}
}

// TestEveryRuleStepAndTopicHasItsWords: the bot's texts fall back to the
// English of tracker (a rule's title and text, a topic's title) when a key
// is missing, which would put English in another language's chat. Every
// language has every English key (locale's tests), so English is checked.
func TestEveryRuleStepAndTopicHasItsWords(t *testing.T) {
	p := locale.For(locale.EN)
	var keys []string
	for _, rule := range []string{advice.RuleActivationWait, advice.RuleNoTracking, advice.RuleNumberUnknown, advice.RuleInvalidNumber,
		advice.RuleStalled, advice.RuleLate, advice.RuleNotReceivedCheck, advice.RuleNotReceived, advice.RuleAttemptWait,
		advice.RuleAttemptStuck, advice.RuleExceptionWait, advice.RuleExceptionStuck, advice.RuleCustomsCheck, advice.RuleReturned} {
		keys = append(keys, "advice_"+rule+"_title")
		if rule != advice.RuleNotReceived { // worded in parts (Amazon, postal search)
			keys = append(keys, "advice_"+rule)
		}
	}
	for _, step := range []assess.Step{assess.StepNotChecked, assess.StepWaitFirstScan, assess.StepLabel, assess.StepOnItsWay,
		assess.StepLateWait, assess.StepToday, assess.StepCheckAround, assess.StepCollected, assess.StepPickup, assess.StepAttempt,
		assess.StepException, assess.StepCustoms, assess.StepActionNeeded, assess.StepNotReceived, assess.StepContact,
		assess.StepReturned, assess.StepExpired} {
		keys = append(keys, "step_"+string(step))
	}
	for _, topic := range ask.Topics() {
		if topic != ask.TopicUnknown {
			keys = append(keys, "topic_"+topicKey(topic))
		}
	}
	for _, key := range keys {
		if p.T(key) == key && p.N(key, 4) == key {
			t.Errorf("no text for %s", key)
		}
	}
}
