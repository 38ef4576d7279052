package assess

import (
	"fmt"
	"time"
)

// Buttons says whether the message the step is shown in carries the
// parcel's "Got it" / "Not received" buttons (a push or a reply about a
// followed parcel), so the text can point at them.
type Buttons bool

// NextStep is the one line saying what to do now, in plain text (not
// escaped). day formats a date for the reader (their zone, their words);
// every surface passes its own and gets the same sentence.
func (a Assessment) NextStep(day func(time.Time) string, buttons Buttons) string {
	return a.NextStepIn(day, day, buttons)
}

// NextStepIn is NextStep with two date formats: eta for the carrier's
// expected day (a date at the destination), until for the moments the
// rules set (when waiting ends), which read best in the reader's zone.
func (a Assessment) NextStepIn(eta, until func(time.Time) string, buttons Buttons) string {
	switch a.Step {
	case StepNotChecked:
		return "This carrier is not checked automatically on this server: open its tracking page to see where the parcel is."
	case StepWaitFirstScan:
		if !a.Until.IsZero() {
			return fmt.Sprintf("Normal for a day or two after the shipping notice: I keep checking. If the carrier still doesn't know it by %s, I'll tell you what to do.", until(a.Until))
		}
		return "I haven't heard from the carrier yet. I'll keep checking and tell you when it moves."
	case StepLabel:
		return "The sender has made the label; the carrier hasn't picked it up yet. Nothing to do: the first scan usually comes within 1–2 days."
	case StepOnItsWay:
		return "On its way. Nothing to do: I'll tell you when it's out for delivery."
	case StepLateWait:
		return fmt.Sprintf("It's late: the carrier expected it %s. Late parcels usually come within a day; if it hasn't by %s, I'll tell you whom to contact.", eta(a.ETA), until(a.Until))
	case StepToday:
		return "Arriving today, usually by evening. Make sure someone can take it, or set a safe place on the carrier's page."
	case StepCheckAround:
		if buttons {
			return "Have it? Tap “Got it”. Not there? Check the door, mailbox and neighbours, then tap “Not received”."
		}
		return "Not there? Check the door, mailbox and neighbours; if it's still missing after 2 days, contact the carrier or seller."
	case StepCollected:
		return "It's in the recipient's hands. Nothing more to do."
	case StepPickup:
		return "Collect it soon with the notice or pickup code and an ID: it's held only for a limited time, then sent back."
	case StepAttempt:
		return "The courier couldn't deliver. Look for a notice card; on the carrier's page you can rebook or pick a pickup point."
	case StepException:
		return "Something held it up. Most delays clear in 1–2 days; if the carrier asks you for something, answer quickly. If it hasn't moved in 3 days, I'll tell you whom to contact."
	case StepCustoms:
		return "Usually clears in a few days with nothing to do. Watch your email and texts for a request to pay duties or send documents."
	case StepActionNeeded:
		return "Action needed from you: do what the carrier asks (pay, send documents or fix the address) on its page or in its message soon, or the parcel may be sent back."
	case StepNotReceived:
		return fmt.Sprintf("Look around first: the door, any safe place, the mailbox or locker, neighbours and reception. If it's still missing by %s, I'll tell you whom to contact.", until(a.Until))
	case StepContact:
		return fmt.Sprintf("Contact %s now.", a.ContactName)
	case StepReturned:
		return "It's going back to the sender. Contact the seller for a new delivery or a refund."
	case StepExpired:
		return "The carrier no longer updates this number. If you never got the parcel, contact the seller."
	}
	return "I'll keep checking and tell you when it moves."
}

// Expected is the expected-delivery line's words, plain: "today", "Fri 7
// Mar", "late: expected Sun 29 Nov (3 days ago)"; "" when there is no
// date to give.
func (a Assessment) Expected(day func(time.Time) string) string {
	switch {
	case a.Today:
		return "today"
	case a.ETA.IsZero():
		return ""
	case a.LateDays == 1:
		return fmt.Sprintf("%s — a day late", day(a.ETA))
	case a.LateDays > 1:
		return fmt.Sprintf("%s — %d days late", day(a.ETA), a.LateDays)
	}
	return day(a.ETA)
}
