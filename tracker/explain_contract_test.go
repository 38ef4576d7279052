package tracker

import (
	"strings"
	"testing"
)

// TestExplainEveryContractStage: the status codes of the `trackbot status`
// contract, written out here rather than read from Statuses, plus the
// order-side stages, each have their own explanation saying what happens
// next.
func TestExplainEveryContractStage(t *testing.T) {
	codes := []string{"info_received", "in_transit", "out_for_delivery", "delivered", "attempt_failed",
		"available_for_pickup", "exception", "customs", "returned", "expired", "not_found", "unknown"}
	if len(codes) != len(Statuses) {
		t.Errorf("Statuses has %d codes, the contract %d", len(Statuses), len(codes))
	}
	seen := map[string]string{}
	for _, c := range append(codes, StageOrderPlaced, StageShippingSoon) {
		if c != StageOrderPlaced && c != StageShippingSoon && !Status(c).Valid() {
			t.Errorf("contract status %q is not a valid Status", c)
		}
		text := ExplainStage(c)
		if len(strings.Fields(text)) < 12 {
			t.Errorf("%s: explanation too thin: %q", c, text)
		}
		if other, dup := seen[text]; dup {
			t.Errorf("%s and %s share one explanation", c, other)
		}
		seen[text] = c
		if next := Status(c).NextStep(); c != StageOrderPlaced && c != StageShippingSoon && strings.TrimSpace(next) == "" {
			t.Errorf("%s: no next step", c)
		}
	}
	if StageOrderPlaced != "order_placed" {
		t.Errorf("StageOrderPlaced = %q, the topic is status:order_placed", StageOrderPlaced)
	}
}
