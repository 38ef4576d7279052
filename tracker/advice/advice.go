// Package advice decides, from one shipment's own history and the clock,
// whether its followers should wait or contact customer service, and whom.
// It is pure: no I/O, no clock of its own, so every rule is testable at and
// around its threshold. Each rule has a stable id; the caller pushes a rule's
// advice at most once per parcel, keyed by that id.
package advice

import (
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

// Advice is one rule's conclusion, as data: the bot words it (a title and a
// text per rule in each language) and names whom to contact from Party.
type Advice struct {
	Rule       string // stable id, used as the once-only key
	Action     string // Wait or Contact
	ContactURL string // the contact page of whom to contact, when known
	// Party is whom to contact (zero for wait advice).
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
		add(seller.advice(RuleInvalidNumber))
		return out
	}

	switch in.Status {
	case tracker.StatusUnknown, tracker.StatusNotFound, tracker.StatusInfoReceived:
		if !reached(in.AddedAt, l.Activation) {
			add(Advice{Rule: RuleActivationWait, Action: Wait, Until: in.AddedAt.Add(l.Activation)})
			break
		}
		if !in.Polled {
			break // the carrier never answered: we cannot tell "nothing" from "no answer"
		}
		add(seller.advice(RuleNoTracking))
		if in.Status == tracker.StatusNotFound && reached(in.AddedAt, l.NotFoundGiveUp) {
			add(seller.advice(RuleNumberUnknown))
		}

	case tracker.StatusInTransit, tracker.StatusCustoms, tracker.StatusOutForDelivery:
		if in.Status == tracker.StatusCustoms {
			add(Advice{Rule: RuleCustomsCheck, Action: Wait})
		}
		stall, intl := l.DomesticStall, false
		if in.International || in.Status == tracker.StatusCustoms {
			stall, intl = l.InternationalStall, true
		}
		if last := firstNonZero(in.LastEventAt, since); reached(last, stall) {
			a := carrier.advice(RuleStalled)
			a.International = intl
			add(a)
		}

	case tracker.StatusAttemptFailed:
		if reached(since, l.ExceptionClear) {
			add(carrier.advice(RuleAttemptStuck))
		} else {
			add(Advice{Rule: RuleAttemptWait, Action: Wait, Until: since.Add(l.ExceptionClear)})
		}

	case tracker.StatusException:
		if reached(since, l.ExceptionClear) {
			add(carrier.advice(RuleExceptionStuck))
		} else {
			add(Advice{Rule: RuleExceptionWait, Action: Wait, Until: since.Add(l.ExceptionClear)})
		}

	case tracker.StatusReturned:
		add(seller.advice(RuleReturned))

	case tracker.StatusDelivered:
		if in.NotReceivedAt.IsZero() {
			break
		}
		delivered := firstNonZero(in.DeliveredAt, since, in.NotReceivedAt)
		if !reached(delivered, l.NotReceivedWait) {
			add(Advice{Rule: RuleNotReceivedCheck, Action: Wait, Until: delivered.Add(l.NotReceivedWait)})
			break
		}
		a := carrier.advice(RuleNotReceived)
		if !in.AmazonOrder && postal[in.Carrier] && !in.AddedAt.IsZero() {
			a.PostalSearchFrom = in.AddedAt.Add(l.PostalSearchAfter)
		}
		add(a)
	}

	if late := in.ETA; !late.IsZero() && !in.Status.Final() && reached(late, l.ETAGrace) {
		add(carrier.advice(RuleLate))
	}

	slices.SortStableFunc(out, func(a, b Advice) int {
		return slices.Index(urgency, a.Rule) - slices.Index(urgency, b.Rule)
	})
	return out
}

// who is a contact to attach to advice.
type who struct {
	url   string
	party Party
}

func (w who) advice(rule string) Advice {
	return Advice{Rule: rule, Action: Contact, ContactURL: w.url, Party: w.party}
}

// carrierContact: Amazon orders go to Amazon (who hands third-party orders to
// the seller); everything else to the carrier's own customer service.
func carrierContact(in Input) who {
	if in.AmazonOrder || in.Carrier == "amazon" {
		return who{amazonContactURL, Party{Who: WhoAmazon}}
	}
	c := tracker.Carrier(in.Carrier)
	byCarrier := Party{Who: WhoCarrier, Carrier: in.Carrier}
	if c.Contact == "" {
		if in.Carrier == "s10" {
			return who{"", Party{Who: WhoPostal}}
		}
		return who{tracker.TrackingURL(in.Carrier, in.Number), byCarrier}
	}
	return who{c.Contact, byCarrier}
}

// sellerContact: a wrong or unshipped number is the seller's to fix.
func sellerContact(in Input) who {
	if in.AmazonOrder || in.Carrier == "amazon" {
		return who{amazonContactURL, Party{Who: WhoAmazonSeller}}
	}
	return who{"", Party{Who: WhoSeller}}
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
