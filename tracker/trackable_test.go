package tracker

import (
	"strings"
	"testing"
)

func TestTrackableNumber(t *testing.T) {
	express := "123456789012"
	tests := map[string]struct{ carrier, number, want string }{
		"fedex 34-digit barcode": {"fedex", "1234567890123456789012" + express, express},
		"fedex ASTRA 32":         {"fedex", "3123456789012345" + express + "9876", express},
		"fedex 12 stays":         {"fedex", express, express},
		"fedex 96 ground stays":  {"fedex", "9612019012345671234567", "9612019012345671234567"},
		"other carrier stays":    {"usps", "9400100000000000000000" + express, "9400100000000000000000" + express},
		"letters stay":           {"fedex", "1Z345678901234567890123456789012", "1Z345678901234567890123456789012"},
	}
	for name, tc := range tests {
		if got := TrackableNumber(tc.carrier, tc.number); got != tc.want {
			t.Errorf("%s: TrackableNumber(%s, %s) = %s, want %s", name, tc.carrier, tc.number, got, tc.want)
		}
	}
	if u := TrackingURL("fedex", "1234567890123456789012"+express); !strings.HasSuffix(u, "="+express) {
		t.Errorf("FedEx page for a barcode should take the 12-digit number: %s", u)
	}
}
