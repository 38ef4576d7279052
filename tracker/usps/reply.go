package usps

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

// The reply types follow the v3 spec's TrackingDetails, TrackingEvent and
// ErrorMessage, only the fields we use, decoded leniently (booleans come as
// strings, null is common).
type (
	details struct {
		TrackingNumber              carrierhttp.String      `json:"trackingNumber"`
		Status                      carrierhttp.String      `json:"status"`
		StatusCategory              carrierhttp.String      `json:"statusCategory"`
		StatusSummary               carrierhttp.String      `json:"statusSummary"`
		MailClass                   carrierhttp.String      `json:"mailClass"`
		ExpectedDeliveryTimeStamp   carrierhttp.String      `json:"expectedDeliveryTimeStamp"`
		PredictedDeliveryDate       carrierhttp.String      `json:"predictedDeliveryDate"`
		GuaranteedDeliveryTimeStamp carrierhttp.String      `json:"guaranteedDeliveryTimeStamp"`
		TrackingEvents              carrierhttp.List[event] `json:"trackingEvents"`
		Error                       *apiError               `json:"error"`
	}
	event struct {
		EventType      carrierhttp.String `json:"eventType"`
		EventTimestamp carrierhttp.String `json:"eventTimestamp"`
		GMTTimestamp   carrierhttp.String `json:"GMTTimestamp"`
		GMTOffset      carrierhttp.String `json:"GMTOffset"`
		EventCountry   carrierhttp.String `json:"eventCountry"`
		EventCity      carrierhttp.String `json:"eventCity"`
		EventState     carrierhttp.String `json:"eventState"`
		EventCode      carrierhttp.String `json:"eventCode"`
	}
	apiError struct {
		Code    carrierhttp.String         `json:"code"`
		Message carrierhttp.String         `json:"message"`
		Errors  carrierhttp.List[subError] `json:"errors"`
	}
	subError struct {
		Status carrierhttp.String `json:"status"`
		Code   carrierhttp.String `json:"code"`
		Title  carrierhttp.String `json:"title"`
		Detail carrierhttp.String `json:"detail"`
	}
)

// errNotYetAvailable is USPS's "A status update is not yet available for
// your package" — the number is not (yet) in their system.
const errNotYetAvailable = "150006"

// notFoundReply reports whether an error reply means USPS does not know the
// number: error 150006 in any status, or a 404 in USPS's ErrorMessage
// envelope (a bare 404 page from a wrong host is an error instead).
func notFoundReply(statusCode int, body []byte) (string, bool) {
	var r struct {
		Error *apiError `json:"error"`
	}
	if json.Unmarshal(body, &r) != nil || r.Error == nil {
		return "", false
	}
	text := cleanText(string(r.Error.Message))
	for _, e := range r.Error.Errors {
		if d := cleanText(string(e.Detail)); d != "" {
			text = d
			break
		}
	}
	if text == "" {
		text = "Tracking is not available for this item yet"
	}
	for _, e := range r.Error.Errors {
		if strings.TrimSpace(string(e.Code)) == errNotYetAvailable {
			return text, true
		}
	}
	if strings.TrimSpace(string(r.Error.Code)) == errNotYetAvailable || statusCode == http.StatusNotFound {
		return text, true
	}
	return "", false
}

// parseReply maps a 200 DETAIL reply for number n to a Result.
func parseReply(n string, body []byte) (tracker.Result, error) {
	var d details
	if err := json.Unmarshal(body, &d); err != nil {
		return tracker.Result{}, fmt.Errorf("decode reply: %w", err)
	}
	if d.Error != nil && (d.Error.Code != "" || len(d.Error.Errors) > 0) {
		if text, nf := notFoundReply(http.StatusOK, body); nf {
			return notFound(n, text), nil
		}
		return tracker.Result{}, fmt.Errorf("carrier error %s: %s", d.Error.Code, cleanText(string(d.Error.Message)))
	}
	if d.TrackingNumber == "" && d.Status == "" && d.StatusCategory == "" && len(d.TrackingEvents) == 0 {
		return tracker.Result{}, errors.New("reply has no tracking details")
	}
	res := tracker.Result{
		Number:     n,
		Carrier:    Code,
		StatusText: unlessPlaceholder(cleanText(string(d.Status))),
		Service:    mailClass(string(d.MailClass)),
	}
	returned := false
	for _, e := range d.TrackingEvents {
		ev := tracker.Event{
			Time:        eventTime(e),
			Status:      classify(string(e.EventCode), string(e.EventType)),
			Description: cleanText(string(e.EventType)),
			Location:    location(e),
		}
		returned = returned || ev.Status == tracker.StatusReturned
		res.Events = append(res.Events, ev)
	}
	// USPS sends reverse chronological order; sort anyway (stable, so
	// missing times keep USPS's order) because consumers rely on it.
	slices.SortStableFunc(res.Events, func(a, b tracker.Event) int { return b.Time.Compare(a.Time) })

	res.Status = classify("", res.StatusText)
	if res.Status == tracker.StatusUnknown && len(res.Events) > 0 {
		res.Status = res.Events[0].Status
	}
	if res.Status == tracker.StatusUnknown {
		res.Status = categoryStatus(string(d.StatusCategory))
	}
	// USPS sometimes fills status and category with placeholders ("-",
	// "Status Not Available") and says what happened only in the summary
	// sentence ("Your item was delivered…"): read that instead.
	if summary := cleanText(string(d.StatusSummary)); res.Status == tracker.StatusUnknown && summary != "" {
		if st := classify("", summary); st != tracker.StatusUnknown {
			res.Status = st
			if res.StatusText == "" {
				res.StatusText = summary
			}
		}
	}
	if res.StatusText == "" && len(res.Events) > 0 {
		res.StatusText = res.Events[0].Description
	}
	if res.Status == tracker.StatusDelivered && returned {
		res.Status = tracker.StatusReturned // delivered back to the sender
	}
	if res.Status == tracker.StatusUnknown && len(res.Events) == 0 && res.StatusText == "" {
		return notFound(n, cleanText(string(d.StatusSummary))), nil
	}

	zone := time.UTC
	if len(res.Events) > 0 && !res.Events[0].Time.IsZero() {
		zone = res.Events[0].Time.Location()
	}
	for _, s := range []carrierhttp.String{d.ExpectedDeliveryTimeStamp, d.PredictedDeliveryDate, d.GuaranteedDeliveryTimeStamp} {
		if t, ok := carrierhttp.ParseTime(string(s), zone); ok {
			res.ETA = t
			break
		}
	}
	return res, nil
}

func notFound(n, text string) tracker.Result {
	return tracker.Result{Number: n, Carrier: Code, Status: tracker.StatusNotFound, StatusText: text}
}

// eventTime gives the event's instant in its local zone. The instant comes
// from GMTTimestamp when present (eventTimestamp carries no offset, and
// sometimes a misleading "Z"); the zone from GMTOffset, or else from the
// difference between the local and GMT clocks.
func eventTime(e event) time.Time {
	loc, hasZone := carrierhttp.ParseOffset(string(e.GMTOffset))
	local, okL := parseWall(string(e.EventTimestamp))
	gmt, okG := carrierhttp.ParseTime(string(e.GMTTimestamp), time.UTC)
	switch {
	case okG && hasZone:
		return gmt.In(loc)
	case okL && hasZone:
		return time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), local.Second(), 0, loc)
	case okG && okL:
		off := local.Sub(gmt.UTC()).Round(15 * time.Minute)
		if off.Abs() <= 14*time.Hour {
			return gmt.In(time.FixedZone("", int(off.Seconds())))
		}
		return gmt
	case okG:
		return gmt
	case okL:
		return local
	}
	return time.Time{}
}

// parseWall reads eventTimestamp's wall clock, ignoring any zone suffix.
func parseWall(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 19 && (s[10] == 'T' || s[10] == ' ') {
		s = s[:19]
	}
	return carrierhttp.ParseTime(s, time.UTC)
}

// location formats the event place. USPS leaves eventCountry null for
// domestic scans, so a scan with a state and no country is in the US.
func location(e event) string {
	country := strings.TrimSpace(string(e.EventCountry))
	if country == "" && strings.TrimSpace(string(e.EventState)) != "" {
		country = "US"
	}
	return tracker.FormatLocation(string(e.EventCity), string(e.EventState), country)
}

var tags = regexp.MustCompile(`<[^>]*>`)

// cleanText strips the HTML USPS puts in its texts ("Informed
// Delivery<SUP>&reg;</SUP>"), unescapes entities and collapses spaces.
func cleanText(s string) string {
	s = html.UnescapeString(tags.ReplaceAllString(s, ""))
	return strings.Join(strings.Fields(s), " ")
}

// mailClass turns "USPS Ground Advantage<SUP>&#153;</SUP>" into "USPS
// Ground Advantage", and the spec's enum spelling "PRIORITY_MAIL" into
// "Priority Mail".
func mailClass(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '™', '®', '℠', '©':
			return -1
		}
		return r
	}, cleanText(s))
	if strings.Contains(s, "_") && strings.ToUpper(s) == s {
		words := strings.Fields(strings.ReplaceAll(s, "_", " "))
		for i, w := range words {
			words[i] = w[:1] + strings.ToLower(w[1:])
		}
		s = strings.Join(words, " ")
	}
	return strings.TrimSpace(s)
}

// unlessPlaceholder drops the stand-ins USPS sends where a status belongs:
// dashes, "N/A", "null", "Status Not Available".
func unlessPlaceholder(s string) string {
	t := strings.ToLower(strings.TrimSpace(s))
	switch t {
	case "n/a", "na", "null", "none", "unknown", "status not available", "not available", "pending":
		return ""
	}
	for _, r := range t {
		if r >= 'a' && r <= 'z' {
			return s
		}
	}
	return "" // no letters at all: "-", "--", "0", "00"
}
