package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/dhl/dhltest"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// The probe numbers carry correct check digits, so a carrier answers "not
// found" rather than "malformed".
func TestCarrierProbesAreValid(t *testing.T) {
	for _, s := range carrierSetups {
		got := tracker.Detect(s.probe)
		if len(got) != 1 || !got[0].Valid || !contains(s.covers, got[0].Carrier) {
			t.Errorf("%s probe %s: %+v", s.name, s.probe, got)
		}
	}
}

func TestCarriersCommand(t *testing.T) {
	ups := upstest.NewServer()
	defer ups.Close()
	agg := seventeentest.NewServer()
	defer agg.Close()
	d := dhltest.NewServer()
	defer d.Close()
	env := map[string]string{
		"UPS_CLIENT_ID": upstest.ClientID, "UPS_CLIENT_SECRET": upstest.ClientSecret, "UPS_API_URL": ups.URL(),
		"DHL_API_KEY": "wrong-key", "DHL_API_URL": d.URL(),
		"SEVENTEENTRACK_API_KEY": seventeentest.APIKey, "SEVENTEENTRACK_API_URL": agg.URL(),
	}
	router, _ := newRouter(envMap(env), false, nil)

	var out bytes.Buffer
	if err := runCarriers(context.Background(), nil, envMap(env), router, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	find := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) {
				return l
			}
		}
		t.Fatalf("no %s line in\n%s", prefix, out.String())
		return ""
	}
	for prefix, wants := range map[string][]string{
		"UPS ":     {"configured", "UPS Waybill"},
		"USPS ":    {"not configured (set USPS_CLIENT_ID, USPS_CLIENT_SECRET)", "USPS IMpb"},
		"FedEx ":   {"not configured", "FedEx Express (12)"},
		"DHL ":     {"configured", "DHL Paket (SSCC)", "DHL eCommerce"},
		"17TRACK ": {"configured", "every other carrier", "PostNL", "FedEx", "USPS"},
		"Demo ":    {"not configured (set TRACKBOT_DEMO=1)"},
	} {
		l := find(prefix)
		for _, w := range wants {
			if !strings.Contains(l, w) {
				t.Errorf("%q lacks %q", l, w)
			}
		}
	}
	if strings.Contains(find("17TRACK "), "UPS,") {
		t.Errorf("17TRACK claims UPS, which has its own client: %s", find("17TRACK "))
	}
	if ups.TokenRequests() != 0 || agg.Calls("getquota") != 0 {
		t.Error("carriers without --check called a carrier")
	}

	// --check: UPS and 17TRACK answer; DHL's key is wrong and is named.
	out.Reset()
	err := runCarriers(context.Background(), []string{"--check"}, envMap(env), router, &out)
	if err == nil || !strings.Contains(err.Error(), "1 check(s) failed") {
		t.Fatalf("err %v, want one failed check\n%s", err, out.String())
	}
	lines = strings.Split(out.String(), "\n")
	if l := find("UPS "); !strings.Contains(l, "check ok") {
		t.Errorf("UPS: %s", l)
	}
	if l := find("17TRACK "); !strings.Contains(l, "check ok") {
		t.Errorf("17TRACK: %s", l)
	}
	if l := find("DHL "); !strings.Contains(l, "check FAILED") || !strings.Contains(l, "fix DHL_API_KEY") || strings.Contains(l, "wrong-key") {
		t.Errorf("DHL: %s", l)
	}
	if l := find("USPS "); !strings.Contains(l, "check skipped") {
		t.Errorf("USPS: %s", l)
	}
	if ups.TokenRequests() != 1 || agg.Calls("getquota") != 1 || agg.QuotaUsed() != 0 {
		t.Errorf("calls: UPS tokens %d, 17TRACK getquota %d, quota used %d", ups.TokenRequests(), agg.Calls("getquota"), agg.QuotaUsed())
	}

	if err := runCarriers(context.Background(), []string{"--nope"}, envMap(env), router, &out); err == nil {
		t.Error("unknown flag accepted")
	}
}

func TestCarriersNothingConfigured(t *testing.T) {
	router, _ := newRouter(envMap(nil), false, nil)
	if lookupsPossible(router) {
		t.Fatal("a bare environment can look something up")
	}
	var out bytes.Buffer
	if err := runCarriers(context.Background(), nil, envMap(nil), router, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "No carrier can be looked up automatically") || !strings.Contains(out.String(), "SEVENTEENTRACK_API_KEY") {
		t.Errorf("output lacks the warning:\n%s", out.String())
	}
	withKey, _ := newRouter(envMap(map[string]string{"SEVENTEENTRACK_API_KEY": "k"}), false, nil)
	if !lookupsPossible(withKey) {
		t.Error("a 17TRACK key looks nothing up")
	}
}

func TestHealthcheckWithoutListenAddress(t *testing.T) {
	t.Parallel()
	err := runWith(nil, []string{"healthcheck"}, nil, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "TRACKBOT_HTTP_LISTEN is not set") {
		t.Errorf("healthcheck without TRACKBOT_HTTP_LISTEN: %v", err)
	}
}

// TestCarriersCheckNamesTheURLWhenNothingAnswers: a check that gets no
// answer at all (the base URL points at nothing) names the URL variable and
// the network, not the key; a refused key still names the key.
func TestCarriersCheckNamesTheURLWhenNothingAnswers(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	env := map[string]string{"DHL_API_KEY": "some-key", "DHL_API_URL": deadURL}
	router, _ := newRouter(envMap(env), false, nil)
	var out bytes.Buffer
	if err := runCarriers(context.Background(), []string{"--check"}, envMap(env), router, &out); err == nil {
		t.Fatalf("a dead DHL_API_URL passed the check:\n%s", out.String())
	}
	if l := out.String(); !strings.Contains(l, "fix DHL_API_URL or the network") || strings.Contains(l, "fix DHL_API_KEY") {
		t.Errorf("want DHL_API_URL named, not the key:\n%s", l)
	}

	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"refused connection", fmt.Errorf("dhl: %w", &net.OpError{Op: "dial", Err: errors.New("connection refused")}), "DHL_API_URL or the network (no answer came)"},
		{"timeout", fmt.Errorf("dhl: %w", context.DeadlineExceeded), "DHL_API_URL or the network (no answer came)"},
		{"HTTP 401", errors.New("dhl: HTTP 401: invalid API key"), "DHL_API_KEY"},
	} {
		if got := fixFor(tc.err, []string{"DHL_API_KEY"}); got != tc.want {
			t.Errorf("%s: fixFor = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := fixFor(errors.New("HTTP 403"), []string{"UPS_CLIENT_ID", "UPS_CLIENT_SECRET"}); got != "UPS_CLIENT_ID / UPS_CLIENT_SECRET" {
		t.Errorf("UPS credentials: %q", got)
	}
}
