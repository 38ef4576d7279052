package ask

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// contractTopics is the `topic` field's list in the question-answering
// issue, written out here so a renamed or invented topic fails the test.
var contractTopics = []string{
	"find_tracking_number",
	"status:info_received", "status:in_transit", "status:out_for_delivery", "status:delivered",
	"status:attempt_failed", "status:available_for_pickup", "status:exception", "status:customs",
	"status:returned", "status:expired", "status:not_found", "status:unknown", "status:order_placed",
	"activation_delay", "not_updating", "late", "delivered_not_received", "damaged_or_wrong",
	"invalid_number", "amazon_vs_carrier", "track_without_login", "international", "change_address",
	"contact_support", "notifications", "delivery_preferences", "hub_locker", "my_packages",
	"bot_help", "unknown",
	// added by the issue "understand every question people actually type"
	"bot_help:add", "bot_help:stop", "bot_help:rename", "bot_help:carriers", "lost_parcel",
	"track_without_login:guest_checkout",
}

// TestTopicsAreTheContractsOnly: every topic the knowledge base can answer
// with, and every topic any question yields (the question set, small talk,
// noise, empty), is one of the contract's; and each contract topic is
// reachable from some question in the set.
func TestTopicsAreTheContractsOnly(t *testing.T) {
	for _, topic := range topics {
		if !slices.Contains(contractTopics, topic) {
			t.Errorf("knowledge-base topic %q is not in the contract", topic)
		}
	}
	for _, s := range tracker.Statuses {
		if !slices.Contains(contractTopics, "status:"+string(s)) {
			t.Errorf("status %s has no contract topic; update the list from the issue", s)
		}
	}
	questions := []string{"", "   ", "?!?", "hi", "thanks!", "tell me a joke", "asdf qwer zxcv",
		"📦📦📦", strings.Repeat("where is it ", 400), "<script>alert(1)</script>", "'; DROP TABLE chats;--",
		"WHERE IS MY PARCEL", "what does order placed mean", "shipping soon??"}
	covered := map[string]bool{}
	for _, q := range loadHeldOut(t, DefaultLang) {
		questions = append(questions, q.question)
		covered[q.topic] = true
	}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	parcels := []Parcel{{Carrier: "ups", Number: "1Z", Status: tracker.StatusInTransit}}
	for _, q := range questions {
		for _, ps := range [][]Parcel{nil, parcels} {
			got := Answer(q, ps, now)
			if !slices.Contains(contractTopics, got.Topic) {
				t.Errorf("Answer(%q) topic %q is not in the contract", tracker.Clip(q, 40), got.Topic)
			}
			if got.Lang != DefaultLang || got.Confidence <= 0 || got.Confidence > 1 {
				t.Errorf("Answer(%q) = %+v", tracker.Clip(q, 40), got)
			}
		}
	}
	for _, topic := range contractTopics {
		if !covered[topic] {
			t.Errorf("no held-out question is labelled %q", topic)
		}
	}
	// A topic named "parent:child" narrows one of the original topics.
	for _, topic := range Topics() {
		if parent, _, ok := strings.Cut(topic, ":"); ok && parent != "status" && !slices.Contains(contractTopics[:31], parent) {
			t.Errorf("topic %s: %s is not an original topic", topic, parent)
		}
	}
}
