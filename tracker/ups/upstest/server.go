// Package upstest is an in-process fake of the UPS Track API for tests, in
// the manner of net/http/httptest. It speaks the real routes and JSON shapes:
//
//   - POST /security/v1/oauth/token — HTTP Basic client credentials (form
//     body client_id/client_secret also accepted), grant_type=client_credentials,
//     every reply field a string ("expires_in": "14399");
//   - GET /api/track/v1/details/{n} — bearer token, transId (at most 32
//     characters) and transactionSrc required; unknown numbers get HTTP 200
//     with warning TW0001 and no package, malformed ones error TV1002;
//     activity newest first with YYYYMMDD/HHMMSS local times, gmtOffset and
//     an unpadded gmtTime, as UPS sends them.
//
// Use:
//
//	srv := upstest.NewServer()
//	defer srv.Close()
//	n := upstest.TrackingNumber(1)
//	srv.SetShipment(n, upstest.Shipment{Events: []upstest.Event{
//		{Time: t, Status: tracker.StatusOutForDelivery, City: "Paramus", State: "NJ", Country: "US"},
//	}})
//	c := ups.New(ups.Config{BaseURL: srv.URL(), ClientID: upstest.ClientID, ClientSecret: upstest.ClientSecret})
package upstest

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp/fakeapi"
)

// Credentials the fake accepts.
const (
	ClientID     = "upstest-client-id"
	ClientSecret = "upstest-client-secret"
)

// tokenTTL is what UPS grants: "expires_in": "14399" (four hours).
const tokenTTL = 14399 * time.Second

// Shipment scripts one parcel's story. Later SetShipment calls replace it.
type Shipment struct {
	Events  []Event   // newest first, as UPS sends them
	ETA     time.Time // deliveryDate SDD; a non-midnight clock adds deliveryTime CMT endTime
	Service string    // service.description, e.g. "UPS Ground"; default "UPS Ground"
	// USPSNumber, when set, is sent as alternateTrackingNumber type
	// USPS_PIC: the parcel was handed to USPS for the last mile.
	USPSNumber string
}

// Event is one scan. Status picks a realistic UPS type, 3-digit code and
// description; Type, Code and Description override them.
type Event struct {
	Time        time.Time // local time; its zone is sent as gmtOffset
	Status      tracker.Status
	Type        string // activity status type: M, I, X, D, …
	Code        string // 3-digit status code: "021", "011", …
	Description string
	City        string
	State       string
	Country     string // ISO code, e.g. "US"
}

// Server is a fake UPS API. Its methods are safe for concurrent use.
//
// FailNext makes the next n tracking requests fail with UPS's error
// envelope; SetDelay and SetMalformed act on tracking replies; Requests
// counts tracking requests. Token requests are not affected by them.
type Server struct {
	fakeapi.Server
	tokens fakeapi.Tokens

	mu        sync.Mutex
	shipments map[string]Shipment
}

// NewServer starts a fake UPS API. Close it when done.
func NewServer() *Server {
	s := &Server{shipments: map[string]Shipment{}, tokens: fakeapi.Tokens{Prefix: "upstest"}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /security/v1/oauth/token", s.token)
	mux.HandleFunc("GET /api/track/v1/details/{inquiryNumber}", s.details)
	s.Start(mux)
	return s
}

// SetShipment scripts the reply for number.
func (s *Server) SetShipment(number string, sh Shipment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shipments[number] = sh
}

// ExpireTokens makes every token issued so far expired, so the next
// tracking request gets UPS's 401 (error 250002).
func (s *Server) ExpireTokens() { s.tokens.Expire() }

// TokenRequests counts token requests received.
func (s *Server) TokenRequests() int { return s.tokens.Requests() }

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokens.Count()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		writeError(w, http.StatusBadRequest, "10007", "Unsupported content type")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeError(w, http.StatusBadRequest, "10001", "Invalid grant_type")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != ClientID || secret != ClientSecret {
		writeError(w, http.StatusUnauthorized, "250002", "Invalid Authentication Information.")
		return
	}
	tok := s.tokens.Issue()
	fakeapi.WriteJSON(w, http.StatusOK, map[string]string{
		"token_type":    "Bearer",
		"issued_at":     strconv.FormatInt(time.Now().UnixMilli(), 10),
		"client_id":     id,
		"access_token":  tok,
		"scope":         "",
		"expires_in":    strconv.Itoa(int(tokenTTL.Seconds())),
		"refresh_count": "0",
		"status":        "approved",
	})
}

func (s *Server) details(w http.ResponseWriter, r *http.Request) {
	k := s.Count()
	n := r.PathValue("inquiryNumber")
	s.mu.Lock()
	sh, known := s.shipments[n]
	s.mu.Unlock()

	if !k.Wait(r) {
		return
	}
	switch s.tokens.Check(r) {
	case fakeapi.AuthMissing:
		writeError(w, http.StatusUnauthorized, "UJ0001", "Invalid token or token is not present.")
		return
	case fakeapi.AuthInvalid:
		writeError(w, http.StatusUnauthorized, "250002", "Invalid Authentication Information.")
		return
	}
	switch {
	case r.Header.Get("transId") == "" || len(r.Header.Get("transId")) > 32:
		writeError(w, http.StatusBadRequest, "VSS002", "Missing or invalid transId")
		return
	case r.Header.Get("transactionSrc") == "":
		writeError(w, http.StatusBadRequest, "VSS004", "Missing transactionSrc")
		return
	}
	if k.Fail != nil {
		k.Fail.SetRetryAfter(w)
		code, msg := errorFor(k.Fail.Status)
		writeError(w, k.Fail.Status, code, msg)
		return
	}
	if k.Malformed {
		fakeapi.WriteTruncated(w, `{"trackResponse":{"shipment":[{"inquiryNumber":"`+n+`","package":[{"activity":[{"status":`)
		return
	}
	if !validNumber(n) {
		writeError(w, http.StatusBadRequest, "TV1002", "Invalid inquiry number")
		return
	}
	if !known {
		fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"trackResponse": map[string]any{"shipment": []any{map[string]any{
			"inquiryNumber": n,
			"warnings":      []any{map[string]string{"code": "TW0001", "message": "Tracking Information Not Found"}},
		}}}})
		return
	}
	fakeapi.WriteJSON(w, http.StatusOK, found(n, sh))
}

// validNumber is UPS's inquiry-number rule (7–34 letters and digits), plus
// the check digit for 1Z numbers, which UPS rejects as TV1002 when wrong.
func validNumber(n string) bool {
	if len(n) < 7 || len(n) > 34 {
		return false
	}
	for _, r := range n {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	if len(n) == 18 && strings.HasPrefix(n, "1Z") {
		return int(n[17]-'0') == CheckDigit(n[2:17])
	}
	return true
}

// defaults gives each normalised status a realistic UPS type, code and text.
var defaults = map[tracker.Status]struct{ typ, code, desc string }{
	tracker.StatusInfoReceived:       {"M", "003", "Shipper created a label, UPS has not received the package yet. "},
	tracker.StatusInTransit:          {"I", "005", "Arrived at Facility"},
	tracker.StatusCustoms:            {"I", "012", "Clearance in Progress"},
	tracker.StatusOutForDelivery:     {"I", "072", "Loaded on Delivery Vehicle "},
	tracker.StatusAttemptFailed:      {"X", "022", "The receiver was not available for delivery. We'll make a second attempt the next business day."},
	tracker.StatusAvailableForPickup: {"I", "040", "Ready for Customer Pickup"},
	tracker.StatusDelivered:          {"D", "011", "DELIVERED "},
	tracker.StatusException:          {"X", "013", "The address is incomplete. We're attempting to update it."},
	tracker.StatusReturned:           {"X", "034", "Returned to Sender"},
}

func statusObj(ev Event) map[string]string {
	d, ok := defaults[ev.Status]
	if !ok {
		d = defaults[tracker.StatusInTransit]
	}
	o := map[string]string{"type": or(ev.Type, d.typ), "statusCode": or(ev.Code, d.code), "description": or(ev.Description, d.desc)}
	o["code"] = "XX"
	return o
}

func found(n string, sh Shipment) any {
	activity := make([]any, 0, len(sh.Events))
	for _, ev := range sh.Events {
		t := ev.Time
		utc := t.UTC()
		addr := map[string]string{}
		for k, v := range map[string]string{"city": strings.ToUpper(ev.City), "stateProvince": ev.State, "countryCode": ev.Country, "country": ev.Country} {
			if v != "" {
				addr[k] = v
			}
		}
		activity = append(activity, map[string]any{
			"location":  map[string]any{"address": addr, "slic": "0761"},
			"status":    statusObj(ev),
			"date":      t.Format("20060102"),
			"time":      t.Format("150405"),
			"gmtDate":   utc.Format("20060102"),
			"gmtTime":   strings.TrimLeft(utc.Format("150405"), "0"), // UPS does not pad: "74700"
			"gmtOffset": t.Format("-07:00"),
		})
	}
	p := map[string]any{
		"trackingNumber": n,
		"activity":       activity,
		"packageCount":   1,
		"service":        map[string]string{"code": "003", "description": or(sh.Service, "UPS Ground"), "levelCode": "003"},
		"weight":         map[string]string{"unitOfMeasurement": "LBS", "weight": "2.10"},
	}
	if len(sh.Events) > 0 {
		st := statusObj(sh.Events[0])
		p["currentStatus"] = map[string]string{
			"description":               st["description"],
			"code":                      st["code"],
			"statusCode":                st["statusCode"],
			"type":                      st["type"],
			"simplifiedTextDescription": strings.TrimSpace(st["description"]),
		}
	}
	if sh.USPSNumber != "" {
		p["alternateTrackingNumber"] = []any{map[string]string{"type": "USPS_PIC", "number": sh.USPSNumber}}
	}
	if !sh.ETA.IsZero() {
		p["deliveryDate"] = []any{map[string]string{"type": "SDD", "date": sh.ETA.Format("20060102")}}
		if h, m, sec := sh.ETA.Clock(); h+m+sec > 0 {
			p["deliveryTime"] = map[string]string{"type": "CMT", "endTime": sh.ETA.Format("150405")}
		} else {
			p["deliveryTime"] = map[string]string{"type": "EOD"}
		}
	}
	return map[string]any{"trackResponse": map[string]any{"shipment": []any{map[string]any{
		"inquiryNumber": n,
		"package":       []any{p},
		"userRelation":  "", // a string where the spec says array, as seen in the wild
	}}}}
}

func errorFor(status int) (code, msg string) {
	switch {
	case status == http.StatusTooManyRequests:
		return "10429", "Too Many Requests"
	case status == http.StatusUnauthorized:
		return "250002", "Invalid Authentication Information."
	case status == http.StatusNotFound:
		return "151044", "Tracking number information not found"
	case status >= 500:
		return "10004", "Service unavailable, please try again later"
	}
	return "10001", "Invalid request"
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	fakeapi.WriteJSON(w, status, map[string]any{"response": map[string]any{"errors": []any{map[string]string{"code": code, "message": msg}}}})
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
