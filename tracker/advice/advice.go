// Package advice decides, from one shipment's own history and the clock,
// whether its followers should wait or contact customer service, and whom.
// It is pure: no I/O, no clock of its own, so every rule is testable at and
// around its threshold. Each rule has a stable id; the caller pushes a rule's
// advice at most once per parcel, keyed by that id.
package advice

import (
	"fmt"
	"slices"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// Limits holds every threshold the rules use, in one place.
type Limits struct {
	// Activation: carriers usually start showing a number within 24–48 h of
	// the shipping notice; before that "not found" is normal.
	Activation time.Duration
	// NotFoundGiveUp: a number the carrier still does not know after this
	// long is almost certainly wrong; ask the seller for the right one.
	NotFoundGiveUp time.Duration
	// DomesticStall: a domestic parcel normally gets a scan every day or two;
	// four days without one means it is stuck.
	DomesticStall time.Duration
	// InternationalStall: long hauls and border hand-offs go quiet for a week
	// or more, so wait longer before calling it stuck.
	InternationalStall time.Duration
	// ETAGrace: carriers often give the ETA as a date at midnight, so one day
	// of grace means "the whole promised day has passed".
	ETAGrace time.Duration
	// NotReceivedWait: most "delivered but not here" parcels turn up within
	// two days (neighbour, safe place, late scan); carriers ask to wait that
	// long before opening an investigation.
	NotReceivedWait time.Duration
	// PostalSearchAfter: postal services accept a missing-mail search only
	// some time after the item was sent (USPS: 7 days from mailing); counted
	// from when the parcel was added, our best guess of the mailing date.
	PostalSearchAfter time.Duration
	// ExceptionClear: most exceptions and failed attempts resolve (re-delivery,
	// pickup point) within two or three days; after three, ask the carrier.
	ExceptionClear time.Duration
}

// Default are the thresholds trackbot uses.
var Default = Limits{
	Activation:         48 * time.Hour,
	NotFoundGiveUp:     7 * 24 * time.Hour,
	DomesticStall:      4 * 24 * time.Hour,
	InternationalStall: 10 * 24 * time.Hour,
	ETAGrace:           24 * time.Hour,
	NotReceivedWait:    48 * time.Hour,
	PostalSearchAfter:  7 * 24 * time.Hour,
	ExceptionClear:     72 * time.Hour,
}

// Input is what the rules know about one followed shipment.
type Input struct {
	Carrier, Number string
	Valid           bool // the number passed its format and check-digit rules
	Status          tracker.Status
	AddedAt         time.Time // first followed
	StatusSince     time.Time // when Status last changed (zero before the first poll)
	LastEventAt     time.Time // newest carrier scan (zero when none)
	ETA             time.Time // zero when unknown
	DeliveredAt     time.Time // zero unless delivered
	NotReceivedAt   time.Time // when the follower said "not received" (zero otherwise)
	Polled          bool      // the carrier has answered at least once
	International   bool      // crosses a border (S10 numbers, customs scans, …)
	AmazonOrder     bool      // bought on Amazon: from carrier "amazon"
}

// Actions.
const (
	Wait    = "wait"
	Contact = "contact"
)

// Rule ids: stable, stored as the once-only key of each push.
const (
	RuleActivationWait   = "activation_wait"
	RuleNoTracking       = "no_tracking"
	RuleNumberUnknown    = "number_unknown"
	RuleInvalidNumber    = "invalid_number"
	RuleStalled          = "stalled"
	RuleLate             = "late"
	RuleNotReceivedCheck = "not_received_check"
	RuleNotReceived      = "not_received_investigate"
	RuleAttemptWait      = "attempt_failed_wait"
	RuleAttemptStuck     = "attempt_failed_stuck"
	RuleExceptionWait    = "exception_wait"
	RuleExceptionStuck   = "exception_stuck"
	RuleCustomsCheck     = "customs_check"
	RuleReturned         = "returned"
)

// urgency orders contact advice, most urgent first; wait advice follows.
var urgency = []string{
	RuleNotReceived, RuleReturned, RuleExceptionStuck, RuleAttemptStuck, RuleLate, RuleStalled,
	RuleInvalidNumber, RuleNumberUnknown, RuleNoTracking,
	RuleNotReceivedCheck, RuleAttemptWait, RuleExceptionWait, RuleCustomsCheck, RuleActivationWait,
}

// Advice is one rule's conclusion. Title and Text are plain text.
type Advice struct {
	Rule        string // stable id, used as the once-only key
	Action      string // Wait or Contact
	Title, Text string
	ContactName string // whom to contact; empty for wait advice
	ContactURL  string // their contact page, when known
	// Party is whom to contact as data, for readers in other languages.
	Party Party
	// International: RuleStalled waited the longer, international time.
	International bool
	// PostalSearchFrom, for RuleNotReceived on a postal carrier, is when
	// the postal service's missing-mail search can be opened (zero: none).
	PostalSearchFrom time.Time
	// Until, for wait advice, is when waiting ends: the rule turns into
	// advice to contact someone then (zero when no rule follows).
	Until time.Time
}

// Party is whom advice says to contact: Who, and the carrier's code when
// it is the carrier.
type Party struct {
	Who     Who
	Carrier string
}

// Who is a kind of contact.
type Who string

// The contacts advice names.
const (
	WhoCarrier      Who = "carrier"       // the carrier's customer service
	WhoPostal       Who = "postal"        // the postal service, sender's or recipient's (S10 numbers)
	WhoAmazon       Who = "amazon"        // Amazon customer service
	WhoAmazonSeller Who = "amazon_seller" // Amazon customer service, or the third-party seller
	WhoSeller       Who = "seller"
)

// Amazon's customer-service page, for parcels bought on Amazon.
const amazonContactURL = "https://www.amazon.com/gp/help/customer/contact-us"

// postal carriers run a missing-mail search separate from a courier's
// investigation.
var postal = map[string]bool{"usps": true, "canada_post": true, "royal_mail": true, "s10": true}

// Evaluate returns the advice that applies now with the Default limits, most
// urgent first.
func Evaluate(in Input, now time.Time) []Advice { return Default.Evaluate(in, now) }

// Evaluate returns the advice that applies now under l, most urgent first.
func (l Limits) Evaluate(in Input, now time.Time) []Advice {
	var out []Advice
	add := func(a Advice) { out = append(out, a) }
	reached := func(from time.Time, d time.Duration) bool { return !from.IsZero() && !now.Before(from.Add(d)) }
	since := firstNonZero(in.StatusSince, in.AddedAt)
	carrier := carrierContact(in)
	seller := sellerContact(in)

	if !in.Valid {
		add(seller.advice(RuleInvalidNumber, Contact, "Check the tracking number",
			"This number does not pass the carrier's format or check-digit rules, so it was probably mistyped or cut short. "+
				"Copy it again from the shipping confirmation, or ask the seller for the right number."))
		return out
	}

	switch in.Status {
	case tracker.StatusUnknown, tracker.StatusNotFound, tracker.StatusInfoReceived:
		if !reached(in.AddedAt, l.Activation) {
			add(Advice{Rule: RuleActivationWait, Action: Wait, Title: "Tracking has not started yet", Until: in.AddedAt.Add(l.Activation),
				Text: fmt.Sprintf("Tracking usually starts within 24 to 48 hours of the shipping notice. Nothing to do yet: "+
					"I keep checking and tell you when the carrier has it. If nothing shows by %s, I will let you know.",
					in.AddedAt.Add(l.Activation).Format("Mon 2 Jan 15:04 MST"))})
			break
		}
		if !in.Polled {
			break // the carrier never answered: we cannot tell "nothing" from "no answer"
		}
		text := "It is more than 48 hours since you added this parcel and the carrier still shows nothing. " +
			"The number may be mistyped, or the seller may not have shipped it yet. Check the number against the shipping confirmation, then contact the seller."
		if in.Status == tracker.StatusInfoReceived {
			text = "A shipping label exists, but after more than 48 hours the carrier has still not scanned the parcel. " +
				"The seller has most likely not handed it over yet. Contact the seller and ask when it will be sent."
		}
		add(seller.advice(RuleNoTracking, Contact, "Still no tracking after 48 hours", text))
		if in.Status == tracker.StatusNotFound && reached(in.AddedAt, l.NotFoundGiveUp) {
			add(seller.advice(RuleNumberUnknown, Contact, "The carrier does not know this number",
				"A week on, the carrier still does not recognise this number. It is almost certainly wrong or belongs to another carrier. "+
					"Ask the seller for the correct tracking number and carrier."))
		}

	case tracker.StatusInTransit, tracker.StatusCustoms, tracker.StatusOutForDelivery:
		if in.Status == tracker.StatusCustoms {
			add(Advice{Rule: RuleCustomsCheck, Action: Wait, Title: "In customs: watch for a request",
				Text: "Most parcels clear customs without you doing anything. Sometimes customs or the carrier waits for the " +
					"recipient to pay import duties or taxes or to send documents: watch your email, texts and mailbox for such a " +
					"request and answer it quickly, or the parcel may be returned."})
		}
		stall, kind, intl := l.DomesticStall, "four days", false
		if in.International || in.Status == tracker.StatusCustoms {
			stall, kind, intl = l.InternationalStall, "ten days", true
		}
		if last := firstNonZero(in.LastEventAt, since); reached(last, stall) {
			a := carrier.advice(RuleStalled, Contact, "No update for "+kind,
				fmt.Sprintf("The carrier has not reported anything new since %s. Parcels do go quiet, but not for this long: "+
					"contact customer service and ask them to locate it.", last.Format("Mon 2 Jan")))
			a.International = intl
			add(a)
		}

	case tracker.StatusAttemptFailed:
		if reached(since, l.ExceptionClear) {
			add(carrier.advice(RuleAttemptStuck, Contact, "Delivery still not done",
				"Days after the failed attempt the parcel has not moved on. Contact customer service to book a new delivery, "+
					"correct the address or have it sent to a pickup point, before it goes back to the sender."))
		} else {
			add(Advice{Rule: RuleAttemptWait, Action: Wait, Title: "The courier could not deliver", Until: since.Add(l.ExceptionClear),
				Text: "Usually nobody was home, a signature was needed or the address could not be reached. Look for a notice: " +
					"most carriers try again the next working day or leave the parcel at a pickup point. " +
					"On the carrier's page you can often rebook delivery, pick a pickup point or fix the address."})
		}

	case tracker.StatusException:
		if reached(since, l.ExceptionClear) {
			add(carrier.advice(RuleExceptionStuck, Contact, "The problem has not cleared",
				"The carrier reported a problem days ago and the parcel has not moved on since. Contact customer service "+
					"and ask what is needed: an address correction, a payment or documents, or a claim if it was damaged or lost."))
		} else {
			add(Advice{Rule: RuleExceptionWait, Action: Wait, Title: "The carrier reported a problem", Until: since.Add(l.ExceptionClear),
				Text: "An exception means something interrupted the normal route: weather, a damaged label, an address question, " +
					"a missed connection. Many clear within a day or two without you doing anything. If the carrier asks you for " +
					"something (address, payment, documents), answer it right away."})
		}

	case tracker.StatusReturned:
		add(seller.advice(RuleReturned, Contact, "Going back to the sender",
			"The parcel is on its way back to the sender. Contact the seller to have it sent again or to get a refund."))

	case tracker.StatusDelivered:
		if in.NotReceivedAt.IsZero() {
			break
		}
		delivered := firstNonZero(in.DeliveredAt, since, in.NotReceivedAt)
		if !reached(delivered, l.NotReceivedWait) {
			add(Advice{Rule: RuleNotReceivedCheck, Action: Wait, Title: "Delivered but not found: look around first", Until: delivered.Add(l.NotReceivedWait),
				Text: "Parcels marked delivered usually turn up: check around the door and any safe place, your mailbox or parcel locker, " +
					"ask neighbours and building management or reception, and check whether someone else in the household took it in. " +
					"A delivery can also be scanned a little before it actually arrives. " +
					fmt.Sprintf("If it is still missing by %s, contact customer service.", delivered.Add(l.NotReceivedWait).Format("Mon 2 Jan 15:04 MST"))})
			break
		}
		text := "It is more than 48 hours since the carrier marked it delivered and you still do not have it. " +
			"Contact customer service and ask them to open an investigation; keep the tracking number at hand."
		if in.AmazonOrder {
			text = "It is more than 48 hours since Amazon marked it delivered and you still do not have it. " +
				"Contact Amazon customer service from Your Orders; they can refund or replace it. For an order sold by a third-party seller, contact the seller."
		}
		var search time.Time
		if !in.AmazonOrder && postal[in.Carrier] && !in.AddedAt.IsZero() {
			search = in.AddedAt.Add(l.PostalSearchAfter)
			if now.Before(search) {
				text += fmt.Sprintf(" The postal service's missing-mail search takes longer and can be opened from %s.", search.Format("Mon 2 Jan"))
			} else {
				text += " You can also open the postal service's missing-mail search now; it takes longer than a call."
			}
		}
		a := carrier.advice(RuleNotReceived, Contact, "Delivered but still missing", text)
		a.PostalSearchFrom = search
		add(a)
	}

	if late := in.ETA; !late.IsZero() && !in.Status.Final() && reached(late, l.ETAGrace) {
		add(carrier.advice(RuleLate, Contact, "Past the expected delivery date",
			fmt.Sprintf("The carrier expected to deliver by %s and has not. Contact customer service to ask where it is; "+
				"for an online order the seller can also chase the carrier or offer a refund.", late.Format("Mon 2 Jan"))))
	}

	slices.SortStableFunc(out, func(a, b Advice) int {
		return slices.Index(urgency, a.Rule) - slices.Index(urgency, b.Rule)
	})
	return out
}

// who is a contact to attach to advice.
type who struct {
	name, url string
	party     Party
}

func (w who) advice(rule, action, title, text string) Advice {
	return Advice{Rule: rule, Action: action, Title: title, Text: text, ContactName: w.name, ContactURL: w.url, Party: w.party}
}

// carrierContact: Amazon orders go to Amazon (who hands third-party orders to
// the seller); everything else to the carrier's own customer service.
func carrierContact(in Input) who {
	if in.AmazonOrder || in.Carrier == "amazon" {
		return who{"Amazon customer service", amazonContactURL, Party{Who: WhoAmazon}}
	}
	c := tracker.Carrier(in.Carrier)
	byCarrier := Party{Who: WhoCarrier, Carrier: in.Carrier}
	if c.Contact == "" {
		if in.Carrier == "s10" {
			return who{"the postal service (sender's or yours)", "", Party{Who: WhoPostal}}
		}
		return who{c.Name + " customer service", tracker.TrackingURL(in.Carrier, in.Number), byCarrier}
	}
	return who{c.Name + " customer service", c.Contact, byCarrier}
}

// sellerContact: a wrong or unshipped number is the seller's to fix.
func sellerContact(in Input) who {
	if in.AmazonOrder || in.Carrier == "amazon" {
		return who{"Amazon customer service (or the third-party seller)", amazonContactURL, Party{Who: WhoAmazonSeller}}
	}
	return who{"the seller", "", Party{Who: WhoSeller}}
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
