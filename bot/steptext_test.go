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

// TestStepTextInEnglish pins the English next steps, which come from
// en.toml as every language's do: each step, with its dates and buttons.
func TestStepTextInEnglish(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) // a Thursday
	v := view{now: now, p: locale.For(locale.EN)}
	late := advice.Advice{Rule: advice.RuleLate, Action: advice.Contact, Title: "Past the expected delivery date",
		Party: advice.Party{Who: advice.WhoCarrier, Carrier: "ups"}}
	tests := []struct {
		name    string
		a       assess.Assessment
		buttons bool
		want    string
	}{
		{"not checked", assess.Assessment{Step: assess.StepNotChecked}, false,
			"This carrier is not checked automatically on this server: open its tracking page to see where the parcel is."},
		{"first scan, no end", assess.Assessment{Step: assess.StepWaitFirstScan}, false,
			"I haven't heard from the carrier yet. I'll keep checking and tell you when it moves."},
		{"first scan, until", assess.Assessment{Step: assess.StepWaitFirstScan, Until: now.Add(30 * time.Hour)}, false,
			"Normal for a day or two after the shipping notice: I keep checking. If the carrier still doesn't know it by tomorrow (Fri 27 Nov), I'll tell you what to do."},
		{"label", assess.Assessment{Step: assess.StepLabel}, false,
			"The sender has made the label; the carrier hasn't picked it up yet. Nothing to do: the first scan usually comes within 1–2 days."},
		{"on its way", assess.Assessment{Step: assess.StepOnItsWay}, false,
			"On its way. Nothing to do: I'll tell you when it's out for delivery."},
		{"late", assess.Assessment{Step: assess.StepLateWait, ETA: now.Add(-24 * time.Hour), Until: now.Add(20 * time.Hour)}, false,
			"It's late: the carrier expected it yesterday (Wed 25 Nov). Late parcels usually come within a day; if it hasn't by tomorrow (Fri 27 Nov), I'll tell you whom to contact."},
		{"today", assess.Assessment{Step: assess.StepToday}, false,
			"Arriving today, usually by evening. Make sure someone can take it, or set a safe place on the carrier's page."},
		{"delivered, buttons", assess.Assessment{Step: assess.StepCheckAround}, true,
			"Have it? Tap “Got it”. Not there? Check the door, mailbox and neighbours, then tap “Not received”."},
		{"delivered, no buttons", assess.Assessment{Step: assess.StepCheckAround}, false,
			"Not there? Check the door, mailbox and neighbours; if it's still missing after 2 days, contact the carrier or seller."},
		{"collected", assess.Assessment{Step: assess.StepCollected}, true,
			"It's in the recipient's hands. Nothing more to do."},
		{"pickup", assess.Assessment{Step: assess.StepPickup}, false,
			"Collect it soon with the notice or pickup code and an ID: it's held only for a limited time, then sent back."},
		{"attempt", assess.Assessment{Step: assess.StepAttempt}, false,
			"The courier couldn't deliver. Look for a notice card; on the carrier's page you can rebook or pick a pickup point."},
		{"exception, until", assess.Assessment{Step: assess.StepException, Until: now.Add(72 * time.Hour)}, false,
			"Something held it up. Most delays clear in 1–2 days; if the carrier asks you for something, answer quickly. If it hasn't moved by Sun 29 Nov, I'll tell you whom to contact."},
		{"exception, no end", assess.Assessment{Step: assess.StepException}, false,
			"Something held it up. Most delays clear in 1–2 days; if the carrier asks you for something, answer quickly."},
		{"customs", assess.Assessment{Step: assess.StepCustoms}, false,
			"Usually clears in a few days with nothing to do. Watch your email and texts for a request to pay duties or send documents."},
		{"action needed", assess.Assessment{Step: assess.StepActionNeeded}, false,
			"Action needed from you: do what the carrier asks (pay, send documents or fix the address) on its page or in its message soon, or the parcel may be sent back."},
		{"not received", assess.Assessment{Step: assess.StepNotReceived, Until: now.Add(48 * time.Hour)}, true,
			"Look around first: the door, any safe place, the mailbox or locker, neighbours and reception. If it's still missing by Sat 28 Nov, I'll tell you whom to contact."},
		{"contact the carrier", assess.Assessment{Step: assess.StepContact, Main: late}, false,
			"Contact UPS customer service now: past the expected delivery date."},
		{"returned", assess.Assessment{Step: assess.StepReturned}, false,
			"It's going back to the sender. Contact the seller for a new delivery or a refund."},
		{"expired", assess.Assessment{Step: assess.StepExpired}, false,
			"The carrier no longer updates this number. If you never got the parcel, contact the seller."},
		{"no step", assess.Assessment{}, false,
			"I'll keep checking and tell you when it moves."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := stepText(v, tc.a, tc.buttons); got != tc.want {
				t.Errorf("stepText = %q\nwant        %q", got, tc.want)
			}
		})
	}
}
