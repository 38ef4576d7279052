package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracker"
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
				"ups": "", "fedex": "", "dhl": "", "amazon": "", "s10": "", "demo": "",
			},
			notes: []string{
				"17TRACK: no key",
				"UPS: no credentials (UPS_CLIENT_ID, UPS_CLIENT_SECRET unset) — users get the UPS tracking link only",
				"USPS: ",
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
				"royal_mail": "17track", "demo": "demo",
			},
			notes: []string{
				"UPS: no credentials (UPS_CLIENT_ID, UPS_CLIENT_SECRET unset) — UPS numbers go through 17TRACK",
				"USPS: ",
				"FedEx: no credentials (FEDEX_API_KEY, FEDEX_SECRET_KEY unset) — FedEx numbers go through 17TRACK",
				"DHL: no credentials (DHL_API_KEY unset) — DHL numbers go through 17TRACK",
			},
		},
		{
			name: "everything but a FedEx secret",
			env:  without("FEDEX_SECRET_KEY"),
			clients: map[string]string{
				"ups": "ups", "fedex": "17track", "dhl": "dhl", "dhl_ecommerce": "dhl",
				"ontrac": "17track", "lasership": "17track", "canada_post": "17track", "s10": "17track",
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
			// USPS has no client yet; its note is always there (see the TODO).
			var rest []string
			for _, n := range notes {
				if !strings.HasPrefix(n, "USPS: ") {
					rest = append(rest, n)
				}
			}
			var wantRest []string
			for _, w := range tt.notes {
				if w != "USPS: " {
					wantRest = append(wantRest, w)
				}
			}
			if len(rest) != len(wantRest) {
				t.Fatalf("notes %q, want %q", notes, tt.notes)
			}
			for i, w := range wantRest {
				if !strings.Contains(rest[i], w) {
					t.Errorf("note %q, want it to contain %q", rest[i], w)
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
