// Package tracker is trackbot's domain: recognising tracking numbers, the
// normalised shipment model every carrier maps to, and the small interface
// carrier clients implement. It knows nothing of Telegram or SQL.
package tracker

import (
	"strings"
	"time"
)

// Status is the normalised state of a shipment. The string values are part of
// the `trackbot status` JSON contract.
type Status string

const (
	StatusInfoReceived       Status = "info_received"        // label created, carrier has not got it yet
	StatusInTransit          Status = "in_transit"           // moving through the network
	StatusOutForDelivery     Status = "out_for_delivery"     // on the vehicle today
	StatusDelivered          Status = "delivered"            // carrier says it was handed over
	StatusAttemptFailed      Status = "attempt_failed"       // courier came, could not deliver
	StatusAvailableForPickup Status = "available_for_pickup" // waiting at a pickup point or locker
	StatusException          Status = "exception"            // something went wrong (delay, damage, address)
	StatusCustoms            Status = "customs"              // held in or passing through customs
	StatusReturned           Status = "returned"             // on its way back, or back, to the sender
	StatusExpired            Status = "expired"              // carrier stopped updating it
	StatusNotFound           Status = "not_found"            // carrier does not know the number (yet)
	StatusUnknown            Status = "unknown"              // not polled yet, or nothing usable
)

// Statuses lists every normalised status, in the order of a parcel's life.
var Statuses = []Status{
	StatusInfoReceived, StatusInTransit, StatusCustoms, StatusOutForDelivery,
	StatusAttemptFailed, StatusAvailableForPickup, StatusDelivered, StatusException,
	StatusReturned, StatusExpired, StatusNotFound, StatusUnknown,
}

// Valid reports whether s is one of the contract's status codes.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Final reports whether a shipment in this state needs no more regular polling
// (it is checked once more to confirm, then left alone).
func (s Status) Final() bool {
	return s == StatusDelivered || s == StatusReturned || s == StatusExpired
}

// Event is one carrier scan, normalised.
type Event struct {
	Time        time.Time `json:"time"` // carrier's time with its zone offset; UTC when the carrier gave none
	Status      Status    `json:"status"`
	Description string    `json:"description"`
	Location    string    `json:"location"`
}

// Result is one carrier's answer about one number.
type Result struct {
	Number     string    `json:"number"`
	Carrier    string    `json:"carrier"` // detection carrier code (ups, usps, fedex, dhl, amazon, …)
	Status     Status    `json:"status"`
	StatusText string    `json:"status_text"` // the carrier's own words for the latest status
	ETA        time.Time `json:"eta"`         // zero when unknown
	Events     []Event   `json:"events"`      // newest first
	// Service is the carrier's product name ("UPS Ground"), when it says.
	Service string `json:"service,omitempty"`
	// Handoff is set when the carrier (or the aggregator) reports the parcel
	// handed to another carrier under a new number.
	Handoff *Handoff `json:"handoff,omitempty"`
}

// Handoff is a parcel passed on to another carrier with a number of its own
// (international post to the local post, Amazon to a local courier).
type Handoff struct {
	Carrier string `json:"carrier"` // detection code of the new carrier
	Number  string `json:"number"`  // normalised, as Detect writes it
}

// NewHandoff reads a hand-off reported as a number and, maybe, the new
// carrier's name: the number's own format decides the carrier when it has
// one, else the name. ok is false when the number is not a tracking number
// or names nothing new.
func NewHandoff(from, number, name string) (Handoff, bool) {
	var h Handoff
	number = strings.TrimSpace(number)
	for _, c := range Detect(number) {
		if c.Kind == KindTracking && c.Start == 0 {
			h = Handoff{Carrier: c.Carrier, Number: c.Number}
			if c.Valid {
				break
			}
		}
	}
	if h.Number == "" || h.Number == from {
		return Handoff{}, false
	}
	if set := namedCarriers(name); set != 0 && set&carrierBit[h.Carrier] == 0 {
		for k, cn := range carrierNames {
			if set&(1<<k) != 0 {
				h.Carrier = cn.carrier
				break
			}
		}
	}
	return h, true
}

// Latest returns the newest event, or false when there is none.
func (r Result) Latest() (Event, bool) {
	if len(r.Events) == 0 {
		return Event{}, false
	}
	return r.Events[0], true
}

// Emoji is a one-glyph marker for the status in lists and pushes.
func (s Status) Emoji() string {
	switch s {
	case StatusInfoReceived:
		return "🏷"
	case StatusInTransit:
		return "🚚"
	case StatusOutForDelivery:
		return "🛵"
	case StatusDelivered:
		return "✅"
	case StatusAttemptFailed:
		return "🚪"
	case StatusAvailableForPickup:
		return "🏪"
	case StatusException:
		return "⚠️"
	case StatusCustoms:
		return "🛃"
	case StatusReturned:
		return "↩️"
	case StatusExpired:
		return "⌛"
	case StatusNotFound:
		return "🔎"
	default:
		return "⏳"
	}
}
