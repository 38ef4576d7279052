// Package fedextest is an in-process fake of the FedEx Track API for tests,
// in the manner of net/http/httptest. It speaks the real routes and JSON
// shapes: POST /oauth/token (form, client credentials) and
// POST /track/v1/trackingnumbers (bearer token, at most 30 numbers), with
// FedEx's quirks: unknown numbers answered inside HTTP 200, output.alerts as
// a bare string, string-typed counters, collapsed derived status codes.
//
//	srv := fedextest.NewServer()
//	defer srv.Close()
//	srv.SetShipment(number, fedextest.Shipment{Events: []fedextest.Event{{Time: t, Type: "OD", Description: "On FedEx vehicle for delivery"}}})
//	c := fedex.New(fedex.Config{BaseURL: srv.URL(), APIKey: fedextest.APIKey, SecretKey: fedextest.SecretKey})
package fedextest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/trackbot/trackbot/tracker/carrierhttp/fakeapi"
)

// Credentials the fake accepts.
const (
	APIKey    = "fedextest-api-key"
	SecretKey = "fedextest-secret-key"
)

// MaxBatch is FedEx's limit of numbers per request; more get HTTP 400.
const MaxBatch = 30

// tokenTTL is what FedEx grants: "expires_in": 3599.
const tokenTTL = 3599 * time.Second

// Shipment scripts one parcel's story. Zero fields are left out of the reply,
// as FedEx leaves them out.
type Shipment struct {
	Status     string    // latestStatusDetail.code; default the newest event's Type
	StatusText string    // latestStatusDetail.description; default the newest event's Description
	Reason     string    // latestStatusDetail.ancillaryDetails[0].reasonDescription
	DelayType  string    // latestStatusDetail.delayDetail.type, e.g. "CLEARANCE"
	Service    string    // serviceDetail.description, e.g. "FedEx Ground"
	ETA        time.Time // dateAndTimes ESTIMATED_DELIVERY
	WindowEnds time.Time // estimatedDeliveryTimeWindow.window.ends
	Commitment time.Time // dateAndTimes COMMITMENT (the service's promised delivery)
	Events     []Event   // newest first, as FedEx sends them
	// PartnerNumber: the parcel was handed to a partner carrier (Ground
	// Economy to USPS, International Connect to the local post) under this
	// number, sent as additionalTrackingInfo.packageIdentifiers
	// PARTNER_CARRIER_NUMBER beside a shipper reference.
	PartnerNumber string
}

// Event is one scan.
type Event struct {
	Time        time.Time // sent with its zone offset
	Type        string    // eventType: OC, PU, AR, DP, IT, OD, DL, DE, SE, HP, RS, CD, …
	Description string    // eventDescription
	Exception   string    // exceptionDescription
	City        string
	State       string
	Country     string
}

// Server is a fake FedEx API. Its methods are safe for concurrent use.
//
// FailNext makes the next n tracking requests fail with FedEx's error
// envelope; SetDelay and SetMalformed act on tracking replies; Requests
// counts tracking requests. Token requests are not affected by them.
type Server struct {
	fakeapi.Server
	tokens fakeapi.Tokens

	mu        sync.Mutex
	shipments map[string]Shipment
	seq       int // numbers transactionIds
}

// NewServer starts a fake FedEx API. Close it when done.
func NewServer() *Server {
	s := &Server{shipments: map[string]Shipment{}, tokens: fakeapi.Tokens{Prefix: "fedextest", TTL: tokenTTL}}
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth/token", s.token)
	mux.HandleFunc("/track/v1/trackingnumbers", s.track)
	s.Start(mux)
	return s
}

// SetShipment scripts the reply for number; later calls replace it.
func (s *Server) SetShipment(number string, sh Shipment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shipments[number] = sh
}

// ExpireTokens makes every token issued so far expired, so the next
// tracking request gets FedEx's 401 NOT.AUTHORIZED.ERROR.
func (s *Server) ExpireTokens() { s.tokens.Expire() }

// TokenRequests counts token requests received.
func (s *Server) TokenRequests() int { return s.tokens.Requests() }

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokens.Count()
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "METHOD.NOT.ALLOWED", "Method not allowed.")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") == "" {
		writeError(w, http.StatusBadRequest, "BAD.REQUEST.ERROR", "Missing or duplicate parameters. Please modify your request and try again.")
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeError(w, http.StatusBadRequest, "BAD.REQUEST.ERROR", "Unsupported grant type. Please modify your request and try again.")
		return
	}
	if r.PostForm.Get("client_id") != APIKey || r.PostForm.Get("client_secret") != SecretKey {
		writeError(w, http.StatusUnauthorized, "NOT.AUTHORIZED.ERROR", "The given client credentials were not valid. Please modify your request and try again.")
		return
	}
	tok := s.tokens.Issue()
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "bearer",
		"expires_in":   int(tokenTTL / time.Second),
		"scope":        "CXS-TP",
	})
}

func (s *Server) track(w http.ResponseWriter, r *http.Request) {
	k := s.Count()
	s.mu.Lock()
	s.seq++
	seq := s.seq
	s.mu.Unlock()

	// Reading the body first lets net/http notice a client that hangs up.
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if !k.Wait(r) {
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "METHOD.NOT.ALLOWED", "Method not allowed.")
		return
	}
	if k.Fail != nil {
		k.Fail.SetRetryAfter(w)
		code, msg := errorFor(k.Fail.Status)
		writeError(w, k.Fail.Status, code, msg)
		return
	}
	if s.tokens.Check(r) != fakeapi.AuthOK {
		writeError(w, http.StatusUnauthorized, "NOT.AUTHORIZED.ERROR", "Access token expired. Please modify your request and try again.")
		return
	}
	var req struct {
		IncludeDetailedScans bool `json:"includeDetailedScans"`
		TrackingInfo         []struct {
			TrackingNumberInfo struct {
				TrackingNumber string `json:"trackingNumber"`
			} `json:"trackingNumberInfo"`
		} `json:"trackingInfo"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "INVALID.INPUT.EXCEPTION", "Invalid field value in the input")
		return
	}
	switch {
	case len(req.TrackingInfo) == 0:
		writeError(w, http.StatusBadRequest, "TRACKING.TRACKINGNUMBER.EMPTY", "Please provide tracking number.")
		return
	case len(req.TrackingInfo) > MaxBatch:
		// The exact code for this case is not documented.
		writeError(w, http.StatusBadRequest, "TRACKING.TRACKINGINFO.MAXLIMIT", "Maximum limit of 30 tracking numbers exceeded.")
		return
	}
	if k.Malformed {
		fakeapi.WriteTruncated(w, `{"transactionId": "x", "output": {"completeTrackResults": [{"trackingNumber": "`)
		return
	}

	s.mu.Lock()
	results := make([]any, 0, len(req.TrackingInfo))
	var missing bool
	for _, ti := range req.TrackingInfo {
		n := ti.TrackingNumberInfo.TrackingNumber
		sh, ok := s.shipments[n]
		if !ok {
			missing = true
			results = append(results, notFound(n))
			continue
		}
		results = append(results, found(n, sh, req.IncludeDetailedScans))
	}
	s.mu.Unlock()

	out := map[string]any{"completeTrackResults": results}
	if missing {
		// Seen in captured replies: a bare string where the schema says an array.
		out["alerts"] = "TRACKING.DATA.NOTFOUND -  Tracking data unavailable"
	}
	fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"transactionId": fmt.Sprintf("fedextest-%06d", seq), "output": out})
}

func notFound(n string) any {
	return map[string]any{
		"trackingNumber": n,
		"trackResults": []any{map[string]any{
			"trackingNumberInfo": map[string]any{"trackingNumber": n, "trackingNumberUniqueId": "", "carrierCode": ""},
			"error": map[string]any{
				"code":    "TRACKING.TRACKINGNUMBER.NOTFOUND",
				"message": "Tracking number cannot be found. Please correct the tracking number and try again.",
			},
		}},
	}
}

func found(n string, sh Shipment, detailed bool) any {
	code, text := sh.Status, sh.StatusText
	var latestLoc map[string]any
	if len(sh.Events) > 0 {
		ev := sh.Events[0]
		if code == "" {
			code = ev.Type
		}
		if text == "" {
			text = ev.Description
		}
		latestLoc = location(ev)
	}
	latest := map[string]any{
		"code":           code,
		"derivedCode":    code,
		"statusByLocale": text,
		"description":    text,
	}
	if latestLoc != nil {
		latest["scanLocation"] = latestLoc
	}
	if sh.Reason != "" {
		latest["ancillaryDetails"] = []any{map[string]any{
			"reason": "15", "reasonDescription": sh.Reason,
			"action": "", "actionDescription": sh.Reason,
		}}
	}
	if sh.DelayType != "" {
		latest["delayDetail"] = map[string]any{"type": sh.DelayType, "status": "DELAYED"}
	}

	var dates []any
	if !sh.ETA.IsZero() {
		dates = append(dates, map[string]any{"type": "ESTIMATED_DELIVERY", "dateTime": sh.ETA.Format(time.RFC3339)})
	}
	if !sh.Commitment.IsZero() {
		dates = append(dates, map[string]any{"type": "COMMITMENT", "dateTime": sh.Commitment.Format(time.RFC3339)})
	}
	scans := []any{}
	for i, ev := range sh.Events {
		if !detailed && i > 0 {
			break
		}
		scans = append(scans, map[string]any{
			"date":                 ev.Time.Format(time.RFC3339),
			"eventType":            ev.Type,
			"eventDescription":     ev.Description,
			"exceptionCode":        "",
			"exceptionDescription": ev.Exception,
			"scanLocation":         location(ev),
			"locationType":         "FEDEX_FACILITY",
			"derivedStatusCode":    derived(ev.Type),
			"derivedStatus":        ev.Description,
		})
		if ev.Type == "DL" {
			dates = append(dates, map[string]any{"type": "ACTUAL_DELIVERY", "dateTime": ev.Time.Format(time.RFC3339)})
		}
	}
	if k := len(sh.Events); k > 0 {
		dates = append(dates, map[string]any{"type": "SHIP", "dateTime": sh.Events[k-1].Time.Format(time.RFC3339)})
	}

	ids := []any{}
	if sh.PartnerNumber != "" {
		ids = append(ids,
			map[string]any{"type": "SHIPPER_REFERENCE", "value": []string{"PO 4471"}, "trackingNumberUniqueId": ""},
			map[string]any{"type": "PARTNER_CARRIER_NUMBER", "value": []string{sh.PartnerNumber}, "trackingNumberUniqueId": ""})
	}
	tr := map[string]any{
		"trackingNumberInfo": map[string]any{"trackingNumber": n, "trackingNumberUniqueId": "12029~" + n + "~FDEG", "carrierCode": "FDXG"},
		"additionalTrackingInfo": map[string]any{
			"nickname": "", "hasAssociatedShipments": false, "packageIdentifiers": ids,
		},
		"latestStatusDetail": latest,
		"dateAndTimes":       dates,
		"scanEvents":         scans,
		// FedEx sends this counter as a string.
		"deliveryDetails":  map[string]any{"deliveryAttempts": "0", "receivedByName": "", "deliveryToday": false},
		"availableImages":  []any{},
		"specialHandlings": []any{},
	}
	if sh.Service != "" {
		tr["serviceDetail"] = map[string]any{"type": "SERVICE", "description": sh.Service, "shortDescription": ""}
	}
	if !sh.WindowEnds.IsZero() {
		tr["estimatedDeliveryTimeWindow"] = map[string]any{
			"type": "ESTIMATED_DELIVERY", "window": map[string]any{"ends": sh.WindowEnds.Format(time.RFC3339)},
		}
	}
	return map[string]any{"trackingNumber": n, "trackResults": []any{tr}}
}

// derived collapses event codes the way FedEx's derivedStatusCode does.
func derived(code string) string {
	switch code {
	case "DL", "PU", "OC", "DE", "SE", "HP", "RS":
		return code
	}
	return "IT"
}

func location(ev Event) map[string]any {
	return map[string]any{
		"streetLines":         []string{""},
		"city":                ev.City,
		"stateOrProvinceCode": ev.State,
		"postalCode":          "",
		"countryCode":         ev.Country,
		"residential":         false,
	}
}

func errorFor(status int) (code, msg string) {
	switch status {
	case http.StatusUnauthorized:
		return "NOT.AUTHORIZED.ERROR", "Access token expired. Please modify your request and try again."
	case http.StatusForbidden:
		return "FORBIDDEN.ERROR", "We could not authorize your credentials. Please check your permissions and try again."
	case http.StatusTooManyRequests:
		return "TOO.MANY.REQUESTS", "We have received too many requests in a short duration. Please wait a while to try again."
	case http.StatusServiceUnavailable:
		return "SERVICE.UNAVAILABLE.ERROR", "The service is currently unavailable and we are working to resolve the issue. Please check back at a later time."
	default:
		return "INTERNAL.SERVER.ERROR", "We encountered an unexpected error and are working to resolve the issue. Please check back at a later time."
	}
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	fakeapi.WriteJSON(w, status, map[string]any{
		"transactionId": "fedextest-error",
		"errors":        []any{map[string]any{"code": code, "message": msg}},
	})
}
