package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
	"github.com/trackbot/trackbot/tracker/usps/uspstest"
)

func TestNewRouter(t *testing.T) {
	all := map[string]string{
		"UPS_CLIENT_ID": "val-1", "UPS_CLIENT_SECRET": "val-2",
		"USPS_CLIENT_ID": "val-3", "USPS_CLIENT_SECRET": "val-4",
		"FEDEX_API_KEY": "val-5", "FEDEX_SECRET_KEY": "val-6",
		"DHL_API_KEY":            "val-7",
		"SEVENTEENTRACK_API_KEY": "val-8",
	}
	without := func(names ...string) map[string]string {
		m := map[string]string{}
		for k, v := range all {
			m[k] = v
		}
		for _, n := range names {
			delete(m, n)
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		demo    bool
		clients map[string]string // carrier code → client Name, "" for none
		notes   []string          // substrings, one per expected note
	}{
		{
			name: "nothing configured",
			env:  nil,
			clients: map[string]string{
				"ups": "", "fedex": "", "dhl": "", "amazon": "", "s10": "", "demo": "demo-off",
			},
			notes: []string{
				"17TRACK: no key",
				"UPS: no credentials (UPS_CLIENT_ID, UPS_CLIENT_SECRET unset) — users get the UPS tracking link only",
				"USPS: no credentials (USPS_CLIENT_ID, USPS_CLIENT_SECRET unset) — users get the USPS tracking link only",
				"FedEx: no credentials (FEDEX_API_KEY, FEDEX_SECRET_KEY unset) — users get the FedEx tracking link only",
				"DHL: no credentials (DHL_API_KEY unset) — users get the DHL tracking link only",
			},
		},
		{
			name: "only 17TRACK, demo on",
			env:  map[string]string{"SEVENTEENTRACK_API_KEY": "key"},
			demo: true,
			clients: map[string]string{
				"ups": "17track", "fedex": "17track", "dhl_ecommerce": "17track", "amazon": "17track",
				"royal_mail": "17track", "usps": "17track", "s10": "17track", "demo": "demo",
			},
			notes: []string{
				"UPS: no credentials (UPS_CLIENT_ID, UPS_CLIENT_SECRET unset) — UPS numbers go through 17TRACK",
				"USPS: no credentials (USPS_CLIENT_ID, USPS_CLIENT_SECRET unset) — USPS numbers go through 17TRACK",
				"FedEx: no credentials (FEDEX_API_KEY, FEDEX_SECRET_KEY unset) — FedEx numbers go through 17TRACK",
				"DHL: no credentials (DHL_API_KEY unset) — DHL numbers go through 17TRACK",
			},
		},
		{
			name:    "all set",
			env:     all,
			clients: map[string]string{"ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl", "amazon": "17track"},
		},
		{
			name: "everything but a FedEx secret",
			env:  without("FEDEX_SECRET_KEY"),
			clients: map[string]string{
				"ups": "ups", "fedex": "17track", "dhl": "dhl", "dhl_ecommerce": "dhl",
				"ontrac": "17track", "lasership": "17track", "canada_post": "17track",
				"usps": "usps", "s10": "usps+17track", "demo": "demo-off",
			},
			notes: []string{
				"FedEx: incomplete credentials (FEDEX_SECRET_KEY unset) — FedEx numbers go through 17TRACK",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			router, notes := newRouter(envMap(tt.env), tt.demo, nil)
			for code, want := range tt.clients {
				c, err := router.ClientFor(code)
				switch {
				case want == "" && !errors.Is(err, tracker.ErrNoClient):
					t.Errorf("%s: want no client, got %v %v", code, c, err)
				case want != "" && (err != nil || c.Name() != want):
					t.Errorf("%s: want %s, got %v", code, want, err)
				}
			}
			if len(notes) != len(tt.notes) {
				t.Fatalf("notes %q, want %q", notes, tt.notes)
			}
			for i, w := range tt.notes {
				if !strings.Contains(notes[i], w) {
					t.Errorf("note %q, want it to contain %q", notes[i], w)
				}
			}
			for _, n := range notes {
				if strings.Contains(n, "val-") {
					t.Errorf("note leaks a secret: %s", n)
				}
			}
		})
	}
}

// S10 numbers posted in the US go to USPS, the others to 17TRACK; the
// number keeps its detection code either way.
func TestPostalSplit(t *testing.T) {
	uspsSrv := uspstest.NewServer()
	defer uspsSrv.Close()
	agg := seventeentest.NewServer()
	defer agg.Close()
	eastern := time.FixedZone("EST", -5*3600)
	fromUS := s10Number("LZ", 73519046, "US")
	fromGB := s10Number("RR", 73519046, "GB")
	uspsSrv.SetShipment(fromUS, uspstest.Shipment{Events: []uspstest.Event{
		{Time: time.Date(2026, 2, 10, 9, 41, 0, 0, eastern), Status: tracker.StatusInTransit, City: "NEW YORK", State: "NY", ZIP: "10001"},
	}})
	agg.SetShipment(fromGB, seventeentest.Shipment{Status: "Delivered", Provider: "Royal Mail", Events: []seventeentest.Event{
		{Time: time.Date(2026, 2, 11, 12, 5, 0, 0, time.UTC), Description: "Delivered", City: "Leeds", Country: "GB"},
	}})
	router, _ := newRouter(envMap(map[string]string{
		"USPS_CLIENT_ID": uspstest.ClientID, "USPS_CLIENT_SECRET": uspstest.ClientSecret, "USPS_API_URL": uspsSrv.URL(),
		"SEVENTEENTRACK_API_KEY": seventeentest.APIKey, "SEVENTEENTRACK_API_URL": agg.URL(),
	}), false, nil)
	c, err := router.ClientFor("s10")
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Track(context.Background(), []string{fromUS, fromGB})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]tracker.Result{}
	for _, r := range res {
		got[r.Number] = r
	}
	if r := got[fromUS]; r.Status != tracker.StatusInTransit || r.Carrier != "" {
		t.Errorf("US-posted: %s %q", r.Status, r.Carrier)
	}
	if r := got[fromGB]; r.Status != tracker.StatusDelivered || r.Carrier != "" {
		t.Errorf("GB-posted: %s %q", r.Status, r.Carrier)
	}
	if uspsSrv.Requests() != 1 || agg.Calls("gettrackinfo") == 0 {
		t.Errorf("USPS requests %d, 17TRACK gettrackinfo %d", uspsSrv.Requests(), agg.Calls("gettrackinfo"))
	}
	if agg.Registered(fromUS) {
		t.Error("a US-posted number was registered with 17TRACK")
	}

	// Without 17TRACK, other countries' numbers have no client.
	onlyUSPS, _ := newRouter(envMap(map[string]string{
		"USPS_CLIENT_ID": uspstest.ClientID, "USPS_CLIENT_SECRET": uspstest.ClientSecret, "USPS_API_URL": uspsSrv.URL(),
	}), false, nil)
	if _, err := onlyUSPS.Lookup(context.Background(), "s10", fromGB); !errors.Is(err, tracker.ErrNoClient) {
		t.Errorf("GB-posted without 17TRACK: %v", err)
	}
}
