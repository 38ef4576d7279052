package ups

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

func TestActivityTime(t *testing.T) {
	tests := map[string]struct {
		a    activity
		want string // RFC 3339, "" for the zero time
	}{
		"local with offset":        {activity{Date: "20260126", Time: "163000", GMTOffset: "-05:00"}, "2026-01-26T16:30:00-05:00"},
		"short offset":             {activity{Date: "20260126", Time: "163000", GMTOffset: "-7:00"}, "2026-01-26T16:30:00-07:00"},
		"offset wins over gmt":     {activity{Date: "20260126", Time: "163000", GMTDate: "20260126", GMTTime: "213000", GMTOffset: "-05:00"}, "2026-01-26T16:30:00-05:00"},
		"zone from gmt":            {activity{Date: "20260126", Time: "024700", GMTDate: "20260126", GMTTime: "74700"}, "2026-01-26T02:47:00-05:00"},
		"zone from gmt across day": {activity{Date: "20260126", Time: "230000", GMTDate: "20260127", GMTTime: "40000"}, "2026-01-26T23:00:00-05:00"},
		"gmt only":                 {activity{GMTDate: "20260126", GMTTime: "74700"}, "2026-01-26T07:47:00Z"},
		"gmt with offset only":     {activity{GMTDate: "20260126", GMTTime: "74700", GMTOffset: "+01:00"}, "2026-01-26T08:47:00+01:00"},
		"local only is UTC":        {activity{Date: "20260126", Time: "163000"}, "2026-01-26T16:30:00Z"},
		"no time is midnight":      {activity{Date: "20260126", GMTOffset: "-06:00"}, "2026-01-26T00:00:00-06:00"},
		"garbage":                  {activity{Date: "2026-13-45", Time: "999999"}, ""},
		"nothing":                  {activity{}, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := activityTime(tc.a)
			s := ""
			if !got.IsZero() {
				s = got.Format(time.RFC3339)
			}
			if s != tc.want {
				t.Errorf("activityTime = %q, want %q", s, tc.want)
			}
		})
	}
}

func TestETA(t *testing.T) {
	zone := time.FixedZone("", -5*3600)
	dd := func(pairs ...string) carrierhttp.List[deliveryDate] {
		var l carrierhttp.List[deliveryDate]
		for i := 0; i+1 < len(pairs); i += 2 {
			l = append(l, deliveryDate{Type: carrierhttp.String(pairs[i]), Date: carrierhttp.String(pairs[i+1])})
		}
		return l
	}
	tests := map[string]struct {
		p    pkg
		want string
	}{
		"scheduled":              {pkg{DeliveryDate: dd("SDD", "20260305")}, "2026-03-05T00:00:00-05:00"},
		"rescheduled wins":       {pkg{DeliveryDate: dd("SDD", "20260305", "RDD", "20260306")}, "2026-03-06T00:00:00-05:00"},
		"commit time":            {pkg{DeliveryDate: dd("SDD", "20260305"), DeliveryTime: &deliveryTime{Type: "CMT", EndTime: "103000"}}, "2026-03-05T10:30:00-05:00"},
		"window end":             {pkg{DeliveryDate: dd("SDD", "20260305"), DeliveryTime: &deliveryTime{Type: "EDW", EndTime: "190000"}}, "2026-03-05T19:00:00-05:00"},
		"end of day is the date": {pkg{DeliveryDate: dd("SDD", "20260305"), DeliveryTime: &deliveryTime{Type: "EOD"}}, "2026-03-05T00:00:00-05:00"},
		"delivered date no ETA":  {pkg{DeliveryDate: dd("DEL", "20260305")}, ""},
		"bad date":               {pkg{DeliveryDate: dd("SDD", "soon")}, ""},
		"none":                   {pkg{}, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := eta(tc.p, zone)
			s := ""
			if !got.IsZero() {
				s = got.Format(time.RFC3339)
			}
			if s != tc.want {
				t.Errorf("eta = %q, want %q", s, tc.want)
			}
		})
	}
}

// TestParseReplyQuirks feeds shapes seen in the wild: single objects where
// the spec has arrays, strings for arrays, missing objects.
func TestParseReplyQuirks(t *testing.T) {
	tests := map[string]struct {
		body       string
		wantStatus tracker.Status
		wantEvents int
		wantErr    bool
	}{
		"package as an object, userRelation as a string": {
			body:       `{"trackResponse":{"shipment":{"inquiryNumber":"N","userRelation":"","package":{"trackingNumber":"N","activity":{"status":{"type":"D","statusCode":"011","description":"DELIVERED "},"date":"20260126","time":"163000"}}}}}`,
			wantStatus: tracker.StatusDelivered, wantEvents: 1,
		},
		"activity without status or location": {
			body:       `{"trackResponse":{"shipment":[{"package":[{"activity":[{"date":"20260126"}],"currentStatus":{"type":"I","statusCode":"005","description":"On the Way"}}]}]}}`,
			wantStatus: tracker.StatusInTransit, wantEvents: 1,
		},
		"package without activity or status": {
			body:       `{"trackResponse":{"shipment":[{"package":[{"trackingNumber":"N"}]}]}}`,
			wantStatus: tracker.StatusUnknown,
		},
		"package-level status only": {
			body:       `{"trackResponse":{"shipment":[{"package":[{"statusCode":"003","statusDescription":"Shipment Ready for UPS"}]}]}}`,
			wantStatus: tracker.StatusInfoReceived,
		},
		"numbers where strings are expected": {
			body:       `{"trackResponse":{"shipment":[{"package":[{"activity":[{"status":{"type":"I","statusCode":21},"date":20260126,"time":74700,"gmtOffset":"-05:00"}]}]}]}}`,
			wantStatus: tracker.StatusOutForDelivery, wantEvents: 1,
		},
		"not found in an error envelope with 200": {
			body:       `{"response":{"errors":[{"code":"TV1002","message":"Invalid inquiry number"}]}}`,
			wantStatus: tracker.StatusNotFound,
		},
		"other error envelope with 200": {body: `{"response":{"errors":[{"code":"10001","message":"Invalid request"}]}}`, wantErr: true},
		"empty object":                  {body: `{}`, wantErr: true},
		"empty shipment list":           {body: `{"trackResponse":{"shipment":[]}}`, wantErr: true},
		"not JSON":                      {body: `<html>502 Bad Gateway</html>`, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseReply("N", []byte(tc.body))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if got.Status != tc.wantStatus || len(got.Events) != tc.wantEvents || got.Number != "N" || got.Carrier != "ups" {
				t.Errorf("got %s with %d events (%+v)", got.Status, len(got.Events), got)
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
		"TV1002 as 400":         {400, `{"response":{"errors":[{"code":"TV1002","message":"Invalid inquiry number"}]}}`, true},
		"documented 404":        {404, `{"response":{"errors":[{"code":"151044","message":"Tracking number information not found"}]}}`, true},
		"404 page from a proxy": {404, `<html>Not Found</html>`, false},
		"other 400":             {400, `{"response":{"errors":[{"code":"10001","message":"Invalid request"}]}}`, false},
		"429":                   {429, `{"response":{"errors":[{"code":"10429","message":"Too Many Requests"}]}}`, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if _, got := notFoundReply(tc.status, []byte(tc.body)); got != tc.want {
				t.Errorf("notFoundReply = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTransIDUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newTransID()
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" || seen[id] {
			t.Fatalf("bad or repeated transId %q", id)
		}
		seen[id] = true
	}
}

var sampleReply = func() []byte {
	acts := []map[string]any{}
	for i := range 20 {
		acts = append(acts, map[string]any{
			"location":  map[string]any{"address": map[string]string{"city": "HODGKINS", "stateProvince": "IL", "countryCode": "US", "country": "US"}, "slic": "6072"},
			"status":    map[string]string{"type": "I", "description": "Departed from Facility", "code": "DP", "statusCode": "005"},
			"date":      "202603" + string(rune('1'+i%9)) + "0",
			"time":      "074700",
			"gmtDate":   "20260301",
			"gmtTime":   "134700",
			"gmtOffset": "-06:00",
		})
	}
	b, _ := json.Marshal(map[string]any{"trackResponse": map[string]any{"shipment": []any{map[string]any{
		"inquiryNumber": "N",
		"package": []any{map[string]any{
			"trackingNumber": "N", "activity": acts,
			"currentStatus": map[string]string{"type": "I", "statusCode": "005", "description": "On the Way"},
			"deliveryDate":  []any{map[string]string{"type": "SDD", "date": "20260305"}},
			"service":       map[string]string{"code": "003", "description": "UPS Ground"},
		}},
	}}}})
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
	f.Add([]byte(`{"trackResponse":{"shipment":{"package":{"activity":{"date":"1","time":"9999999"}}}}}`))
	f.Add([]byte(`{"trackResponse":{"shipment":[{"warnings":[{"code":"TW0001"}]}]}}`))
	f.Add([]byte(`{"response":{"errors":{"code":"TV1002"}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := parseReply("N", body)
		if err == nil && !res.Status.Valid() {
			t.Errorf("invalid status %q", res.Status)
		}
		notFoundReply(404, body)
	})
}

// TestEventOrder: UPS lists activity newest first. Activities with only a
// local date and time (the Postman example has no GMT fields) are wall
// clocks in different zones: sorting them as one zone would put the older
// Louisville departure (05:30 EST) above the Anchorage arrival (03:00 AKST,
// 07:00 EST), so UPS's order stands; zoned times are sorted.
func TestEventOrder(t *testing.T) {
	act := func(desc, date, clock, offset string) string {
		return `{"status":{"type":"I","statusCode":"005","description":"` + desc + `"},"date":"` + date + `","time":"` + clock + `","gmtOffset":"` + offset + `"}`
	}
	tests := map[string]struct {
		activity []string
		want     []string
	}{
		"local times keep UPS's order": {
			[]string{act("Arrived at Facility", "20260302", "030000", ""), act("Departed from Facility", "20260302", "053000", "")},
			[]string{"Arrived at Facility", "Departed from Facility"},
		},
		"zoned times are sorted": {
			[]string{act("Departed from Facility", "20260302", "053000", "-05:00"), act("Arrived at Facility", "20260302", "030000", "-09:00")},
			[]string{"Arrived at Facility", "Departed from Facility"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			body := `{"trackResponse":{"shipment":[{"package":[{"trackingNumber":"N","activity":[` + strings.Join(tc.activity, ",") + `]}]}]}}`
			r, err := parseReply("N", []byte(body))
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
