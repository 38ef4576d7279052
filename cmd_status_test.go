package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// s10Number is a generated UPU S10 number.
var s10Number = seventeentest.S10Number

// upsNumber builds a 1Z number from a shipper and a serial, with its check
// digit (upstest.CheckDigit).
func upsNumber(shipper string, rest int) string {
	serial := shipper + fmt.Sprintf("%09d", rest)
	return fmt.Sprintf("1Z%s%d", serial, upstest.CheckDigit(serial))
}

// statusOutput is the contract, decoded strictly.
type statusOutput struct {
	Number     string `json:"number"`
	Carrier    string `json:"carrier"`
	Status     string `json:"status"`
	StatusText string `json:"status_text"`
	ETA        string `json:"eta"`
	Events     []struct {
		Time        string `json:"time"`
		Status      string `json:"status"`
		Description string `json:"description"`
		Location    string `json:"location"`
	} `json:"events"`
}

func decodeStatus(t *testing.T, out []byte) statusOutput {
	t.Helper()
	if n := bytes.Count(out, []byte("\n")); n != 1 {
		t.Errorf("want one line of output, got %d: %s", n, out)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var s statusOutput
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("output %s: %v", out, err)
	}
	var raw map[string]any
	json.Unmarshal(out, &raw)
	for _, k := range []string{"number", "carrier", "status", "status_text", "eta", "events"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("field %q missing from %s", k, out)
		}
	}
	return s
}

func TestStatusDemo(t *testing.T) {
	router, _ := newRouter(envMap(nil), true, nil)
	var out bytes.Buffer
	if err := runStatus(context.Background(), []string{"demo1"}, router, &out); err != nil {
		t.Fatal(err)
	}
	s := decodeStatus(t, out.Bytes())
	if s.Number != "DEMO1" || s.Carrier != "demo" || s.Status != "info_received" {
		t.Errorf("number/carrier/status = %q/%q/%q", s.Number, s.Carrier, s.Status)
	}
	if !strings.Contains(s.StatusText, "label created") {
		t.Errorf("status_text %q", s.StatusText)
	}
	eta, err := time.Parse(time.RFC3339, s.ETA)
	if err != nil || !eta.After(time.Now()) {
		t.Errorf("eta %q should be a future RFC 3339 time", s.ETA)
	}
	if len(s.Events) != 1 {
		t.Fatalf("events %+v", s.Events)
	}
	e := s.Events[0]
	if _, err := time.Parse(time.RFC3339, e.Time); err != nil || !strings.HasSuffix(e.Time, "-08:00") {
		t.Errorf("event time %q should be RFC 3339 in Portland's zone", e.Time)
	}
	if e.Status != "info_received" || e.Location != "Portland, OR, US" || e.Description != s.StatusText {
		t.Errorf("event %+v", e)
	}
}

func TestStatusThrough17TRACK(t *testing.T) {
	srv := seventeentest.NewServer()
	defer srv.Close()
	known := s10Number("RR", 60718293, "DE")
	unknown := s10Number("RR", 60718294, "DE")
	madrid := time.FixedZone("CEST", 2*3600)
	srv.SetShipment(known, seventeentest.Shipment{
		Status: "OutForDelivery", Provider: "Correos", ETA: time.Date(2026, 6, 3, 20, 0, 0, 0, madrid),
		Events: []seventeentest.Event{
			{Time: time.Date(2026, 6, 3, 8, 15, 0, 0, madrid), Description: "En reparto", City: "Madrid", Country: "ES", SubStatus: "OutForDelivery_Other"},
			{Time: time.Date(2026, 6, 1, 17, 2, 0, 0, madrid), Description: "Admitido", City: "Bonn", Country: "DE"},
		},
	})
	router, notes := newRouter(envMap(map[string]string{
		"SEVENTEENTRACK_API_KEY": seventeentest.APIKey,
		"SEVENTEENTRACK_API_URL": srv.URL(),
	}), false, nil)
	for _, n := range notes {
		if strings.Contains(n, "17TRACK: no key") {
			t.Errorf("17TRACK configured but noted missing: %s", n)
		}
	}

	var out bytes.Buffer
	if err := runStatus(context.Background(), []string{known}, router, &out); err != nil {
		t.Fatal(err)
	}
	s := decodeStatus(t, out.Bytes())
	want := statusOutput{Number: known, Carrier: "s10", Status: "out_for_delivery", StatusText: "En reparto", ETA: "2026-06-03T20:00:00+02:00"}
	if s.Number != want.Number || s.Carrier != want.Carrier || s.Status != want.Status || s.StatusText != want.StatusText || s.ETA != want.ETA {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
	if len(s.Events) != 2 {
		t.Fatalf("events %+v", s.Events)
	}
	if e := s.Events[0]; e.Time != "2026-06-03T08:15:00+02:00" || e.Status != "out_for_delivery" || e.Location != "Madrid, ES" || e.Description != "En reparto" {
		t.Errorf("newest event %+v", e)
	}
	if e := s.Events[1]; e.Time != "2026-06-01T17:02:00+02:00" || e.Status != "in_transit" || e.Location != "Bonn, DE" {
		t.Errorf("oldest event %+v", e)
	}

	// A number 17TRACK has nothing on is an answer too: not_found, exit 0.
	out.Reset()
	if err := runStatus(context.Background(), []string{unknown}, router, &out); err != nil {
		t.Fatal(err)
	}
	if s := decodeStatus(t, out.Bytes()); s.Status != "not_found" || s.ETA != "" || len(s.Events) != 0 || s.Carrier != "s10" {
		t.Errorf("unknown number: %+v", s)
	}
}

func TestStatusErrors(t *testing.T) {
	srv := seventeentest.NewServer()
	defer srv.Close()
	badKey, _ := newRouter(envMap(map[string]string{"SEVENTEENTRACK_API_KEY": "not-the-key", "SEVENTEENTRACK_API_URL": srv.URL()}), false, nil)
	bare, _ := newRouter(envMap(nil), false, nil)
	ups := upsNumber("4F7R03", 5550123)
	tests := []struct {
		name   string
		args   []string
		router *tracker.Router
		want   string
	}{
		{"no number", nil, bare, "usage"},
		{"not a number", []string{"hello", "there"}, bare, "not a tracking number"},
		{"demo off", []string{"DEMO1"}, bare, "DEMO1 is a demo number: set TRACKBOT_DEMO=1"},
		{"no client", []string{ups}, bare, "no client configured for UPS numbers: set UPS_CLIENT_ID and UPS_CLIENT_SECRET (or SEVENTEENTRACK_API_KEY); track it at https://www.ups.com/"},
		{"no client, aggregator's carrier", []string{"3SABCD123456789"}, bare, "no client configured for PostNL numbers: set SEVENTEENTRACK_API_KEY"},
		{"Amazon order", []string{"113-1234567-1234567"}, bare, "is an Amazon order number, not a tracking number"},
		{"bad key", []string{s10Number("CP", 12345678, "FR")}, badKey, "HTTP 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runStatus(context.Background(), tt.args, tt.router, &out)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("printed %q on failure", out.String())
			}
			if err != nil && strings.Contains(err.Error(), "not-the-key") {
				t.Errorf("error leaks the key: %v", err)
			}
		})
	}
}
