package ups

import (
	"strings"

	"github.com/trackbot/trackbot/tracker"
)

// statusByCode maps UPS's 3-digit status codes (Tracking status description
// codes appendix) to normalised statuses. The code is the most specific
// thing UPS says, so it wins over the activity type.
var statusByCode = map[string]tracker.Status{
	"003": tracker.StatusInfoReceived,       // Shipment Ready for UPS (label created)
	"005": tracker.StatusInTransit,          // On the Way
	"006": tracker.StatusOutForDelivery,     // Out for Delivery
	"007": tracker.StatusException,          // Shipment Information Voided
	"011": tracker.StatusDelivered,          // Delivered
	"012": tracker.StatusCustoms,            // Clearance in Progress
	"013": tracker.StatusException,          // Exception
	"017": tracker.StatusAvailableForPickup, // Held for Customer Pickup
	"021": tracker.StatusOutForDelivery,     // Out for Delivery
	"022": tracker.StatusAttemptFailed,      // First Attempt Made
	"024": tracker.StatusAttemptFailed,      // Final Attempt Made
	"034": tracker.StatusReturned,           // Returned to Sender
	"038": tracker.StatusInTransit,          // Picked Up by UPS
	"040": tracker.StatusAvailableForPickup, // Ready for Customer Pickup
	"046": tracker.StatusException,          // Delay
	"048": tracker.StatusException,          // Delay
	"060": tracker.StatusAttemptFailed,      // Delivery Attempted
	"064": tracker.StatusException,          // Delivery Refused
	"069": tracker.StatusException,          // Unable to Deliver
	"072": tracker.StatusOutForDelivery,     // Loaded on Delivery Vehicle
	"078": tracker.StatusOutForDelivery,     // Your Driver is Arriving Soon!
	"160": tracker.StatusInTransit,          // We Have Your Package
	"161": tracker.StatusAvailableForPickup, // Delivered to UPS Access Point
}

// statusByType maps activity status types, used when the code is missing
// or not in the table above.
var statusByType = map[string]tracker.Status{
	"M":  tracker.StatusInfoReceived, // Billing Information Received (manifest)
	"MV": tracker.StatusException,    // Billing Information Voided
	"P":  tracker.StatusInTransit,    // Pickup (older responses)
	"I":  tracker.StatusInTransit,    // In Transit, Out for Delivery
	"W":  tracker.StatusInTransit,    // Warehousing (freight)
	"DO": tracker.StatusInTransit,    // Delivered Origin CFS (freight): still at UPS
	"DD": tracker.StatusInTransit,    // Delivered Destination CFS (freight): still at UPS
	"D":  tracker.StatusDelivered,    // Delivered
	"X":  tracker.StatusException,    // Exception
}

// keywords refine broad types (I covers out for delivery, X covers
// attempts, returns and customs holds) from UPS's words, checked in order.
var keywords = []struct {
	words  []string // any of these, in the lower-cased description
	status tracker.Status
}{
	{[]string{"returned to sender", "return to sender", "returning to sender", "returned to the sender", "returned to shipper", "returning the package"}, tracker.StatusReturned},
	{[]string{"ready for pickup", "ready for customer pickup", "held for customer pickup", "delivered to ups access point", "available for pickup"}, tracker.StatusAvailableForPickup},
	{[]string{"out for delivery", "loaded on delivery vehicle", "driver is arriving"}, tracker.StatusOutForDelivery},
	{[]string{"attempt"}, tracker.StatusAttemptFailed},
	{[]string{"customs", "clearance", "brokerage"}, tracker.StatusCustoms},
	{[]string{"shipper created a label", "label created", "billing information received"}, tracker.StatusInfoReceived},
	{[]string{"delivered"}, tracker.StatusDelivered},
}

// classify maps one UPS status (type, 3-digit code, description) to a
// normalised status: code first, then the description for the broad types
// (and for unknown ones), then the type.
func classify(typ, code, desc string) tracker.Status {
	if s, ok := statusByCode[pad3(code)]; ok {
		return s
	}
	s, ok := statusByType[strings.ToUpper(strings.TrimSpace(typ))]
	// Type D covers "Delivered to UPS Access Point", where the parcel waits
	// for the receiver (code 161); without the code only the words tell.
	if s == tracker.StatusDelivered && strings.Contains(strings.ToLower(desc), "access point") &&
		!strings.Contains(strings.ToLower(desc), "picked up by") {
		return tracker.StatusAvailableForPickup
	}
	if !ok || s == tracker.StatusInTransit || s == tracker.StatusException {
		d := strings.ToLower(desc)
		for _, k := range keywords {
			for _, w := range k.words {
				if strings.Contains(d, w) {
					// An exception that merely mentions delivery is still an exception.
					if k.status == tracker.StatusDelivered && ok {
						continue
					}
					return k.status
				}
			}
		}
	}
	if ok {
		return s
	}
	return tracker.StatusUnknown
}

// pad3 normalises a status code to UPS's zero-padded three digits.
func pad3(code string) string {
	code = strings.TrimSpace(code)
	if code == "" || len(code) >= 3 {
		return code
	}
	return strings.Repeat("0", 3-len(code)) + code
}
