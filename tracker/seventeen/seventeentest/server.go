// Package seventeentest is an in-process fake of the 17TRACK Tracking API
// v2.2, in the spirit of net/http/httptest, for tests of anything that polls
// through the aggregator.
//
// It speaks the real routes (POST /track/v2.2/register, gettrackinfo,
// deletetrack, getquota), checks the 17token header (401 otherwise), answers
// with 17TRACK's envelope and per-number rejections inside HTTP 200
// (-18019902 for numbers not registered, -18019901 when registering twice,
// -18019909 when a registered number has no data yet, -18019908 when the
// quota is used up, -18010014 for more than 40 numbers), and counts quota
// like the real service: one per accepted registration.
//
// Typical use:
//
//	srv := seventeentest.NewServer()
//	defer srv.Close()
//	srv.SetShipment("RR123456785DE", seventeentest.Shipment{
//		Status: "InTransit", SubStatus: "InTransit_Arrival",
//		Events: []seventeentest.Event{{Time: t, Description: "Arrived", City: "Leipzig", Country: "DE"}},
//	})
//	c := seventeen.New(seventeen.Config{BaseURL: srv.URL(), APIKey: seventeentest.APIKey})
//
// Shipments do not need registering by the test: the client registers them
// as it would against the real API.
package seventeentest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/trackbot/trackbot/tracker/carrierhttp/fakeapi"
)

// APIKey is the only security key the server accepts.
const APIKey = "fake-17track-key"

// DefaultQuota is the free plan's monthly tracking quota.
const DefaultQuota = 100

// Event is one scripted scan. Time carries the local zone of the scan.
type Event struct {
	Time                 time.Time
	Description          string
	City, State, Country string
	// SubStatus is 17TRACK's per-event sub-status; empty leaves it out, as
	// 17TRACK often does.
	SubStatus string
	// Stage is the milestone key stage ("PickedUp", "Delivered", …) or empty.
	Stage string
}

// Shipment scripts what 17TRACK knows of a number.
type Shipment struct {
	Status    string  // main status: "InTransit", "Delivered", …
	SubStatus string  // e.g. "InTransit_CustomsProcessing"; default Status+"_Other"
	Events    []Event // newest first, as 17TRACK sends them
	ETA       time.Time
	Provider  string // carrier name; default "UPS"
	Service   string // provider's service_type, e.g. "UPS Ground"
	// LocalNumber and LocalProvider report a hand-off to a last-mile
	// carrier (misc_info.local_number, local_provider).
	LocalNumber, LocalProvider string
}

// Server is a running fake. FailNext, SetDelay, SetMalformed and Requests
// act on every request; failures carry 17TRACK's error envelope.
type Server struct {
	fakeapi.Server

	mu         sync.Mutex
	shipments  map[string]Shipment
	registered map[string]bool
	rejects    map[string]reject
	quota      int
	quotaUsed  int
	calls      map[string]int
}

type reject struct {
	code int
	msg  string
}

// NewServer starts a fake with an empty database and the free plan's quota.
func NewServer() *Server {
	s := &Server{
		shipments:  map[string]Shipment{},
		registered: map[string]bool{},
		rejects:    map[string]reject{},
		quota:      DefaultQuota,
		calls:      map[string]int{},
	}
	s.Start(http.HandlerFunc(s.serve))
	return s
}

// SetShipment scripts (or replaces) what the API reports for number once it
// is registered.
func (s *Server) SetShipment(number string, sh Shipment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shipments[number] = sh
}

// Register marks numbers as registered without using quota, as if done
// earlier by someone else.
func (s *Server) Register(numbers ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range numbers {
		s.registered[n] = true
	}
}

// Registered reports whether number is registered.
func (s *Server) Registered(number string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.registered[number]
}

// Reject makes register and gettrackinfo reject number with a 17TRACK error
// code, e.g. -18019903 (carrier cannot be detected).
func (s *Server) Reject(number string, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects[number] = reject{code, message}
}

// SetQuota sets the total registration quota.
func (s *Server) SetQuota(total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota = total
}

// QuotaUsed is how many registrations have been charged.
func (s *Server) QuotaUsed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quotaUsed
}

// Calls counts requests to one endpoint ("register", "gettrackinfo", …)
// that passed the key check.
func (s *Server) Calls(endpoint string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[endpoint]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// Reading the body first lets net/http notice a client that gives up
	// during SetDelay, so Close does not wait the delay out.
	body, readErr := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	k := s.Count()
	if !k.Wait(r) {
		return
	}
	if k.Fail != nil {
		k.Fail.SetRetryAfter(w)
		msg := http.StatusText(k.Fail.Status)
		if k.Fail.Status == http.StatusTooManyRequests {
			msg = "Request frequency exceeds the limit."
		}
		fakeapi.WriteJSON(w, k.Fail.Status, errorEnvelope(-18010003, msg))
		return
	}

	name, ok := strings.CutPrefix(r.URL.Path, "/track/v2.2/")
	if !ok || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("17token") != APIKey {
		fakeapi.WriteJSON(w, http.StatusUnauthorized, errorEnvelope(-18010002, "The security key is invalid."))
		return
	}
	if k.Malformed {
		fakeapi.WriteTruncated(w, `{"code":0,"data":{"accepted":[{"number":"`)
		return
	}

	var items []struct {
		Number string `json:"number"`
	}
	if name != "getquota" {
		if readErr != nil || json.Unmarshal(body, &items) != nil {
			fakeapi.WriteJSON(w, http.StatusOK, errorEnvelope(-18010013, "Submitted data is invalid."))
			return
		}
		if len(items) > 40 {
			fakeapi.WriteJSON(w, http.StatusOK, errorEnvelope(-18010014, "The number of tracking numbers exceeds the limit of 40."))
			return
		}
	}
	numbers := make([]string, len(items))
	for i, it := range items {
		numbers[i] = strings.TrimSpace(it.Number)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch name {
	case "register":
		s.calls[name]++
		fakeapi.WriteJSON(w, http.StatusOK, s.register(numbers))
	case "gettrackinfo":
		s.calls[name]++
		fakeapi.WriteJSON(w, http.StatusOK, s.getTrackInfo(numbers))
	case "deletetrack":
		s.calls[name]++
		fakeapi.WriteJSON(w, http.StatusOK, s.deleteTrack(numbers))
	case "getquota":
		s.calls[name]++
		fakeapi.WriteJSON(w, http.StatusOK, map[string]any{"code": 0, "data": map[string]any{
			"quota_total": s.quota, "quota_used": s.quotaUsed, "quota_remain": s.quota - s.quotaUsed,
			"today_used": s.quotaUsed, "max_track_daily": s.quota,
		}})
	default:
		http.NotFound(w, r)
	}
}

type obj = map[string]any

func errorEnvelope(code int, msg string) obj {
	return obj{"code": code, "data": obj{"errors": []obj{{"code": code, "message": msg}}}}
}

func rejected(number string, code int, msg string) obj {
	return obj{"number": number, "error": obj{"code": code, "message": msg}}
}

func valid(n string) bool {
	if len(n) < 5 || len(n) > 50 {
		return false
	}
	for _, r := range n {
		if !('0' <= r && r <= '9' || 'A' <= r && r <= 'Z' || 'a' <= r && r <= 'z') {
			return false
		}
	}
	return true
}

func (s *Server) register(numbers []string) obj {
	accepted, rej := []obj{}, []obj{}
	for _, n := range numbers {
		switch rj, isRej := s.rejects[n]; {
		case !valid(n):
			rej = append(rej, rejected(n, -18010012, fmt.Sprintf("The format of '%s' is invalid.", n)))
		case isRej:
			rej = append(rej, rejected(n, rj.code, rj.msg))
		case s.registered[n]:
			rej = append(rej, rejected(n, -18019901, fmt.Sprintf("The tracking number '%s' has been registered, don't need to repeat registration.", n)))
		case s.quotaUsed >= s.quota:
			rej = append(rej, rejected(n, -18019908, "The quota is not enough."))
		default:
			s.registered[n] = true
			s.quotaUsed++
			accepted = append(accepted, obj{"origin": 1, "number": n, "carrier": carrierKey(s.shipments[n].Provider)})
		}
	}
	return obj{"code": 0, "data": obj{"accepted": accepted, "rejected": rej}}
}

func (s *Server) deleteTrack(numbers []string) obj {
	accepted, rej := []obj{}, []obj{}
	for _, n := range numbers {
		if !s.registered[n] {
			rej = append(rej, rejected(n, -18019902, fmt.Sprintf("The tracking number '%s' does not register, please register first.", n)))
			continue
		}
		delete(s.registered, n)
		accepted = append(accepted, obj{"number": n, "carrier": carrierKey(s.shipments[n].Provider)})
	}
	return obj{"code": 0, "data": obj{"accepted": accepted, "rejected": rej}}
}

func (s *Server) getTrackInfo(numbers []string) obj {
	accepted, rej := []obj{}, []obj{}
	for _, n := range numbers {
		sh, scripted := s.shipments[n]
		switch rj, isRej := s.rejects[n]; {
		case isRej:
			rej = append(rej, rejected(n, rj.code, rj.msg))
		case !s.registered[n]:
			rej = append(rej, rejected(n, -18019902, fmt.Sprintf("The tracking number '%s' does not register, please register first.", n)))
		case !scripted:
			rej = append(rej, rejected(n, -18019909, "No tracking information at this time."))
		default:
			accepted = append(accepted, trackInfo(n, sh))
		}
	}
	return obj{"code": 0, "data": obj{"accepted": accepted, "rejected": rej}}
}

// carrierKey is 17TRACK's numeric carrier key for the few we know; 17TRACK
// sends it as a number.
func carrierKey(provider string) int {
	switch strings.ToUpper(provider) {
	case "", "UPS":
		return 100002
	case "FEDEX":
		return 100003
	default:
		return 190000 + len(provider)
	}
}

func (sh Shipment) provider() string {
	if sh.Provider == "" {
		return "UPS"
	}
	return sh.Provider
}

func trackInfo(number string, sh Shipment) obj {
	sub := sh.SubStatus
	if sub == "" && sh.Status != "" && sh.Status != "InfoReceived" {
		sub = sh.Status + "_Other"
	} else if sub == "" {
		sub = sh.Status
	}
	events := make([]obj, 0, len(sh.Events))
	for _, e := range sh.Events {
		events = append(events, eventJSON(e))
	}
	var latest any // 17TRACK sends null when there is no event
	if len(events) > 0 {
		latest = events[0]
	}
	eta := obj{"source": nil, "from": nil, "to": nil}
	if !sh.ETA.IsZero() {
		eta = obj{"source": "Official", "from": sh.ETA.Format(time.RFC3339), "to": sh.ETA.Format(time.RFC3339)}
	}
	var daysSince any
	if len(sh.Events) > 0 {
		daysSince = strconv.Itoa(int(time.Since(sh.Events[0].Time).Hours() / 24)) // 17TRACK mixes numbers and strings
	}
	return obj{
		"number":  number,
		"carrier": carrierKey(sh.Provider),
		"param":   nil,
		"tag":     nil,
		"track_info": obj{
			"shipping_info": obj{"shipper_address": obj{"country": "", "state": nil, "city": nil}, "recipient_address": obj{"country": "", "state": nil, "city": nil}},
			"latest_status": obj{"status": sh.Status, "sub_status": sub, "sub_status_descr": nil},
			"latest_event":  latest,
			"time_metrics": obj{
				"days_after_order": len(sh.Events), "days_of_transit": len(sh.Events), "days_of_transit_done": len(sh.Events),
				"days_after_last_update": daysSince, "estimated_delivery_date": eta,
			},
			"milestone": []obj{},
			"misc_info": obj{"risk_factor": 0, "service_type": sh.Service, "weight_raw": nil, "pieces": "1",
				"local_number": nilIfEmpty(sh.LocalNumber), "local_provider": nilIfEmpty(sh.LocalProvider)},
			"tracking": obj{
				"providers_hash": len(events),
				"providers": []obj{{
					"provider":           obj{"key": carrierKey(sh.Provider), "name": sh.provider(), "alias": sh.provider(), "tel": nil, "homepage": "", "country": ""},
					"service_type":       sh.Service,
					"latest_sync_status": "Success",
					"latest_sync_time":   time.Now().UTC().Format("2006-01-02T15:04:05Z"),
					"events_hash":        len(events),
					"events":             events,
				}},
			},
		},
	}
}

func eventJSON(e Event) obj {
	var loc []string
	for _, p := range []string{e.City, e.State, e.Country} {
		if p != "" {
			loc = append(loc, p)
		}
	}
	o := obj{
		"time_iso":    e.Time.Format("2006-01-02T15:04:05-07:00"),
		"time_utc":    e.Time.UTC().Format("2006-01-02T15:04:05Z"),
		"description": e.Description,
		"location":    strings.Join(loc, ", "),
		"stage":       nil,
		"address": obj{
			"country": e.Country, "state": nilIfEmpty(e.State), "city": nilIfEmpty(e.City),
			"street": nil, "postal_code": nil, "coordinates": obj{"longitude": nil, "latitude": nil},
		},
	}
	if e.Stage != "" {
		o["stage"] = e.Stage
	}
	if e.SubStatus != "" {
		o["sub_status"] = e.SubStatus
	}
	return o
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
