package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/dhl"
	"github.com/trackbot/trackbot/tracker/fedex"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/ups"
	"github.com/trackbot/trackbot/tracker/usps"
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
	if set("USPS_CLIENT_ID", "USPS_CLIENT_SECRET") {
		c := usps.New(usps.Config{BaseURL: env("USPS_API_URL"), ClientID: env("USPS_CLIENT_ID"), ClientSecret: env("USPS_CLIENT_SECRET"), HTTPClient: hc})
		direct["usps"] = c
		// International mail posted in the US (S10 numbers ending in US) is
		// USPS's own; the rest of the world goes to 17TRACK.
		direct["s10"] = &postalSplit{usps: c, rest: aggregator}
	} else {
		missing("USPS", "USPS_CLIENT_ID", "USPS_CLIENT_SECRET")
	}
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
	} else {
		// Demo shipments left in the database must not reach 17TRACK, where
		// registering them would spend quota on numbers that do not exist.
		direct["demo"] = demoOff{}
	}
	return tracker.NewRouter(direct, aggregator), notes
}

// resumeDemo lets the demo carrier carry on the stories an earlier run of
// the bot or the console began, from the scans the database holds, instead
// of replaying them from the label: a restart never moves a parcel back.
func resumeDemo(r *tracker.Router, store *storage.Store) {
	if c, err := r.ClientFor("demo"); err == nil {
		if d, ok := c.(*demo.Client); ok {
			d.ResumeFrom(store.FirstEventAt)
		}
	}
}

// postalSplit tracks S10 numbers: those ending in US at USPS, the others at
// rest (17TRACK), which may be nil.
type postalSplit struct {
	usps tracker.Client
	rest tracker.Client
}

func (p *postalSplit) Name() string {
	if p.rest == nil {
		return p.usps.Name()
	}
	return p.usps.Name() + "+" + p.rest.Name()
}

// MaxBatch follows the aggregator, which takes many numbers per call; US
// numbers are then sent to USPS in its own batch size.
func (p *postalSplit) MaxBatch() int {
	if p.rest == nil {
		return p.usps.MaxBatch()
	}
	return p.rest.MaxBatch()
}

func (p *postalSplit) Track(ctx context.Context, numbers []string) ([]tracker.Result, error) {
	var us, other []string
	for _, n := range numbers {
		if strings.HasSuffix(strings.ToUpper(n), "US") {
			us = append(us, n)
		} else {
			other = append(other, n)
		}
	}
	if len(other) > 0 && p.rest == nil {
		return nil, fmt.Errorf("s10: track %s: %w", other[0], tracker.ErrNoClient)
	}
	var out []tracker.Result
	for len(us) > 0 {
		k := min(len(us), max(p.usps.MaxBatch(), 1))
		res, err := p.usps.Track(ctx, us[:k])
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
		us = us[k:]
	}
	if len(other) > 0 {
		res, err := p.rest.Track(ctx, other)
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
	}
	// The caller's carrier code (s10) names the number; which API answered
	// does not change it.
	for i := range out {
		out[i].Carrier = ""
	}
	return out, nil
}

// demoOff answers for demo numbers while the demo carrier is off.
type demoOff struct{}

func (demoOff) Name() string  { return "demo-off" }
func (demoOff) MaxBatch() int { return 50 }

func (demoOff) Track(_ context.Context, numbers []string) ([]tracker.Result, error) {
	out := make([]tracker.Result, len(numbers))
	for i, n := range numbers {
		out[i] = tracker.Result{Number: n, Status: tracker.StatusNotFound, StatusText: "The demo carrier is off (TRACKBOT_DEMO)"}
	}
	return out, nil
}
