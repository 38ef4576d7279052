package ups_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
	"github.com/trackbot/trackbot/tracker/carrierhttp/fakeapi"
	"github.com/trackbot/trackbot/tracker/ups"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

type fixture struct {
	srv   *upstest.Server
	c     *ups.Client
	clock *fakeapi.Clock
	logs  *bytes.Buffer
}

func newFixture(t *testing.T, mod func(*ups.Config)) *fixture {
	t.Helper()
	srv := upstest.NewServer()
	t.Cleanup(srv.Close)
	clk := fakeapi.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	logs := &bytes.Buffer{}
	cfg := ups.Config{
		BaseURL:      srv.URL(),
		ClientID:     upstest.ClientID,
		ClientSecret: upstest.ClientSecret,
		Now:          clk.Now,
		Rate:         rate.Inf,
		Timeout:      5 * time.Second,
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(&cfg)
	}
	return &fixture{srv: srv, c: ups.New(cfg), clock: clk, logs: logs}
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
	newYork = time.FixedZone("EST", -5*3600)
	chicago = time.FixedZone("CST", -6*3600)
)

func TestTrackMapsShipment(t *testing.T) {
	day := func(d, h, m int, loc *time.Location) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, loc) }
	label := upstest.Event{Time: day(1, 8, 5, newYork), Status: tracker.StatusInfoReceived, Country: "US"}
	hub := upstest.Event{Time: day(2, 3, 40, chicago), Status: tracker.StatusInTransit, City: "Hodgkins", State: "IL", Country: "US"}
	van := upstest.Event{Time: day(3, 7, 12, newYork), Status: tracker.StatusOutForDelivery, City: "Paramus", State: "NJ", Country: "US"}

	tests := map[string]struct {
		events     []upstest.Event
		eta        time.Time
		wantStatus tracker.Status
		wantText   string
	}{
		"label only": {
			events: []upstest.Event{label}, eta: day(5, 0, 0, time.UTC),
			wantStatus: tracker.StatusInfoReceived, wantText: "Shipper created a label, UPS has not received the package yet.",
		},
		"in transit":       {events: []upstest.Event{hub, label}, wantStatus: tracker.StatusInTransit, wantText: "Arrived at Facility"},
		"out for delivery": {events: []upstest.Event{van, hub, label}, wantStatus: tracker.StatusOutForDelivery, wantText: "Loaded on Delivery Vehicle"},
		"delivered": {
			events:     []upstest.Event{{Time: day(3, 16, 30, newYork), Status: tracker.StatusDelivered, City: "PARAMUS", State: "NJ", Country: "US"}, van, hub, label},
			wantStatus: tracker.StatusDelivered, wantText: "DELIVERED",
		},
		"attempt failed": {
			events:     []upstest.Event{{Time: day(3, 15, 0, newYork), Status: tracker.StatusAttemptFailed, City: "Paramus", State: "NJ", Country: "US"}, van},
			wantStatus: tracker.StatusAttemptFailed, wantText: "The receiver was not available for delivery. We'll make a second attempt the next business day.",
		},
		"access point": {
			events:     []upstest.Event{{Time: day(3, 15, 0, newYork), Type: "D", Code: "161", Description: "Delivered to UPS Access Point™", City: "Paramus", State: "NJ", Country: "US"}, van},
			wantStatus: tracker.StatusAvailableForPickup, wantText: "Delivered to UPS Access Point™",
		},
		"customs": {
			events:     []upstest.Event{{Time: day(2, 11, 0, time.FixedZone("CET", 3600)), Status: tracker.StatusCustoms, City: "Koeln", Country: "DE"}},
			wantStatus: tracker.StatusCustoms, wantText: "Clearance in Progress",
		},
		"exception": {
			events:     []upstest.Event{{Time: day(2, 11, 0, chicago), Status: tracker.StatusException, City: "Hodgkins", State: "IL", Country: "US"}, hub},
			wantStatus: tracker.StatusException, wantText: "The address is incomplete. We're attempting to update it.",
		},
		"returned then delivered back": {
			events: []upstest.Event{
				{Time: day(9, 10, 0, newYork), Status: tracker.StatusDelivered, City: "Secaucus", State: "NJ", Country: "US"},
				{Time: day(5, 10, 0, newYork), Status: tracker.StatusReturned, City: "Paramus", State: "NJ", Country: "US"},
				van,
			},
			wantStatus: tracker.StatusReturned, wantText: "DELIVERED",
		},
		"exception by type and words only": {
			events:     []upstest.Event{{Time: day(3, 9, 0, newYork), Type: "X", Code: "999", Description: "Your package is out for delivery but will arrive late"}},
			wantStatus: tracker.StatusOutForDelivery, wantText: "Your package is out for delivery but will arrive late",
		},
	}
	f := newFixture(t, nil)
	i := 0
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			i++
			n := upstest.TrackingNumber(i)
			f.srv.SetShipment(n, upstest.Shipment{Events: tc.events, ETA: tc.eta, Service: "UPS Ground"})
			got, err := f.track(t, n)
			if err != nil {
				t.Fatalf("Track: %v", err)
			}
			if got.Number != n || got.Carrier != "ups" || got.Service != "UPS Ground" {
				t.Errorf("identity = %q %q %q", got.Number, got.Carrier, got.Service)
			}
			if got.Status != tc.wantStatus || got.StatusText != tc.wantText {
				t.Errorf("status = %s %q, want %s %q", got.Status, got.StatusText, tc.wantStatus, tc.wantText)
			}
			if len(got.Events) != len(tc.events) {
				t.Fatalf("%d events, want %d", len(got.Events), len(tc.events))
			}
			for j, ev := range got.Events {
				want := tc.events[j]
				if !ev.Time.Equal(want.Time) || ev.Time.Format(time.RFC3339) != want.Time.Format(time.RFC3339) {
					t.Errorf("event %d time = %s, want %s (same zone offset)", j, ev.Time.Format(time.RFC3339), want.Time.Format(time.RFC3339))
				}
				if j > 0 && ev.Time.After(got.Events[j-1].Time) {
					t.Errorf("events not newest first at %d", j)
				}
			}
			if !tc.eta.IsZero() && !got.ETA.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, newYork)) {
				t.Errorf("ETA = %s, want 2026-03-05 in the latest scan's zone", got.ETA)
			}
			if tc.eta.IsZero() && !got.ETA.IsZero() {
				t.Errorf("ETA = %s, want none", got.ETA)
			}
		})
	}

	t.Run("locations and event statuses", func(t *testing.T) {
		n := upstest.TrackingNumber(900)
		f.srv.SetShipment(n, upstest.Shipment{Events: []upstest.Event{van, hub, label}, ETA: time.Date(2026, 3, 3, 19, 0, 0, 0, newYork)})
		got, err := f.track(t, n)
		if err != nil {
			t.Fatal(err)
		}
		wantLoc := []string{"Paramus, NJ, US", "Hodgkins, IL, US", "US"}
		wantSt := []tracker.Status{tracker.StatusOutForDelivery, tracker.StatusInTransit, tracker.StatusInfoReceived}
		for j, ev := range got.Events {
			if ev.Location != wantLoc[j] || ev.Status != wantSt[j] {
				t.Errorf("event %d = %q %s, want %q %s", j, ev.Location, ev.Status, wantLoc[j], wantSt[j])
			}
		}
		if want := "2026-03-03T19:00:00-05:00"; got.ETA.Format(time.RFC3339) != want {
			t.Errorf("ETA with commit time = %s, want %s", got.ETA.Format(time.RFC3339), want)
		}
	})
}

func TestNotFound(t *testing.T) {
	good := upstest.TrackingNumber(77)
	bad := good[:17] + string(rune('0'+(good[17]-'0'+1)%10)) // wrong check digit
	tests := map[string]struct {
		number, wantText string
	}{
		"unknown number: 200 with TW0001": {good, "Tracking Information Not Found"},
		"invalid number: TV1002":          {bad, "Invalid inquiry number"},
	}
	f := newFixture(t, nil)
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := f.track(t, tc.number)
			if err != nil {
				t.Fatalf("not found must not be an error: %v", err)
			}
			if got.Status != tracker.StatusNotFound || got.StatusText != tc.wantText || got.Number != tc.number || len(got.Events) != 0 {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestTokenCachedAcrossTracks(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 5 {
		if _, err := f.track(t, upstest.TrackingNumber(i)); err != nil {
			t.Fatal(err)
		}
	}
	if f.srv.TokenRequests() != 1 || f.srv.Requests() != 5 {
		t.Errorf("token requests %d, tracking requests %d; want 1 and 5", f.srv.TokenRequests(), f.srv.Requests())
	}
	// UPS tokens live 14399 s; the cache renews shortly before that.
	f.clock.Advance(3*time.Hour + 30*time.Minute)
	if _, err := f.track(t, upstest.TrackingNumber(1)); err != nil {
		t.Fatal(err)
	}
	if f.srv.TokenRequests() != 1 {
		t.Errorf("token renewed %d times before it was near expiry", f.srv.TokenRequests()-1)
	}
	f.clock.Advance(29 * time.Minute)
	if _, err := f.track(t, upstest.TrackingNumber(1)); err != nil {
		t.Fatal(err)
	}
	if f.srv.TokenRequests() != 2 {
		t.Errorf("token requests = %d, want a renewal just before expiry", f.srv.TokenRequests())
	}
}

func TestExpiredTokenRefreshedOnce(t *testing.T) {
	tests := map[string]struct {
		expire       bool // the server forgets its tokens
		fail401      int  // tracking 401s scripted on top
		wantErr      bool
		wantTokens   int
		wantRequests int
	}{
		"expired token: refresh and retry":   {expire: true, wantTokens: 2, wantRequests: 2},
		"401 twice: give up after one retry": {fail401: 2, wantErr: true, wantTokens: 2, wantRequests: 2},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, nil)
			n := upstest.TrackingNumber(5)
			f.srv.SetShipment(n, upstest.Shipment{Events: []upstest.Event{{Time: time.Now(), Status: tracker.StatusInTransit}}})
			f.c.Track(context.Background(), nil) // no-op: no token fetched
			if f.srv.TokenRequests() != 0 {
				t.Fatal("an empty Track fetched a token")
			}
			if tc.expire {
				if _, err := f.track(t, n); err != nil { // warm the cache
					t.Fatal(err)
				}
				f.srv.ExpireTokens()
			}
			f.srv.FailNext(tc.fail401, http.StatusUnauthorized, 0)
			before := f.srv.Requests()
			_, err := f.track(t, n)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				se, ok := errors.AsType[*carrierhttp.StatusError](err)
				if !ok || se.StatusCode != http.StatusUnauthorized {
					t.Errorf("err = %v, want a 401 StatusError", err)
				}
			}
			if f.srv.TokenRequests() != tc.wantTokens || f.srv.Requests()-before != tc.wantRequests {
				t.Errorf("tokens %d, requests %d; want %d, %d", f.srv.TokenRequests(), f.srv.Requests()-before, tc.wantTokens, tc.wantRequests)
			}
		})
	}
}

func TestBadCredentials(t *testing.T) {
	const secret = "not-the-secret-5f1e"
	f := newFixture(t, func(c *ups.Config) { c.ClientSecret = secret })
	_, err := f.track(t, upstest.TrackingNumber(3))
	if err == nil {
		t.Fatal("want an error for bad credentials")
	}
	se, ok := errors.AsType[*carrierhttp.StatusError](err)
	if !ok || se.StatusCode != http.StatusUnauthorized {
		t.Errorf("err = %v, want the token endpoint's 401", err)
	}
	if f.srv.TokenRequests() != 1 || f.srv.Requests() != 0 {
		t.Errorf("token requests %d, tracking %d; want 1, 0 (no retry on bad credentials)", f.srv.TokenRequests(), f.srv.Requests())
	}
	if !strings.HasPrefix(err.Error(), "ups: track ") {
		t.Errorf("error lacks context: %v", err)
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(f.logs.String(), secret) {
		t.Error("the client secret leaked into an error or log")
	}
}

func TestRetryAfterAndResting(t *testing.T) {
	tests := map[string]struct {
		status     int
		retryAfter time.Duration
		rests      bool // the next call is refused without contacting UPS
	}{
		"429 with Retry-After": {http.StatusTooManyRequests, 30 * time.Second, true},
		"503 with Retry-After": {http.StatusServiceUnavailable, 10 * time.Second, true},
		"500 once":             {http.StatusInternalServerError, 0, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, nil)
			n := upstest.TrackingNumber(8)
			f.srv.FailNext(1, tc.status, tc.retryAfter)
			_, err := f.track(t, n)
			se, ok := errors.AsType[*carrierhttp.StatusError](err)
			if !ok || se.StatusCode != tc.status || se.RetryAfter != tc.retryAfter || !se.Temporary() {
				t.Fatalf("err = %#v, want StatusError %d retry after %s", err, tc.status, tc.retryAfter)
			}
			sent := f.srv.Requests()
			_, err = f.track(t, n)
			if tc.rests {
				re, ok := errors.AsType[*carrierhttp.RestingError](err)
				if !ok || f.srv.Requests() != sent {
					t.Fatalf("err = %v after %d requests; want RestingError without contacting UPS", err, f.srv.Requests()-sent)
				}
				if !re.Until.Equal(f.clock.Now().Add(tc.retryAfter)) {
					t.Errorf("resting until %s, want now+%s", re.Until, tc.retryAfter)
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

func TestMalformedReply(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.SetMalformed(true)
	_, err := f.track(t, upstest.TrackingNumber(4))
	if err == nil || !strings.Contains(err.Error(), "decode reply") {
		t.Fatalf("err = %v, want a decode error", err)
	}
	f.srv.SetMalformed(false)
	if got, err := f.track(t, upstest.TrackingNumber(4)); err != nil || got.Status != tracker.StatusNotFound {
		t.Errorf("after recovery: %v %v", got.Status, err)
	}
}

func TestSlowReplyTimesOut(t *testing.T) {
	f := newFixture(t, func(c *ups.Config) { c.Timeout = 50 * time.Millisecond })
	n := upstest.TrackingNumber(6)
	if _, err := f.track(t, n); err != nil { // token first, undelayed
		t.Fatal(err)
	}
	f.srv.SetDelay(2 * time.Second)
	_, err := f.track(t, n)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
}

func TestBatchLimit(t *testing.T) {
	f := newFixture(t, nil)
	if f.c.MaxBatch() != 1 || f.c.Name() != "ups" {
		t.Fatalf("MaxBatch %d Name %q", f.c.MaxBatch(), f.c.Name())
	}
	res, err := f.c.Track(context.Background(), []string{upstest.TrackingNumber(1), upstest.TrackingNumber(2)})
	if err == nil || res != nil {
		t.Fatalf("two numbers: %v %v, want an error", res, err)
	}
	if f.srv.Requests()+f.srv.TokenRequests() != 0 {
		t.Error("an over-size batch reached the server")
	}
}

func TestBaseURLKeepsOnlyHost(t *testing.T) {
	f := newFixture(t, nil)
	c := ups.New(ups.Config{BaseURL: f.srv.URL() + "/api/", ClientID: upstest.ClientID, ClientSecret: upstest.ClientSecret, Rate: rate.Inf})
	if _, err := c.Track(context.Background(), []string{upstest.TrackingNumber(1)}); err != nil {
		t.Fatalf("base URL with a path: %v", err)
	}
	bad := ups.New(ups.Config{BaseURL: "onlinetools.ups.com"})
	if _, err := bad.Track(context.Background(), []string{upstest.TrackingNumber(1)}); err == nil {
		t.Error("a base URL without scheme must be reported")
	}
}

func TestConcurrentTracksShareOneToken(t *testing.T) {
	f := newFixture(t, nil)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := f.c.Track(context.Background(), []string{upstest.TrackingNumber(i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if f.srv.TokenRequests() != 1 {
		t.Errorf("token requests = %d, want 1", f.srv.TokenRequests())
	}
}

// A SurePost parcel handed to USPS: UPS names the USPS number
// (alternateTrackingNumber USPS_PIC), which the result reports as a hand-off.
func TestHandOffToUSPS(t *testing.T) {
	f := newFixture(t, nil)
	n := upstest.TrackingNumber(81)
	s := "9400" + "1" + "9" + "12345678" + "7654321"
	sum := 0
	for i := 0; i < len(s); i++ {
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	usps := s + string(rune('0'+(10-sum%10)%10))
	f.srv.SetShipment(n, upstest.Shipment{USPSNumber: usps, Events: []upstest.Event{
		{Time: time.Date(2026, 3, 1, 10, 0, 0, 0, newYork), Status: tracker.StatusInTransit, City: "Secaucus", State: "NJ", Country: "US"}}})
	got, err := f.track(t, n)
	if err != nil {
		t.Fatal(err)
	}
	if got.Handoff == nil || got.Handoff.Carrier != "usps" || got.Handoff.Number != usps {
		t.Errorf("hand-off %+v, want usps %s", got.Handoff, usps)
	}
	// Without the alternate number there is none.
	f.srv.SetShipment(n, upstest.Shipment{Events: []upstest.Event{
		{Time: time.Date(2026, 3, 1, 10, 0, 0, 0, newYork), Status: tracker.StatusInTransit}}})
	if got, err := f.track(t, n); err != nil || got.Handoff != nil {
		t.Errorf("no alternate number: %+v, %v", got.Handoff, err)
	}
}
