package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// carrierSetup is one carrier API trackbot can use: the variables that
// configure it and the carrier codes whose numbers it looks up.
type carrierSetup struct {
	name   string
	code   string // the router's code for its client ("" for the aggregator)
	vars   []string
	covers []string
	probe  string // a well-formed number for --check (unknown to the carrier)
}

// carrierSetups lists the direct clients newRouter can build, in the order
// `trackbot carriers` prints them. Probe numbers carry correct check digits
// and name no real parcel.
var carrierSetups = []carrierSetup{
	{"UPS", "ups", []string{"UPS_CLIENT_ID", "UPS_CLIENT_SECRET"}, []string{"ups"}, "1Z0000000300000013"},
	{"USPS", "usps", []string{"USPS_CLIENT_ID", "USPS_CLIENT_SECRET"}, []string{"usps"}, "9400190000000000000014"},
	{"FedEx", "fedex", []string{"FEDEX_API_KEY", "FEDEX_SECRET_KEY"}, []string{"fedex"}, "000000000011"},
	{"DHL", "dhl", []string{"DHL_API_KEY"}, []string{"dhl", "dhl_ecommerce"}, "0000000011"},
}

// fixFor names what to fix after a failed check: the credentials when the
// carrier answered (401, a refused key), its base URL or the network when
// no answer came (refused, unknown host, timeout, TLS).
func fixFor(err error, vars []string) string {
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		prefix, _, _ := strings.Cut(vars[0], "_")
		return prefix + "_API_URL or the network (no answer came)"
	}
	return strings.Join(vars, " / ")
}

// credentialPairs are variables that only work together: one without the
// other is a mistake to name, not a carrier to skip quietly.
var credentialPairs = [][2]string{
	{"UPS_CLIENT_ID", "UPS_CLIENT_SECRET"},
	{"USPS_CLIENT_ID", "USPS_CLIENT_SECRET"},
	{"FEDEX_API_KEY", "FEDEX_SECRET_KEY"},
}

// checkCredentialPairs names the missing half of each half-set pair.
func checkCredentialPairs(getenv func(string) string) error {
	var errs []error
	for _, p := range credentialPairs {
		a, b := strings.TrimSpace(getenv(p[0])) != "", strings.TrimSpace(getenv(p[1])) != ""
		switch {
		case a && !b:
			errs = append(errs, fmt.Errorf("%s is set but %s is not: set both, or neither", p[0], p[1]))
		case b && !a:
			errs = append(errs, fmt.Errorf("%s is set but %s is not: set both, or neither", p[1], p[0]))
		}
	}
	return errors.Join(errs...)
}

// varsFor names the variables that give carrier numbers a look-up: its own
// client's, and the aggregator's key.
func varsFor(carrier string) string {
	for _, s := range carrierSetups {
		for _, c := range s.covers {
			if c == carrier {
				return strings.Join(s.vars, " and ") + " (or SEVENTEENTRACK_API_KEY)"
			}
		}
	}
	return "SEVENTEENTRACK_API_KEY"
}

// runCarriers is `trackbot carriers [--check]`: each carrier API, whether it
// is configured, and the numbers it looks up; --check makes one
// authenticated call to each configured one.
func runCarriers(ctx context.Context, args []string, getenv func(string) string, router *tracker.Router, stdout io.Writer) error {
	check := false
	for _, a := range args {
		switch a {
		case "--check", "-check":
			check = true
		default:
			return fmt.Errorf("carriers: usage: trackbot carriers [--check] (unknown argument %q)", a)
		}
	}
	set := func(vars []string) bool {
		for _, v := range vars {
			if strings.TrimSpace(getenv(v)) == "" {
				return false
			}
		}
		return true
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	failed := 0
	line := func(name, state, covers, result string) {
		if check {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, state, result, covers)
		} else {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", name, state, covers)
		}
	}
	// checkOne makes the call and says what to fix when it fails.
	checkOne := func(c tracker.Client, probe string, vars []string) string {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		var err error
		if ch, ok := c.(interface{ Check(context.Context) error }); ok {
			err = ch.Check(ctx)
		} else {
			_, err = c.Track(ctx, []string{probe})
		}
		if err == nil {
			return "check ok"
		}
		failed++
		return fmt.Sprintf("check FAILED: %s — fix %s", oneLine(err), fixFor(err, vars))
	}
	var direct []string
	for _, s := range carrierSetups {
		var names []string
		for _, c := range s.covers {
			names = append(names, tracker.FormatNames(c)...)
		}
		covers := strings.Join(names, ", ")
		if !set(s.vars) {
			line(s.name, "not configured (set "+strings.Join(s.vars, ", ")+")", covers, "check skipped")
			continue
		}
		direct = append(direct, s.covers...)
		result := ""
		if check {
			c, err := router.ClientFor(s.code)
			if err != nil {
				result = "check FAILED: " + err.Error()
				failed++
			} else {
				result = checkOne(c, s.probe, s.vars)
			}
		}
		line(s.name, "configured", covers, result)
	}
	// The aggregator covers every carrier without a client of its own.
	var rest []string
	for _, code := range tracker.CarrierCodes() {
		if code == "demo" || contains(direct, code) {
			continue
		}
		rest = append(rest, tracker.Carrier(code).Name)
	}
	aggVars := []string{"SEVENTEENTRACK_API_KEY"}
	aggCovers := "every other carrier: " + strings.Join(rest, ", ")
	if agg := router.Aggregator(); agg != nil {
		result := ""
		if check {
			result = checkOne(agg, "", aggVars)
		}
		line("17TRACK", "configured", aggCovers, result)
	} else {
		line("17TRACK", "not configured (set SEVENTEENTRACK_API_KEY)", aggCovers, "check skipped")
	}
	demo := "not configured (set TRACKBOT_DEMO=1)"
	if hasDemo(router) {
		demo = "configured"
	}
	line("Demo", demo, "DEMO1 to DEMO6 (made-up journeys)", "")
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("carriers: write: %w", err)
	}
	if router.Aggregator() == nil && len(direct) == 0 {
		fmt.Fprintln(stdout, "\nNo carrier can be looked up automatically: every parcel gets its tracking link only. "+
			"One SEVENTEENTRACK_API_KEY (free at 17track.net) covers most carriers.")
	}
	if failed > 0 {
		return fmt.Errorf("carriers: %d check(s) failed", failed)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// nothingAutomatic is the start-up warning when no carrier can be looked up.
const nothingAutomatic = "carriers: no carrier can be looked up automatically, so parcels are followed but never checked; " +
	"set SEVENTEENTRACK_API_KEY (one key covers most carriers) or a carrier's own credentials (trackbot carriers lists them)"

// lookupsPossible: some real carrier (not the demo) can be looked up.
func lookupsPossible(router *tracker.Router) bool {
	if router.Aggregator() != nil {
		return true
	}
	for _, s := range carrierSetups {
		if router.Direct(s.code) {
			return true
		}
	}
	return false
}
