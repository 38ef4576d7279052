package usps_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
	"github.com/trackbot/trackbot/tracker/carrierhttp/fakeapi"
	"github.com/trackbot/trackbot/tracker/usps"
	"github.com/trackbot/trackbot/tracker/usps/uspstest"
)

type fixture struct {
	srv   *uspstest.Server
	c     *usps.Client
	clock *fakeapi.Clock
	logs  *bytes.Buffer
}

func newFixture(t *testing.T, mod func(*usps.Config)) *fixture {
	t.Helper()
	srv := uspstest.NewServer()
	t.Cleanup(srv.Close)
	clk := fakeapi.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	logs := &bytes.Buffer{}
	cfg := usps.Config{
		BaseURL:      srv.URL(),
		ClientID:     uspstest.ClientID,
		ClientSecret: uspstest.ClientSecret,
		Now:          clk.Now,
		Rate:         rate.Inf,
		Timeout:      5 * time.Second,
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	return &fixture{srv: srv, c: usps.New(cfg), clock: clk, logs: logs}
}

func (f *fixture) track(t *testing.T, n string) (tracker.Result, error) {
	t.Helper()
	res, err := f.c.Track(context.Background(), []string{n})
	if err != nil {
		return tracker.Result{}, err
	}
	if len(res) != 1 {
		t.Fatalf("Track returned %d results, want 1", len(res))
	}
	return res[0], nil
}

var (
	eastern = time.FixedZone("EST", -5*3600)
	pacific = time.FixedZone("PST", -8*3600)
)

func TestTrackMapsShipment(t *testing.T) {
	at := func(d, h, m int, loc *time.Location) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, loc) }
	label := uspstest.Event{Time: at(1, 11, 32, eastern), Status: tracker.StatusInfoReceived, City: "Springfield Gardens", State: "NY", ZIP: "11413"}
	hub := uspstest.Event{Time: at(2, 1, 11, pacific), Status: tracker.StatusInTransit, City: "Los Angeles", State: "CA", ZIP: "90052"}
	van := uspstest.Event{Time: at(3, 9, 10, eastern), Status: tracker.StatusOutForDelivery, City: "Hernando", State: "FL", ZIP: "34442"}
	here := func(s tracker.Status, typ, code string) uspstest.Event {
		return uspstest.Event{Time: at(3, 13, 58, eastern), Status: s, Type: typ, Code: code, City: "Hernando", State: "FL", ZIP: "34442"}
	}
	tests := map[string]struct {
		events     []uspstest.Event
		category   string
		wantStatus tracker.Status
		wantText   string
	}{
		"label created":    {events: []uspstest.Event{label}, wantStatus: tracker.StatusInfoReceived, wantText: "Shipping Label Created, USPS Awaiting Item"},
		"in transit":       {events: []uspstest.Event{hub, label}, wantStatus: tracker.StatusInTransit, wantText: "Arrived at USPS Regional Facility"},
		"out for delivery": {events: []uspstest.Event{van, hub, label}, wantStatus: tracker.StatusOutForDelivery, wantText: "Out for Delivery"},
		"delivered to a locker": {
			events:     []uspstest.Event{here(tracker.StatusDelivered, "Delivered, Parcel Locker", "01"), van},
			wantStatus: tracker.StatusDelivered, wantText: "Delivered, Parcel Locker",
		},
		"notice left":    {events: []uspstest.Event{here(tracker.StatusAttemptFailed, "", ""), van}, wantStatus: tracker.StatusAttemptFailed, wantText: "Notice Left (No Authorized Recipient Available)"},
		"notice left 53": {events: []uspstest.Event{here(tracker.StatusUnknown, "Business Closed", "53"), van}, wantStatus: tracker.StatusAttemptFailed, wantText: "Business Closed"},
		"pickup at a locker": {
			events:     []uspstest.Event{here(tracker.StatusAvailableForPickup, "Available for Pickup, Parcel Locker", ""), van},
			wantStatus: tracker.StatusAvailableForPickup, wantText: "Available for Pickup, Parcel Locker",
		},
		"customs": {
			events:     []uspstest.Event{{Time: at(2, 8, 0, time.UTC), Status: tracker.StatusCustoms, City: "ISC New York", State: "NY"}},
			wantStatus: tracker.StatusCustoms, wantText: "Inbound Into Customs",
		},
		"alert": {events: []uspstest.Event{here(tracker.StatusException, "", ""), van}, wantStatus: tracker.StatusException, wantText: "Insufficient Address"},
		"returned then delivered to the sender": {
			events: []uspstest.Event{
				{Time: at(9, 10, 0, eastern), Status: tracker.StatusDelivered, Type: "Delivered, Front Door/Porch", City: "Jamaica", State: "NY"},
				here(tracker.StatusReturned, "", ""),
			},
			wantStatus: tracker.StatusReturned, wantText: "Delivered, Front Door/Porch",
		},
		"unknown words fall back to the code": {events: []uspstest.Event{here(tracker.StatusUnknown, "Scan 7Q", "OF")}, wantStatus: tracker.StatusOutForDelivery, wantText: "Scan 7Q"},
		"unknown words and code fall back to the category": {
			events: []uspstest.Event{here(tracker.StatusUnknown, "Scan 7Q", "ZZ")}, category: "Delivery Attempt",
			wantStatus: tracker.StatusAttemptFailed, wantText: "Scan 7Q",
		},
	}
	f := newFixture(t, nil)
	i := 0
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			i++
			n := uspstest.TrackingNumber(i)
			eta := time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)
			f.srv.SetShipment(n, uspstest.Shipment{Events: tc.events, ETA: eta, Category: tc.category})
			got, err := f.track(t, n)
			if err != nil {
				t.Fatalf("Track: %v", err)
			}
			if got.Number != n || got.Carrier != "usps" || got.Service != "USPS Ground Advantage" {
				t.Errorf("identity = %q %q %q", got.Number, got.Carrier, got.Service)
			}
			if got.Status != tc.wantStatus || got.StatusText != tc.wantText {
				t.Errorf("status = %s %q, want %s %q", got.Status, got.StatusText, tc.wantStatus, tc.wantText)
			}
			if len(got.Events) != len(tc.events) {
				t.Fatalf("%d events, want %d", len(got.Events), len(tc.events))
			}
			for j, ev := range got.Events {
				want := tc.events[j].Time
				if ev.Time.Format(time.RFC3339) != want.Format(time.RFC3339) {
					t.Errorf("event %d time = %s, want %s", j, ev.Time.Format(time.RFC3339), want.Format(time.RFC3339))
				}
			}
			// The ETA has no offset: it is read in the latest scan's zone.
			_, off := got.Events[0].Time.Zone()
			if wantETA := time.Date(2026, 3, 4, 0, 0, 0, 0, time.FixedZone("", off)); !got.ETA.Equal(wantETA) {
				t.Errorf("ETA = %s, want %s", got.ETA, wantETA)
			}
		})
	}

	t.Run("locations and event statuses", func(t *testing.T) {
		n := uspstest.TrackingNumber(900)
		intl := uspstest.Event{Time: at(1, 7, 0, time.FixedZone("", 3600)), Status: tracker.StatusInTransit, Type: "Departed", City: "FRANKFURT", Country: "GERMANY"}
		f.srv.SetShipment(n, uspstest.Shipment{Events: []uspstest.Event{van, hub, label, intl}, MailClass: "PRIORITY_MAIL"})
		got, err := f.track(t, n)
		if err != nil {
			t.Fatal(err)
		}
		wantLoc := []string{"Hernando, FL, US", "Los Angeles, CA, US", "Springfield Gardens, NY, US", "Frankfurt, GERMANY"}
		wantSt := []tracker.Status{tracker.StatusOutForDelivery, tracker.StatusInTransit, tracker.StatusInfoReceived, tracker.StatusInTransit}
		for j, ev := range got.Events {
			if ev.Location != wantLoc[j] || ev.Status != wantSt[j] {
				t.Errorf("event %d = %q %s, want %q %s", j, ev.Location, ev.Status, wantLoc[j], wantSt[j])
			}
		}
		if got.Service != "Priority Mail" || !got.ETA.IsZero() {
			t.Errorf("service %q, ETA %s; want Priority Mail and no ETA", got.Service, got.ETA)
		}
	})
}

func TestNotFound(t *testing.T) {
	f := newFixture(t, nil)
	n := uspstest.TrackingNumber(42)
	got, err := f.track(t, n)
	if err != nil {
		t.Fatalf("not found must not be an error: %v", err)
	}
	if got.Status != tracker.StatusNotFound || got.Number != n || len(got.Events) != 0 {
		t.Errorf("got %+v", got)
	}
	if !strings.HasPrefix(got.StatusText, "A status update is not yet available") || strings.Contains(got.StatusText, "<SUP>") || !strings.Contains(got.StatusText, "Informed Delivery®") {
		t.Errorf("status text %q: want USPS's words without HTML", got.StatusText)
	}
}

func TestTokenFlow(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 4 {
		if _, err := f.track(t, uspstest.TrackingNumber(i)); err != nil {
			t.Fatal(err)
		}
	}
	if f.srv.TokenRequests() != 1 || f.srv.Requests() != 4 {
		t.Fatalf("token requests %d, tracking %d; want 1, 4", f.srv.TokenRequests(), f.srv.Requests())
	}
	f.clock.Advance(7 * time.Hour)
	f.track(t, uspstest.TrackingNumber(1))
	if f.srv.TokenRequests() != 1 {
		t.Error("token renewed long before expiry")
	}
	f.clock.Advance(59 * time.Minute) // 7h59m of 7h59m59s
	f.track(t, uspstest.TrackingNumber(1))
	if f.srv.TokenRequests() != 2 {
		t.Errorf("token requests = %d, want a renewal shortly before expiry", f.srv.TokenRequests())
	}

	f.srv.ExpireTokens()
	before := f.srv.Requests()
	if _, err := f.track(t, uspstest.TrackingNumber(1)); err != nil {
		t.Fatalf("after the server expired the token: %v", err)
	}
	if f.srv.TokenRequests() != 3 || f.srv.Requests()-before != 2 {
		t.Errorf("tokens %d, requests %d; want one refresh and one retry", f.srv.TokenRequests(), f.srv.Requests()-before)
	}

	f.srv.FailNext(2, http.StatusUnauthorized, 0)
	before = f.srv.Requests()
	_, err := f.track(t, uspstest.TrackingNumber(1))
	if se, ok := errors.AsType[*carrierhttp.StatusError](err); !ok || se.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want a 401 after one retry", err)
	}
	if f.srv.Requests()-before != 2 {
		t.Errorf("%d requests, want exactly one retry", f.srv.Requests()-before)
	}
}

func TestBadCredentials(t *testing.T) {
	const secret = "wrong-secret-93ac"
	f := newFixture(t, func(c *usps.Config) { c.ClientSecret = secret })
	_, err := f.track(t, uspstest.TrackingNumber(1))
	se, ok := errors.AsType[*carrierhttp.StatusError](err)
	if !ok || se.StatusCode != http.StatusUnauthorized || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("err = %v, want the token endpoint's invalid_client", err)
	}
	if f.srv.TokenRequests() != 1 || f.srv.Requests() != 0 {
		t.Errorf("token requests %d, tracking %d; want 1, 0", f.srv.TokenRequests(), f.srv.Requests())
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(f.logs.String(), secret) {
		t.Error("the client secret leaked into an error or log")
	}
}

func TestRetryAfterAndResting(t *testing.T) {
	tests := map[string]struct {
		status     int
		retryAfter time.Duration
		rests      bool
	}{
		"429 with Retry-After": {http.StatusTooManyRequests, 30 * time.Second, true},
		"503 with Retry-After": {http.StatusServiceUnavailable, 120 * time.Second, true},
		"502 once":             {http.StatusBadGateway, 0, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, nil)
			n := uspstest.TrackingNumber(8)
			f.srv.FailNext(1, tc.status, tc.retryAfter)
			_, err := f.track(t, n)
			se, ok := errors.AsType[*carrierhttp.StatusError](err)
			if !ok || se.StatusCode != tc.status || se.RetryAfter != tc.retryAfter || !se.Temporary() {
				t.Fatalf("err = %v, want StatusError %d retry after %s", err, tc.status, tc.retryAfter)
			}
			sent := f.srv.Requests()
			_, err = f.track(t, n)
			if tc.rests {
				if _, ok := errors.AsType[*carrierhttp.RestingError](err); !ok || f.srv.Requests() != sent {
					t.Fatalf("err = %v; want RestingError without contacting USPS", err)
				}
				f.clock.Advance(tc.retryAfter + time.Second)
				_, err = f.track(t, n)
			}
			if err != nil {
				t.Errorf("after the pause: %v", err)
			}
		})
	}
}

func TestHourlyQuota(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.SetHourlyQuota(3) // the token and two lookups
	for i := range 2 {
		if _, err := f.track(t, uspstest.TrackingNumber(i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.track(t, uspstest.TrackingNumber(3))
	se, ok := errors.AsType[*carrierhttp.StatusError](err)
	if !ok || se.StatusCode != http.StatusTooManyRequests || se.RetryAfter <= 0 || se.RetryAfter > time.Hour {
		t.Fatalf("err = %v, want 429 with Retry-After within the hour", err)
	}
}

func TestDefaultRateIsOnePerMinute(t *testing.T) {
	if usps.DefaultRate > rate.Limit(61.0/3600) || usps.DefaultRate <= 0 {
		t.Errorf("default rate %v/s exceeds USPS's ~60 calls an hour", usps.DefaultRate)
	}
	// With the default rate, a token and one lookup still go at once; a
	// further lookup waits, so a short deadline fails instead of hammering.
	f := newFixture(t, func(c *usps.Config) { c.Rate, c.Burst = 0, 0 })
	if _, err := f.track(t, uspstest.TrackingNumber(1)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := f.c.Track(ctx, []string{uspstest.TrackingNumber(2)}); err == nil {
		t.Error("a second lookup within the minute went through")
	}
	if f.srv.Requests() != 1 {
		t.Errorf("%d tracking requests reached USPS, want 1", f.srv.Requests())
	}
}

func TestMalformedReply(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.SetMalformed(true)
	_, err := f.track(t, uspstest.TrackingNumber(4))
	if err == nil || !strings.Contains(err.Error(), "decode reply") || !strings.HasPrefix(err.Error(), "usps: track ") {
		t.Fatalf("err = %v, want a decode error with context", err)
	}
}

func TestSlowReplyTimesOut(t *testing.T) {
	f := newFixture(t, func(c *usps.Config) { c.Timeout = 50 * time.Millisecond })
	f.srv.SetDelay(2 * time.Second)
	_, err := f.track(t, uspstest.TrackingNumber(6))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}

func TestBatchLimit(t *testing.T) {
	f := newFixture(t, nil)
	if f.c.MaxBatch() != 1 || f.c.Name() != "usps" {
		t.Fatalf("MaxBatch %d Name %q", f.c.MaxBatch(), f.c.Name())
	}
	if res, err := f.c.Track(context.Background(), nil); res != nil || err != nil {
		t.Errorf("empty batch: %v %v", res, err)
	}
	if _, err := f.c.Track(context.Background(), []string{uspstest.TrackingNumber(1), uspstest.TrackingNumber(2)}); err == nil {
		t.Error("two numbers: want an error")
	}
	if f.srv.Requests()+f.srv.TokenRequests() != 0 {
		t.Error("a rejected batch reached the server")
	}
}
