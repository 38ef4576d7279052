package poller

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/notice"
	"github.com/trackbot/trackbot/tracker/parcel"
)

// newsMaxAge: carrier events older than this are history, not news.
const newsMaxAge = 7 * 24 * time.Hour

// settle turns what the carrier said into the state we store, given the
// shipment as it was. It smooths two carrier habits:
//   - a stray out-for-delivery scan after the delivery scan must not
//     "undeliver" a parcel ("Delivered" wins);
//   - a carrier that briefly forgets a number it knew (not found / unknown)
//     must not make the parcel look lost;
//   - an answer that knows less than we do (its newest scan older than the
//     newest stored: a stale cache or replica, a restarted process) must
//     not move the parcel back a stage.
func settle(before parcel.Shipment, res tracker.Result) tracker.Result {
	if behind(before, res) {
		res.Status, res.StatusText, res.ETA = before.Status, before.StatusText, before.ETA
	}
	if res.Status == tracker.StatusOutForDelivery {
		delivered := before.Status == tracker.StatusDelivered
		for _, e := range res.Events {
			if e.Status == tracker.StatusDelivered {
				delivered = true
				break
			}
		}
		if delivered {
			res.Status = tracker.StatusDelivered
		}
	}
	known := before.Status != "" && before.Status != tracker.StatusUnknown && before.Status != tracker.StatusNotFound
	if known && (res.Status == tracker.StatusUnknown || res.Status == tracker.StatusNotFound || res.Status == "") {
		res.Status = before.Status
	}
	if res.Status == "" {
		res.Status = tracker.StatusUnknown
	}
	return res
}

// behind reports whether res was answered from an older view than the one
// stored: it has scans, and the newest of them is older than the newest
// scan stored. A correction (delivered, then in transit again) comes with a
// newer scan and is taken.
func behind(before parcel.Shipment, res tracker.Result) bool {
	if before.PolledAt.IsZero() || before.LastEventAt.IsZero() || len(res.Events) == 0 {
		return false
	}
	dated := false
	for _, e := range res.Events {
		if e.Time.IsZero() {
			continue // says nothing about how recent the answer is
		}
		if !e.Time.Before(before.LastEventAt) {
			return false
		}
		dated = true
	}
	return dated
}

// item is one piece of news about a shipment.
type item = notice.Item

// Item kinds, short.
const (
	itemFirst  = notice.ItemFirst
	itemStatus = notice.ItemStatus
	itemEvent  = notice.ItemEvent
	itemETA    = notice.ItemETA
)

// news decides what one poll has to tell. before is the shipment as stored
// before the poll, res the settled result, fresh the events new to parcel.
func news(before parcel.Shipment, res tracker.Result, fresh []tracker.Event, now time.Time) []item {
	latest, _ := res.Latest()
	if before.PolledAt.IsZero() {
		// The first answer: say where the parcel is once, however old its
		// history — a parcel first seen delivered is not replayed scan by scan.
		if res.Status == tracker.StatusUnknown || res.Status == tracker.StatusNotFound {
			return nil
		}
		return []item{{Kind: itemFirst, Status: res.Status, Event: latest, ETA: res.ETA}}
	}
	cutoff := now.Add(-newsMaxAge)
	recent := func(e tracker.Event) bool { return e.Time.IsZero() || e.Time.After(cutoff) }

	var items []item
	if res.Status != before.Status && recent(latest) {
		items = append(items, item{Kind: itemStatus, Status: res.Status, Event: latest, ETA: res.ETA})
	}
	// fresh is newest first; announce oldest first so the message reads in order.
	for i := len(fresh) - 1; i >= 0; i-- {
		e := fresh[i]
		switch e.Status {
		case tracker.StatusException, tracker.StatusAttemptFailed, tracker.StatusCustoms:
		default:
			continue
		}
		if !recent(e) || (len(items) > 0 && items[0].Kind == itemStatus && sameEvent(items[0].Event, e)) {
			continue
		}
		items = append(items, item{Kind: itemEvent, Status: e.Status, Event: e})
	}
	if !res.ETA.IsZero() && !res.ETA.Equal(before.ETA) && !res.Status.Final() {
		items = append(items, item{Kind: itemETA, ETA: res.ETA})
	}
	return items
}

func sameEvent(a, b tracker.Event) bool {
	return a.Time.Equal(b.Time) && a.Status == b.Status && a.Description == b.Description && a.Location == b.Location
}

// fingerprint names a set of news stably, so the same change queued twice
// (a retried poll, a refresh racing the tick) has one dedupe key.
func fingerprint(items []item) string {
	h := sha256.New()
	for _, it := range items {
		fmt.Fprintf(h, "%s|%s|%d|%s|%s|%d\n", it.Kind, it.Status, it.Event.Time.Unix(),
			it.Event.Description, it.Event.Location, it.ETA.Unix())
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// freshEvents are the scans of res not known before the poll: newer than
// the newest stored scan (all of them on the first answer). Storage knows
// exactly which rows are new, but the notice is worked out before the write;
// a scan the carrier back-dates is the one thing this misses.
func freshEvents(before parcel.Shipment, res tracker.Result) []tracker.Event {
	if before.PolledAt.IsZero() || before.LastEventAt.IsZero() {
		return res.Events
	}
	var fresh []tracker.Event
	for _, e := range res.Events {
		if e.Time.After(before.LastEventAt) {
			fresh = append(fresh, e)
		}
	}
	return fresh
}

// parcelNotice is one poll's notice for the shipment's followers, or nil
// when there is no news. Its dedupe key fingerprints the news, so the same
// change worked out twice (a retried poll, a refresh racing the tick) is
// queued once per chat.
func parcelNotice(before parcel.Shipment, res tracker.Result, now time.Time) *parcel.Notice {
	items := news(before, res, freshEvents(before, res), now)
	if len(items) == 0 {
		return nil
	}
	latest, _ := res.Latest()
	n := notice.Parcel{Items: items, Status: res.Status, StatusText: res.StatusText, ETA: res.ETA, PrevETA: before.ETA, Latest: latest}
	return &parcel.Notice{
		Kind:      string(notice.KindParcel),
		Payload:   notice.Encode(n),
		DedupeKey: "poll:" + strconv.FormatInt(before.ID, 10) + ":" + fingerprint(items),
	}
}
