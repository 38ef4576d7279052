package dhl

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker/dhl/dhltest"
)

// fullReply fetches a real Express reply with twelve events from the fake.
func fullReply(b *testing.B) []byte {
	b.Helper()
	srv := dhltest.NewServer()
	b.Cleanup(srv.Close)
	const n = "4187305521"
	t0 := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	var evs []dhltest.Event
	for j := range 12 {
		evs = append(evs, dhltest.Event{Time: t0.Add(-time.Duration(j) * 3 * time.Hour),
			Description: "Processed at LEIPZIG - GERMANY", Locality: "LEIPZIG - GERMANY"})
	}
	srv.SetShipment(n, dhltest.Shipment{Product: "DHL Express Worldwide", ETA: t0.Add(24 * time.Hour), Events: evs})
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/track/shipments?trackingNumber="+n, nil)
	req.Header.Set("DHL-API-Key", dhltest.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("HTTP %d: %v", resp.StatusCode, err)
	}
	return body
}

func BenchmarkParseReply(b *testing.B) {
	body := fullReply(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := parseReply(body, "4187305521")
		if err != nil || len(res.Events) != 12 {
			b.Fatalf("%d events, %v", len(res.Events), err)
		}
	}
}
