package fedex_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
	"github.com/trackbot/trackbot/tracker/fedex"
	"github.com/trackbot/trackbot/tracker/fedex/fedextest"
)

// number makes a valid FedEx Express (12) number from a serial: weights
// 3,1,7 over the 11 serial digits, sum mod 11 mod 10.
func number(serial int) string {
	s := fmt.Sprintf("%011d", serial)
	w := [3]int{3, 1, 7}
	sum := 0
	for i, c := range s {
		sum += int(c-'0') * w[i%3]
	}
	return s + strconv.Itoa(sum%11%10)
}

func TestNumberGenerator(t *testing.T) {
	// Worked by hand: the weight of serial position i is 3,1,7[i%3].
	cases := map[int]string{
		1:           "000000000011", // 1·1 = 1
		10:          "000000000103", // 1·3 = 3
		98765432109: "987654321098", // 162 mod 11 = 8
	}
	for serial, want := range cases {
		if got := number(serial); got != want {
			t.Errorf("number(%d) = %s, want %s", serial, got, want)
		}
	}
}

func newClient(t *testing.T, srv *fedextest.Server, mod ...func(*fedex.Config)) *fedex.Client {
	t.Helper()
	cfg := fedex.Config{
		BaseURL:   srv.URL(),
		APIKey:    fedextest.APIKey,
		SecretKey: fedextest.SecretKey,
		Timeout:   2 * time.Second,
		Rate:      1000,
	}
	for _, m := range mod {
		m(&cfg)
	}
	return fedex.New(cfg)
}

func newServer(t *testing.T) *fedextest.Server {
	t.Helper()
	srv := fedextest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

var (
	eastern = time.FixedZone("EST", -5*3600)
	central = time.FixedZone("CST", -6*3600)
	day     = time.Date(2026, 3, 10, 0, 0, 0, 0, eastern)
)

func at(h, m int, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
}

// story is a parcel's trip up to the point where each case takes over,
// newest first.
func story(last ...fedextest.Event) []fedextest.Event {
	base := []fedextest.Event{
		{Time: at(3, 10, central), Type: "DP", Description: "Departed FedEx location", City: "MEMPHIS", State: "TN", Country: "US"},
		{Time: at(0, 40, central), Type: "AR", Description: "Arrived at FedEx location", City: "MEMPHIS", State: "TN", Country: "US"},
		{Time: at(0, 5, central).Add(-24 * time.Hour), Type: "PU", Description: "Picked up", City: "Little Rock", State: "AR", Country: "US"},
		{Time: at(0, 1, central).Add(-48 * time.Hour), Type: "OC", Description: "Shipment information sent to FedEx"},
	}
	return append(last, base...)
}

func TestTrackMapping(t *testing.T) {
	eta := at(20, 0, eastern)
	cases := []struct {
		name       string
		ship       fedextest.Shipment
		wantStatus tracker.Status
		wantText   string
		wantETA    time.Time
		wantEvents int
		wantFirst  tracker.Status // status of the newest event
		wantLoc    string
	}{
		{
			name: "delivered",
			ship: fedextest.Shipment{Service: "FedEx Ground", Events: story(
				fedextest.Event{Time: at(14, 5, eastern), Type: "DL", Description: "Delivered", City: "Dayton", State: "OH", Country: "US"},
				fedextest.Event{Time: at(7, 30, eastern), Type: "OD", Description: "On FedEx vehicle for delivery", City: "DAYTON", State: "OH", Country: "US"},
			)},
			wantStatus: tracker.StatusDelivered, wantText: "Delivered", wantEvents: 6,
			wantFirst: tracker.StatusDelivered, wantLoc: "Dayton, OH, US",
		},
		{
			name: "out for delivery with ETA",
			ship: fedextest.Shipment{ETA: eta, Events: story(
				fedextest.Event{Time: at(7, 30, eastern), Type: "OD", Description: "On FedEx vehicle for delivery", City: "DAYTON", State: "OH", Country: "US"},
			)},
			wantStatus: tracker.StatusOutForDelivery, wantText: "On FedEx vehicle for delivery", wantETA: eta, wantEvents: 5,
			wantFirst: tracker.StatusOutForDelivery, wantLoc: "Dayton, OH, US",
		},
		{
			name:       "ETA from the service commitment",
			ship:       fedextest.Shipment{Commitment: eta, Events: story()},
			wantStatus: tracker.StatusInTransit, wantText: "Departed FedEx location", wantETA: eta, wantEvents: 4,
			wantFirst: tracker.StatusInTransit, wantLoc: "Memphis, TN, US",
		},
		{
			name:       "ETA from the delivery window",
			ship:       fedextest.Shipment{WindowEnds: eta, Events: story()},
			wantStatus: tracker.StatusInTransit, wantText: "Departed FedEx location", wantETA: eta, wantEvents: 4,
			wantFirst: tracker.StatusInTransit, wantLoc: "Memphis, TN, US",
		},
		{
			name: "delivery exception is a failed attempt, with the reason",
			ship: fedextest.Shipment{Reason: "Customer not available or business closed", Events: story(
				fedextest.Event{Time: at(15, 0, eastern), Type: "DE", Description: "Delivery exception", City: "Dayton", State: "OH", Country: "US"},
			)},
			wantStatus: tracker.StatusAttemptFailed, wantText: "Delivery exception: Customer not available or business closed", wantEvents: 5,
			wantFirst: tracker.StatusAttemptFailed, wantLoc: "Dayton, OH, US",
		},
		{
			name: "ready for pickup at a FedEx location",
			ship: fedextest.Shipment{Events: story(
				fedextest.Event{Time: at(11, 0, eastern), Type: "HP", Description: "Ready for recipient pickup", City: "Dayton", State: "OH", Country: "US"},
			)},
			wantStatus: tracker.StatusAvailableForPickup, wantText: "Ready for recipient pickup", wantEvents: 5,
			wantFirst: tracker.StatusAvailableForPickup, wantLoc: "Dayton, OH, US",
		},
		{
			name: "clearance delay",
			ship: fedextest.Shipment{Events: story(
				fedextest.Event{Time: at(9, 0, eastern), Type: "CD", Description: "Clearance delay", City: "Toronto", State: "ON", Country: "CA"},
			)},
			wantStatus: tracker.StatusCustoms, wantText: "Clearance delay", wantEvents: 5,
			wantFirst: tracker.StatusCustoms, wantLoc: "Toronto, ON, CA",
		},
		{
			name: "shipment exception caused by clearance is customs",
			ship: fedextest.Shipment{DelayType: "CLEARANCE", Events: story(
				fedextest.Event{Time: at(9, 0, eastern), Type: "SE", Description: "Shipment exception", Exception: "Import documentation required", City: "Toronto", State: "ON", Country: "CA"},
			)},
			wantStatus: tracker.StatusCustoms, wantText: "Shipment exception", wantEvents: 5,
			wantFirst: tracker.StatusException, wantLoc: "Toronto, ON, CA",
		},
		{
			name: "shipment exception",
			ship: fedextest.Shipment{Events: story(
				fedextest.Event{Time: at(9, 0, eastern), Type: "SE", Description: "Shipment exception", Exception: "Package damaged", City: "Columbus", State: "OH", Country: "US"},
			)},
			wantStatus: tracker.StatusException, wantText: "Shipment exception", wantEvents: 5,
			wantFirst: tracker.StatusException, wantLoc: "Columbus, OH, US",
		},
		{
			name: "returned and delivered back to the shipper",
			ship: fedextest.Shipment{Events: story(
				fedextest.Event{Time: at(16, 0, central).Add(72 * time.Hour), Type: "DL", Description: "Delivered", City: "Little Rock", State: "AR", Country: "US"},
				fedextest.Event{Time: at(10, 0, eastern), Type: "RS", Description: "Returning package to shipper", City: "Dayton", State: "OH", Country: "US"},
			)},
			wantStatus: tracker.StatusReturned, wantText: "Delivered", wantEvents: 6,
			wantFirst: tracker.StatusDelivered, wantLoc: "Little Rock, AR, US",
		},
		{
			name:       "label created",
			ship:       fedextest.Shipment{Service: "FedEx Priority Overnight", Events: story()[3:]},
			wantStatus: tracker.StatusInfoReceived, wantText: "Shipment information sent to FedEx", wantEvents: 1,
			wantFirst: tracker.StatusInfoReceived, wantLoc: "",
		},
		{
			name:       "unknown latest code falls back to the newest scan",
			ship:       fedextest.Shipment{Status: "ZZ", StatusText: "Something new", Events: story()},
			wantStatus: tracker.StatusInTransit, wantText: "Something new", wantEvents: 4,
			wantFirst: tracker.StatusInTransit, wantLoc: "Memphis, TN, US",
		},
	}
	srv := newServer(t)
	c := newClient(t, srv)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := number(4000 + i)
			srv.SetShipment(n, tc.ship)
			res, err := c.Track(context.Background(), []string{n})
			if err != nil {
				t.Fatalf("Track: %v", err)
			}
			if len(res) != 1 {
				t.Fatalf("got %d results, want 1", len(res))
			}
			r := res[0]
			if r.Number != n || r.Carrier != "fedex" {
				t.Errorf("number/carrier = %q/%q", r.Number, r.Carrier)
			}
			if r.Status != tc.wantStatus {
				t.Errorf("status = %s, want %s", r.Status, tc.wantStatus)
			}
			if r.StatusText != tc.wantText {
				t.Errorf("status text = %q, want %q", r.StatusText, tc.wantText)
			}
			if !r.ETA.Equal(tc.wantETA) {
				t.Errorf("ETA = %v, want %v", r.ETA, tc.wantETA)
			}
			if r.Service != tc.ship.Service {
				t.Errorf("service = %q, want %q", r.Service, tc.ship.Service)
			}
			if len(r.Events) != tc.wantEvents {
				t.Fatalf("got %d events, want %d", len(r.Events), tc.wantEvents)
			}
			first := r.Events[0]
			if first.Status != tc.wantFirst || first.Location != tc.wantLoc {
				t.Errorf("newest event = %s at %q, want %s at %q", first.Status, first.Location, tc.wantFirst, tc.wantLoc)
			}
			// Times keep the scan's own offset and come newest first.
			want := tc.ship.Events[0].Time
			if first.Time.Format(time.RFC3339) != want.Format(time.RFC3339) {
				t.Errorf("newest event time = %s, want %s", first.Time.Format(time.RFC3339), want.Format(time.RFC3339))
			}
			for j := 1; j < len(r.Events); j++ {
				if r.Events[j].Time.After(r.Events[j-1].Time) {
					t.Errorf("events not newest first at %d", j)
				}
			}
		})
	}
}

func TestExceptionDescriptionJoined(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(77)
	srv.SetShipment(n, fedextest.Shipment{Events: []fedextest.Event{
		{Time: at(9, 0, eastern), Type: "SE", Description: "Shipment exception", Exception: "Incorrect address", City: "Akron", State: "OH", Country: "US"},
	}})
	res, err := c.Track(context.Background(), []string{n})
	if err != nil {
		t.Fatal(err)
	}
	if got := res[0].Events[0].Description; got != "Shipment exception: Incorrect address" {
		t.Errorf("description = %q", got)
	}
}

func TestNotFound(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	known, unknown := number(1234), number(5678)
	srv.SetShipment(known, fedextest.Shipment{Events: story()})
	res, err := c.Track(context.Background(), []string{known, unknown})
	if err != nil {
		t.Fatalf("Track: %v", err)
	}
	got := map[string]tracker.Status{}
	for _, r := range res {
		got[r.Number] = r.Status
	}
	want := map[string]tracker.Status{known: tracker.StatusInTransit, unknown: tracker.StatusNotFound}
	for n, s := range want {
		if got[n] != s {
			t.Errorf("%s: status %q, want %q", n, got[n], s)
		}
	}
}

func TestTokenCachedAcrossTracks(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(42)
	srv.SetShipment(n, fedextest.Shipment{Events: story()})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := c.Track(context.Background(), []string{n}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := srv.TokenRequests(); got != 1 {
		t.Errorf("token requests = %d, want 1", got)
	}
	if got := srv.Requests(); got != 20 {
		t.Errorf("track requests = %d, want 20", got)
	}
}

func TestExpiredTokenRefreshedOnce(t *testing.T) {
	cases := []struct {
		name       string
		prepare    func(*fedextest.Server)
		wantErr    bool
		wantTokens int
		wantTracks int
	}{
		{"expired token is refreshed", func(s *fedextest.Server) { s.ExpireTokens() }, false, 2, 3},
		{"a second 401 is an error, not a loop", func(s *fedextest.Server) { s.FailNext(2, http.StatusUnauthorized, 0) }, true, 2, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			c := newClient(t, srv)
			n := number(99)
			srv.SetShipment(n, fedextest.Shipment{Events: story()})
			if _, err := c.Track(context.Background(), []string{n}); err != nil {
				t.Fatal(err)
			}
			tc.prepare(srv)
			res, err := c.Track(context.Background(), []string{n})
			if tc.wantErr {
				var se *carrierhttp.StatusError
				if !errors.As(err, &se) || se.StatusCode != http.StatusUnauthorized {
					t.Fatalf("err = %v, want a 401 StatusError", err)
				}
			} else if err != nil || len(res) != 1 || res[0].Status != tracker.StatusInTransit {
				t.Fatalf("Track = %v, %v", res, err)
			}
			if got := srv.TokenRequests(); got != tc.wantTokens {
				t.Errorf("token requests = %d, want %d", got, tc.wantTokens)
			}
			if got := srv.Requests(); got != tc.wantTracks {
				t.Errorf("track requests = %d, want %d", got, tc.wantTracks)
			}
		})
	}
}

func TestBadCredentialsKeepSecret(t *testing.T) {
	srv := newServer(t)
	const secret = "s3cr3t-do-not-show"
	c := newClient(t, srv, func(cfg *fedex.Config) { cfg.SecretKey = secret })
	_, err := c.Track(context.Background(), []string{number(5)})
	if err == nil {
		t.Fatal("want an error for bad credentials")
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error leaks the secret: %v", err)
	}
	if !strings.Contains(err.Error(), "token") {
		t.Errorf("error should say the token failed: %v", err)
	}
	if srv.Requests() != 0 {
		t.Errorf("tracked without a token")
	}
}

func TestTooManyRequestsThenRest(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(31)
	srv.SetShipment(n, fedextest.Shipment{Events: story()})
	srv.FailNext(1, http.StatusTooManyRequests, 30*time.Second)

	_, err := c.Track(context.Background(), []string{n})
	var se *carrierhttp.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests || se.RetryAfter != 30*time.Second {
		t.Fatalf("err = %v, want 429 with Retry-After 30s", err)
	}
	before := srv.Requests()
	_, err = c.Track(context.Background(), []string{n})
	var re *carrierhttp.RestingError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want RestingError", err)
	}
	if time.Until(re.Until) < 25*time.Second {
		t.Errorf("resting until %v, want about 30s from now", re.Until)
	}
	if srv.Requests() != before {
		t.Errorf("client contacted FedEx while resting")
	}
}

func TestServerErrors(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := newServer(t)
			c := newClient(t, srv)
			n := number(status)
			srv.SetShipment(n, fedextest.Shipment{Events: story()})
			srv.FailNext(1, status, 0)
			_, err := c.Track(context.Background(), []string{n})
			var se *carrierhttp.StatusError
			if !errors.As(err, &se) || se.StatusCode != status || !se.Temporary() {
				t.Fatalf("err = %v, want temporary %d", err, status)
			}
			if !strings.HasPrefix(err.Error(), "fedex: track "+n) {
				t.Errorf("error lacks context: %v", err)
			}
			// One failure does not rest the carrier: the next poll goes through.
			if res, err := c.Track(context.Background(), []string{n}); err != nil || len(res) != 1 {
				t.Fatalf("after recovery: %v, %v", res, err)
			}
		})
	}
}

func TestMalformedReply(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(8)
	srv.SetShipment(n, fedextest.Shipment{Events: story()})
	srv.SetMalformed(true)
	res, err := c.Track(context.Background(), []string{n})
	if err == nil || !strings.Contains(err.Error(), "decode") {
		t.Fatalf("Track = %v, %v; want a decode error", res, err)
	}
}

func TestSlowReplyTimesOut(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv, func(cfg *fedex.Config) { cfg.Timeout = 50 * time.Millisecond })
	n := number(9)
	srv.SetShipment(n, fedextest.Shipment{Events: story()})
	srv.SetDelay(2 * time.Second)
	_, err := c.Track(context.Background(), []string{n})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}

func TestBatches(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	if c.MaxBatch() != 30 {
		t.Fatalf("MaxBatch = %d", c.MaxBatch())
	}
	cases := []struct {
		numbers      int
		wantRequests int
	}{{1, 1}, {30, 1}, {31, 2}, {61, 3}}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.numbers), func(t *testing.T) {
			var ns []string
			for i := range tc.numbers {
				n := number(100000 + i)
				srv.SetShipment(n, fedextest.Shipment{Events: story()})
				ns = append(ns, n)
			}
			before := srv.Requests()
			res, err := c.Track(context.Background(), ns)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != tc.numbers {
				t.Errorf("results = %d, want %d", len(res), tc.numbers)
			}
			if got := srv.Requests() - before; got != tc.wantRequests {
				t.Errorf("requests = %d, want %d", got, tc.wantRequests)
			}
		})
	}
}

// The fake enforces FedEx's limit, so a client that batches wrongly fails.
func TestFakeRejectsOversizedBatch(t *testing.T) {
	srv := newServer(t)
	resp, err := http.PostForm(srv.URL()+"/oauth/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {fedextest.APIKey}, "client_secret": {fedextest.SecretKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string  `json:"access_token"`
		ExpiresIn   float64 `json:"expires_in"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" || tok.ExpiresIn < 3000 {
		t.Fatalf("token reply %+v, %v", tok, err)
	}
	for _, tc := range []struct{ numbers, want int }{{0, 400}, {30, 200}, {31, 400}} {
		var body bytes.Buffer
		body.WriteString(`{"includeDetailedScans":true,"trackingInfo":[`)
		for i := range tc.numbers {
			if i > 0 {
				body.WriteString(",")
			}
			fmt.Fprintf(&body, `{"trackingNumberInfo":{"trackingNumber":%q}}`, number(i))
		}
		body.WriteString("]}")
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/track/v1/trackingnumbers", &body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%d numbers: HTTP %d, want %d", tc.numbers, resp.StatusCode, tc.want)
		}
	}
}

// A base URL replaces only scheme, host and port: a path on it is dropped,
// and a URL that is not absolute is reported by Track.
func TestBaseURLKeepsOnlyHost(t *testing.T) {
	srv := newServer(t)
	n := number(77)
	srv.SetShipment(n, fedextest.Shipment{Events: story()})
	c := newClient(t, srv, func(cfg *fedex.Config) { cfg.BaseURL = srv.URL() + "/some/prefix/" })
	if _, err := c.Track(context.Background(), []string{n}); err != nil {
		t.Fatalf("Track with a path on the base URL: %v", err)
	}
	bad := newClient(t, srv, func(cfg *fedex.Config) { cfg.BaseURL = "apis.fedex.com" })
	if _, err := bad.Track(context.Background(), []string{n}); err == nil {
		t.Fatal("Track with a relative base URL: want an error")
	}
}

// A pasted 34-digit barcode is tracked by the 12-digit number inside it, and
// the result comes back under the number that was asked about.
func TestBarcodeTrackedByEmbeddedNumber(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	express := number(4242)
	barcode := "1000000000000001234500" + express
	srv.SetShipment(express, fedextest.Shipment{Events: story()})
	res, err := c.Track(context.Background(), []string{barcode, express})
	if err != nil {
		t.Fatalf("Track: %v", err)
	}
	got := map[string]tracker.Status{}
	for _, r := range res {
		got[r.Number] = r.Status
	}
	for _, n := range []string{barcode, express} {
		if got[n] != tracker.StatusInTransit {
			t.Errorf("%s: status %q, want in_transit (results %v)", n, got[n], got)
		}
	}
}

// A parcel handed to a partner carrier: FedEx names its number
// (additionalTrackingInfo.packageIdentifiers PARTNER_CARRIER_NUMBER), which
// the result reports as a hand-off; other identifiers are not.
func TestHandOffToPartner(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(4242)
	const usps = "9400119123456787654321" // a valid USPS IMpb number
	cases := []struct {
		name    string
		partner string
		want    *tracker.Handoff
	}{
		{"USPS number", usps, &tracker.Handoff{Carrier: "usps", Number: usps}},
		{"none", "", nil},
		{"not a tracking number", "ABC-1", nil},
		{"FedEx's own number", number(99), nil},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetShipment(n, fedextest.Shipment{PartnerNumber: tt.partner, Events: story()})
			res, err := c.Track(context.Background(), []string{n})
			if err != nil {
				t.Fatal(err)
			}
			if got := res[0].Handoff; (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
				t.Errorf("hand-off %+v, want %+v", got, tt.want)
			}
		})
	}
}
