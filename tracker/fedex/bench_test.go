package fedex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker/fedex/fedextest"
)

// fullReply fetches a real 30-number reply (eight scans each) from the fake.
func fullReply(b *testing.B) ([]byte, []string) {
	b.Helper()
	srv := fedextest.NewServer()
	b.Cleanup(srv.Close)
	t0 := time.Date(2026, 6, 1, 8, 0, 0, 0, time.FixedZone("", -4*3600))
	var numbers []string
	var info []map[string]any
	for i := range MaxBatch {
		n := fmt.Sprintf("7%011d", i)
		numbers = append(numbers, n)
		info = append(info, map[string]any{"trackingNumberInfo": map[string]any{"trackingNumber": n}})
		var evs []fedextest.Event
		for j, typ := range []string{"OD", "AR", "DP", "AR", "DP", "AR", "PU", "OC"} {
			evs = append(evs, fedextest.Event{Time: t0.Add(-time.Duration(j) * 5 * time.Hour), Type: typ,
				Description: "Scan " + typ, City: "SPRINGFIELD", State: "MO", Country: "US"})
		}
		srv.SetShipment(n, fedextest.Shipment{Service: "FedEx Ground", ETA: t0.Add(10 * time.Hour), Events: evs})
	}
	resp, err := http.PostForm(srv.URL()+"/oauth/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {fedextest.APIKey}, "client_secret": {fedextest.SecretKey},
	})
	if err != nil {
		b.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil {
		b.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"includeDetailedScans": true, "trackingInfo": info})
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/track/v1/trackingnumbers", bytes.NewReader(payload))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("HTTP %d: %v", resp.StatusCode, err)
	}
	return body, numbers
}

func BenchmarkParseReply30(b *testing.B) {
	body, numbers := fullReply(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		res, err := parseReply(body, numbers)
		if err != nil || len(res) != len(numbers) {
			b.Fatalf("%d results, %v", len(res), err)
		}
	}
}
