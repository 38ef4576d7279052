package dhl

import (
	"strings"

	"github.com/trackbot/trackbot/tracker"
)

// statusCodes maps DHL's coarse statusCode.
var statusCodes = map[string]tracker.Status{
	"pre-transit": tracker.StatusInfoReceived,
	"transit":     tracker.StatusInTransit,
	"delivered":   tracker.StatusDelivered,
	"failure":     tracker.StatusException,
	"unknown":     tracker.StatusUnknown,
}

// phrase is a status told by words in DHL's event text.
type phrase struct {
	status tracker.Status
	words  []string // any of these, in lower case
}

// refinements sharpen a "transit" or "failure" statusCode (and events without
// one) into what the words say. First match wins, so the order matters:
// "returned" before "delivered", "clearance complete" before "customs".
var refinements = []phrase{
	{tracker.StatusReturned, []string{
		"returned to shipper", "returned to sender", "returned to the shipper", "returned to the sender",
		"return to shipper", "return to sender", "being returned", "will be returned",
	}},
	{tracker.StatusAttemptFailed, []string{
		"delivery attempted", "attempted delivery", "delivery attempt", "could not be delivered", "not delivered",
		"recipient not at home", "recipient not available", "unsuccessful",
	}},
	{tracker.StatusAvailableForPickup, []string{
		"service point", "servicepoint", "parcel locker", "packstation", "parcelshop", "parcel shop",
		"ready for pickup", "ready for pick-up", "available for pickup", "available for pick-up",
		"ready for collection", "awaiting collection", "can be picked up", "to be picked up",
	}},
	{tracker.StatusOutForDelivery, []string{
		"out with courier for delivery", "out for delivery", "with delivery courier",
		"loaded onto the delivery vehicle", "on the delivery vehicle",
	}},
	{tracker.StatusInTransit, []string{
		"clearance processing complete", "cleared customs", "customs clearance completed", "released from customs",
	}},
	{tracker.StatusCustoms, []string{"customs", "clearance", "import duties", "duties and taxes"}},
}

// awaiting says a parcel waits for the recipient to fetch it; collected says
// they have. Both are read even under a "delivered" statusCode.
var (
	awaiting = []phrase{{tracker.StatusAvailableForPickup, []string{
		"ready for pickup", "ready for pick-up", "available for pickup", "available for pick-up",
		"ready for collection", "awaiting collection", "can be picked up", "to be picked up",
	}}}
	collected = []phrase{{tracker.StatusDelivered, []string{
		"collected by", "collected from", "picked up by", "picked up from",
	}}}
)

// guesses apply only to events without a statusCode (DHL Express), after
// the refinements.
var guesses = []phrase{
	{tracker.StatusDelivered, []string{"delivered"}},
	{tracker.StatusException, []string{"on hold", "delay", "refused", "damaged", "incorrect address", "address information needed"}},
	{tracker.StatusInfoReceived, []string{"shipment information received", "instruction data", "provided by the sender", "label created"}},
	{tracker.StatusInTransit, []string{"picked up", "processed", "departed", "arrived", "transit", "forwarded", "sort", "facility", "hub"}},
}

// classify maps a statusCode and DHL's words to a normalised status.
func classify(code, text string) tracker.Status {
	t := strings.ToLower(text)
	base, known := statusCodes[strings.ToLower(strings.TrimSpace(code))]
	switch base {
	case tracker.StatusDelivered:
		// "delivered" back at the shipper ends a return.
		if match(refinements[:1], t) == tracker.StatusReturned {
			return tracker.StatusReturned
		}
		// "Delivered" to a service point or locker where it waits for the
		// recipient is not in their hands yet; collected from one, it is.
		if match(awaiting, t) != "" && match(collected, t) == "" {
			return tracker.StatusAvailableForPickup
		}
		return base
	case tracker.StatusInfoReceived:
		// Pre-transit texts mention service points where the sender dropped
		// the parcel off; they do not mean it waits for the recipient.
		return base
	}
	if s := match(refinements, t); s != "" {
		return s
	}
	if known && base != tracker.StatusUnknown {
		return base
	}
	if s := match(guesses, t); s != "" {
		return s
	}
	return tracker.StatusUnknown
}

// eventStatus maps one event. An event we cannot read still means DHL
// handled the parcel, so it counts as in transit.
func eventStatus(code, text string) tracker.Status {
	if s := classify(code, text); s != tracker.StatusUnknown {
		return s
	}
	return tracker.StatusInTransit
}

// shipmentStatus maps the shipment's status object, falling back to the
// newest event; a delivery after a return is a return.
func shipmentStatus(code, text string, events []tracker.Event) tracker.Status {
	s := classify(code, text)
	if s == tracker.StatusUnknown && len(events) > 0 {
		s = events[0].Status
	}
	if s == tracker.StatusDelivered {
		for _, ev := range events[min(1, len(events)):] {
			if ev.Status == tracker.StatusReturned {
				return tracker.StatusReturned
			}
		}
	}
	return s
}

func match(ps []phrase, text string) tracker.Status {
	for _, p := range ps {
		for _, w := range p.words {
			if strings.Contains(text, w) {
				return p.status
			}
		}
	}
	return ""
}
