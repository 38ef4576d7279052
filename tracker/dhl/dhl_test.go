package dhl_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
	"github.com/trackbot/trackbot/tracker/dhl"
	"github.com/trackbot/trackbot/tracker/dhl/dhltest"
)

// number makes a valid DHL Express number: a 9-digit serial and its
// remainder mod 7 as the check digit.
func number(serial int) string {
	return fmt.Sprintf("%09d%d", serial, serial%7)
}

func TestNumberGenerator(t *testing.T) {
	cases := map[int]string{1: "0000000011", 7: "0000000070", 123456789: "1234567891"} // 123456789 = 7·17636684 + 1
	for serial, want := range cases {
		if got := number(serial); got != want {
			t.Errorf("number(%d) = %s, want %s", serial, got, want)
		}
	}
}

func newServer(t *testing.T) *dhltest.Server {
	t.Helper()
	srv := dhltest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, srv *dhltest.Server, mod ...func(*dhl.Config)) *dhl.Client {
	t.Helper()
	cfg := dhl.Config{BaseURL: srv.URL(), APIKey: dhltest.APIKey, Timeout: 2 * time.Second, Rate: 1000}
	for _, m := range mod {
		m(&cfg)
	}
	return dhl.New(cfg)
}

var day = time.Date(2026, 4, 14, 0, 0, 0, 0, time.UTC)

func at(h, m int) time.Time {
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// express is an Express trip so far, newest first; Express events carry no statusCode.
func express(last ...dhltest.Event) []dhltest.Event {
	base := []dhltest.Event{
		{Time: at(4, 10), Description: "Arrived at DHL Sort Facility LEIPZIG - GERMANY", Locality: "LEIPZIG - GERMANY"},
		{Time: at(-20, 0), Description: "Processed at HONG KONG - HONG KONG SAR, CHINA", Locality: "HONG KONG - HONG KONG SAR, CHINA"},
		{Time: at(-26, 30), Description: "Shipment picked up", Locality: "HONG KONG - HONG KONG SAR, CHINA"},
	}
	return append(last, base...)
}

func TestTrackMapping(t *testing.T) {
	eta := time.Date(2026, 4, 15, 18, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		ship       dhltest.Shipment
		wantStatus tracker.Status
		wantText   string
		wantETA    time.Time
		wantFirst  tracker.Status
		wantLoc    string
	}{
		{
			name: "express delivered, events without statusCode",
			ship: dhltest.Shipment{StatusCode: "delivered", Product: "DHL Express Worldwide", Events: express(
				dhltest.Event{Time: at(13, 29), Description: "Delivered", Locality: "BERLIN - GERMANY"},
				dhltest.Event{Time: at(8, 2), Description: "Shipment is out with courier for delivery", Locality: "BERLIN - GERMANY"},
			)},
			wantStatus: tracker.StatusDelivered, wantText: "Delivered",
			wantFirst: tracker.StatusDelivered, wantLoc: "Berlin - Germany",
		},
		{
			name: "express out for delivery with ETA",
			ship: dhltest.Shipment{ETA: eta, Events: express(
				dhltest.Event{Time: at(8, 2), Description: "Shipment is out with courier for delivery", Locality: "BERLIN - GERMANY"},
			)},
			wantStatus: tracker.StatusOutForDelivery, wantText: "Shipment is out with courier for delivery", wantETA: eta,
			wantFirst: tracker.StatusOutForDelivery, wantLoc: "Berlin - Germany",
		},
		{
			name:       "ETA from the time frame",
			ship:       dhltest.Shipment{ETAThrough: eta, Events: express()},
			wantStatus: tracker.StatusInTransit, wantText: "Arrived at DHL Sort Facility LEIPZIG - GERMANY", wantETA: eta,
			wantFirst: tracker.StatusInTransit, wantLoc: "Leipzig - Germany",
		},
		{
			name: "delivery attempted",
			ship: dhltest.Shipment{StatusCode: "failure", Events: express(
				dhltest.Event{Time: at(11, 0), Description: "Delivery attempted; recipient not home", Locality: "BERLIN - GERMANY"},
			)},
			wantStatus: tracker.StatusAttemptFailed, wantText: "Delivery attempted; recipient not home",
			wantFirst: tracker.StatusAttemptFailed, wantLoc: "Berlin - Germany",
		},
		{
			name: "customs",
			ship: dhltest.Shipment{Events: express(
				dhltest.Event{Time: at(6, 0), Description: "Customs clearance status updated. The receiver may be asked for more information.", Locality: "LEIPZIG - GERMANY"},
			)},
			wantStatus: tracker.StatusCustoms, wantText: "Customs clearance status updated. The receiver may be asked for more information.",
			wantFirst: tracker.StatusCustoms, wantLoc: "Leipzig - Germany",
		},
		{
			name: "clearance complete is moving again",
			ship: dhltest.Shipment{Events: express(
				dhltest.Event{Time: at(7, 0), Description: "Clearance processing complete at LEIPZIG - GERMANY", Locality: "LEIPZIG - GERMANY"},
			)},
			wantStatus: tracker.StatusInTransit, wantText: "Clearance processing complete at LEIPZIG - GERMANY",
			wantFirst: tracker.StatusInTransit, wantLoc: "Leipzig - Germany",
		},
		{
			name: "parcel waiting in a locker",
			ship: dhltest.Shipment{Service: "parcel-de", Product: "DHL PAKET", Events: []dhltest.Event{
				{Time: at(10, 15), StatusCode: "transit", Description: "The shipment is ready for pick-up at the PACKSTATION.", Locality: "Hamburg", CountryCode: "DE"},
				{Time: at(5, 0), StatusCode: "transit", Description: "The shipment has been processed in the parcel center", Locality: "Hamburg", CountryCode: "DE"},
				{Time: at(-20, 0), StatusCode: "pre-transit", Description: "The shipment has been posted by the sender at the Packstation", Locality: "Köln", CountryCode: "DE"},
			}},
			wantStatus: tracker.StatusAvailableForPickup, wantText: "The shipment is ready for pick-up at the PACKSTATION.",
			wantFirst: tracker.StatusAvailableForPickup, wantLoc: "Hamburg, DE",
		},
		{
			name: "label created",
			ship: dhltest.Shipment{Service: "parcel-de", Events: []dhltest.Event{
				{Time: at(19, 1), StatusCode: "pre-transit", Description: "The instruction data for this shipment have been provided by the sender to DHL electronically"},
			}},
			wantStatus: tracker.StatusInfoReceived, wantText: "The instruction data for this shipment have been provided by the sender to DHL electronically",
			wantFirst: tracker.StatusInfoReceived,
		},
		{
			name: "returned, then delivered back to the sender",
			ship: dhltest.Shipment{Service: "parcel-de", Events: []dhltest.Event{
				{Time: at(40, 0), StatusCode: "delivered", Description: "The shipment has been delivered.", Locality: "Köln", CountryCode: "DE"},
				{Time: at(20, 0), StatusCode: "transit", Description: "The shipment is being returned to the sender.", Locality: "Hamburg", CountryCode: "DE"},
			}},
			wantStatus: tracker.StatusReturned, wantText: "The shipment has been delivered.",
			wantFirst: tracker.StatusDelivered, wantLoc: "Köln, DE",
		},
		{
			name: "failure without a known reason",
			ship: dhltest.Shipment{StatusCode: "failure", Events: express(
				dhltest.Event{Time: at(9, 0), Description: "Shipment on hold", Locality: "LEIPZIG - GERMANY"},
			)},
			wantStatus: tracker.StatusException, wantText: "Shipment on hold",
			wantFirst: tracker.StatusException, wantLoc: "Leipzig - Germany",
		},
	}
	srv := newServer(t)
	c := newClient(t, srv)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := number(100000500 + i) // no leading zero: the fake sends Express ids as JSON numbers
			srv.SetShipment(n, tc.ship)
			res, err := c.Track(context.Background(), []string{n})
			if err != nil {
				t.Fatalf("Track: %v", err)
			}
			if len(res) != 1 {
				t.Fatalf("got %d results", len(res))
			}
			r := res[0]
			if r.Number != n || r.Carrier != "" {
				t.Errorf("number/carrier = %q/%q; want %q and empty (the caller fills it)", r.Number, r.Carrier, n)
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
			if r.Service != tc.ship.Product {
				t.Errorf("service = %q, want %q", r.Service, tc.ship.Product)
			}
			if len(r.Events) != len(tc.ship.Events) {
				t.Fatalf("events = %d, want %d", len(r.Events), len(tc.ship.Events))
			}
			first := r.Events[0]
			if first.Status != tc.wantFirst || first.Location != tc.wantLoc {
				t.Errorf("newest event = %s at %q, want %s at %q", first.Status, first.Location, tc.wantFirst, tc.wantLoc)
			}
			if !first.Time.Equal(tc.ship.Events[0].Time) {
				t.Errorf("newest event time = %v, want %v (offset-less times read as UTC)", first.Time, tc.ship.Events[0].Time)
			}
			for j := 1; j < len(r.Events); j++ {
				if r.Events[j].Time.After(r.Events[j-1].Time) {
					t.Errorf("events not newest first at %d", j)
				}
			}
		})
	}
}

func TestTimeWithOffsetKeepsIt(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(31)
	cest := time.FixedZone("CEST", 2*3600)
	srv.SetShipment(n, dhltest.Shipment{Events: []dhltest.Event{
		{Time: time.Date(2026, 4, 14, 9, 30, 0, 0, cest), Zoned: true, StatusCode: "transit", Description: "Processed"},
	}})
	res, err := c.Track(context.Background(), []string{n})
	if err != nil {
		t.Fatal(err)
	}
	if got := res[0].Events[0].Time.Format(time.RFC3339); got != "2026-04-14T09:30:00+02:00" {
		t.Errorf("time = %s", got)
	}
}

func TestNotFound(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(404)
	res, err := c.Track(context.Background(), []string{n})
	if err != nil {
		t.Fatalf("Track: %v", err)
	}
	if len(res) != 1 || res[0].Status != tracker.StatusNotFound || res[0].Number != n {
		t.Fatalf("got %+v, want not_found for %s", res, n)
	}
	if res[0].StatusText != "No shipment with given tracking number found." {
		t.Errorf("status text = %q", res[0].StatusText)
	}
	// A 404 is an answer, not a failure: the carrier does not rest.
	for range 4 {
		if _, err := c.Track(context.Background(), []string{n}); err != nil {
			t.Fatalf("repeat: %v", err)
		}
	}
}

func TestRequestShape(t *testing.T) {
	cases := []struct {
		name        string
		service     string
		wantService string
	}{
		{"no service", "", ""},
		{"service given", "express", "express"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			c := newClient(t, srv, func(cfg *dhl.Config) { cfg.Service = tc.service })
			n := number(77)
			srv.SetShipment(n, dhltest.Shipment{Events: express()})
			if _, err := c.Track(context.Background(), []string{n}); err != nil {
				t.Fatal(err)
			}
			q := srv.LastQuery()
			if q.Get("trackingNumber") != n || q.Get("language") != "en" || q.Get("service") != tc.wantService {
				t.Errorf("query = %v", q)
			}
		})
	}
}

func TestBadKeyKeptSecret(t *testing.T) {
	srv := newServer(t)
	const key = "k3y-do-not-show"
	c := newClient(t, srv, func(cfg *dhl.Config) { cfg.APIKey = key })
	_, err := c.Track(context.Background(), []string{number(1)})
	var se *carrierhttp.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want 401", err)
	}
	if strings.Contains(err.Error(), key) {
		t.Errorf("error leaks the key: %v", err)
	}
}

func TestTooManyRequestsThenRest(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(429)
	srv.SetShipment(n, dhltest.Shipment{Events: express()})
	srv.FailNext(1, http.StatusTooManyRequests, 60*time.Second)
	_, err := c.Track(context.Background(), []string{n})
	var se *carrierhttp.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests || se.RetryAfter != time.Minute {
		t.Fatalf("err = %v, want 429 with Retry-After 60s", err)
	}
	_, err = c.Track(context.Background(), []string{n})
	var re *carrierhttp.RestingError
	if !errors.As(err, &re) || time.Until(re.Until) < 50*time.Second {
		t.Fatalf("err = %v, want RestingError for about a minute", err)
	}
	if srv.Requests() != 1 {
		t.Errorf("requests = %d: client contacted DHL while resting", srv.Requests())
	}
}

func TestServerErrors(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			srv := newServer(t)
			c := newClient(t, srv)
			n := number(status)
			srv.SetShipment(n, dhltest.Shipment{Events: express()})
			srv.FailNext(1, status, 0)
			_, err := c.Track(context.Background(), []string{n})
			var se *carrierhttp.StatusError
			if !errors.As(err, &se) || se.StatusCode != status || !se.Temporary() {
				t.Fatalf("err = %v, want temporary %d", err, status)
			}
			if !strings.HasPrefix(err.Error(), "dhl: track "+n) {
				t.Errorf("error lacks context: %v", err)
			}
			if res, err := c.Track(context.Background(), []string{n}); err != nil || res[0].Status != tracker.StatusInTransit {
				t.Fatalf("after recovery: %v, %v", res, err)
			}
		})
	}
}

func TestMalformedReply(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(3)
	srv.SetShipment(n, dhltest.Shipment{Events: express()})
	srv.SetMalformed(true)
	res, err := c.Track(context.Background(), []string{n})
	if err == nil || !strings.Contains(err.Error(), "decode") {
		t.Fatalf("Track = %v, %v; want a decode error", res, err)
	}
}

func TestSlowReplyTimesOut(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv, func(cfg *dhl.Config) { cfg.Timeout = 50 * time.Millisecond })
	n := number(4)
	srv.SetShipment(n, dhltest.Shipment{Events: express()})
	srv.SetDelay(2 * time.Second)
	_, err := c.Track(context.Background(), []string{n})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}

func TestOneNumberPerRequest(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	if c.MaxBatch() != 1 {
		t.Fatalf("MaxBatch = %d, want 1", c.MaxBatch())
	}
	ns := []string{number(11), number(12), number(13)}
	for _, n := range ns[:2] {
		srv.SetShipment(n, dhltest.Shipment{Events: express()})
	}
	res, err := c.Track(context.Background(), ns)
	if err != nil {
		t.Fatal(err)
	}
	want := []tracker.Status{tracker.StatusInTransit, tracker.StatusInTransit, tracker.StatusNotFound}
	if len(res) != len(want) {
		t.Fatalf("results = %d", len(res))
	}
	for i, r := range res {
		if r.Number != ns[i] || r.Status != want[i] {
			t.Errorf("result %d = %s %s, want %s %s", i, r.Number, r.Status, ns[i], want[i])
		}
	}
	if srv.Requests() != 3 {
		t.Errorf("requests = %d, want 3", srv.Requests())
	}
}

func TestDailyQuota(t *testing.T) {
	srv := newServer(t)
	now := time.Date(2026, 4, 14, 22, 30, 0, 0, time.UTC)
	c := newClient(t, srv, func(cfg *dhl.Config) {
		cfg.DailyQuota = 2
		cfg.Now = func() time.Time { return now }
	})
	n := number(250)
	srv.SetShipment(n, dhltest.Shipment{Events: express()})
	for i := range 2 {
		if _, err := c.Track(context.Background(), []string{n}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	_, err := c.Track(context.Background(), []string{n})
	var re *carrierhttp.RestingError
	if !errors.As(err, &re) || !re.Until.Equal(time.Date(2026, 4, 15, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("err = %v, want resting until 00:00 GMT", err)
	}
	if srv.Requests() != 2 {
		t.Errorf("requests = %d, want 2", srv.Requests())
	}
	now = now.Add(2 * time.Hour) // a new GMT day
	if _, err := c.Track(context.Background(), []string{n}); err != nil {
		t.Fatalf("next day: %v", err)
	}
}

// The fake's own quota answers 429 like DHL's plan limit.
func TestFakeQuota(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	n := number(251)
	srv.SetShipment(n, dhltest.Shipment{Events: express()})
	srv.SetQuota(1)
	if _, err := c.Track(context.Background(), []string{n}); err != nil {
		t.Fatal(err)
	}
	_, err := c.Track(context.Background(), []string{n})
	var se *carrierhttp.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("err = %v, want 429", err)
	}
}

// The client serves DHL eCommerce numbers too: the Router fills the carrier.
func TestRouterFillsCarrier(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	const n = "GM2951730081234567" // an eCommerce-shaped number of our own
	srv.SetShipment(n, dhltest.Shipment{Service: "ecommerce", Events: []dhltest.Event{
		{Time: at(9, 0), StatusCode: "transit", Description: "Processed at sort facility", Locality: "Memphis", CountryCode: "US"},
	}})
	r := tracker.NewRouter(map[string]tracker.Client{"dhl": c, "dhl_ecommerce": c}, nil)
	res, err := r.Lookup(context.Background(), "dhl_ecommerce", n)
	if err != nil {
		t.Fatal(err)
	}
	if res.Carrier != "dhl_ecommerce" || res.Status != tracker.StatusInTransit {
		t.Errorf("got %s %s", res.Carrier, res.Status)
	}
}

// A call refused while DHL rests never reached DHL, so it costs no quota.
func TestDailyQuotaNotSpentWhileResting(t *testing.T) {
	srv := newServer(t)
	now := time.Date(2026, 4, 14, 10, 0, 0, 0, time.UTC)
	c := newClient(t, srv, func(cfg *dhl.Config) {
		cfg.DailyQuota = 2
		cfg.Now = func() time.Time { return now }
	})
	n := number(252)
	srv.SetShipment(n, dhltest.Shipment{Events: express()})
	srv.FailNext(1, http.StatusTooManyRequests, time.Minute)
	var se *carrierhttp.StatusError
	if _, err := c.Track(context.Background(), []string{n}); !errors.As(err, &se) {
		t.Fatalf("first call: %v, want 429", err)
	}
	var re *carrierhttp.RestingError
	if _, err := c.Track(context.Background(), []string{n}); !errors.As(err, &re) {
		t.Fatalf("second call: %v, want resting", err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := c.Track(context.Background(), []string{n}); err != nil {
		t.Fatalf("after the rest: %v (quota spent by the refused call?)", err)
	}
	if _, err := c.Track(context.Background(), []string{n}); !errors.As(err, &re) || re.Until.Hour() != 0 {
		t.Fatalf("fourth call: %v, want the day's quota spent", err)
	}
	if srv.Requests() != 2 {
		t.Errorf("requests = %d, want 2", srv.Requests())
	}
}

// A base URL replaces only scheme, host and port: a path on it is dropped,
// and a URL that is not absolute is reported by Track.
func TestBaseURLKeepsOnlyHost(t *testing.T) {
	srv := newServer(t)
	n := number(404)
	c := newClient(t, srv, func(cfg *dhl.Config) { cfg.BaseURL = srv.URL() + "/some/prefix/" })
	if _, err := c.Track(context.Background(), []string{n}); err != nil {
		t.Fatalf("Track with a path on the base URL: %v", err)
	}
	bad := newClient(t, srv, func(cfg *dhl.Config) { cfg.BaseURL = "api-eu.dhl.com" })
	if _, err := bad.Track(context.Background(), []string{n}); err == nil {
		t.Fatal("Track with a relative base URL: want an error")
	}
}

// A DHL eCommerce parcel handed to the local carrier for the last mile: DHL
// names its number (details.references local-tracking-number), which the
// result reports as a hand-off; other references are not.
func TestHandOffToLocalCarrier(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	const n = "GM2951173225174494"
	const usps = "9400119123456787654321" // a valid USPS IMpb number
	cases := []struct {
		name  string
		local string
		want  *tracker.Handoff
	}{
		{"USPS number", usps, &tracker.Handoff{Carrier: "usps", Number: usps}},
		{"none", "", nil},
		{"not a tracking number", "H01PQA", nil},
		{"DHL's own number", number(99), nil},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetShipment(n, dhltest.Shipment{Service: "ecommerce", LocalNumber: tt.local, Events: []dhltest.Event{
				{Time: at(9, 0), StatusCode: "transit", Description: "Tendered to delivery service provider", Locality: "Memphis, TN, US"}}})
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
