package ups

import (
	"testing"

	"github.com/trackbot/trackbot/tracker"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		typ, code, desc string
		want            tracker.Status
	}{
		{"M", "003", "Shipper created a label, UPS has not received the package yet.", tracker.StatusInfoReceived},
		{"M", "", "Billing Information Received", tracker.StatusInfoReceived},
		{"MV", "007", "Shipment information voided", tracker.StatusException},
		{"P", "038", "Pickup Scan", tracker.StatusInTransit},
		{"I", "005", "Arrived at Facility", tracker.StatusInTransit},
		{"I", "160", "We Have Your Package", tracker.StatusInTransit},
		{"I", "021", "Out For Delivery Today", tracker.StatusOutForDelivery},
		{"I", "72", "Loaded on Delivery Vehicle", tracker.StatusOutForDelivery}, // unpadded code
		{"I", "078", "Your Driver is Arriving Soon!", tracker.StatusOutForDelivery},
		{"I", "", "Out For Delivery Today", tracker.StatusOutForDelivery}, // no code: words refine type I
		{"X", "022", "The receiver was not available for delivery.", tracker.StatusAttemptFailed},
		{"X", "024", "Final attempt made", tracker.StatusAttemptFailed},
		{"X", "060", "Delivery attempted", tracker.StatusAttemptFailed},
		{"X", "", "We attempted delivery but no one was home", tracker.StatusAttemptFailed},
		{"X", "017", "Held for customer pickup", tracker.StatusAvailableForPickup},
		{"I", "040", "Ready for customer pickup", tracker.StatusAvailableForPickup},
		{"D", "161", "Delivered to UPS Access Point™", tracker.StatusAvailableForPickup},                            // code beats type D
		{"D", "", "Delivered to UPS Access Point™. The receiver can pick it up.", tracker.StatusAvailableForPickup}, // no code: words beat type D
		{"D", "", "DELIVERED ", tracker.StatusDelivered},
		{"I", "012", "Clearance in Progress", tracker.StatusCustoms},
		{"X", "", "Your package is being held for customs clearance", tracker.StatusCustoms},
		{"X", "034", "Returned to Sender", tracker.StatusReturned},
		{"I", "", "The package is being returned to the sender", tracker.StatusReturned},
		{"X", "013", "Exception", tracker.StatusException},
		{"X", "046", "Delay: weather", tracker.StatusException},
		{"X", "048", "Delay", tracker.StatusException},
		{"X", "064", "The receiver refused the delivery", tracker.StatusException},
		{"X", "069", "Unable to deliver", tracker.StatusException},
		{"X", "", "Damage reported; delivered items will be inspected", tracker.StatusException}, // words "delivered" do not make X delivered
		{"D", "011", "DELIVERED ", tracker.StatusDelivered},
		{"D", "", "Delivered", tracker.StatusDelivered},
		{"I", "", "Delivered to local post office for final delivery", tracker.StatusInTransit}, // SurePost hand-off
		{"DD", "", "Delivered destination CFS", tracker.StatusInTransit},
		{"W", "", "Warehouse scan", tracker.StatusInTransit},
		{"", "", "Delivered", tracker.StatusDelivered}, // no type: words only
		{"NA", "000", "Status Not Available", tracker.StatusUnknown},
		{"", "", "", tracker.StatusUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.typ+"/"+tc.code+"/"+tc.desc, func(t *testing.T) {
			if got := classify(tc.typ, tc.code, tc.desc); got != tc.want {
				t.Errorf("classify(%q, %q, %q) = %s, want %s", tc.typ, tc.code, tc.desc, got, tc.want)
			}
		})
	}
}

func TestStatusTablesUseContractStatuses(t *testing.T) {
	for code, s := range statusByCode {
		if !s.Valid() || len(code) != 3 {
			t.Errorf("statusByCode[%q] = %q", code, s)
		}
	}
	for typ, s := range statusByType {
		if !s.Valid() {
			t.Errorf("statusByType[%q] = %q", typ, s)
		}
	}
}
