package dhl

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

// The reply types hold only what trackbot reads, with lenient types where
// DHL's services disagree (ids as numbers or strings, one or many).

type reply struct {
	Shipments carrierhttp.List[shipment] `json:"shipments"`
}

type shipment struct {
	ID                         carrierhttp.String `json:"id"`
	Service                    carrierhttp.String `json:"service"`
	Status                     event              `json:"status"`
	EstimatedTimeOfDelivery    carrierhttp.String `json:"estimatedTimeOfDelivery"`
	EstimatedDeliveryTimeFrame struct {
		EstimatedFrom    carrierhttp.String `json:"estimatedFrom"`
		EstimatedThrough carrierhttp.String `json:"estimatedThrough"`
	} `json:"estimatedDeliveryTimeFrame"`
	Details struct {
		Product struct {
			ProductName carrierhttp.String `json:"productName"`
		} `json:"product"`
		References carrierhttp.List[reference] `json:"references"`
	} `json:"details"`
	Events carrierhttp.List[event] `json:"events"`
}

// reference is another number of the shipment; type local-tracking-number
// is the number the local carrier delivers it under (DHL eCommerce's last
// mile by USPS or Evri, for instance).
type reference struct {
	Number carrierhttp.String `json:"number"`
	Type   carrierhttp.String `json:"type"`
}

type event struct {
	Timestamp carrierhttp.String `json:"timestamp"`
	Location  struct {
		Address struct {
			AddressLocality carrierhttp.String `json:"addressLocality"`
			CountryCode     carrierhttp.String `json:"countryCode"`
		} `json:"address"`
	} `json:"location"`
	StatusCode  carrierhttp.String `json:"statusCode"`
	Status      carrierhttp.String `json:"status"`
	Description carrierhttp.String `json:"description"`
}

// text is the event in DHL's words: the description, else the status line.
func (e event) text() string {
	if d := strings.TrimSpace(string(e.Description)); d != "" {
		return d
	}
	return strings.TrimSpace(string(e.Status))
}

// location formats "City, CC"; DHL gives no state. Express puts the country
// into the locality ("LEIPZIG - GERMANY") and sends no country code.
func (e event) location() string {
	a := e.Location.Address
	return tracker.FormatLocation(string(a.AddressLocality), "", string(a.CountryCode))
}

func (e event) isZero() bool {
	return e.Timestamp == "" && e.StatusCode == "" && e.Status == "" && e.Description == ""
}

// parseReply maps a /track/shipments reply to the Result for number.
func parseReply(body []byte, number string) (tracker.Result, error) {
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		return tracker.Result{}, fmt.Errorf("decode reply: %w", err)
	}
	res := tracker.Result{Number: number}
	if len(r.Shipments) == 0 {
		res.Status = tracker.StatusNotFound
		return res, nil
	}
	// DHL may list shipments of several services; prefer the one with our id.
	sh := r.Shipments[0]
	for _, s := range r.Shipments {
		if normalise(string(s.ID)) == normalise(number) {
			sh = s
			break
		}
	}

	zoned := true
	for _, ev := range sh.Events {
		t, _ := parseTime(ev.Timestamp)
		zoned = zoned && hasOffset(string(ev.Timestamp))
		res.Events = append(res.Events, tracker.Event{
			Time:        t,
			Status:      eventStatus(string(ev.StatusCode), ev.text()),
			Description: ev.text(),
			Location:    ev.location(),
		})
	}
	// DHL sends events newest first. Zoned times are sorted anyway so callers
	// can rely on it; local times from different zones are not comparable
	// (Leipzig 23:00 is before New York 18:00), so DHL's order stands.
	if zoned {
		slices.SortStableFunc(res.Events, func(a, b tracker.Event) int { return b.Time.Compare(a.Time) })
	}

	latest := sh.Status
	if latest.isZero() && len(sh.Events) > 0 {
		latest = sh.Events[0]
	}
	res.StatusText = latest.text()
	res.Status = shipmentStatus(string(latest.StatusCode), res.StatusText, res.Events)
	res.Service = strings.TrimSpace(string(sh.Details.Product.ProductName))
	res.Handoff = localHandoff(number, sh.Details.References)
	if !res.Status.Final() {
		for _, s := range []carrierhttp.String{sh.EstimatedTimeOfDelivery, sh.EstimatedDeliveryTimeFrame.EstimatedThrough} {
			if t, ok := parseTime(s); ok {
				res.ETA = t
				break
			}
		}
	}
	return res, nil
}

// localHandoff reads the local carrier's number, when DHL names one, as a
// hand-off; a number that reads as DHL's own is none.
func localHandoff(number string, refs []reference) *tracker.Handoff {
	for _, r := range refs {
		if !strings.EqualFold(strings.TrimSpace(string(r.Type)), "local-tracking-number") {
			continue
		}
		if h, ok := tracker.NewHandoff(number, string(r.Number), ""); ok && h.Carrier != "dhl" && h.Carrier != "dhl_ecommerce" {
			return &h
		}
	}
	return nil
}

// parseTime reads DHL's time stamps. Many carry no offset
// ("2022-04-05T19:01:00"): they are local time at the scan, but DHL does not
// say which zone, so they are taken as UTC — off by the local offset, and
// consistent for ordering and change detection. An offset, when given, is used.
func parseTime(s carrierhttp.String) (time.Time, bool) {
	return carrierhttp.ParseTime(string(s), time.UTC)
}

// hasOffset reports whether a time stamp names its zone ("Z" or "+01:00").
func hasOffset(s string) bool {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// problemDetail reads the detail of an RFC 7807 problem body, if any.
func problemDetail(body []byte) string {
	var p struct {
		Title  carrierhttp.String `json:"title"`
		Detail carrierhttp.String `json:"detail"`
	}
	if json.Unmarshal(body, &p) != nil {
		return ""
	}
	if p.Detail != "" {
		return string(p.Detail)
	}
	return string(p.Title)
}

func normalise(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}
