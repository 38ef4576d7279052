// Package assess is the one assessment of a parcel: from its state, its
// newest scan, the advice rules and the clock, what it is doing, when it
// should arrive, whether it is late, what to do now and whether someone must
// act. Every surface (pushes, /status, /list, answers, the console, advice
// pushes) renders from an Assessment, so they cannot disagree. Pure: no I/O,
// no clock of its own.
package assess

import (
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

// Input is what is known about one parcel.
type Input struct {
	advice.Input
	StatusText string        // the carrier's words for the current status
	Latest     tracker.Event // newest scan; zero when none
	// Checkable: a client configured on this server can look the carrier
	// up. False means the parcel gets no automatic updates.
	Checkable bool
}

// Step is what to do now, as a key: the bot says it in words.
type Step string

// Steps.
const (
	StepNotChecked    Step = "not_checked"     // no client: only the carrier's page knows
	StepWaitFirstScan Step = "wait_first_scan" // not known to the carrier yet
	StepLabel         Step = "label"           // label made, not handed over yet
	StepOnItsWay      Step = "on_its_way"      // in transit, on time (or no promise)
	StepLateWait      Step = "late_wait"       // its day has passed; give it a day
	StepToday         Step = "today"           // out for delivery
	StepCheckAround   Step = "check_around"    // delivered: have it? else look around
	StepCollected     Step = "collected"       // delivered into the recipient's own hands
	StepPickup        Step = "pickup"          // waiting at a pickup point
	StepAttempt       Step = "attempt"         // the courier could not deliver
	StepException     Step = "exception"       // held up; most clear in a day or two
	StepCustoms       Step = "customs"         // in customs, usually nothing to do
	StepActionNeeded  Step = "action_needed"   // the carrier waits for the recipient
	StepNotReceived   Step = "not_received"    // said not received: look around first
	StepContact       Step = "contact"         // an advice rule says contact someone now
	StepReturned      Step = "returned"
	StepExpired       Step = "expired"
)

// Assessment is the one view of a parcel at a moment.
type Assessment struct {
	Status tracker.Status
	// Said is the carrier's own words for the current state: the newest
	// scan's description, else the status text. Plain, not escaped.
	Said   string
	Latest tracker.Event
	// ETA is the day the carrier expects to deliver; zero when it gave none
	// or the parcel's journey is over. Today overrides it: out for delivery
	// means today, whatever the ETA said.
	ETA   time.Time
	Today bool
	// LateDays counts the whole days the ETA's date is behind now, read in
	// the ETA's own zone (0: not late, or no ETA).
	LateDays int
	// Advice is every rule that applies, most urgent first; Main is the one
	// that governs Step (zero Rule when none does).
	Advice []advice.Advice
	Main   advice.Advice
	Step   Step
	// Until: when waiting ends — the moment Step turns into contact advice
	// (late, an exception, a failed attempt, not received, no tracking yet);
	// zero when nothing is scheduled.
	Until time.Time
	// Attention: someone should act now (contact, or do what the carrier
	// asks). /list marks it ❗ and pushes lead with it.
	Attention bool
	Checkable bool
}

// Parcel assesses one parcel at now with the default advice limits.
func Parcel(in Input, now time.Time) Assessment {
	a := Assessment{Status: in.Status, Latest: in.Latest, Checkable: in.Checkable}
	if a.Status == "" {
		a.Status = tracker.StatusUnknown
	}
	a.Said = in.Latest.Description
	if a.Said == "" || (in.Latest.Status != "" && in.Latest.Status != a.Status) {
		a.Said = in.StatusText
	}
	a.Said = strings.TrimSpace(tracker.PlainText(a.Said))

	if !a.Status.Final() {
		a.ETA = in.ETA
	}
	if a.Status == tracker.StatusOutForDelivery {
		a.Today = true
	}
	if !a.ETA.IsZero() && !a.Today {
		if d := daysAfter(a.ETA, now); d > 0 {
			a.LateDays = d
		}
	}

	a.Advice = advice.Evaluate(in.Input, now)
	for _, adv := range a.Advice {
		if adv.Action == advice.Contact {
			a.Main, a.Step, a.Attention = adv, StepContact, true
			return a
		}
	}
	if tracker.NeedsRecipient(a.Status, a.Said) {
		a.Step, a.Attention = StepActionNeeded, true
		return a
	}
	if len(a.Advice) > 0 {
		a.Main = a.Advice[0]
		a.Until = a.Main.Until
	}
	a.Step = a.stepFor(in, now)
	return a
}

// stepFor is the next step when no rule asks for a contact.
func (a *Assessment) stepFor(in Input, now time.Time) Step {
	if !in.Checkable && !in.Polled {
		return StepNotChecked
	}
	switch a.Status {
	case tracker.StatusInfoReceived:
		return StepLabel
	case tracker.StatusInTransit:
		if a.LateDays > 0 {
			a.Until = a.ETA.Add(advice.Default.ETAGrace)
			return StepLateWait
		}
		return StepOnItsWay
	case tracker.StatusCustoms:
		return StepCustoms
	case tracker.StatusOutForDelivery:
		return StepToday
	case tracker.StatusDelivered:
		if !in.NotReceivedAt.IsZero() {
			return StepNotReceived
		}
		if handedOver(a.Said) {
			return StepCollected
		}
		return StepCheckAround
	case tracker.StatusAttemptFailed:
		return StepAttempt
	case tracker.StatusAvailableForPickup:
		return StepPickup
	case tracker.StatusException:
		return StepException
	case tracker.StatusReturned:
		return StepReturned
	case tracker.StatusExpired:
		return StepExpired
	}
	return StepWaitFirstScan
}

// daysAfter counts calendar days from t's date to now's date, both read in
// t's zone (carriers give an ETA as a day at the destination).
func daysAfter(t, now time.Time) int {
	n := now.In(t.Location())
	ty, tm, td := t.Date()
	ny, nm, nd := n.Date()
	a := time.Date(ty, tm, td, 12, 0, 0, 0, time.UTC)
	b := time.Date(ny, nm, nd, 12, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Round(24*time.Hour) / (24 * time.Hour))
}

// handedWords in a delivery scan mean the recipient has it in hand: asking
// them to look around the door would be odd.
var handedWords = []string{"collected", "picked up by", "handed to the recipient", "handed to recipient",
	"signed for by", "signed by", "delivered to recipient", "in person"}

func handedOver(said string) bool {
	t := strings.ToLower(said)
	for _, w := range handedWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}
