package fedex

import (
	"strings"

	"github.com/trackbot/trackbot/tracker"
)

// codes maps FedEx status codes (latestStatusDetail.code and derivedCode,
// scanEvents[].eventType and derivedStatusCode) to normalised statuses.
// Source: FedEx's "Tracking Status Codes" table.
var codes = map[string]tracker.Status{
	// Label created; FedEx does not have the parcel yet.
	"OC": tracker.StatusInfoReceived, // Order created (shipment information sent to FedEx)
	"IN": tracker.StatusInfoReceived, // Initiated (derived code for label created)
	"EP": tracker.StatusInfoReceived, // En route to pickup

	// Moving through the network.
	"PU": tracker.StatusInTransit, // Picked up
	"PX": tracker.StatusInTransit, // Picked up (see details)
	"IT": tracker.StatusInTransit, // In transit
	"IX": tracker.StatusInTransit, // In transit (see details)
	"AR": tracker.StatusInTransit, // Arrived at FedEx location
	"DP": tracker.StatusInTransit, // Departed
	"AF": tracker.StatusInTransit, // At local FedEx facility
	"FD": tracker.StatusInTransit, // At FedEx destination
	"OF": tracker.StatusInTransit, // At FedEx origin facility
	"AA": tracker.StatusInTransit, // At airport
	"AC": tracker.StatusInTransit, // At Canada Post facility
	"AX": tracker.StatusInTransit, // At USPS facility
	"OX": tracker.StatusInTransit, // Shipment information sent to USPS (SmartPost hand-off)
	"LO": tracker.StatusInTransit, // Left origin
	"PF": tracker.StatusInTransit, // Plane in flight
	"PL": tracker.StatusInTransit, // Plane landed
	"SF": tracker.StatusInTransit, // At sort facility
	"TR": tracker.StatusInTransit, // Transfer
	"TP": tracker.StatusInTransit, // Transfer partner
	"PM": tracker.StatusInTransit, // In progress
	"CH": tracker.StatusInTransit, // Location changed
	"SP": tracker.StatusInTransit, // Split status (multi-piece)
	"CC": tracker.StatusInTransit, // Cleared customs: on its way again

	// Customs.
	"CP": tracker.StatusCustoms, // Clearance in progress
	"CD": tracker.StatusCustoms, // Clearance delay

	// Last mile.
	"OD": tracker.StatusOutForDelivery, // On FedEx vehicle for delivery
	"ED": tracker.StatusOutForDelivery, // En route to delivery
	"AD": tracker.StatusOutForDelivery, // At delivery
	"DL": tracker.StatusDelivered,
	"DE": tracker.StatusAttemptFailed,      // Delivery exception: customer not available, business closed, …
	"HL": tracker.StatusAvailableForPickup, // Hold at location
	"HP": tracker.StatusAvailableForPickup, // Ready for recipient pickup

	// Trouble.
	"SE": tracker.StatusException, // Shipment exception
	"DY": tracker.StatusException, // Delay
	"DD": tracker.StatusException, // Delivery delay
	"PD": tracker.StatusException, // Pickup delay
	"CA": tracker.StatusException, // Shipment cancelled
	"RS": tracker.StatusReturned,  // Return to shipper
}

// eventStatus maps one scan. A scan with a code we do not know still means
// FedEx handled the parcel, so it counts as in transit.
func eventStatus(eventType, derived, delayType, text string) tracker.Status {
	s, ok := codes[strings.ToUpper(strings.TrimSpace(eventType))]
	if !ok {
		s, ok = codes[strings.ToUpper(strings.TrimSpace(derived))]
	}
	if !ok {
		s = tracker.StatusInTransit
	}
	return refine(s, delayType, text)
}

// latestStatus maps the shipment's latest status detail, falling back to the
// newest scan when FedEx sends a code we do not know.
func latestStatus(code, derived, delayType, text string, events []tracker.Event) tracker.Status {
	s, ok := codes[strings.ToUpper(strings.TrimSpace(code))]
	if !ok {
		s, ok = codes[strings.ToUpper(strings.TrimSpace(derived))]
	}
	if !ok {
		if len(events) == 0 {
			return tracker.StatusUnknown
		}
		s = events[0].Status
	}
	s = refine(s, delayType, text)
	// A parcel sent back is "delivered" again at the shipper's door: that
	// delivery ends a return, not the trip the user is waiting for.
	if s == tracker.StatusDelivered {
		for _, ev := range events[min(1, len(events)):] {
			if ev.Status == tracker.StatusReturned {
				return tracker.StatusReturned
			}
		}
	}
	return s
}

// refine turns exceptions and delays caused by customs into StatusCustoms.
func refine(s tracker.Status, delayType, text string) tracker.Status {
	if s != tracker.StatusException {
		return s
	}
	t := strings.ToLower(text)
	if strings.EqualFold(delayType, "CLEARANCE") || strings.Contains(t, "customs") || strings.Contains(t, "clearance") {
		return tracker.StatusCustoms
	}
	return s
}
