package assess

import (
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

var t0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) // a Thursday

func day(t time.Time) string { return t.Format("Mon 2 Jan") }

func TestParcel(t *testing.T) {
	eastern := time.FixedZone("EST", -5*3600)
	base := Input{Input: advice.Input{Carrier: "ups", Number: "1Z8V2A043918703255", Valid: true, AddedAt: t0, Polled: true,
		StatusSince: t0, LastEventAt: t0}, Checkable: true}
	with := func(f func(*Input)) Input { in := base; f(&in); return in }
	tests := map[string]struct {
		in        Input
		now       time.Time
		step      Step
		attention bool
		late      int
		expected  string // "today", the ETA's day, or "-" for no day to give
		rule      string
	}{
		"UPS three days past its ETA": {with(func(in *Input) {
			in.Status = tracker.StatusInTransit
			in.ETA = time.Date(2026, 11, 29, 0, 0, 0, 0, eastern)
			in.LastEventAt = t0.Add(48 * time.Hour)
		}), time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC), StepContact, true, 3, "Sun 29 Nov", advice.RuleLate},
		"a day past the ETA, before the late rule": {with(func(in *Input) {
			in.Status = tracker.StatusInTransit
			in.ETA = time.Date(2026, 11, 29, 18, 0, 0, 0, time.UTC)
			in.LastEventAt = t0.Add(72 * time.Hour)
		}), time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), StepLateWait, false, 1, "Sun 29 Nov", ""},
		"on time": {with(func(in *Input) {
			in.Status = tracker.StatusInTransit
			in.ETA = t0.Add(48 * time.Hour)
		}), t0.Add(time.Hour), StepOnItsWay, false, 0, "Sat 28 Nov", ""},
		"out for delivery with ETA tomorrow means today": {with(func(in *Input) {
			in.Status = tracker.StatusOutForDelivery
			in.ETA = t0.Add(24 * time.Hour)
		}), t0.Add(time.Hour), StepToday, false, 0, "today", ""},
		"customs asking for duties": {with(func(in *Input) {
			in.Status = tracker.StatusCustoms
			in.Latest = tracker.Event{Status: tracker.StatusCustoms, Description: "Held by customs: import duties of USD 14.20 to pay before release"}
		}), t0.Add(time.Hour), StepActionNeeded, true, 0, "-", ""},
		"customs, nothing asked": {with(func(in *Input) {
			in.Status = tracker.StatusCustoms
			in.Latest = tracker.Event{Status: tracker.StatusCustoms, Description: "Customs clearance in progress"}
		}), t0.Add(time.Hour), StepCustoms, false, 0, "-", advice.RuleCustomsCheck},
		"collected from the locker": {with(func(in *Input) {
			in.Status = tracker.StatusDelivered
			in.DeliveredAt = t0
			in.Latest = tracker.Event{Status: tracker.StatusDelivered, Description: "Collected from Demo Locker 214 by the recipient"}
		}), t0.Add(time.Hour), StepCollected, false, 0, "-", ""},
		"delivered at the door": {with(func(in *Input) {
			in.Status = tracker.StatusDelivered
			in.DeliveredAt = t0
			in.ETA = t0
			in.Latest = tracker.Event{Status: tracker.StatusDelivered, Description: "Delivered, front door"}
		}), t0.Add(time.Hour), StepCheckAround, false, 0, "-", ""},
		"not received, within two days": {with(func(in *Input) {
			in.Status = tracker.StatusDelivered
			in.DeliveredAt = t0
			in.NotReceivedAt = t0.Add(time.Hour)
		}), t0.Add(2 * time.Hour), StepNotReceived, false, 0, "-", advice.RuleNotReceivedCheck},
		"not received, after two days": {with(func(in *Input) {
			in.Status = tracker.StatusDelivered
			in.DeliveredAt = t0
			in.NotReceivedAt = t0.Add(time.Hour)
		}), t0.Add(49 * time.Hour), StepContact, true, 0, "-", advice.RuleNotReceived},
		"exception, fresh": {with(func(in *Input) {
			in.Status = tracker.StatusException
			in.Latest = tracker.Event{Status: tracker.StatusException, Description: "Weather delay"}
		}), t0.Add(time.Hour), StepException, false, 0, "-", advice.RuleExceptionWait},
		"no client, never polled": {with(func(in *Input) {
			in.Status = tracker.StatusUnknown
			in.Polled = false
			in.Checkable = false
		}), t0.Add(time.Hour), StepNotChecked, false, 0, "-", advice.RuleActivationWait},
		"just added": {with(func(in *Input) {
			in.Status = tracker.StatusNotFound
		}), t0.Add(time.Hour), StepWaitFirstScan, false, 0, "-", advice.RuleActivationWait},
		"invalid number": {with(func(in *Input) { in.Valid = false }), t0, StepContact, true, 0, "-", advice.RuleInvalidNumber},
		"returned":       {with(func(in *Input) { in.Status = tracker.StatusReturned }), t0, StepContact, true, 0, "-", advice.RuleReturned},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a := Parcel(tt.in, tt.now)
			if a.Step != tt.step || a.Attention != tt.attention || a.LateDays != tt.late || a.Main.Rule != tt.rule {
				t.Errorf("step %s attention %v late %d rule %q; want %s %v %d %q", a.Step, a.Attention, a.LateDays, a.Main.Rule,
					tt.step, tt.attention, tt.late, tt.rule)
			}
			got := "-"
			switch {
			case a.Today:
				got = "today"
			case !a.ETA.IsZero():
				got = day(a.ETA)
			}
			if got != tt.expected {
				t.Errorf("expected day %q, want %q", got, tt.expected)
			}
			if a.Attention != (a.Step == StepContact || a.Step == StepActionNeeded) {
				t.Errorf("attention %v with step %s", a.Attention, a.Step)
			}
			if a.Step == StepContact && a.Main.Party.Who == "" {
				t.Errorf("contact step names no one: party %+v, page %q", a.Main.Party, a.Main.ContactURL)
			}
		})
	}
}

// TestEveryRuleHasAStep: every advice rule, when it is the main one, leads
// to a step that agrees with its action.
func TestEveryRuleHasAStep(t *testing.T) {
	for _, st := range tracker.Statuses {
		for _, notReceived := range []bool{false, true} {
			for _, age := range []time.Duration{time.Hour, 50 * time.Hour, 5 * 24 * time.Hour, 12 * 24 * time.Hour} {
				in := Input{Input: advice.Input{Carrier: "usps", Number: "9400", Valid: true, Status: st, AddedAt: t0,
					StatusSince: t0, LastEventAt: t0, ETA: t0.Add(24 * time.Hour), DeliveredAt: t0, Polled: true}, Checkable: true}
				if notReceived {
					in.NotReceivedAt = t0
				}
				a := Parcel(in, t0.Add(age))
				for _, adv := range a.Advice {
					if adv.Action == advice.Contact && !a.Attention {
						t.Errorf("%s at %v: contact rule %s but no attention", st, age, adv.Rule)
					}
				}
				if a.Attention && a.Step != StepContact && a.Step != StepActionNeeded {
					t.Errorf("%s at %v: attention with step %s", st, age, a.Step)
				}
				if a.Step == StepContact && a.Main.Action != advice.Contact {
					t.Errorf("%s at %v: contact step from %s advice", st, age, a.Main.Action)
				}
			}
		}
	}
}
