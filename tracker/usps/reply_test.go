package usps

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		code, text string
		want       tracker.Status
	}{
		{"GX", "Shipping Label Created, USPS Awaiting Item", tracker.StatusInfoReceived},
		{"MA", "Pre-Shipment Info Sent to USPS, USPS Awaiting Item", tracker.StatusInfoReceived},
		{"03", "USPS in possession of item", tracker.StatusInTransit},
		{"OA", "Accepted at USPS Origin Facility", tracker.StatusInTransit},
		{"10", "Arrived at USPS Regional Facility", tracker.StatusInTransit},
		{"TL", "In Transit to Next Facility", tracker.StatusInTransit},
		{"07", "Arrived at Post Office", tracker.StatusInTransit},
		{"", "Picked Up by Shipping Partner, USPS Awaiting Item", tracker.StatusInfoReceived},
		{"OF", "Out for Delivery", tracker.StatusOutForDelivery},
		{"01", "Delivered, In/At Mailbox", tracker.StatusDelivered},
		{"01", "Delivered, Parcel Locker", tracker.StatusDelivered},
		{"01", "Delivered, Individual Picked Up at Postal Facility", tracker.StatusDelivered},
		{"01", "Delivered, To Original Sender", tracker.StatusReturned},
		{"02", "Notice Left (No Authorized Recipient Available)", tracker.StatusAttemptFailed},
		{"53", "Notice Left (Business Closed)", tracker.StatusAttemptFailed},
		{"", "Delivery Attempted - No Access to Delivery Location", tracker.StatusAttemptFailed},
		{"55", "", tracker.StatusAttemptFailed},
		{"", "Available for Pickup", tracker.StatusAvailableForPickup},
		{"", "Available for Pickup, Parcel Locker", tracker.StatusAvailableForPickup},
		{"", "Held at Post Office, At Customer Request", tracker.StatusAvailableForPickup},
		{"", "Reminder to pick up your item", tracker.StatusAvailableForPickup},
		{"", "Reminder to Schedule Redelivery of your item", tracker.StatusAttemptFailed},
		{"", "Inbound Into Customs", tracker.StatusCustoms},
		{"", "Customs Clearance", tracker.StatusCustoms},
		// Released by customs: moving again, as DHL's "clearance processing
		// complete" and 17TRACK's InTransit_CustomsReleased.
		{"", "Customs Clearance Processing Complete", tracker.StatusInTransit},
		{"", "Inbound Out of Customs", tracker.StatusInTransit},
		{"", "Released from Customs", tracker.StatusInTransit},
		{"", "Held in Customs", tracker.StatusCustoms},
		{"09", "Return to Sender Processed", tracker.StatusReturned},
		{"", "Returned to Sender: Unclaimed", tracker.StatusReturned},
		{"22", "Insufficient Address", tracker.StatusException},
		{"04", "Refused", tracker.StatusException},
		{"", "Alert: Delivery Exception, Animal Interference", tracker.StatusException},
		{"", "In Transit, Arriving Late", tracker.StatusException},
		{"", "Processing Exception, Damaged", tracker.StatusException},
		{"", "Tracking history is no longer available", tracker.StatusExpired},
		{"01", "Scan 7Q", tracker.StatusDelivered}, // unfamiliar words: the code decides
		{"ZZ", "Scan 7Q", tracker.StatusUnknown},
		{"", "", tracker.StatusUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.code+"/"+tc.text, func(t *testing.T) {
			if got := classify(tc.code, tc.text); got != tc.want {
				t.Errorf("classify(%q, %q) = %s, want %s", tc.code, tc.text, got, tc.want)
			}
		})
	}
}

func TestCategoryStatus(t *testing.T) {
	tests := map[string]tracker.Status{
		"Pre-Shipment": tracker.StatusInfoReceived, "Accepted": tracker.StatusInTransit, "In Transit": tracker.StatusInTransit,
		"Out for Delivery": tracker.StatusOutForDelivery, "Delivered": tracker.StatusDelivered, "Delivery Attempt": tracker.StatusAttemptFailed,
		"Available for Pickup": tracker.StatusAvailableForPickup, "Alert": tracker.StatusException, "Return to Sender": tracker.StatusReturned,
		" delivered ": tracker.StatusDelivered, "Something New": tracker.StatusUnknown,
	}
	for in, want := range tests {
		if got := categoryStatus(in); got != want {
			t.Errorf("categoryStatus(%q) = %s, want %s", in, got, want)
		}
	}
	for code, s := range statusByEventCode {
		if !s.Valid() {
			t.Errorf("statusByEventCode[%q] = %q", code, s)
		}
	}
}

func TestEventTime(t *testing.T) {
	tests := map[string]struct {
		e    event
		want string
	}{
		"gmt and offset":             {event{EventTimestamp: "2026-03-22T13:58:00", GMTTimestamp: "2026-03-22T18:58:40Z", GMTOffset: "-05:00"}, "2026-03-22T13:58:40-05:00"},
		"unpadded offset":            {event{EventTimestamp: "2026-03-22T10:58:00", GMTOffset: "-7:00"}, "2026-03-22T10:58:00-07:00"},
		"local with a misleading Z":  {event{EventTimestamp: "2026-03-22T13:58:00Z", GMTOffset: "-05:00"}, "2026-03-22T13:58:00-05:00"},
		"zone from the two clocks":   {event{EventTimestamp: "2026-03-22T13:58:00", GMTTimestamp: "2026-03-22T18:58:40Z"}, "2026-03-22T13:58:40-05:00"},
		"gmt only":                   {event{GMTTimestamp: "2026-03-22T18:58:40.041Z"}, "2026-03-22T18:58:40Z"},
		"local only is UTC":          {event{EventTimestamp: "2026-03-22T13:58:00"}, "2026-03-22T13:58:00Z"},
		"time only and nothing else": {event{EventTimestamp: "13:58"}, ""},
		"time only with gmt":         {event{EventTimestamp: "13:58", GMTTimestamp: "2026-03-22T18:58:00Z", GMTOffset: "-05:00"}, "2026-03-22T13:58:00-05:00"},
		"nothing":                    {event{}, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := eventTime(tc.e)
			s := ""
			if !got.IsZero() {
				s = got.Format(time.RFC3339)
			}
			if s != tc.want {
				t.Errorf("eventTime = %q, want %q", s, tc.want)
			}
		})
	}
}

func TestMailClass(t *testing.T) {
	tests := map[string]string{
		"USPS Ground Advantage<SUP>&#153;</SUP>": "USPS Ground Advantage",
		"Priority Mail Express<SUP>&#174;</SUP>": "Priority Mail Express",
		"Priority Mail<SUP>&reg;</SUP> 2-Day":    "Priority Mail 2-Day",
		"PRIORITY_MAIL_EXPRESS":                  "Priority Mail Express",
		"FIRST-CLASS_MAIL":                       "First-class Mail",
		"  Media Mail  ":                         "Media Mail",
		"":                                       "",
	}
	for in, want := range tests {
		if got := mailClass(in); got != want {
			t.Errorf("mailClass(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseReplyQuirks(t *testing.T) {
	tests := map[string]struct {
		body       string
		wantStatus tracker.Status
		wantEvents int
		wantErr    bool
	}{
		"one event as an object, booleans as strings": {
			body:       `{"trackingNumber":"N","emailEnabled":"true","status":"Delivered, Front Door/Porch","statusCategory":"Delivered","trackingEvents":{"eventType":"Delivered, Front Door/Porch","eventCode":"01","authorizedAgent":"false"}}`,
			wantStatus: tracker.StatusDelivered, wantEvents: 1,
		},
		"nulls everywhere": {
			body:       `{"trackingNumber":"N","status":null,"statusCategory":"In Transit","mailClass":null,"trackingEvents":[{"eventType":null,"eventCity":null,"eventCode":null}]}`,
			wantStatus: tracker.StatusInTransit, wantEvents: 1,
		},
		"summary without details": {body: `{"trackingNumber":"N","eventSummaries":[]}`, wantStatus: tracker.StatusNotFound},
		"error in a 200": {
			body:       `{"apiVersion":"/tracking/v3","error":{"code":"404","message":"","errors":[{"code":"150006","detail":"A status update is not yet available"}]}}`,
			wantStatus: tracker.StatusNotFound,
		},
		"placeholder status, the summary says delivered": {
			body:       `{"trackingNumber":"N","status":"-","statusCategory":"-","statusSummary":"Your item was delivered at 12:07 pm on May 4, 2026 in RENO, NV 89501."}`,
			wantStatus: tracker.StatusDelivered,
		},
		"placeholder codes on events, the summary says in transit": {
			body:       `{"trackingNumber":"N","status":"Status Not Available","statusCategory":"N/A","statusSummary":"Your item arrived at our RENO, NV 89501 destination facility on May 4, 2026.","trackingEvents":[{"eventType":"--","eventCode":"00"}]}`,
			wantStatus: tracker.StatusInTransit, wantEvents: 1,
		},
		"other error in a 200": {body: `{"error":{"code":"400","message":"Bad Request"}}`, wantErr: true},
		"empty object":         {body: `{}`, wantErr: true},
		"array":                {body: `[]`, wantErr: true},
		"not JSON":             {body: `<html>`, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseReply("N", []byte(tc.body))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err == nil && (got.Status != tc.wantStatus || len(got.Events) != tc.wantEvents) {
				t.Errorf("got %s with %d events", got.Status, len(got.Events))
			}
		})
	}
}

func TestNotFoundReply(t *testing.T) {
	tests := map[string]struct {
		status int
		body   string
		want   bool
	}{
		"150006":                    {404, `{"error":{"code":"404","errors":[{"code":"150006","detail":"A status update is not yet available"}]}}`, true},
		"other 404 in the envelope": {404, `{"error":{"code":"404","errors":[{"detail":"Tracking is not available for this item."}]}}`, true},
		"404 page from a proxy":     {404, `<html>not found</html>`, false},
		"400 bad request":           {400, `{"error":{"code":"400","message":"Bad Request"}}`, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, got := notFoundReply(tc.status, []byte(tc.body)); got != tc.want {
				t.Errorf("notFoundReply = %v, want %v", got, tc.want)
			}
		})
	}
}

var sampleReply = func() []byte {
	var evs []map[string]any
	for i := range 20 {
		evs = append(evs, map[string]any{
			"eventType": "Arrived at USPS Regional Facility", "eventTimestamp": "2026-03-2" + string(rune('0'+i%9)) + "T13:58:00",
			"GMTTimestamp": "2026-03-22T18:58:40Z", "GMTOffset": "-05:00", "eventCountry": nil, "eventCity": "ORLANDO",
			"eventState": "FL", "eventZIP": "32862", "authorizedAgent": "false", "eventCode": "10",
		})
	}
	b, _ := json.Marshal(map[string]any{
		"trackingNumber": "N", "status": "Arrived at USPS Regional Facility", "statusCategory": "In Transit",
		"mailClass": "USPS Ground Advantage<SUP>&#153;</SUP>", "emailEnabled": "true",
		"expectedDeliveryTimeStamp": "2026-03-25T00:00:00", "trackingEvents": evs,
	})
	return b
}()

func BenchmarkParseReply(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(sampleReply)))
	for b.Loop() {
		if _, err := parseReply("N", sampleReply); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add(sampleReply)
	f.Add([]byte(`{"trackingEvents":{"eventTimestamp":"9999-99-99T99:99:99","GMTOffset":"-99:99"}}`))
	f.Add([]byte(`{"error":{"errors":{"code":"150006"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := parseReply("N", body)
		if err == nil && !res.Status.Valid() {
			t.Errorf("invalid status %q", res.Status)
		}
		notFoundReply(404, body)
	})
}
