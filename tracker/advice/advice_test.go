package advice

import (
	"slices"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday

func rules(as []Advice) []string {
	var ids []string
	for _, a := range as {
		ids = append(ids, a.Rule)
	}
	return ids
}

// TestRulesAtTheirThresholds checks every rule just before, exactly at and
// after its threshold on the shipment's own clock.
func TestRulesAtTheirThresholds(t *testing.T) {
	d := Default
	const ns = time.Nanosecond
	base := Input{Carrier: "ups", Number: "1Z", Valid: true, AddedAt: t0, Polled: true}
	with := func(f func(*Input)) Input { in := base; f(&in); return in }

	tests := map[string]struct {
		in   Input
		now  time.Time
		want []string // rule ids, most urgent first
	}{
		"just added, not found: wait": {with(func(in *Input) { in.Status = tracker.StatusNotFound }), t0.Add(d.Activation - ns), []string{RuleActivationWait}},
		"not found at 48h: contact":   {with(func(in *Input) { in.Status = tracker.StatusNotFound }), t0.Add(d.Activation), []string{RuleNoTracking}},
		"label only at 48h: contact":  {with(func(in *Input) { in.Status = tracker.StatusInfoReceived }), t0.Add(d.Activation), []string{RuleNoTracking}},
		"never polled at 48h: silent": {with(func(in *Input) { in.Status = tracker.StatusUnknown; in.Polled = false }), t0.Add(d.Activation + time.Hour), nil},
		"not found, a week less 1ns":  {with(func(in *Input) { in.Status = tracker.StatusNotFound }), t0.Add(d.NotFoundGiveUp - ns), []string{RuleNoTracking}},
		"not found a week: wrong number": {with(func(in *Input) { in.Status = tracker.StatusNotFound }), t0.Add(d.NotFoundGiveUp),
			[]string{RuleNumberUnknown, RuleNoTracking}},
		"invalid number at once": {with(func(in *Input) { in.Valid = false }), t0, []string{RuleInvalidNumber}},

		"domestic quiet, before stall": {with(func(in *Input) { in.Status = tracker.StatusInTransit; in.LastEventAt = t0 }), t0.Add(d.DomesticStall - ns), nil},
		"domestic stall":               {with(func(in *Input) { in.Status = tracker.StatusInTransit; in.LastEventAt = t0 }), t0.Add(d.DomesticStall), []string{RuleStalled}},
		"international quiet 4 days": {with(func(in *Input) { in.Status = tracker.StatusInTransit; in.LastEventAt = t0; in.International = true }),
			t0.Add(d.DomesticStall), nil},
		"international stall, 1ns early": {with(func(in *Input) { in.Status = tracker.StatusInTransit; in.LastEventAt = t0; in.International = true }),
			t0.Add(d.InternationalStall - ns), nil},
		"international stall": {with(func(in *Input) { in.Status = tracker.StatusInTransit; in.LastEventAt = t0; in.International = true }),
			t0.Add(d.InternationalStall), []string{RuleStalled}},
		"customs, before stall: watch for duties": {with(func(in *Input) { in.Status = tracker.StatusCustoms; in.StatusSince = t0 }),
			t0.Add(d.DomesticStall), []string{RuleCustomsCheck}},
		"customs stall": {with(func(in *Input) { in.Status = tracker.StatusCustoms; in.StatusSince = t0 }),
			t0.Add(d.InternationalStall), []string{RuleStalled, RuleCustomsCheck}},

		"ETA day not over": {with(func(in *Input) {
			in.Status = tracker.StatusInTransit
			in.LastEventAt = t0
			in.ETA = t0.Add(24 * time.Hour)
		}),
			t0.Add(24*time.Hour + d.ETAGrace - ns), nil},
		"ETA passed": {with(func(in *Input) {
			in.Status = tracker.StatusInTransit
			in.LastEventAt = t0
			in.ETA = t0.Add(24 * time.Hour)
		}),
			t0.Add(24*time.Hour + d.ETAGrace), []string{RuleLate}},
		"ETA passed but delivered": {with(func(in *Input) { in.Status = tracker.StatusDelivered; in.DeliveredAt = t0; in.ETA = t0 }),
			t0.Add(10 * 24 * time.Hour), nil},
		"late and stalled": {with(func(in *Input) { in.Status = tracker.StatusInTransit; in.LastEventAt = t0; in.ETA = t0 }),
			t0.Add(d.DomesticStall), []string{RuleLate, RuleStalled}},

		"delivered, nobody complained": {with(func(in *Input) { in.Status = tracker.StatusDelivered; in.DeliveredAt = t0 }), t0.Add(30 * 24 * time.Hour), nil},
		"not received, look around": {with(func(in *Input) {
			in.Status = tracker.StatusDelivered
			in.DeliveredAt = t0
			in.NotReceivedAt = t0.Add(time.Hour)
		}),
			t0.Add(d.NotReceivedWait - ns), []string{RuleNotReceivedCheck}},
		"not received after 48h": {with(func(in *Input) {
			in.Status = tracker.StatusDelivered
			in.DeliveredAt = t0
			in.NotReceivedAt = t0.Add(time.Hour)
		}),
			t0.Add(d.NotReceivedWait), []string{RuleNotReceived}},

		"attempt failed, fresh": {with(func(in *Input) { in.Status = tracker.StatusAttemptFailed; in.StatusSince = t0 }), t0.Add(d.ExceptionClear - ns), []string{RuleAttemptWait}},
		"attempt failed, stuck": {with(func(in *Input) { in.Status = tracker.StatusAttemptFailed; in.StatusSince = t0 }), t0.Add(d.ExceptionClear), []string{RuleAttemptStuck}},
		"exception, fresh":      {with(func(in *Input) { in.Status = tracker.StatusException; in.StatusSince = t0 }), t0.Add(d.ExceptionClear - ns), []string{RuleExceptionWait}},
		"exception, stuck":      {with(func(in *Input) { in.Status = tracker.StatusException; in.StatusSince = t0 }), t0.Add(d.ExceptionClear), []string{RuleExceptionStuck}},
		"returned":              {with(func(in *Input) { in.Status = tracker.StatusReturned; in.StatusSince = t0 }), t0, []string{RuleReturned}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Evaluate(tc.in, tc.now)
			if ids := rules(got); !slices.Equal(ids, tc.want) {
				t.Fatalf("Evaluate at +%v = %v, want %v", tc.now.Sub(t0), ids, tc.want)
			}
			for _, a := range got {
				switch a.Action {
				case Contact:
					if a.Party.Who == "" {
						t.Errorf("%s: contact advice names nobody", a.Rule)
					}
				case Wait:
					if a.Party != (Party{}) || a.ContactURL != "" {
						t.Errorf("%s: wait advice names a contact", a.Rule)
					}
				default:
					t.Errorf("%s: action %q", a.Rule, a.Action)
				}
			}
		})
	}
}

func TestContactTarget(t *testing.T) {
	stalled := func(in Input) Input {
		in.Valid, in.Polled, in.Status, in.AddedAt, in.LastEventAt = true, true, tracker.StatusInTransit, t0, t0
		return in
	}
	tests := map[string]struct {
		in     Input
		rule   string
		url    string
		party  Party
		search time.Time // PostalSearchFrom
	}{
		"carrier's own page": {stalled(Input{Carrier: "fedex"}), RuleStalled, tracker.Carrier("fedex").Contact,
			Party{WhoCarrier, "fedex"}, time.Time{}},
		"amazon order": {stalled(Input{Carrier: "amazon", AmazonOrder: true}), RuleStalled, amazonContactURL,
			Party{Who: WhoAmazon}, time.Time{}},
		"wrong number: seller": {Input{Carrier: "usps", Valid: true, Polled: true, Status: tracker.StatusNotFound, AddedAt: t0},
			RuleNoTracking, "", Party{Who: WhoSeller}, time.Time{}},
		"amazon wrong number: amazon or third-party seller": {Input{Carrier: "amazon", AmazonOrder: true, Valid: true, Polled: true, Status: tracker.StatusNotFound, AddedAt: t0},
			RuleNoTracking, amazonContactURL, Party{Who: WhoAmazonSeller}, time.Time{}},
		"postal: search opens later": {Input{Carrier: "usps", Valid: true, Polled: true, Status: tracker.StatusDelivered, AddedAt: t0, DeliveredAt: t0.Add(24 * time.Hour), NotReceivedAt: t0.Add(25 * time.Hour)},
			RuleNotReceived, tracker.Carrier("usps").Contact,
			Party{WhoCarrier, "usps"}, t0.Add(Default.PostalSearchAfter)},
		"postal: search open now": {Input{Carrier: "royal_mail", Valid: true, Polled: true, Status: tracker.StatusDelivered, AddedAt: t0.Add(-7 * 24 * time.Hour), DeliveredAt: t0, NotReceivedAt: t0},
			RuleNotReceived, tracker.Carrier("royal_mail").Contact,
			Party{WhoCarrier, "royal_mail"}, t0.Add(-7*24*time.Hour + Default.PostalSearchAfter)},
		"amazon delivered missing": {Input{Carrier: "amazon", AmazonOrder: true, Valid: true, Polled: true, Status: tracker.StatusDelivered, AddedAt: t0, DeliveredAt: t0, NotReceivedAt: t0},
			RuleNotReceived, amazonContactURL, Party{Who: WhoAmazon}, time.Time{}},
		"postal, S10": {stalled(Input{Carrier: "s10"}), RuleStalled, "",
			Party{Who: WhoPostal}, time.Time{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Evaluate(tc.in, t0.Add(11*24*time.Hour))
			if name == "postal: search opens later" {
				got = Evaluate(tc.in, t0.Add(3*24*time.Hour))
			}
			i := slices.IndexFunc(got, func(a Advice) bool { return a.Rule == tc.rule })
			if i < 0 {
				t.Fatalf("rule %s did not fire: %v", tc.rule, rules(got))
			}
			a := got[i]
			if a.ContactURL != tc.url {
				t.Errorf("contact page %q, want %q", a.ContactURL, tc.url)
			}
			if a.Party != tc.party || !a.PostalSearchFrom.Equal(tc.search) {
				t.Errorf("party %+v, search from %v; want %+v, %v", a.Party, a.PostalSearchFrom, tc.party, tc.search)
			}
		})
	}
}

func TestLimitsAreOrdered(t *testing.T) {
	d := Default
	if !(d.Activation < d.NotFoundGiveUp && d.DomesticStall < d.InternationalStall && d.ETAGrace > 0 &&
		d.NotReceivedWait < d.PostalSearchAfter && d.ExceptionClear > 0) {
		t.Errorf("thresholds out of order: %+v", d)
	}
}

// TestStallSaysWhichLimit: the stall advice says, as data, whether the
// international limit applied, so readers in other languages can say so.
func TestStallSaysWhichLimit(t *testing.T) {
	for _, intl := range []bool{false, true} {
		in := Input{Carrier: "ups", Valid: true, Polled: true, Status: tracker.StatusInTransit, AddedAt: t0, LastEventAt: t0, International: intl}
		got := Evaluate(in, t0.Add(Default.InternationalStall))
		i := slices.IndexFunc(got, func(a Advice) bool { return a.Rule == RuleStalled })
		if i < 0 || got[i].International != intl {
			t.Errorf("international %t: %+v", intl, got)
		}
	}
}
