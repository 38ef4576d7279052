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

// TestEveryRuleStepAndTopicHasItsWords: a rule, step or topic without its
// key would show the key (or the topic's id) instead of words. Every language has every English key
// (locale's tests), so English is checked.
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
	late := advice.Advice{Rule: advice.RuleLate, Action: advice.Contact,
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

// TestAdviceInEnglish pins the English advice pushes (title and text, from
// en.toml as every language's) for every rule, as the rules produce them.
func TestAdviceInEnglish(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) // a Thursday
	sub := func(carrier string, st tracker.Status, f func(*storage.Subscription)) storage.Subscription {
		s := storage.Subscription{ID: 1, ChatID: 1, CreatedAt: t0, Shipment: storage.Shipment{Carrier: carrier, Number: "1Z",
			Status: st, StatusSince: t0, PolledAt: t0, CreatedAt: t0}}
		if f != nil {
			f(&s)
		}
		return s
	}
	tests := []struct {
		rule        string
		sub         storage.Subscription
		now         time.Time
		title, text string
	}{
		{advice.RuleActivationWait, sub("ups", tracker.StatusNotFound, nil), t0.Add(time.Hour), "Tracking has not started yet",
			"Tracking usually starts within 24 to 48 hours of the shipping notice. Nothing to do yet: I keep checking and tell you when the carrier has it. If nothing shows by Sat 09:00 UTC, I will let you know."},
		{advice.RuleNoTracking, sub("ups", tracker.StatusNotFound, nil), t0.Add(50 * time.Hour), "Still no tracking after 48 hours",
			"It is more than 48 hours since you added this parcel and the carrier still shows nothing. The number may be mistyped, or the seller may not have shipped it yet. Check the number against the shipping confirmation, then contact the seller."},
		{advice.RuleNoTracking, sub("ups", tracker.StatusInfoReceived, nil), t0.Add(50 * time.Hour), "Still no tracking after 48 hours",
			"A shipping label exists, but after more than 48 hours the carrier has still not scanned the parcel. The seller has most likely not handed it over yet. Contact the seller and ask when it will be sent."},
		{advice.RuleNumberUnknown, sub("ups", tracker.StatusNotFound, nil), t0.Add(8 * 24 * time.Hour), "The carrier does not know this number",
			"A week on, the carrier still does not recognise this number. It is almost certainly wrong or belongs to another carrier. Ask the seller for the correct tracking number and carrier."},
		{advice.RuleCustomsCheck, sub("ups", tracker.StatusCustoms, nil), t0.Add(time.Hour), "In customs: watch for a request",
			"Most parcels clear customs without you doing anything. Sometimes customs or the carrier waits for the recipient to pay import duties or taxes or to send documents: watch your email, texts and mailbox for such a request and answer it quickly, or the parcel may be returned."},
		{advice.RuleStalled, sub("ups", tracker.StatusInTransit, nil), t0.Add(5 * 24 * time.Hour), "No update for 4 days",
			"The carrier has not reported anything new since Thu 26 Nov. Parcels do go quiet, but not for this long: contact customer service and ask them to locate it."},
		{advice.RuleStalled, sub("ups", tracker.StatusCustoms, nil), t0.Add(11 * 24 * time.Hour), "No update for 10 days",
			"The carrier has not reported anything new since Thu 26 Nov. Parcels do go quiet, but not for this long: contact customer service and ask them to locate it."},
		{advice.RuleLate, sub("ups", tracker.StatusInTransit, func(s *storage.Subscription) { s.Shipment.ETA = t0 }), t0.Add(50 * time.Hour), "Past the expected delivery date",
			"The carrier expected to deliver by Thu 26 Nov and has not. Contact customer service to ask where it is; for an online order the seller can also chase the carrier or offer a refund."},
		{advice.RuleAttemptWait, sub("ups", tracker.StatusAttemptFailed, nil), t0.Add(time.Hour), "The courier could not deliver",
			"Usually nobody was home, a signature was needed or the address could not be reached. Look for a notice: most carriers try again the next working day or leave the parcel at a pickup point. On the carrier's page you can often rebook delivery, pick a pickup point or fix the address."},
		{advice.RuleAttemptStuck, sub("ups", tracker.StatusAttemptFailed, nil), t0.Add(4 * 24 * time.Hour), "Delivery still not done",
			"Days after the failed attempt the parcel has not moved on. Contact customer service to book a new delivery, correct the address or have it sent to a pickup point, before it goes back to the sender."},
		{advice.RuleExceptionWait, sub("ups", tracker.StatusException, nil), t0.Add(time.Hour), "The carrier reported a problem",
			"An exception means something interrupted the normal route: weather, a damaged label, an address question, a missed connection. Many clear within a day or two without you doing anything. If the carrier asks you for something (address, payment, documents), answer it right away."},
		{advice.RuleExceptionStuck, sub("ups", tracker.StatusException, nil), t0.Add(4 * 24 * time.Hour), "The problem has not cleared",
			"The carrier reported a problem days ago and the parcel has not moved on since. Contact customer service and ask what is needed: an address correction, a payment or documents, or a claim if it was damaged or lost."},
		{advice.RuleReturned, sub("ups", tracker.StatusReturned, nil), t0.Add(time.Hour), "Going back to the sender",
			"The parcel is on its way back to the sender. Contact the seller to have it sent again or to get a refund."},
		{advice.RuleNotReceivedCheck, sub("ups", tracker.StatusDelivered, func(s *storage.Subscription) {
			s.Shipment.DeliveredAt, s.NotReceivedAt = t0, t0.Add(time.Hour)
		}), t0.Add(2 * time.Hour), "Delivered but not found: look around first",
			"Parcels marked delivered usually turn up: check around the door and any safe place, your mailbox or parcel locker, ask neighbours and building management or reception, and check whether someone else in the household took it in. A delivery can also be scanned a little before it actually arrives. If it is still missing by Sat 09:00 UTC, contact customer service."},
		{advice.RuleNotReceived, sub("ups", tracker.StatusDelivered, func(s *storage.Subscription) {
			s.Shipment.DeliveredAt, s.NotReceivedAt = t0, t0.Add(time.Hour)
		}), t0.Add(50 * time.Hour), "Delivered but still missing",
			"It is more than 48 hours since the carrier marked it delivered and you still do not have it. Contact customer service and ask them to open an investigation; keep the tracking number at hand."},
		{advice.RuleNotReceived, sub("usps", tracker.StatusDelivered, func(s *storage.Subscription) {
			s.Shipment.DeliveredAt, s.NotReceivedAt = t0, t0.Add(time.Hour)
		}), t0.Add(50 * time.Hour), "Delivered but still missing",
			"It is more than 48 hours since the carrier marked it delivered and you still do not have it. Contact customer service and ask them to open an investigation; keep the tracking number at hand. The postal service's missing-mail search takes longer and can be opened from Thu 3 Dec."},
		{advice.RuleNotReceived, sub("amazon", tracker.StatusDelivered, func(s *storage.Subscription) {
			s.Shipment.DeliveredAt, s.NotReceivedAt = t0, t0.Add(time.Hour)
		}), t0.Add(50 * time.Hour), "Delivered but still missing",
			"It is more than 48 hours since Amazon marked it delivered and you still do not have it. Contact Amazon customer service from Your Orders; they can refund or replace it. For an order sold by a third-party seller, contact the seller."},
		{advice.RuleInvalidNumber, sub("ups", tracker.StatusUnknown, nil), t0, "Check the tracking number",
			"This number does not pass the carrier's format or check-digit rules, so it was probably mistyped or cut short. Copy it again from the shipping confirmation, or ask the seller for the right number."},
	}
	for _, tc := range tests {
		t.Run(tc.rule+" "+string(tc.sub.Shipment.Status), func(t *testing.T) {
			in := tc.sub.AdviceInput(tc.rule != advice.RuleInvalidNumber)
			a := assess.Parcel(assess.Input{Input: in, Checkable: true}, tc.now)
			adv, ok := adviceFor(a, tc.rule)
			if !ok {
				t.Fatalf("rule %s did not fire: %+v", tc.rule, a.Advice)
			}
			v := view{now: tc.now, p: locale.For(locale.EN)}
			title, text := adviceText(v, adv, tc.sub, a)
			if title != tc.title || text != tc.text {
				t.Errorf("advice\n%q\n%q\nwant\n%q\n%q", title, text, tc.title, tc.text)
			}
		})
	}
}

// TestContactNameInEnglish: whom advice says to contact, in English.
func TestContactNameInEnglish(t *testing.T) {
	p := locale.For(locale.EN)
	for _, tc := range []struct {
		party advice.Party
		want  string
	}{
		{advice.Party{Who: advice.WhoCarrier, Carrier: "fedex"}, "FedEx customer service"},
		{advice.Party{Who: advice.WhoCarrier, Carrier: "royal_mail"}, "Royal Mail customer service"},
		{advice.Party{Who: advice.WhoAmazon}, "Amazon customer service"},
		{advice.Party{Who: advice.WhoAmazonSeller}, "Amazon customer service (or the third-party seller)"},
		{advice.Party{Who: advice.WhoSeller}, "the seller"},
		{advice.Party{Who: advice.WhoPostal}, "the postal service (sender's or yours)"},
	} {
		if got := contactName(p, advice.Advice{Party: tc.party}); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.party, got, tc.want)
		}
	}
}
