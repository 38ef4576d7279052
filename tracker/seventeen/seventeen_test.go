package seventeen

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

// s10 is a generated UPU S10 number.
var s10 = seventeentest.S10Number

func newClient(t *testing.T, srv *seventeentest.Server, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: srv.URL(), APIKey: seventeentest.APIKey, Rate: 1000}
	if mod != nil {
		mod(&cfg)
	}
	return New(cfg)
}

var (
	berlin  = time.FixedZone("CET", 3600)
	chicago = time.FixedZone("CST", -6*3600)
)

func customsStory() seventeentest.Shipment {
	return seventeentest.Shipment{
		Status:    "InTransit",
		SubStatus: "InTransit_CustomsProcessing",
		Provider:  "Deutsche Post",
		Service:   "Päckchen International",
		ETA:       time.Date(2026, 3, 14, 18, 0, 0, 0, chicago),
		Events: []seventeentest.Event{
			{Time: time.Date(2026, 3, 9, 7, 12, 0, 0, chicago), Description: "Held by customs <import duties>", City: "Chicago", State: "IL", Country: "US", SubStatus: "InTransit_CustomsProcessing"},
			{Time: time.Date(2026, 3, 6, 22, 40, 0, 0, berlin), Description: "Departed the export hub", City: "Leipzig", Country: "DE"},
			{Time: time.Date(2026, 3, 5, 9, 3, 0, 0, berlin), Description: "Electronic information submitted by the sender", Country: "DE", Stage: "InfoReceived"},
		},
	}
}

func TestTrackRegistersOnceThenFetches(t *testing.T) {
	srv := seventeentest.NewServer()
	defer srv.Close()
	n := s10("RR", 41752093, "DE")
	srv.SetShipment(n, customsStory())
	c := newClient(t, srv, nil)
	ctx := context.Background()

	res, err := c.Track(ctx, []string{n})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Fatalf("got %d results, want 1", len(res))
	}
	r := res[0]
	if r.Number != n || r.Carrier != "" || r.Status != tracker.StatusCustoms {
		t.Errorf("number/carrier/status = %q/%q/%q", r.Number, r.Carrier, r.Status)
	}
	if r.StatusText != "Held by customs <import duties>" {
		t.Errorf("status text %q", r.StatusText)
	}
	if r.Service != "Päckchen International" {
		t.Errorf("service %q", r.Service)
	}
	if want := time.Date(2026, 3, 14, 18, 0, 0, 0, chicago); !r.ETA.Equal(want) {
		t.Errorf("eta %v, want %v", r.ETA, want)
	}
	wantEvents := []struct {
		time     string
		status   tracker.Status
		location string
	}{
		{"2026-03-09T07:12:00-06:00", tracker.StatusCustoms, "Chicago, IL, US"},
		{"2026-03-06T22:40:00+01:00", tracker.StatusInTransit, "Leipzig, DE"},
		{"2026-03-05T09:03:00+01:00", tracker.StatusInfoReceived, "DE"},
	}
	if len(r.Events) != len(wantEvents) {
		t.Fatalf("got %d events, want %d", len(r.Events), len(wantEvents))
	}
	for i, w := range wantEvents {
		e := r.Events[i]
		if got := e.Time.Format(time.RFC3339); got != w.time || e.Status != w.status || e.Location != w.location {
			t.Errorf("event %d = %s %s %q, want %s %s %q", i, got, e.Status, e.Location, w.time, w.status, w.location)
		}
	}
	if got := srv.Calls("register"); got != 1 {
		t.Errorf("register calls = %d, want 1", got)
	}
	if got := srv.QuotaUsed(); got != 1 {
		t.Errorf("quota used = %d, want 1", got)
	}

	// Polling again must not register (and pay) again.
	if _, err := c.Track(ctx, []string{n}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Calls("register"); got != 1 {
		t.Errorf("register calls after second poll = %d, want 1", got)
	}
	if got := srv.Calls("gettrackinfo"); got != 3 {
		t.Errorf("gettrackinfo calls = %d, want 3 (ask, re-fetch, poll)", got)
	}
}

func TestTrackNotFound(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(srv *seventeentest.Server, n string)
		registers int // register calls expected
		quota     int // quota used expected
	}{
		{"registered but no data yet", func(srv *seventeentest.Server, n string) {}, 1, 1},
		{"carrier not detected", func(srv *seventeentest.Server, n string) {
			srv.Reject(n, CodeCarrierUnknown, "The carrier cannot be detected.")
		}, 0, 0},
		{"no information yet for a registered number", func(srv *seventeentest.Server, n string) {
			srv.Register(n)
		}, 0, 0},
		{"quota used up", func(srv *seventeentest.Server, n string) {
			srv.SetShipment(n, customsStory())
			srv.SetQuota(0)
		}, 1, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seventeentest.NewServer()
			defer srv.Close()
			n := s10("LX", 30000017+i*7919, "NL")
			tt.setup(srv, n)
			res, err := newClient(t, srv, nil).Track(context.Background(), []string{n})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 || res[0].Number != n || res[0].Status != tracker.StatusNotFound {
				t.Fatalf("got %+v, want one not_found for %s", res, n)
			}
			if got := srv.Calls("register"); got != tt.registers {
				t.Errorf("register calls = %d, want %d", got, tt.registers)
			}
			if got := srv.QuotaUsed(); got != tt.quota {
				t.Errorf("quota used = %d, want %d", got, tt.quota)
			}
		})
	}
}

func TestNeverReregisters(t *testing.T) {
	srv := seventeentest.NewServer()
	defer srv.Close()
	n := s10("CX", 11235813, "CN")
	c := newClient(t, srv, nil)
	ctx := context.Background()
	if _, err := c.Track(ctx, []string{n}); err != nil {
		t.Fatal(err)
	}
	// 17TRACK forgets the number (or is slow to index it): the client must
	// not spend quota on it again.
	srv.Reject(n, CodeNotRegistered, "not registered")
	res, err := c.Track(ctx, []string{n})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != tracker.StatusNotFound {
		t.Errorf("status %s, want not_found", res[0].Status)
	}
	if got := srv.Calls("register"); got != 1 {
		t.Errorf("register calls = %d, want 1", got)
	}
}

func TestTrackErrors(t *testing.T) {
	n := s10("EE", 90817263, "US")
	tests := []struct {
		name  string
		setup func(srv *seventeentest.Server)
		cfg   func(*Config)
		check func(t *testing.T, err error)
	}{
		{"bad key", nil, func(c *Config) { c.APIKey = "wrong-secret-key" }, func(t *testing.T, err error) {
			var se *carrierhttp.StatusError
			if !errors.As(err, &se) || se.StatusCode != 401 {
				t.Errorf("want a 401 StatusError, got %v", err)
			}
			if strings.Contains(err.Error(), "wrong-secret-key") {
				t.Errorf("error leaks the key: %v", err)
			}
		}},
		{"server error", func(srv *seventeentest.Server) { srv.FailNext(1, 503, 0) }, nil, func(t *testing.T, err error) {
			var se *carrierhttp.StatusError
			if !errors.As(err, &se) || se.StatusCode != 503 || !se.Temporary() {
				t.Errorf("want a temporary 503 StatusError, got %v", err)
			}
		}},
		{"malformed reply", func(srv *seventeentest.Server) { srv.SetMalformed(true) }, nil, func(t *testing.T, err error) {
			if !strings.Contains(err.Error(), "malformed") {
				t.Errorf("want a malformed-reply error, got %v", err)
			}
		}},
		{"slow reply", func(srv *seventeentest.Server) { srv.SetDelay(2 * time.Second) }, func(c *Config) { c.Timeout = 50 * time.Millisecond }, func(t *testing.T, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("want a deadline error, got %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := seventeentest.NewServer()
			defer srv.Close()
			if tt.setup != nil {
				tt.setup(srv)
			}
			res, err := newClient(t, srv, tt.cfg).Track(context.Background(), []string{n})
			if err == nil {
				t.Fatalf("no error, results %+v", res)
			}
			if !strings.HasPrefix(err.Error(), "17track: track "+n) {
				t.Errorf("error lacks context: %v", err)
			}
			tt.check(t, err)
		})
	}
}

func TestRateLimitedRests(t *testing.T) {
	srv := seventeentest.NewServer()
	defer srv.Close()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := newClient(t, srv, func(c *Config) { c.Now = func() time.Time { return now } })
	srv.FailNext(1, 429, 30*time.Second)
	n := s10("RR", 55544433, "GB")
	_, err := c.Track(context.Background(), []string{n})
	var se *carrierhttp.StatusError
	if !errors.As(err, &se) || se.StatusCode != 429 || se.RetryAfter != 30*time.Second {
		t.Fatalf("want 429 with Retry-After 30s, got %v", err)
	}
	before := srv.Requests()
	_, err = c.Track(context.Background(), []string{n})
	var re *carrierhttp.RestingError
	if !errors.As(err, &re) || !re.Until.Equal(now.Add(30*time.Second)) {
		t.Fatalf("want RestingError until +30s, got %v", err)
	}
	if srv.Requests() != before {
		t.Errorf("resting client contacted the server")
	}
	now = now.Add(31 * time.Second)
	if _, err := c.Track(context.Background(), []string{n}); err != nil {
		t.Errorf("after the rest: %v", err)
	}
}

func TestBatches(t *testing.T) {
	srv := seventeentest.NewServer()
	defer srv.Close()
	c := newClient(t, srv, nil)
	var numbers []string
	for i := range 45 {
		n := s10("RB", 20000000+i*131, "FR")
		numbers = append(numbers, n)
		srv.Register(n)
		srv.SetShipment(n, seventeentest.Shipment{Status: "Delivered", Provider: "La Poste", Events: []seventeentest.Event{
			{Time: time.Date(2026, 2, 2, 10, 0, 0, 0, berlin), Description: "Distribué", City: "Lyon", Country: "FR"},
		}})
	}
	if c.MaxBatch() != 40 {
		t.Errorf("MaxBatch = %d", c.MaxBatch())
	}
	res, err := c.Track(context.Background(), append(numbers, numbers[0]))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 45 {
		t.Errorf("got %d results, want 45", len(res))
	}
	for _, r := range res {
		if r.Status != tracker.StatusDelivered {
			t.Errorf("%s: status %s", r.Number, r.Status)
		}
	}
	if got := srv.Calls("gettrackinfo"); got != 2 {
		t.Errorf("gettrackinfo calls = %d, want 2 (40 + 5)", got)
	}

	// The API itself refuses more than 40 in one call.
	_, _, err = c.getTrackInfo(context.Background(), append(numbers[:40:40], s10("RB", 1, "FR")))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != CodeTooManyNumbers {
		t.Errorf("41 numbers: want APIError %d, got %v", CodeTooManyNumbers, err)
	}
}

func TestMapStatus(t *testing.T) {
	tests := []struct {
		sub, main string
		want      tracker.Status
		ok        bool
	}{
		{"InfoReceived", "InfoReceived", tracker.StatusInfoReceived, true},
		{"InTransit_PickedUp", "InTransit", tracker.StatusInTransit, true},
		{"InTransit_CustomsProcessing", "InTransit", tracker.StatusCustoms, true},
		{"InTransit_CustomsRequiringInformation", "InTransit", tracker.StatusCustoms, true},
		{"InTransit_CustomsReleased", "InTransit", tracker.StatusInTransit, true},
		{"InTransit_CustomsInspection", "InTransit", tracker.StatusCustoms, true}, // unseen spelling
		{"OutForDelivery_Other", "OutForDelivery", tracker.StatusOutForDelivery, true},
		{"DeliveryFailure_NoBody", "DeliveryFailure", tracker.StatusAttemptFailed, true},
		{"DeliveryFailure_InvalidAddress", "DeliveryFailure", tracker.StatusAttemptFailed, true},
		{"AvailableForPickup_Other", "AvailableForPickup", tracker.StatusAvailableForPickup, true},
		{"Delivered_Other", "Delivered", tracker.StatusDelivered, true},
		{"Exception_Returning", "Exception", tracker.StatusReturned, true},
		{"Exception_Returned", "Exception", tracker.StatusReturned, true},
		{"Exception_ReturnedToSender", "Exception", tracker.StatusReturned, true},
		{"Exception_Delayed", "Exception", tracker.StatusException, true},
		{"Exception_Lost", "Exception", tracker.StatusException, true},
		{"Expired_Other", "Expired", tracker.StatusExpired, true},
		{"NotFound_InvalidCode", "NotFound", tracker.StatusNotFound, true},
		{"", "Delivered", tracker.StatusDelivered, true},
		{"Weird_Thing", "OutForDelivery", tracker.StatusOutForDelivery, true},
		{"", "", "", false},
		{"Weird_Thing", "Weirder", "", false},
	}
	for _, tt := range tests {
		got, ok := mapStatus(tt.sub, tt.main)
		if got != tt.want || ok != tt.ok {
			t.Errorf("mapStatus(%q, %q) = %q, %v; want %q, %v", tt.sub, tt.main, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStatusFromWords(t *testing.T) {
	tests := []struct {
		desc string
		want tracker.Status
	}{
		{"Shipper created a label, carrier has not received the package yet.", tracker.StatusInfoReceived},
		{"Electronic information submitted by the sender", tracker.StatusInfoReceived},
		{"Arrived at Facility", tracker.StatusInTransit},
		{"Out For Delivery Today", tracker.StatusOutForDelivery},
		{"Delivery attempted - no access to delivery location", tracker.StatusAttemptFailed},
		{"Item not delivered, notice left", tracker.StatusAttemptFailed},
		{"Available for pickup at the post office", tracker.StatusAvailableForPickup},
		{"Placed in parcel locker 12", tracker.StatusAvailableForPickup},
		{"Held in customs", tracker.StatusCustoms},
		{"Customs clearance in progress", tracker.StatusCustoms},
		{"Released from customs", tracker.StatusInTransit},
		{"DELIVERED", tracker.StatusDelivered},
		{"Returned to sender", tracker.StatusReturned},
		{"Return to sender: addressee unknown", tracker.StatusReturned},
		{"Weather delay", tracker.StatusException},
		{"", tracker.StatusInTransit},
	}
	for _, tt := range tests {
		if got := statusFromWords(tt.desc); got != tt.want {
			t.Errorf("statusFromWords(%q) = %s, want %s", tt.desc, got, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct {
		iso, utc, want string
	}{
		{"2026-04-04T16:35:22-07:00", "2026-04-04T23:35:22Z", "2026-04-04T16:35:22-07:00"},
		{"2026-04-04T16:35:22", "2026-04-04T23:35:22Z", "2026-04-04T16:35:22-07:00"}, // offset recovered
		{"2026-04-04T21:05:00", "2026-04-04T15:35:00Z", "2026-04-04T21:05:00+05:30"},
		{"", "2026-04-04T23:35:22Z", "2026-04-04T23:35:22Z"},
		{"2026-04-04T16:35:22", "", "2026-04-04T16:35:22Z"},
		{"garbage", "", "0001-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		if got := parseTime(tt.iso, tt.utc).Format(time.RFC3339); got != tt.want {
			t.Errorf("parseTime(%q, %q) = %s, want %s", tt.iso, tt.utc, got, tt.want)
		}
	}
}

// A reply with 17TRACK's quirks: two providers (origin and destination
// post), keys as strings, a missing time_metrics, time_iso without offset.
const quirkyReply = `{"code":"0","data":{"accepted":[{"number":"X","carrier":"3011","track_info":{
 "latest_status":{"status":"Delivered","sub_status":null},
 "latest_event":null,
 "tracking":{"providers":[
  {"provider":{"key":"190271","name":"Posti"},"service_type":null,"events":[
    {"time_iso":"2026-01-10T08:00:00+02:00","time_utc":"2026-01-10T06:00:00Z","description":"Item accepted","location":"HELSINKI"}]},
  {"provider":{"key":21051,"name":"USPS"},"events":
    {"time_iso":"2026-01-17T14:20:00","time_utc":"2026-01-17T19:20:00Z","description":"Delivered, In/At Mailbox","location":"","address":{"city":"AKRON","state":"OH","country":"US"}}}
 ]}}}],"rejected":null}}`

func TestMapQuirkyReply(t *testing.T) {
	var env envelope[trackItem]
	if err := json.Unmarshal([]byte(quirkyReply), &env); err != nil {
		t.Fatal(err)
	}
	if env.apiError() != nil || len(env.Data.Accepted) != 1 {
		t.Fatalf("envelope: %+v", env)
	}
	r := mapItem(env.Data.Accepted[0])
	if r.Status != tracker.StatusDelivered || r.StatusText != "Delivered, In/At Mailbox" {
		t.Errorf("status %s %q", r.Status, r.StatusText)
	}
	if r.Service != "Posti → USPS" {
		t.Errorf("service %q", r.Service)
	}
	if len(r.Events) != 2 || r.Events[0].Location != "AKRON, OH, US" || r.Events[1].Location != "HELSINKI" {
		t.Fatalf("events %+v", r.Events)
	}
	if got := r.Events[0].Time.Format(time.RFC3339); got != "2026-01-17T14:20:00-05:00" {
		t.Errorf("newest event time %s", got)
	}
	if !r.ETA.IsZero() {
		t.Errorf("eta %v, want zero", r.ETA)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(quirkyReply))
	f.Add([]byte(`{"code":0,"data":{"accepted":[{"number":1,"track_info":{"tracking":{"providers":[{"events":[{}]}]}}}]}}`))
	f.Add([]byte(`{"code":-18010014,"data":{"errors":{"code":"-18010014"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var env envelope[trackItem]
		if json.Unmarshal(b, &env) != nil {
			return
		}
		env.apiError()
		for _, it := range env.Data.Accepted {
			r := mapItem(it)
			if !r.Status.Valid() {
				t.Errorf("invalid status %q", r.Status)
			}
		}
	})
}

func TestBaseURLKeepsOnlyOrigin(t *testing.T) {
	srv := seventeentest.NewServer()
	defer srv.Close()
	n := s10("RR", 41752093, "DE")
	srv.Register(n)
	srv.SetShipment(n, customsStory())
	for _, base := range []string{srv.URL(), srv.URL() + "/", srv.URL() + "/track/v2.2/"} {
		c := newClient(t, srv, func(c *Config) { c.BaseURL = base })
		if res, err := c.Track(context.Background(), []string{n}); err != nil || len(res) != 1 || res[0].Status != tracker.StatusCustoms {
			t.Errorf("base %q: %v %+v", base, err, res)
		}
	}
	if _, err := New(Config{BaseURL: "not a url"}).Track(context.Background(), []string{n}); err == nil {
		t.Error("a relative base URL was accepted")
	}
}

// BenchmarkDecodeBatch decodes and maps a full 40-number gettrackinfo reply,
// the largest a poll tick handles in one call.
func BenchmarkDecodeBatch(b *testing.B) {
	item := strings.TrimSuffix(strings.TrimPrefix(quirkyReply, `{"code":"0","data":{"accepted":[`), `],"rejected":null}}`)
	items := make([]string, MaxNumbers)
	for i := range items {
		items[i] = item
	}
	reply := []byte(`{"code":0,"data":{"accepted":[` + strings.Join(items, ",") + `],"rejected":[]}}`)
	b.SetBytes(int64(len(reply)))
	b.ReportAllocs()
	for b.Loop() {
		var env envelope[trackItem]
		if err := json.Unmarshal(reply, &env); err != nil {
			b.Fatal(err)
		}
		for _, it := range env.Data.Accepted {
			mapItem(it)
		}
	}
}

// TestMapItemStatusAndETA covers precedence and ETA rules mapItem applies on
// top of 17TRACK's latest_status and time_metrics.
func TestMapItemStatusAndETA(t *testing.T) {
	ev := func(iso, utc, desc, sub string) string {
		return `{"time_iso":"` + iso + `","time_utc":"` + utc + `","description":"` + desc + `","sub_status":"` + sub + `"}`
	}
	item := func(status, sub, eta string, events ...string) string {
		return `{"number":"N","track_info":{"latest_status":{"status":"` + status + `","sub_status":"` + sub + `"},` +
			`"time_metrics":{"estimated_delivery_date":{"source":"Official","from":null,"to":` + eta + `}},` +
			`"tracking":{"providers":[{"events":[` + strings.Join(events, ",") + `]}]}}}`
	}
	moving := ev("2026-03-02T09:00:00-05:00", "2026-03-02T14:00:00Z", "Arrived at facility", "InTransit_Arrival")
	tests := map[string]struct {
		body       string
		wantStatus tracker.Status
		wantETA    string // RFC 3339, "" for none
	}{
		"ETA with offset kept": {
			item("InTransit", "InTransit_Arrival", `"2026-03-05T00:00:00-05:00"`, moving),
			tracker.StatusInTransit, "2026-03-05T00:00:00-05:00",
		},
		"date-only ETA is a day in the parcel's zone, not UTC": {
			item("InTransit", "InTransit_Arrival", `"2026-03-05"`, moving),
			tracker.StatusInTransit, "2026-03-05T00:00:00-05:00",
		},
		"ETA without offset in the parcel's zone": {
			item("InTransit", "InTransit_Arrival", `"2026-03-05T18:00:00"`, moving),
			tracker.StatusInTransit, "2026-03-05T18:00:00-05:00",
		},
		"no ETA once delivered": {
			item("Delivered", "Delivered_Other", `"2026-03-05T00:00:00-05:00"`,
				ev("2026-03-04T11:00:00-05:00", "2026-03-04T16:00:00Z", "Delivered", "Delivered_Other"), moving),
			tracker.StatusDelivered, "",
		},
		"delivered after a return is back at the sender": {
			item("Delivered", "Delivered_Other", `null`,
				ev("2026-03-09T11:00:00-05:00", "2026-03-09T16:00:00Z", "Delivered", "Delivered_Other"),
				ev("2026-03-06T08:00:00-05:00", "2026-03-06T13:00:00Z", "Return to sender: unclaimed", "Exception_Returning"),
				moving),
			tracker.StatusReturned, "",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var it trackItem
			if err := json.Unmarshal([]byte(tc.body), &it); err != nil {
				t.Fatal(err)
			}
			r := mapItem(it)
			eta := ""
			if !r.ETA.IsZero() {
				eta = r.ETA.Format(time.RFC3339)
			}
			if r.Status != tc.wantStatus || eta != tc.wantETA {
				t.Errorf("got %s eta %q, want %s eta %q", r.Status, eta, tc.wantStatus, tc.wantETA)
			}
		})
	}
}
