package main

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/dhl"
	"github.com/trackbot/trackbot/tracker/fedex"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/ups"
)

// newRouter builds the carrier clients the environment has credentials for:
// each carrier's own API first, 17TRACK for everything else, and the demo
// carrier when demo is on. Base URLs default to the production hosts. The
// notes say, one line per carrier left without credentials, what that means
// for users; they are meant for the start-up log.
func newRouter(getenv func(string) string, demoOn bool, hc *http.Client) (*tracker.Router, []string) {
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }
	var notes []string

	var aggregator tracker.Client
	if key := env("SEVENTEENTRACK_API_KEY"); key != "" {
		aggregator = seventeen.New(seventeen.Config{BaseURL: env("SEVENTEENTRACK_API_URL"), APIKey: key, HTTPClient: hc})
	} else {
		notes = append(notes, "17TRACK: no key (SEVENTEENTRACK_API_KEY) — Amazon, OnTrac, LaserShip, Canada Post, Royal Mail and international post numbers get the tracking link only")
	}
	// missing explains a carrier without (complete) credentials.
	missing := func(name string, vars ...string) {
		var unset []string
		for _, v := range vars {
			if env(v) == "" {
				unset = append(unset, v)
			}
		}
		what := "no credentials"
		if len(unset) < len(vars) {
			what = "incomplete credentials"
		}
		fallback := fmt.Sprintf("users get the %s tracking link only", name)
		if aggregator != nil {
			fallback = fmt.Sprintf("%s numbers go through 17TRACK", name)
		}
		notes = append(notes, fmt.Sprintf("%s: %s (%s unset) — %s", name, what, strings.Join(unset, ", "), fallback))
	}
	set := func(vars ...string) bool {
		for _, v := range vars {
			if env(v) == "" {
				return false
			}
		}
		return true
	}

	direct := map[string]tracker.Client{}
	if set("UPS_CLIENT_ID", "UPS_CLIENT_SECRET") {
		direct["ups"] = ups.New(ups.Config{BaseURL: env("UPS_API_URL"), ClientID: env("UPS_CLIENT_ID"), ClientSecret: env("UPS_CLIENT_SECRET"), HTTPClient: hc})
	} else {
		missing("UPS", "UPS_CLIENT_ID", "UPS_CLIENT_SECRET")
	}
	// TODO(wiring): USPS — tracker/usps has no client yet; wire usps.New here
	// (direct["usps"], and S10 numbers ending in US) when it lands.
	missing("USPS", "USPS_CLIENT_ID", "USPS_CLIENT_SECRET")
	if set("FEDEX_API_KEY", "FEDEX_SECRET_KEY") {
		direct["fedex"] = fedex.New(fedex.Config{BaseURL: env("FEDEX_API_URL"), APIKey: env("FEDEX_API_KEY"), SecretKey: env("FEDEX_SECRET_KEY"), HTTPClient: hc})
	} else {
		missing("FedEx", "FEDEX_API_KEY", "FEDEX_SECRET_KEY")
	}
	if set("DHL_API_KEY") {
		// One client for both: DHL's unified API answers Express and eCommerce numbers.
		c := dhl.New(dhl.Config{BaseURL: env("DHL_API_URL"), APIKey: env("DHL_API_KEY"), HTTPClient: hc})
		direct["dhl"], direct["dhl_ecommerce"] = c, c
	} else {
		missing("DHL", "DHL_API_KEY")
	}
	if demoOn {
		direct["demo"] = demo.New(demo.Config{})
	}
	return tracker.NewRouter(direct, aggregator), notes
}
