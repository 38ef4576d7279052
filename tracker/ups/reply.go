package ups

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

// The reply types follow UPS's TrackApiResponse (spec Tracking.yaml), only
// the fields we use, decoded leniently: UPS sends one-or-many fields and
// drops objects freely.
type (
	reply struct {
		TrackResponse *struct {
			Shipment carrierhttp.List[shipment] `json:"shipment"`
		} `json:"trackResponse"`
		Response *errorEnvelope `json:"response"`
	}
	errorEnvelope struct {
		Errors carrierhttp.List[apiError] `json:"errors"`
	}
	apiError struct {
		Code    carrierhttp.String `json:"code"`
		Message carrierhttp.String `json:"message"`
	}
	shipment struct {
		InquiryNumber carrierhttp.String         `json:"inquiryNumber"`
		Package       carrierhttp.List[pkg]      `json:"package"`
		Warnings      carrierhttp.List[apiError] `json:"warnings"`
	}
	pkg struct {
		TrackingNumber carrierhttp.String             `json:"trackingNumber"`
		Activity       carrierhttp.List[activity]     `json:"activity"`
		CurrentStatus  *status                        `json:"currentStatus"`
		DeliveryDate   carrierhttp.List[deliveryDate] `json:"deliveryDate"`
		DeliveryTime   *deliveryTime                  `json:"deliveryTime"`
		Service        *struct {
			Description carrierhttp.String `json:"description"`
		} `json:"service"`
		StatusCode        carrierhttp.String `json:"statusCode"`
		StatusDescription carrierhttp.String `json:"statusDescription"`
		// AlternateTrackingNumber carries the number of the carrier a
		// SurePost / Mail Innovations parcel is handed to (type USPS_PIC).
		AlternateTrackingNumber carrierhttp.List[struct {
			Type   carrierhttp.String `json:"type"`
			Number carrierhttp.String `json:"number"`
		}] `json:"alternateTrackingNumber"`
	}
	activity struct {
		Date      carrierhttp.String `json:"date"`
		Time      carrierhttp.String `json:"time"`
		GMTDate   carrierhttp.String `json:"gmtDate"`
		GMTTime   carrierhttp.String `json:"gmtTime"`
		GMTOffset carrierhttp.String `json:"gmtOffset"`
		Location  *struct {
			Address *struct {
				City          carrierhttp.String `json:"city"`
				StateProvince carrierhttp.String `json:"stateProvince"`
				Country       carrierhttp.String `json:"country"`
				CountryCode   carrierhttp.String `json:"countryCode"`
			} `json:"address"`
		} `json:"location"`
		Status *status `json:"status"`
	}
	status struct {
		Type        carrierhttp.String `json:"type"`
		Code        carrierhttp.String `json:"code"`
		Description carrierhttp.String `json:"description"`
		StatusCode  carrierhttp.String `json:"statusCode"`
	}
	deliveryDate struct {
		Type carrierhttp.String `json:"type"`
		Date carrierhttp.String `json:"date"`
	}
	deliveryTime struct {
		Type    carrierhttp.String `json:"type"`
		EndTime carrierhttp.String `json:"endTime"`
	}
)

// Codes UPS uses for "we do not know this number".
const (
	warnNotFound  = "TW0001" // 200 with a warning and no package
	errInvalidNum = "TV1002" // "Invalid inquiry number"
)

// notFoundReply reports whether an error reply means UPS does not know the
// number: TV1002 (any status), or a 404 in UPS's own error envelope (a 404
// page from a wrong host is an error, not an unknown parcel).
func notFoundReply(statusCode int, body []byte) (string, bool) {
	var r reply
	if json.Unmarshal(body, &r) != nil || r.Response == nil || len(r.Response.Errors) == 0 {
		return "", false
	}
	for _, e := range r.Response.Errors {
		if strings.EqualFold(string(e.Code), errInvalidNum) || strings.EqualFold(string(e.Code), warnNotFound) {
			return clean(string(e.Message)), true
		}
	}
	if statusCode == http.StatusNotFound {
		return clean(string(r.Response.Errors[0].Message)), true
	}
	return "", false
}

// parseReply maps a 200 reply for number n to a Result.
func parseReply(n string, body []byte) (tracker.Result, error) {
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		return tracker.Result{}, fmt.Errorf("decode reply: %w", err)
	}
	if r.TrackResponse == nil || len(r.TrackResponse.Shipment) == 0 {
		if r.Response != nil && len(r.Response.Errors) > 0 {
			e := r.Response.Errors[0]
			if text, nf := notFoundReply(http.StatusOK, body); nf {
				return notFound(n, text), nil
			}
			return tracker.Result{}, fmt.Errorf("carrier error %s: %s", e.Code, e.Message)
		}
		return tracker.Result{}, errors.New("reply has no shipment")
	}
	sh := r.TrackResponse.Shipment[0]
	if len(sh.Package) == 0 {
		text := "Tracking Information Not Found"
		if len(sh.Warnings) > 0 && sh.Warnings[0].Message != "" {
			text = clean(string(sh.Warnings[0].Message))
		}
		return notFound(n, text), nil
	}
	p := sh.Package[0]
	for _, q := range sh.Package {
		if strings.EqualFold(string(q.TrackingNumber), n) {
			p = q
			break
		}
	}
	res := packageResult(n, p)
	for _, a := range p.AlternateTrackingNumber {
		if strings.EqualFold(strings.TrimSpace(string(a.Type)), "USPS_PIC") {
			if h, ok := tracker.NewHandoff(n, string(a.Number), "USPS"); ok {
				res.Handoff = &h
				break
			}
		}
	}
	return res, nil
}

func notFound(n, text string) tracker.Result {
	return tracker.Result{Number: n, Carrier: Code, Status: tracker.StatusNotFound, StatusText: text}
}

func packageResult(n string, p pkg) tracker.Result {
	res := tracker.Result{Number: n, Carrier: Code, Status: tracker.StatusUnknown}
	if p.Service != nil {
		res.Service = clean(string(p.Service.Description))
	}
	returned, zoned := false, true
	for _, a := range p.Activity {
		ev := activityEvent(a)
		returned = returned || ev.Status == tracker.StatusReturned
		zoned = zoned && hasZone(a)
		res.Events = append(res.Events, ev)
	}
	// UPS sends the newest first; sort anyway (stable, so equal or missing
	// times keep UPS's order) because consumers rely on it. Local times
	// without a zone are wall clocks of different places and cannot be
	// compared, so then UPS's order stands.
	if zoned {
		slices.SortStableFunc(res.Events, func(a, b tracker.Event) int { return b.Time.Compare(a.Time) })
	}

	if s := p.CurrentStatus; s != nil {
		res.Status = classify(string(s.Type), string(s.StatusCode), string(s.Description))
		res.StatusText = clean(string(s.Description))
	}
	if res.Status == tracker.StatusUnknown && len(p.Activity) > 0 && p.Activity[0].Status != nil {
		res.Status = res.Events[0].Status
		res.StatusText = res.Events[0].Description
	}
	if res.Status == tracker.StatusUnknown && (p.StatusCode != "" || p.StatusDescription != "") {
		res.Status = classify("", string(p.StatusCode), string(p.StatusDescription))
		res.StatusText = clean(string(p.StatusDescription))
	}
	if res.StatusText == "" && len(res.Events) > 0 {
		res.StatusText = res.Events[0].Description
	}
	// "Delivered" after "returned to sender" is the delivery back to the shipper.
	if res.Status == tracker.StatusDelivered && returned {
		res.Status = tracker.StatusReturned
	}

	zone := time.UTC
	if len(res.Events) > 0 && !res.Events[0].Time.IsZero() {
		zone = res.Events[0].Time.Location()
	}
	res.ETA = eta(p, zone)
	return res
}

func activityEvent(a activity) tracker.Event {
	ev := tracker.Event{
		Time:   activityTime(a),
		Status: tracker.StatusUnknown,
	}
	if s := a.Status; s != nil {
		ev.Status = classify(string(s.Type), string(s.StatusCode), string(s.Description))
		ev.Description = clean(string(s.Description))
	}
	if a.Location != nil && a.Location.Address != nil {
		ad := a.Location.Address
		country := string(ad.CountryCode)
		if country == "" {
			country = string(ad.Country)
		}
		ev.Location = tracker.FormatLocation(string(ad.City), string(ad.StateProvince), country)
	}
	return ev
}

// activityTime reads an activity's local date and time with its GMT offset.
// Without an offset the zone is worked out from the GMT date and time; with
// neither the time is taken as UTC.
func activityTime(a activity) time.Time {
	local, okL := dateClock(string(a.Date), string(a.Time), time.UTC)
	gmt, okG := dateClock(string(a.GMTDate), string(a.GMTTime), time.UTC)
	if loc, ok := carrierhttp.ParseOffset(string(a.GMTOffset)); ok {
		if okL {
			return wallIn(local, loc)
		}
		if okG {
			return gmt.In(loc)
		}
	}
	switch {
	case okL && okG:
		off := local.Sub(gmt).Round(15 * time.Minute)
		if off.Abs() <= 14*time.Hour {
			return wallIn(local, time.FixedZone("", int(off.Seconds())))
		}
		return gmt
	case okG:
		return gmt
	case okL:
		return local
	}
	return time.Time{}
}

// hasZone reports whether activityTime can place a in time: it has a GMT
// offset or a GMT date and time, not just a local wall clock.
func hasZone(a activity) bool {
	if _, ok := carrierhttp.ParseOffset(string(a.GMTOffset)); ok {
		return true
	}
	_, ok := dateClock(string(a.GMTDate), string(a.GMTTime), time.UTC)
	return ok
}

// dateClock parses "YYYYMMDD" and "HHMMSS"; UPS does not always zero-pad
// the time ("74700"), and an empty time means midnight.
func dateClock(date, clock string, loc *time.Location) (time.Time, bool) {
	date = digits(date)
	clock = digits(clock)
	if len(date) != 8 || len(clock) > 6 {
		return time.Time{}, false
	}
	clock = strings.Repeat("0", 6-len(clock)) + clock
	t, err := time.ParseInLocation("20060102150405", date+clock, loc)
	return t, err == nil
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func wallIn(t time.Time, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, loc)
}

// eta reads the rescheduled (RDD) or else scheduled (SDD) delivery date, at
// the end of the delivery window when UPS gives one, otherwise at midnight:
// a date-only ETA says the day, not the hour. UPS gives no zone for it, so
// the zone of the latest scan stands in.
func eta(p pkg, zone *time.Location) time.Time {
	var date string
	for _, want := range []string{"RDD", "SDD"} {
		for _, d := range p.DeliveryDate {
			if strings.EqualFold(strings.TrimSpace(string(d.Type)), want) && date == "" {
				date = string(d.Date)
			}
		}
	}
	if date == "" {
		return time.Time{}
	}
	clock := ""
	if dt := p.DeliveryTime; dt != nil {
		switch strings.ToUpper(strings.TrimSpace(string(dt.Type))) {
		case "CMT", "EDW", "CDW", "IDW":
			clock = string(dt.EndTime)
		}
	}
	t, ok := dateClock(date, clock, zone)
	if !ok {
		t, _ = dateClock(date, "", zone)
	}
	return t
}

// clean trims UPS's padding ("DELIVERED ") and collapses inner runs of space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }
