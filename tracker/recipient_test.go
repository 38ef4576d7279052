package tracker

import "testing"

func TestNeedsRecipient(t *testing.T) {
	tests := map[string]struct {
		status Status
		text   string
		want   bool
	}{
		"duties to pay":          {StatusCustoms, "Held by customs: import duties of EUR 12 to pay", true},
		"address problem":        {StatusException, "Incorrect ADDRESS, contact us", true},
		"plain customs":          {StatusCustoms, "Customs clearance in progress", false},
		"duties paid":            {StatusCustoms, "Import duties paid, released", false},
		"weather":                {StatusException, "Weather delay", false},
		"delivered says pay":     {StatusDelivered, "Delivered, signature and pay on delivery", false},
		"attempt asks for an ID": {StatusAttemptFailed, "ID required, recipient not present", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := NeedsRecipient(tc.status, tc.text); got != tc.want {
				t.Errorf("NeedsRecipient(%s, %q) = %v, want %v", tc.status, tc.text, got, tc.want)
			}
		})
	}
}

// TestStatusesAreTheContracts: the status codes of the `trackbot status`
// contract, written out here rather than read from Statuses.
func TestStatusesAreTheContracts(t *testing.T) {
	codes := []string{"info_received", "in_transit", "out_for_delivery", "delivered", "attempt_failed",
		"available_for_pickup", "exception", "customs", "returned", "expired", "not_found", "unknown"}
	if len(codes) != len(Statuses) {
		t.Errorf("Statuses has %d codes, the contract %d", len(Statuses), len(codes))
	}
	for _, c := range codes {
		if !Status(c).Valid() {
			t.Errorf("contract status %q is not a valid Status", c)
		}
	}
}
