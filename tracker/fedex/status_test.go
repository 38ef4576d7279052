package fedex

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

func TestEventStatus(t *testing.T) {
	cases := []struct {
		eventType, derived, delay, text string
		want                            tracker.Status
	}{
		{"OC", "", "", "Shipment information sent to FedEx", tracker.StatusInfoReceived},
		{"PU", "PU", "", "Picked up", tracker.StatusInTransit},
		{"AR", "IT", "", "Arrived at FedEx location", tracker.StatusInTransit},
		{"DP", "IT", "", "Departed FedEx location", tracker.StatusInTransit},
		{"AF", "IT", "", "At local FedEx facility", tracker.StatusInTransit},
		{"FD", "IT", "", "At destination sort facility", tracker.StatusInTransit},
		{"OX", "IT", "", "Shipment information sent to USPS", tracker.StatusInTransit},
		{"CC", "IT", "", "International shipment release - Import", tracker.StatusInTransit},
		{"OD", "IT", "", "On FedEx vehicle for delivery", tracker.StatusOutForDelivery},
		{"DL", "DL", "", "Delivered", tracker.StatusDelivered},
		{"DE", "DE", "", "Delivery exception", tracker.StatusAttemptFailed},
		{"HL", "", "", "Hold at location", tracker.StatusAvailableForPickup},
		{"HP", "", "", "Ready for recipient pickup", tracker.StatusAvailableForPickup},
		{"CD", "IT", "", "Clearance delay", tracker.StatusCustoms},
		{"CP", "", "", "Clearance in progress", tracker.StatusCustoms},
		{"SE", "SE", "", "Shipment exception: Package damaged", tracker.StatusException},
		{"SE", "SE", "CLEARANCE", "Shipment exception", tracker.StatusCustoms},
		{"SE", "SE", "", "Shipment exception: Awaiting customs documents", tracker.StatusCustoms},
		{"DY", "", "WEATHER", "Delay", tracker.StatusException},
		{"DD", "", "", "Delivery delay", tracker.StatusException},
		{"CA", "", "", "Shipment cancelled by sender", tracker.StatusException},
		{"RS", "", "", "Returning package to shipper", tracker.StatusReturned},
		{" od ", "", "", "lower case, padded", tracker.StatusOutForDelivery},
		{"QQ", "DL", "", "unknown type, known derived code", tracker.StatusDelivered},
		{"QQ", "", "", "unknown scan still means it moved", tracker.StatusInTransit},
	}
	for _, tc := range cases {
		if got := eventStatus(tc.eventType, tc.derived, tc.delay, tc.text); got != tc.want {
			t.Errorf("eventStatus(%q, %q, %q, %q) = %s, want %s", tc.eventType, tc.derived, tc.delay, tc.text, got, tc.want)
		}
	}
}

func TestLatestStatus(t *testing.T) {
	now := time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)
	ev := func(s tracker.Status) tracker.Event { return tracker.Event{Time: now, Status: s} }
	cases := []struct {
		name          string
		code, derived string
		events        []tracker.Event
		want          tracker.Status
	}{
		{"code wins", "OD", "IT", nil, tracker.StatusOutForDelivery},
		{"derived when code is unknown", "XX", "DL", nil, tracker.StatusDelivered},
		{"newest scan when both unknown", "XX", "YY", []tracker.Event{ev(tracker.StatusCustoms)}, tracker.StatusCustoms},
		{"nothing usable", "", "", nil, tracker.StatusUnknown},
		{"delivered after a return is returned", "DL", "DL", []tracker.Event{ev(tracker.StatusDelivered), ev(tracker.StatusReturned)}, tracker.StatusReturned},
		{"plain delivery", "DL", "DL", []tracker.Event{ev(tracker.StatusDelivered), ev(tracker.StatusOutForDelivery)}, tracker.StatusDelivered},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := latestStatus(tc.code, tc.derived, "", "", tc.events); got != tc.want {
				t.Errorf("latestStatus = %s, want %s", got, tc.want)
			}
		})
	}
}

// Every mapped status must be one of the contract's.
func TestCodesAreValidStatuses(t *testing.T) {
	for code, s := range codes {
		if !s.Valid() {
			t.Errorf("%s maps to invalid status %q", code, s)
		}
	}
}

func TestParseReplyQuirks(t *testing.T) {
	cases := []struct {
		name       string
		body       string
		want       tracker.Status
		wantETA    string
		wantErr    bool
		wantEvents int
	}{
		{
			name: "alerts as a string and nothing else",
			body: `{"output":{"alerts":"TRACKING.DATA.NOTFOUND -  Tracking data unavailable"}}`,
			want: tracker.StatusNotFound,
		},
		{
			name: "alerts as objects",
			body: `{"output":{"alerts":[{"code":"TRACKING.DATA.NOTFOUND","alertType":"WARNING","message":"no data"}]}}`,
			want: tracker.StatusNotFound,
		},
		{
			name:    "request-level error envelope",
			body:    `{"transactionId":"t","errors":[{"code":"TRACKING.TRACKINGNUMBER.EMPTY","message":"Please provide tracking number."}]}`,
			wantErr: true,
		},
		{
			name:    "empty output",
			body:    `{"output":{}}`,
			wantErr: true,
		},
		{
			name: "single objects where arrays belong, time without offset",
			body: `{"output":{"completeTrackResults":{"trackingNumber":"N","trackResults":{
				"latestStatusDetail":{"code":"IT","description":"In transit"},
				"dateAndTimes":{"type":"ESTIMATED_DELIVERY","dateTime":"2026-05-06T00:00:00"},
				"scanEvents":{"date":"2026-05-04T08:00:00-07:00","eventType":"AR","eventDescription":"Arrived","scanLocation":{"city":"Reno","stateOrProvinceCode":"NV","countryCode":"US","residential":"false"}}}}}}`,
			want:       tracker.StatusInTransit,
			wantETA:    "2026-05-06T00:00:00-07:00", // the newest scan's offset
			wantEvents: 1,
		},
		{
			name: "data and an error object in one result: the data counts",
			body: `{"output":{"completeTrackResults":[{"trackingNumber":"N","trackResults":[
				{"error":{"code":"TRACKING.DATA.PARTIAL","message":"Some data unavailable"},
				 "latestStatusDetail":{"code":"DL","description":"Delivered"},
				 "scanEvents":[{"date":"2026-05-04T10:00:00Z","eventType":"DL","eventDescription":"Delivered"}]}]}]}}`,
			want:       tracker.StatusDelivered,
			wantEvents: 1,
		},
		{
			name: "reused number: the result without an error and the newest scan wins",
			body: `{"output":{"completeTrackResults":[{"trackingNumber":"N","trackResults":[
				{"latestStatusDetail":{"code":"DL"},"scanEvents":[{"date":"2025-01-01T10:00:00Z","eventType":"DL"}]},
				{"error":{"code":"SOME.ERROR","message":"x"}},
				{"latestStatusDetail":{"code":"OD"},"scanEvents":[{"date":"2026-05-04T10:00:00Z","eventType":"OD"}]}]}]}}`,
			want:       tracker.StatusOutForDelivery,
			wantEvents: 1,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := parseReply([]byte(tc.body), []string{"N"})
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %v", res)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 || res[0].Number != "N" || res[0].Status != tc.want {
				t.Fatalf("got %+v, want one %s result", res, tc.want)
			}
			if tc.wantETA != "" && res[0].ETA.Format(time.RFC3339) != tc.wantETA {
				t.Errorf("ETA = %s, want %s", res[0].ETA.Format(time.RFC3339), tc.wantETA)
			}
			if len(res[0].Events) != tc.wantEvents {
				t.Errorf("events = %d, want %d", len(res[0].Events), tc.wantEvents)
			}
		})
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add([]byte(`{"output":{"completeTrackResults":[{"trackingNumber":"1","trackResults":[{"latestStatusDetail":{"code":"DL"},"scanEvents":[{"date":"2026-01-01T00:00:00Z","eventType":"DL"}]}]}]}}`))
	f.Add([]byte(`{"output":{"alerts":"TRACKING.DATA.NOTFOUND - x"}}`))
	f.Add([]byte(`{"output":{"completeTrackResults":{"trackResults":{"error":{"code":1}}}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := parseReply(body, []string{"1", "2"})
		if err != nil {
			return
		}
		for _, r := range res {
			if !r.Status.Valid() {
				t.Fatalf("invalid status %q", r.Status)
			}
		}
	})
}

// TestETA: ESTIMATED_DELIVERY first, then the estimated window, then an
// appointment or the service commitment (Express shipments often carry only
// COMMITMENT). Times without an offset (the spec's own examples,
// "2019-05-07", "2021-10-01T08:00:00") are read in the parcel's zone.
func TestETA(t *testing.T) {
	zone := time.FixedZone("", -5*3600)
	tests := map[string]struct {
		body string
		want string // RFC 3339, "" for none
	}{
		"estimated delivery": {`{"dateAndTimes":[{"type":"SHIP","dateTime":"2026-03-01T00:00:00-06:00"},{"type":"ESTIMATED_DELIVERY","dateTime":"2026-03-05T00:00:00-05:00"}],
			"estimatedDeliveryTimeWindow":{"window":{"ends":"2026-03-06T20:00:00-05:00"}}}`, "2026-03-05T00:00:00-05:00"},
		"date-only estimate is the parcel's day": {`{"dateAndTimes":[{"type":"ESTIMATED_DELIVERY","dateTime":"2026-03-05"}]}`, "2026-03-05T00:00:00-05:00"},
		"window end":                             {`{"estimatedDeliveryTimeWindow":{"window":{"begins":"2026-03-05T10:00:00","ends":"2026-03-05T14:00:00"}}}`, "2026-03-05T14:00:00-05:00"},
		"window start only":                      {`{"estimatedDeliveryTimeWindow":{"window":{"begins":"2026-03-05T10:00:00-05:00"}}}`, "2026-03-05T10:00:00-05:00"},
		"appointment":                            {`{"dateAndTimes":[{"type":"APPOINTMENT_DELIVERY","dateTime":"2026-03-07T09:00:00-05:00"},{"type":"COMMITMENT","dateTime":"2026-03-06T10:30:00-05:00"}]}`, "2026-03-07T09:00:00-05:00"},
		"commitment":                             {`{"dateAndTimes":[{"type":"ACTUAL_PICKUP","dateTime":"2026-03-04T16:00:00-05:00"},{"type":"COMMITMENT","dateTime":"2026-03-06T10:30:00-05:00"}]}`, "2026-03-06T10:30:00-05:00"},
		"none":                                   {`{"dateAndTimes":[{"type":"SHIP","dateTime":"2026-03-01"}]}`, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var tr trackResult
			if err := json.Unmarshal([]byte(tc.body), &tr); err != nil {
				t.Fatal(err)
			}
			got := ""
			if e := eta(tr, zone); !e.IsZero() {
				got = e.Format(time.RFC3339)
			}
			if got != tc.want {
				t.Errorf("eta = %q, want %q", got, tc.want)
			}
		})
	}
}
