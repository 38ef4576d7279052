package seventeen

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
)

// mapItem turns one accepted gettrackinfo item into a Result. Carrier is left
// empty: the caller knows which carrier it detected.
func mapItem(it trackItem) tracker.Result {
	r := tracker.Result{Number: string(it.Number), Status: tracker.StatusUnknown}
	ti := it.TrackInfo
	if ti == nil {
		r.Status = tracker.StatusNotFound
		return r
	}
	var names []string
	if ti.Tracking != nil {
		for _, p := range ti.Tracking.Providers {
			for _, e := range p.Events {
				r.Events = append(r.Events, mapEvent(e))
			}
			if p.Provider != nil && p.Provider.Name != "" && !slices.Contains(names, string(p.Provider.Name)) {
				names = append(names, string(p.Provider.Name))
			}
			if r.Service == "" {
				r.Service = strings.TrimSpace(string(p.ServiceType))
			}
		}
	}
	// Providers list origin and destination posts separately; one timeline,
	// newest first, reads better. Stable, so equal times keep 17TRACK's order.
	slices.SortStableFunc(r.Events, func(a, b tracker.Event) int { return b.Time.Compare(a.Time) })
	if ti.MiscInfo != nil && r.Service == "" {
		r.Service = strings.TrimSpace(string(ti.MiscInfo.ServiceType))
	}
	// local_number: the last-mile carrier's own number for the parcel.
	if mi := ti.MiscInfo; mi != nil && strings.TrimSpace(string(mi.LocalNumber)) != "" {
		if h, ok := tracker.NewHandoff(r.Number, string(mi.LocalNumber), string(mi.LocalProvider)); ok {
			r.Handoff = &h
		}
	}
	if r.Service == "" && len(names) > 1 {
		r.Service = strings.Join(names, " → ")
	}

	var sub, main, descr string
	if ls := ti.LatestStatus; ls != nil {
		sub, main, descr = string(ls.SubStatus), string(ls.Status), string(ls.SubStatusDescr)
	}
	if s, ok := mapStatus(sub, main); ok {
		r.Status = s
	} else if latest, ok := r.Latest(); ok {
		r.Status = latest.Status
	}
	// 17TRACK reports a returned parcel's arrival back at the sender as
	// Delivered; after a return event that is not the user's delivery.
	if r.Status == tracker.StatusDelivered {
		for _, e := range r.Events[min(1, len(r.Events)):] {
			if e.Status == tracker.StatusReturned {
				r.Status = tracker.StatusReturned
				break
			}
		}
	}

	switch {
	case ti.LatestEvent != nil && ti.LatestEvent.Description != "":
		r.StatusText = strings.TrimSpace(string(ti.LatestEvent.Description))
	case len(r.Events) > 0:
		r.StatusText = r.Events[0].Description
	default:
		r.StatusText = strings.TrimSpace(cmp.Or(descr, main))
	}
	if tm := ti.TimeMetrics; tm != nil && tm.EstimatedDeliveryDate != nil && !r.Status.Final() {
		eta := cmp.Or(tm.EstimatedDeliveryDate.To, tm.EstimatedDeliveryDate.From)
		r.ETA = parseETA(string(eta), r.Events)
	}
	return r
}

// parseETA reads estimated_delivery_date. With an offset it is kept; a date
// or time without one is the parcel's local day, so it is read in the zone
// of the newest event: as UTC midnight it would be the evening before in
// the Americas and fire "late" advice a day early.
func parseETA(s string, events []tracker.Event) time.Time {
	if t, ok := parseZoned(s); ok {
		return t
	}
	zone := time.UTC
	if len(events) > 0 && !events[0].Time.IsZero() {
		zone = events[0].Time.Location()
	}
	t, _ := carrierhttp.ParseTime(s, zone)
	return t
}

func mapEvent(e event) tracker.Event {
	desc := strings.TrimSpace(string(e.Description))
	st, ok := mapStatus(string(e.SubStatus), "")
	if !ok {
		st, ok = stages[strings.TrimSpace(string(e.Stage))]
	}
	if !ok {
		st = statusFromWords(desc)
	}
	return tracker.Event{
		Time:        parseTime(string(e.TimeISO), string(e.TimeUTC)),
		Status:      st,
		Description: desc,
		Location:    location(e),
	}
}

// location prefers the structured address ("City, ST, CC") and falls back
// to 17TRACK's free-text location.
func location(e event) string {
	if a := e.Address; a != nil {
		var parts []string
		for _, p := range []carrierhttp.String{a.City, a.State, a.Country} {
			if s := strings.TrimSpace(string(p)); s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, ", ")
		}
	}
	return strings.TrimSpace(string(e.Location))
}

// parseTime reads time_iso, which keeps the local offset. When a carrier's
// local time comes without an offset, the offset is recovered from time_utc
// so the result is still the right instant in the right zone.
func parseTime(iso, utc string) time.Time {
	if t, ok := parseZoned(iso); ok {
		return t
	}
	u, okU := carrierhttp.ParseTime(utc, time.UTC)
	wall, okW := carrierhttp.ParseTime(iso, time.UTC)
	if okU && okW {
		off := wall.Sub(u)
		if off.Abs() <= 14*time.Hour && off%(15*time.Minute) == 0 {
			return u.In(time.FixedZone("", int(off/time.Second)))
		}
	}
	if okU {
		return u
	}
	if okW {
		return wall
	}
	return time.Time{}
}

func parseZoned(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
