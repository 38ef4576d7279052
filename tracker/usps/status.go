package usps

import (
	"strings"

	"github.com/trackbot/trackbot/tracker"
)

// phrases map USPS's words (event types and the item status, Pub 199
// Appendix G-4/G-5) to normalised statuses, checked in order: the first
// rule with any matching phrase wins, so the specific ("Available for
// Pickup", "Notice Left") come before the general ("Delivered", "Arrived").
// Words come first because USPS's texts are stable and say more than its
// codes; the code table catches terse or unfamiliar texts.
var phrases = []struct {
	words  []string
	status tracker.Status
}{
	{[]string{"return to sender", "returned to sender", "return to shipper", "to original sender", "returned to the sender"}, tracker.StatusReturned},
	{[]string{"out for delivery"}, tracker.StatusOutForDelivery},
	{[]string{"available for pickup", "ready for pickup", "held at post office", "held at the post office", "reminder to pick up", "pickup reminder"}, tracker.StatusAvailableForPickup},
	{[]string{"notice left", "delivery attempted", "attempted delivery", "no access to delivery location", "receptacle full", "no secure location", "redelivery scheduled", "schedule redelivery"}, tracker.StatusAttemptFailed},
	// Out of customs the parcel moves on; these come before plain "customs".
	{[]string{"out of customs", "clearance processing complete", "released from customs", "cleared customs"}, tracker.StatusInTransit},
	{[]string{"customs"}, tracker.StatusCustoms},
	{[]string{"delivered"}, tracker.StatusDelivered},
	{[]string{"label created", "pre-shipment", "awaiting item", "shipping label", "electronic shipping info"}, tracker.StatusInfoReceived},
	{[]string{"alert", "exception", "undeliverable", "insufficient address", "refused", "no such number", "addressee unknown", "vacant", "unclaimed", "moved, left no address", "forward expired", "damaged", "delayed", "arriving late", "missent", "missing"}, tracker.StatusException},
	{[]string{"accepted", "arrived", "departed", "in transit", "processed", "processing", "picked up", "forwarded", "moving through", "origin post", "usps in possession", "in possession", "en route", "awaiting delivery scan"}, tracker.StatusInTransit},
	{[]string{"tracking history is no longer available", "no longer available"}, tracker.StatusExpired},
}

// statusByEventCode maps the Pub 199 event codes we are sure of; used when
// the words say nothing we recognise.
var statusByEventCode = map[string]tracker.Status{
	"01": tracker.StatusDelivered,      // Delivered
	"02": tracker.StatusAttemptFailed,  // Notice Left (No Authorized Recipient Available)
	"03": tracker.StatusInTransit,      // Accepted / USPS in possession
	"04": tracker.StatusException,      // Refused
	"05": tracker.StatusException,      // Undeliverable as Addressed
	"07": tracker.StatusInTransit,      // Arrived at Post Office
	"09": tracker.StatusReturned,       // Return to Sender
	"10": tracker.StatusInTransit,      // Processed through facility
	"21": tracker.StatusException,      // No Such Number
	"22": tracker.StatusException,      // Insufficient Address
	"23": tracker.StatusException,      // Moved, Left No Address
	"24": tracker.StatusException,      // Forward Expired
	"25": tracker.StatusException,      // Addressee Unknown
	"26": tracker.StatusException,      // Vacant
	"27": tracker.StatusException,      // Unclaimed
	"28": tracker.StatusException,      // Deceased
	"52": tracker.StatusAttemptFailed,  // Notice Left (Receptacle Full / Item Oversized)
	"53": tracker.StatusAttemptFailed,  // Notice Left (Business Closed)
	"54": tracker.StatusAttemptFailed,  // Notice Left (Animal Interference)
	"55": tracker.StatusAttemptFailed,  // Notice Left (No Secure Location Available)
	"56": tracker.StatusAttemptFailed,  // Notice Left (No Access to Delivery Location)
	"A1": tracker.StatusInTransit,      // Arrived at USPS regional facility
	"L1": tracker.StatusInTransit,      // Departed USPS regional facility
	"T1": tracker.StatusInTransit,      // In transit
	"TL": tracker.StatusInTransit,      // In Transit to Next Facility
	"OF": tracker.StatusOutForDelivery, // Out for Delivery
	"GX": tracker.StatusInfoReceived,   // Shipping Label Created
}

// statusByCategory maps statusCategory, the item's coarse state, used for
// the overall status when neither the status text nor the latest event
// says anything we recognise.
var statusByCategory = map[string]tracker.Status{
	"pre-shipment":         tracker.StatusInfoReceived,
	"pre-transit":          tracker.StatusInfoReceived,
	"label created":        tracker.StatusInfoReceived,
	"accepted":             tracker.StatusInTransit,
	"in transit":           tracker.StatusInTransit,
	"in-transit":           tracker.StatusInTransit,
	"out for delivery":     tracker.StatusOutForDelivery,
	"delivered":            tracker.StatusDelivered,
	"delivery attempt":     tracker.StatusAttemptFailed,
	"available for pickup": tracker.StatusAvailableForPickup,
	"alert":                tracker.StatusException,
	"return to sender":     tracker.StatusReturned,
	"returned":             tracker.StatusReturned,
}

// classify maps an event (code and words) to a normalised status.
func classify(code, text string) tracker.Status {
	t := strings.ToLower(cleanText(text))
	if t != "" {
		for _, p := range phrases {
			for _, w := range p.words {
				if strings.Contains(t, w) {
					return p.status
				}
			}
		}
	}
	if s, ok := statusByEventCode[strings.ToUpper(strings.TrimSpace(code))]; ok {
		return s
	}
	return tracker.StatusUnknown
}

func categoryStatus(cat string) tracker.Status {
	if s, ok := statusByCategory[strings.ToLower(strings.TrimSpace(cat))]; ok {
		return s
	}
	return tracker.StatusUnknown
}
