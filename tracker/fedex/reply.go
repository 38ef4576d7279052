package fedex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

// The reply types hold only what trackbot reads. Every field FedEx has been
// seen to send with another type than its schema says uses a lenient type.

type reply struct {
	Output struct {
		CompleteTrackResults carrierhttp.List[completeTrackResult] `json:"completeTrackResults"`
		Alerts               carrierhttp.List[alert]               `json:"alerts"`
	} `json:"output"`
	Errors carrierhttp.List[apiError] `json:"errors"`
}

type apiError struct {
	Code    carrierhttp.String `json:"code"`
	Message carrierhttp.String `json:"message"`
}

// alert is documented as {code, alertType, message} but FedEx also sends a
// bare string ("TRACKING.DATA.NOTFOUND -  Tracking data unavailable").
type alert struct {
	Code    string
	Message string
}

func (a *alert) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var v struct {
			Code    carrierhttp.String `json:"code"`
			Message carrierhttp.String `json:"message"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		a.Code, a.Message = string(v.Code), string(v.Message)
		return nil
	}
	var s carrierhttp.String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	a.Message = string(s)
	a.Code, _, _ = strings.Cut(a.Message, " ")
	return nil
}

type completeTrackResult struct {
	TrackingNumber carrierhttp.String            `json:"trackingNumber"`
	TrackResults   carrierhttp.List[trackResult] `json:"trackResults"`
}

type trackResult struct {
	TrackingNumberInfo struct {
		TrackingNumber carrierhttp.String `json:"trackingNumber"`
	} `json:"trackingNumberInfo"`
	LatestStatusDetail struct {
		Code             carrierhttp.String       `json:"code"`
		DerivedCode      carrierhttp.String       `json:"derivedCode"`
		StatusByLocale   carrierhttp.String       `json:"statusByLocale"`
		Description      carrierhttp.String       `json:"description"`
		ScanLocation     location                 `json:"scanLocation"`
		AncillaryDetails carrierhttp.List[reason] `json:"ancillaryDetails"`
		DelayDetail      delayDetail              `json:"delayDetail"`
	} `json:"latestStatusDetail"`
	DateAndTimes                carrierhttp.List[dateAndTime] `json:"dateAndTimes"`
	EstimatedDeliveryTimeWindow struct {
		Window struct {
			Begins carrierhttp.String `json:"begins"`
			Ends   carrierhttp.String `json:"ends"`
		} `json:"window"`
	} `json:"estimatedDeliveryTimeWindow"`
	ScanEvents    carrierhttp.List[scanEvent] `json:"scanEvents"`
	ServiceDetail struct {
		Description carrierhttp.String `json:"description"`
	} `json:"serviceDetail"`
	AdditionalTrackingInfo struct {
		PackageIdentifiers carrierhttp.List[packageIdentifier] `json:"packageIdentifiers"`
	} `json:"additionalTrackingInfo"`
	Error *apiError `json:"error"`
}

// packageIdentifier is another number of the package; type
// PARTNER_CARRIER_NUMBER is the number a partner carrier delivers it under
// (FedEx Ground Economy by USPS, International Connect by the local post).
type packageIdentifier struct {
	Type  carrierhttp.String                   `json:"type"`
	Value carrierhttp.List[carrierhttp.String] `json:"value"`
}

type location struct {
	City                carrierhttp.String `json:"city"`
	StateOrProvinceCode carrierhttp.String `json:"stateOrProvinceCode"`
	CountryCode         carrierhttp.String `json:"countryCode"`
}

// String formats the location as "City, ST, CC", leaving out missing parts.
func (l location) String() string {
	return tracker.FormatLocation(string(l.City), string(l.StateOrProvinceCode), string(l.CountryCode))
}

type reason struct {
	ReasonDescription carrierhttp.String `json:"reasonDescription"`
}

type delayDetail struct {
	Type carrierhttp.String `json:"type"` // WEATHER, OPERATIONAL, LOCAL, GENERAL, CLEARANCE
}

type dateAndTime struct {
	Type     carrierhttp.String `json:"type"`
	DateTime carrierhttp.String `json:"dateTime"`
}

type scanEvent struct {
	Date                 carrierhttp.String `json:"date"`
	EventType            carrierhttp.String `json:"eventType"`
	EventDescription     carrierhttp.String `json:"eventDescription"`
	ExceptionDescription carrierhttp.String `json:"exceptionDescription"`
	DerivedStatusCode    carrierhttp.String `json:"derivedStatusCode"`
	ScanLocation         location           `json:"scanLocation"`
	DelayDetail          delayDetail        `json:"delayDetail"`
}

// parseReply maps a Track reply to one Result per number FedEx answered for.
func parseReply(body []byte, numbers []string) ([]tracker.Result, error) {
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("decode reply: %w", err)
	}
	if len(r.Errors) > 0 {
		e := r.Errors[0]
		return nil, fmt.Errorf("carrier error %s: %s", e.Code, e.Message)
	}
	if len(r.Output.CompleteTrackResults) == 0 {
		// A reply with nothing but a "not found" alert covers the whole batch.
		for _, a := range r.Output.Alerts {
			if strings.Contains(a.Code, "NOTFOUND") {
				out := make([]tracker.Result, len(numbers))
				for i, n := range numbers {
					out[i] = tracker.Result{Number: n, Carrier: "fedex", Status: tracker.StatusNotFound, StatusText: a.Message}
				}
				return out, nil
			}
		}
		return nil, errors.New("reply has no tracking results")
	}
	out := make([]tracker.Result, 0, len(r.Output.CompleteTrackResults))
	for _, ctr := range r.Output.CompleteTrackResults {
		number := string(ctr.TrackingNumber)
		tr, ok := pick(ctr.TrackResults)
		if number == "" && ok {
			number = string(tr.TrackingNumberInfo.TrackingNumber)
		}
		if number == "" {
			continue
		}
		if !ok {
			out = append(out, tracker.Result{Number: number, Carrier: "fedex", Status: tracker.StatusNotFound})
			continue
		}
		out = append(out, toResult(number, tr))
	}
	return out, nil
}

// pick chooses, among the results FedEx returns for a reused number, the one
// without an error and with the newest scan.
func pick(trs []trackResult) (trackResult, bool) {
	if len(trs) == 0 {
		return trackResult{}, false
	}
	best := 0
	for i := 1; i < len(trs); i++ {
		a, b := trs[i], trs[best]
		if a.failed() != b.failed() {
			if !a.failed() {
				best = i
			}
			continue
		}
		if a.newestScan().After(b.newestScan()) {
			best = i
		}
	}
	return trs[best], true
}

// failed: FedEx returned an error and no tracking data. A result with both
// (a warning-like error beside real scans) is read for its data.
func (tr trackResult) failed() bool {
	return tr.Error != nil && tr.Error.Code != "" && !tr.hasData()
}

func (tr trackResult) hasData() bool {
	return len(tr.ScanEvents) > 0 || tr.LatestStatusDetail.Code != "" || tr.LatestStatusDetail.DerivedCode != ""
}

func (tr trackResult) newestScan() time.Time {
	var newest time.Time
	for _, ev := range tr.ScanEvents {
		if t, ok := carrierhttp.ParseTime(string(ev.Date), nil); ok && t.After(newest) {
			newest = t
		}
	}
	return newest
}

func toResult(number string, tr trackResult) tracker.Result {
	res := tracker.Result{Number: number, Carrier: "fedex"}
	if tr.failed() {
		e := tr.Error
		// TRACKING.TRACKINGNUMBER.NOTFOUND, and likewise invalid numbers: to
		// the user this is "FedEx does not know it (yet)".
		if !strings.Contains(string(e.Code), "NOTFOUND") {
			slog.Debug("fedex: per-number error", "component", "carrier", "carrier", "fedex", "number", number, "code", string(e.Code))
		}
		res.Status = tracker.StatusNotFound
		res.StatusText = string(e.Message)
		return res
	}

	// FedEx sends scan times with offsets; a time without one is taken in the
	// zone of the newest scan, which is the nearest guess at local time.
	var zone *time.Location
	for _, ev := range tr.ScanEvents {
		t, ok := carrierhttp.ParseTime(string(ev.Date), time.UTC)
		if !ok {
			continue
		}
		if zone == nil {
			_, off := t.Zone()
			zone = time.FixedZone("", off)
		}
		desc := strings.TrimSpace(string(ev.EventDescription))
		if x := strings.TrimSpace(string(ev.ExceptionDescription)); x != "" && !strings.EqualFold(x, desc) {
			desc = joinText(desc, x)
		}
		res.Events = append(res.Events, tracker.Event{
			Time:        t,
			Status:      eventStatus(string(ev.EventType), string(ev.DerivedStatusCode), string(ev.DelayDetail.Type), desc),
			Description: desc,
			Location:    ev.ScanLocation.String(),
		})
	}
	// Newest first, as FedEx sends them; sorted anyway so callers can rely on it.
	slices.SortStableFunc(res.Events, func(a, b tracker.Event) int { return b.Time.Compare(a.Time) })

	ls := tr.LatestStatusDetail
	res.StatusText = strings.TrimSpace(string(ls.Description))
	if res.StatusText == "" {
		res.StatusText = strings.TrimSpace(string(ls.StatusByLocale))
	}
	if len(ls.AncillaryDetails) > 0 {
		if why := strings.TrimSpace(string(ls.AncillaryDetails[0].ReasonDescription)); why != "" && !strings.Contains(res.StatusText, why) {
			res.StatusText = joinText(res.StatusText, why)
		}
	}
	res.Status = latestStatus(string(ls.Code), string(ls.DerivedCode), string(ls.DelayDetail.Type), res.StatusText, res.Events)
	res.Service = strings.TrimSpace(string(tr.ServiceDetail.Description))
	if !res.Status.Final() {
		res.ETA = eta(tr, zone)
	}
	res.Handoff = partnerHandoff(number, tr.AdditionalTrackingInfo.PackageIdentifiers)
	return res
}

// partnerHandoff reads the partner carrier's number, when FedEx names one,
// as a hand-off; a number that reads as FedEx's own is none.
func partnerHandoff(number string, ids []packageIdentifier) *tracker.Handoff {
	for _, id := range ids {
		if !strings.EqualFold(strings.TrimSpace(string(id.Type)), "PARTNER_CARRIER_NUMBER") {
			continue
		}
		for _, v := range id.Value {
			if h, ok := tracker.NewHandoff(number, string(v), ""); ok && h.Carrier != "fedex" {
				return &h
			}
		}
	}
	return nil
}

// eta reads the estimated delivery: the ESTIMATED_DELIVERY date, else the end
// of the estimated delivery window, else a delivery appointment or the
// service's COMMITMENT (often all an Express shipment carries). A time
// without an offset is taken in zone.
func eta(tr trackResult, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	dated := func(typ string) (time.Time, bool) {
		for _, d := range tr.DateAndTimes {
			if strings.EqualFold(strings.TrimSpace(string(d.Type)), typ) {
				if t, ok := carrierhttp.ParseTime(string(d.DateTime), zone); ok {
					return t, true
				}
			}
		}
		return time.Time{}, false
	}
	if t, ok := dated("ESTIMATED_DELIVERY"); ok {
		return t
	}
	w := tr.EstimatedDeliveryTimeWindow.Window
	for _, s := range []carrierhttp.String{w.Ends, w.Begins} {
		if t, ok := carrierhttp.ParseTime(string(s), zone); ok {
			return t
		}
	}
	for _, typ := range []string{"APPOINTMENT_DELIVERY", "COMMITMENT"} {
		if t, ok := dated(typ); ok {
			return t
		}
	}
	return time.Time{}
}

func joinText(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + ": " + b
}
