// Package dhltest is an in-process fake of DHL's Shipment Tracking – Unified
// API for tests, in the manner of net/http/httptest. It serves
// GET /track/shipments with the DHL-API-Key header check, RFC 7807 problem
// bodies (404 "No result found", 401, 429), and DHL's quirks: time stamps
// without offsets, Express events without statusCode, numeric Express ids.
//
//	srv := dhltest.NewServer()
//	defer srv.Close()
//	srv.SetShipment(number, dhltest.Shipment{Events: []dhltest.Event{{Time: t, Description: "Delivered"}}})
//	c := dhl.New(dhl.Config{BaseURL: srv.URL(), APIKey: dhltest.APIKey})
package dhltest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/trackbot/trackbot/tracker/carrierhttp/fakeapi"
)

// APIKey is the key the fake accepts.
const APIKey = "dhltest-api-key"

// Shipment scripts one parcel's story. Zero fields are left out of the reply.
type Shipment struct {
	Service    string    // "express" (default), "parcel-de", "ecommerce", …
	Product    string    // details.product.productName
	StatusCode string    // status.statusCode; default the newest event's, else "transit"
	ETA        time.Time // estimatedTimeOfDelivery
	ETAThrough time.Time // estimatedDeliveryTimeFrame.estimatedThrough
	Events     []Event   // newest first, as DHL sends them
	// LocalNumber: the parcel was handed to a local carrier for the last
	// mile under this number, sent as details.references
	// local-tracking-number beside a customer-confirmation-number.
	LocalNumber string
}

// Event is one scan.
type Event struct {
	// Time is written without an offset, as DHL mostly does (the wall clock
	// of Time's own zone), unless Zoned is set.
	Time        time.Time
	Zoned       bool
	StatusCode  string // pre-transit, transit, delivered, failure, unknown; "" as Express events often are
	Description string
	Locality    string // location.address.addressLocality
	CountryCode string
}

// Server is a fake DHL tracking API. Its methods are safe for concurrent
// use. FailNext, SetDelay, SetMalformed and Requests act on every request;
// failures come as problem bodies.
type Server struct {
	fakeapi.Server

	mu        sync.Mutex
	shipments map[string]Shipment
	quota     int // answered requests allowed; 0 = no limit
	answered  int
	lastQuery url.Values
}

// NewServer starts a fake DHL API. Close it when done.
func NewServer() *Server {
	s := &Server{shipments: map[string]Shipment{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/track/shipments", s.track)
	s.Start(mux)
	return s
}

// SetShipment scripts the reply for number; later calls replace it.
func (s *Server) SetShipment(number string, sh Shipment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shipments[number] = sh
}

// SetQuota answers n more requests, then 429s, like the starter plan's
// daily quota (250). Zero removes the limit.
func (s *Server) SetQuota(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota, s.answered = n, 0
}

// LastQuery is the query string of the latest request.
func (s *Server) LastQuery() url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastQuery
}

func (s *Server) track(w http.ResponseWriter, r *http.Request) {
	k := s.Count()
	s.mu.Lock()
	s.lastQuery = r.URL.Query()
	s.mu.Unlock()

	if !k.Wait(r) {
		return
	}
	if r.Method != http.MethodGet {
		problem(w, http.StatusMethodNotAllowed, "Method not allowed", "Use GET.", r.URL.Path)
		return
	}
	if r.Header.Get("DHL-API-Key") != APIKey {
		problem(w, http.StatusUnauthorized, "Unauthorized", "Invalid or missing API key.", r.URL.Path)
		return
	}
	if k.Fail != nil {
		k.Fail.SetRetryAfter(w)
		problem(w, k.Fail.Status, http.StatusText(k.Fail.Status), "Injected failure.", r.URL.Path)
		return
	}
	s.mu.Lock()
	over := s.quota > 0 && s.answered >= s.quota
	if !over {
		s.answered++
	}
	s.mu.Unlock()
	if over {
		problem(w, http.StatusTooManyRequests, "Too many requests", "Daily quota exceeded.", r.URL.Path)
		return
	}
	q := r.URL.Query()
	number := q.Get("trackingNumber")
	if number == "" {
		problem(w, http.StatusBadRequest, "Bad request", "trackingNumber is required.", r.URL.Path)
		return
	}
	if k.Malformed {
		fakeapi.WriteTruncated(w, `{"shipments": [{"id": "`)
		return
	}
	s.mu.Lock()
	sh, ok := s.shipments[number]
	s.mu.Unlock()
	service := sh.Service
	if service == "" {
		service = "express"
	}
	if !ok || (q.Get("service") != "" && q.Get("service") != service) {
		problem(w, http.StatusNotFound, "No result found", "No shipment with given tracking number found.", "/shipment/"+number)
		return
	}
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{
		"shipments": []any{shipment(number, service, sh)},
		"possibleAdditionalShipmentsUrl": []string{
			"/track/shipments?trackingNumber=" + url.QueryEscape(number) + "&language=en&service=freight",
		},
	})
}

func shipment(number, service string, sh Shipment) map[string]any {
	var id any = number
	if _, err := strconv.ParseUint(number, 10, 64); err == nil && service == "express" && len(number) <= 11 && number[0] != '0' {
		id = json.Number(number) // some captures show Express ids as JSON numbers
	}
	events := make([]any, 0, len(sh.Events))
	for _, ev := range sh.Events {
		events = append(events, eventJSON(ev))
	}
	out := map[string]any{
		"id":         id,
		"service":    service,
		"serviceUrl": "https://www.dhl.com/track?tracking-id=" + url.QueryEscape(number),
		"origin":     map[string]any{"address": map[string]any{"countryCode": "DE"}},
		"details": map[string]any{
			"proofOfDeliverySignedAvailable": false,
			"totalNumberOfPieces":            1,
			"pieceIds":                       []string{"JD0146" + number},
		},
		"events": events,
	}
	if sh.Product != "" {
		out["details"].(map[string]any)["product"] = map[string]any{"productName": sh.Product}
	}
	if sh.LocalNumber != "" {
		out["details"].(map[string]any)["references"] = []any{
			map[string]any{"number": "GMDBD8E9CCE94842E495B7", "type": "customer-confirmation-number"},
			map[string]any{"number": sh.LocalNumber, "type": "local-tracking-number"},
		}
	}
	if len(sh.Events) > 0 {
		st := eventJSON(sh.Events[0])
		code := sh.StatusCode
		if code == "" {
			code = sh.Events[0].StatusCode
		}
		if code == "" {
			code = "transit"
		}
		// The shipment's status always has a statusCode, even for Express.
		st["statusCode"] = code
		st["status"] = code
		out["status"] = st
	}
	if !sh.ETA.IsZero() {
		out["estimatedTimeOfDelivery"] = sh.ETA.Format(time.RFC3339)
		out["estimatedTimeOfDeliveryRemark"] = "By End of Day"
	}
	if !sh.ETAThrough.IsZero() {
		out["estimatedDeliveryTimeFrame"] = map[string]any{"estimatedThrough": sh.ETAThrough.Format(time.RFC3339)}
	}
	return out
}

func eventJSON(ev Event) map[string]any {
	ts := ev.Time.Format("2006-01-02T15:04:05")
	if ev.Zoned {
		ts = ev.Time.Format(time.RFC3339)
	}
	m := map[string]any{"timestamp": ts, "description": ev.Description}
	if ev.StatusCode != "" {
		m["statusCode"] = ev.StatusCode
		m["status"] = ev.Description
	}
	if ev.Locality != "" || ev.CountryCode != "" {
		addr := map[string]any{}
		if ev.Locality != "" {
			addr["addressLocality"] = ev.Locality
		}
		if ev.CountryCode != "" {
			addr["countryCode"] = ev.CountryCode
		}
		m["location"] = map[string]any{"address": addr}
	}
	return m
}

// problem writes an RFC 7807 body as DHL does.
func problem(w http.ResponseWriter, status int, title, detail, instance string) {
	fakeapi.WriteJSON(w, status, map[string]any{"title": title, "status": status, "detail": detail, "instance": instance})
}
