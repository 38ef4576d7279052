// Package uspstest is an in-process fake of USPS Tracking API v3 for tests,
// in the manner of net/http/httptest. It speaks the real routes and JSON
// shapes:
//
//   - POST /oauth2/v3/token — client_id, client_secret and
//     grant_type=client_credentials as a JSON body (as USPS documents) or a
//     form; string-typed expires_in; OAuth-style errors ("invalid_client");
//   - GET /tracking/v3/tracking/{n}?expand=DETAIL — bearer token (401 with
//     WWW-Authenticate and the ErrorMessage envelope when missing or
//     expired); TrackingDetails with string booleans, HTML in mailClass,
//     eventTimestamp without offset beside GMTTimestamp and GMTOffset, null
//     eventCountry, events newest first; unknown numbers get 404 with error
//     150006 "A status update is not yet available…";
//   - an optional hourly quota (token calls count too) answered with 429
//     and Retry-After, as USPS does.
//
// Use:
//
//	srv := uspstest.NewServer()
//	defer srv.Close()
//	n := uspstest.TrackingNumber(1)
//	srv.SetShipment(n, uspstest.Shipment{Events: []uspstest.Event{
//		{Time: t, Status: tracker.StatusOutForDelivery, City: "Hernando", State: "FL", ZIP: "34442"},
//	}})
//	c := usps.New(usps.Config{BaseURL: srv.URL(), ClientID: uspstest.ClientID, ClientSecret: uspstest.ClientSecret, Rate: rate.Inf})
package uspstest

import (
	"encoding/json"
	"fmt"
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
	ClientID     = "uspstest-client-id"
	ClientSecret = "uspstest-client-secret"
)

// tokenTTL is the eight hours USPS is reported to grant.
const tokenTTL = 28799 * time.Second

// Shipment scripts one parcel's story. Later SetShipment calls replace it.
type Shipment struct {
	Events    []Event   // newest first, as USPS sends them
	ETA       time.Time // expectedDeliveryTimeStamp (sent without offset, as USPS does)
	MailClass string    // default "USPS Ground Advantage<SUP>&#153;</SUP>"
	Category  string    // statusCategory; default from the newest event's Status
}

// Event is one scan. Status picks a realistic USPS eventType, eventCode and
// statusCategory; Type and Code override them.
type Event struct {
	Time    time.Time // local time; sent as eventTimestamp (no offset) + GMTTimestamp + GMTOffset
	Status  tracker.Status
	Type    string // eventType text, e.g. "Arrived at USPS Regional Facility"
	Code    string // eventCode, e.g. "10"
	City    string
	State   string
	ZIP     string
	Country string // eventCountry; USPS leaves it null for domestic scans
}

// Server is a fake USPS API. Its methods are safe for concurrent use.
//
// FailNext makes the next n tracking requests fail with USPS's
// ErrorMessage envelope; SetDelay and SetMalformed act on tracking replies;
// Requests counts tracking requests. Token requests are not affected by them.
type Server struct {
	fakeapi.Server
	tokens fakeapi.Tokens

	mu          sync.Mutex
	shipments   map[string]Shipment
	quota       int // calls per hour; 0 = unlimited
	windowStart time.Time
	windowCalls int
}

// NewServer starts a fake USPS API. Close it when done.
func NewServer() *Server {
	s := &Server{shipments: map[string]Shipment{}, tokens: fakeapi.Tokens{Prefix: "uspstest"}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/v3/token", s.token)
	mux.HandleFunc("GET /tracking/v3/tracking/{trackingNumber}", s.tracking)
	s.Start(mux)
	return s
}

// SetShipment scripts the reply for number.
func (s *Server) SetShipment(number string, sh Shipment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shipments[number] = sh
}

// SetHourlyQuota limits calls (token and tracking) per clock hour from the
// first call; beyond it USPS answers 429 with Retry-After until the hour
// is over. 0 removes the limit.
func (s *Server) SetHourlyQuota(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota, s.windowCalls, s.windowStart = n, 0, time.Time{}
}

// ExpireTokens makes every token issued so far expired, so the next
// tracking request gets a 401.
func (s *Server) ExpireTokens() { s.tokens.Expire() }

// TokenRequests counts token requests received.
func (s *Server) TokenRequests() int { return s.tokens.Requests() }

// overQuota counts a call and, past the quota, returns how long until the
// hour resets. Call with s.mu held.
func (s *Server) overQuota() time.Duration {
	if s.quota <= 0 {
		return 0
	}
	now := time.Now()
	if s.windowStart.IsZero() || now.Sub(s.windowStart) >= time.Hour {
		s.windowStart, s.windowCalls = now, 0
	}
	s.windowCalls++
	if s.windowCalls <= s.quota {
		return 0
	}
	return s.windowStart.Add(time.Hour).Sub(now)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.tokens.Count()
	s.mu.Lock()
	wait := s.overQuota()
	s.mu.Unlock()
	if wait > 0 {
		fakeapi.SetRetryAfter(w, wait)
		writeError(w, http.StatusTooManyRequests, "Too Many Requests", "The hourly quota of API calls for this application is used up.")
		return
	}
	var in struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		GrantType    string `json:"grant_type"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Malformed JSON body.")
			return
		}
	} else {
		if err := r.ParseForm(); err != nil {
			writeOAuthError(w, http.StatusBadRequest, "invalid_request", "Malformed form body.")
			return
		}
		in.ClientID, in.ClientSecret, in.GrantType = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), r.PostForm.Get("grant_type")
	}
	if in.GrantType != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type.")
		return
	}
	if in.ClientID != ClientID || in.ClientSecret != ClientSecret {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return
	}
	tok := s.tokens.Issue()
	fakeapi.WriteJSON(w, http.StatusOK, map[string]string{
		"access_token":     tok,
		"token_type":       "Bearer",
		"issued_at":        strconv.FormatInt(time.Now().UnixMilli(), 10),
		"expires_in":       strconv.Itoa(int(tokenTTL.Seconds())),
		"status":           "approved",
		"scope":            "addresses service-delivery-standards  locations prices tracking labels",
		"issuer":           "https://keyc.usps.com/realms/USPS",
		"client_id":        in.ClientID,
		"application_name": "uspstest-app",
		"api_products":     "[Public Access]",
		"public_key":       "uspstest-public-key",
	})
}

func (s *Server) tracking(w http.ResponseWriter, r *http.Request) {
	k := s.Count()
	n := r.PathValue("trackingNumber")
	s.mu.Lock()
	wait := s.overQuota()
	sh, known := s.shipments[n]
	s.mu.Unlock()

	if !k.Wait(r) {
		return
	}
	if wait > 0 {
		fakeapi.SetRetryAfter(w, wait)
		writeError(w, http.StatusTooManyRequests, "Too Many Requests", "The hourly quota of API calls for this application is used up.")
		return
	}
	if s.tokens.Check(r) != fakeapi.AuthOK {
		w.Header().Set("WWW-Authenticate", `Bearer realm="https://api.usps.com", error="invalid_token"`)
		writeError(w, http.StatusUnauthorized, "Unauthorized", "The access token is missing, invalid or expired.")
		return
	}
	if k.Fail != nil {
		k.Fail.SetRetryAfter(w)
		writeError(w, k.Fail.Status, http.StatusText(k.Fail.Status), "The service failed; try again later.")
		return
	}
	if k.Malformed {
		fakeapi.WriteTruncated(w, `{"trackingNumber":"`+n+`","trackingEvents":[{"eventType":"Out for`)
		return
	}
	if !known {
		fakeapi.WriteJSON(w, http.StatusNotFound, map[string]any{
			"apiVersion": "/tracking/v3",
			"error": map[string]any{"code": "404", "message": "", "errors": []any{map[string]string{
				"title": "", "status": "404", "code": "150006",
				"detail": "A status update is not yet available for your package. It will be available when the shipper provides an update or the package is given to USPS. Check back soon. Sign up for Informed Delivery<SUP>&reg;</SUP> to receive notifications for packages addressed to you.",
			}}},
		})
		return
	}
	if !strings.EqualFold(r.URL.Query().Get("expand"), "DETAIL") {
		fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"trackingNumber": n, "eventSummaries": []string{}})
		return
	}
	fakeapi.WriteJSON(w, http.StatusOK, found(n, sh))
}

// defaults gives each normalised status a realistic USPS text, code and category.
var defaults = map[tracker.Status]struct{ typ, code, category string }{
	tracker.StatusInfoReceived:       {"Shipping Label Created, USPS Awaiting Item", "GX", "Pre-Shipment"},
	tracker.StatusInTransit:          {"Arrived at USPS Regional Facility", "10", "In Transit"},
	tracker.StatusCustoms:            {"Inbound Into Customs", "", "In Transit"},
	tracker.StatusOutForDelivery:     {"Out for Delivery", "OF", "Out for Delivery"},
	tracker.StatusAttemptFailed:      {"Notice Left (No Authorized Recipient Available)", "02", "Delivery Attempt"},
	tracker.StatusAvailableForPickup: {"Available for Pickup", "", "Available for Pickup"},
	tracker.StatusDelivered:          {"Delivered, In/At Mailbox", "01", "Delivered"},
	tracker.StatusException:          {"Insufficient Address", "22", "Alert"},
	tracker.StatusReturned:           {"Return to Sender Processed", "09", "Alert"},
}

func describe(ev Event) (typ, code, category string) {
	d, ok := defaults[ev.Status]
	if !ok {
		d = defaults[tracker.StatusInTransit]
	}
	return or(ev.Type, d.typ), or(ev.Code, d.code), d.category
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func found(n string, sh Shipment) any {
	events := make([]any, 0, len(sh.Events))
	for _, ev := range sh.Events {
		typ, code, _ := describe(ev)
		events = append(events, map[string]any{
			"eventType":       typ,
			"eventTimestamp":  ev.Time.Format("2006-01-02T15:04:05"),
			"GMTTimestamp":    ev.Time.UTC().Format(time.RFC3339),
			"GMTOffset":       ev.Time.Format("-07:00"),
			"eventCountry":    nullable(ev.Country),
			"eventCity":       nullable(strings.ToUpper(ev.City)),
			"eventState":      nullable(ev.State),
			"eventZIP":        nullable(ev.ZIP),
			"firm":            nil,
			"name":            nil,
			"authorizedAgent": "false",
			"eventCode":       code,
			"additionalProp":  nil,
		})
	}
	d := map[string]any{
		"trackingNumber":         n,
		"mailClass":              or(sh.MailClass, "USPS Ground Advantage<SUP>&#153;</SUP>"),
		"mailType":               "DM",
		"emailEnabled":           "true",
		"kahalaIndicator":        "false",
		"proofOfDeliveryEnabled": "false",
		"services":               []string{"USPS Tracking<SUP>&#174;</SUP>", "Up to $100 insurance included"},
		"serviceTypeCode":        "001",
		"tableCode":              "T",
		"uniqueMailPieceID":      "110158946", // the real payload's casing, not the spec's
		"trackingEvents":         events,
	}
	if len(sh.Events) > 0 {
		typ, _, category := describe(sh.Events[0])
		d["status"] = typ
		d["statusCategory"] = or(sh.Category, category)
		d["statusSummary"] = fmt.Sprintf("Your item's latest status is %q as of %s.", typ, sh.Events[0].Time.Format("3:04 pm on January 2, 2006"))
		last := sh.Events[0]
		d["destinationCity"], d["destinationState"], d["destinationZIP"] = strings.ToUpper(last.City), last.State, last.ZIP
	}
	if !sh.ETA.IsZero() {
		d["expectedDeliveryTimeStamp"] = sh.ETA.Format("2006-01-02T15:04:05")
		d["expectedDeliveryType"] = "Expected Delivery By"
	}
	return d
}

// writeError writes the spec's ErrorMessage envelope.
func writeError(w http.ResponseWriter, status int, title, detail string) {
	code := strconv.Itoa(status)
	fakeapi.WriteJSON(w, status, map[string]any{
		"apiVersion": "/tracking/v3",
		"error": map[string]any{"code": code, "message": title, "errors": []any{map[string]string{
			"status": code, "code": code, "title": title, "detail": detail,
		}}},
	})
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	fakeapi.WriteJSON(w, status, map[string]string{"error": code, "error_description": desc, "error_uri": "https://datatracker.ietf.org/doc/html/rfc6749#page-45"})
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
