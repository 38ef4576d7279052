package dhl

import (
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		code, text string
		want       tracker.Status
	}{
		// statusCode alone.
		{"pre-transit", "The instruction data for this shipment have been provided by the sender", tracker.StatusInfoReceived},
		{"transit", "The shipment has been processed in the parcel center", tracker.StatusInTransit},
		{"delivered", "The shipment has been delivered to the recipient", tracker.StatusDelivered},
		{"failure", "Shipment on hold", tracker.StatusException},
		{"TRANSIT", "upper-case code", tracker.StatusInTransit},
		// Words refine transit and failure.
		{"transit", "Shipment is out with courier for delivery", tracker.StatusOutForDelivery},
		{"transit", "The shipment has been loaded onto the delivery vehicle", tracker.StatusOutForDelivery},
		{"failure", "Delivery attempted; recipient not home", tracker.StatusAttemptFailed},
		{"failure", "The shipment could not be delivered", tracker.StatusAttemptFailed},
		{"transit", "The shipment is ready for pick-up at the PACKSTATION", tracker.StatusAvailableForPickup},
		{"transit", "Delivered to a DHL ServicePoint, ready for collection", tracker.StatusAvailableForPickup},
		{"transit", "Customs clearance status updated", tracker.StatusCustoms},
		{"failure", "Clearance event: awaiting payment of import duties", tracker.StatusCustoms},
		{"transit", "Clearance processing complete at LEIPZIG - GERMANY", tracker.StatusInTransit},
		{"transit", "The shipment is being returned to the sender", tracker.StatusReturned},
		{"failure", "Returned to shipper", tracker.StatusReturned},
		// Delivered stays delivered unless it is the return's delivery.
		{"delivered", "Picked up from the PACKSTATION by the recipient", tracker.StatusDelivered},
		{"delivered", "Returned to sender: delivered", tracker.StatusReturned},
		// Left at a service point for the recipient to collect: waiting, not delivered.
		{"delivered", "Delivered to the DHL ServicePoint, ready for pick-up by the recipient", tracker.StatusAvailableForPickup},
		{"delivered", "The shipment has been delivered to the parcel locker and can be picked up", tracker.StatusAvailableForPickup},
		{"delivered", "Collected by the recipient from the DHL ServicePoint", tracker.StatusDelivered},
		// Pre-transit drop-off at a service point is not a pickup for the recipient.
		{"pre-transit", "The shipment has been posted by the sender at the Packstation", tracker.StatusInfoReceived},
		// Express events without statusCode: words only.
		{"", "Shipment picked up", tracker.StatusInTransit},
		{"", "Processed at LEIPZIG - GERMANY", tracker.StatusInTransit},
		{"", "Arrived at DHL Sort Facility", tracker.StatusInTransit},
		{"", "Delivered", tracker.StatusDelivered},
		{"", "Shipment not delivered", tracker.StatusAttemptFailed},
		{"", "Shipment information received", tracker.StatusInfoReceived},
		{"", "Scheduled delivery delayed by weather", tracker.StatusException},
		{"", "Recipient refused delivery", tracker.StatusException},
		{"", "Something DHL has never said", tracker.StatusUnknown},
		{"unknown", "", tracker.StatusUnknown},
	}
	for _, tc := range cases {
		if got := classify(tc.code, tc.text); got != tc.want {
			t.Errorf("classify(%q, %q) = %s, want %s", tc.code, tc.text, got, tc.want)
		}
	}
}

func TestShipmentStatusFallsBackToEvents(t *testing.T) {
	now := time.Now()
	events := []tracker.Event{{Time: now, Status: tracker.StatusCustoms}}
	if got := shipmentStatus("unknown", "", events); got != tracker.StatusCustoms {
		t.Errorf("got %s, want customs from the newest event", got)
	}
	if got := eventStatus("", "Something DHL has never said"); got != tracker.StatusInTransit {
		t.Errorf("an unreadable event = %s, want in_transit", got)
	}
}

func TestParseReplyQuirks(t *testing.T) {
	cases := []struct {
		name     string
		number   string
		body     string
		want     tracker.Status
		wantText string
		wantErr  bool
	}{
		{"no shipments", "N", `{"shipments":[]}`, tracker.StatusNotFound, "", false},
		{"numeric id, one shipment as an object", "1234567891", `{"shipments":{"id":1234567891,"status":{"statusCode":"delivered","description":"Delivered"}}}`, tracker.StatusDelivered, "Delivered", false},
		{"status missing: newest event", "N", `{"shipments":[{"id":"N","events":[{"timestamp":"2026-01-02T03:04:05","description":"Shipment is out with courier for delivery"}]}]}`, tracker.StatusOutForDelivery, "Shipment is out with courier for delivery", false},
		{"several services: ours wins", "N", `{"shipments":[{"id":"OTHER","status":{"statusCode":"delivered"}},{"id":"N","status":{"statusCode":"transit","status":"In transit"}}]}`, tracker.StatusInTransit, "In transit", false},
		{"not JSON", "N", `<html>`, "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseReply([]byte(tc.body), tc.number)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %+v", r)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tc.want || r.StatusText != tc.wantText {
				t.Errorf("got %s %q, want %s %q", r.Status, r.StatusText, tc.want, tc.wantText)
			}
		})
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add([]byte(`{"shipments":[{"id":"1","status":{"statusCode":"transit"},"events":[{"timestamp":"2026-01-01T00:00:00","description":"x"}]}]}`))
	f.Add([]byte(`{"shipments":{"id":5,"events":{"timestamp":7}}}`))
	f.Add([]byte(`{"title":"No result found","status":404}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseReply(body, "1")
		if err == nil && !r.Status.Valid() {
			t.Fatalf("invalid status %q", r.Status)
		}
		_ = problemDetail(body)
	})
}

// TestEventOrder: DHL lists events newest first. Times without an offset are
// local wall clocks in different zones, so sorting them as if they shared a
// zone can put an older scan on top (Leipzig 23:00 CET is before New York
// 18:00 EST the same day); only zoned times are re-sorted.
func TestEventOrder(t *testing.T) {
	cases := []struct {
		name   string
		events string
		want   []string // descriptions, newest first
	}{
		{"local times keep DHL's order",
			`{"timestamp":"2026-03-02T18:00:00","description":"Arrived at DHL Sort Facility NEW YORK"},
			 {"timestamp":"2026-03-02T23:00:00","description":"Departed Facility in LEIPZIG - GERMANY"},
			 {"timestamp":"2026-03-02T09:00:00","description":"Shipment picked up"}`,
			[]string{"Arrived at DHL Sort Facility NEW YORK", "Departed Facility in LEIPZIG - GERMANY", "Shipment picked up"}},
		{"zoned times are sorted",
			`{"timestamp":"2026-03-02T23:00:00+01:00","description":"Departed Facility in LEIPZIG - GERMANY"},
			 {"timestamp":"2026-03-02T18:00:00-05:00","description":"Arrived at DHL Sort Facility NEW YORK"}`,
			[]string{"Arrived at DHL Sort Facility NEW YORK", "Departed Facility in LEIPZIG - GERMANY"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"shipments":[{"id":"N","service":"express","status":{"statusCode":"transit","description":"Arrived at DHL Sort Facility NEW YORK"},"events":[` + tc.events + `]}]}`
			r, err := parseReply([]byte(body), "N")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range r.Events {
				got = append(got, e.Description)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("events %q, want %q", got, tc.want)
			}
		})
	}
}
