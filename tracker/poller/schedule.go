package poller

import (
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// Never is the next-poll time of a shipment that needs no more polling: it
// sorts after every real time, so DueShipments never returns it.
var Never = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// interval is how long to wait before polling a shipment again after a
// successful poll, before jitter. before is the shipment as stored before this
// poll, status what the carrier says now. A zero result means stop polling.
//
// Intervals scale from base (the in-transit interval) so one setting speeds
// up or slows down the whole schedule, e.g. for the demo carrier's clock.
func interval(base time.Duration, before tracker.Status, polledBefore bool, status tracker.Status, age time.Duration) time.Duration {
	switch status {
	case tracker.StatusOutForDelivery:
		return base / 4
	case tracker.StatusInTransit, tracker.StatusCustoms, tracker.StatusException,
		tracker.StatusAttemptFailed:
		return base
	case tracker.StatusAvailableForPickup:
		// Nothing moves until someone collects it.
		return 2 * base
	case tracker.StatusDelivered, tracker.StatusReturned, tracker.StatusExpired:
		// One confirming poll: carriers sometimes mark a parcel delivered too
		// early and correct it hours later. Seen final twice: stop.
		if polledBefore && before == status {
			return 0
		}
		return 9 * base // 6–12 h at the default base, after jitter below widens it
	default: // info received, not found, unknown: rarely, backing off with age
		switch {
		case age < 24*time.Hour:
			return 2 * base
		case age < 72*time.Hour:
			return 4 * base
		case age < 7*24*time.Hour:
			return 8 * base
		default:
			return 24 * base
		}
	}
}

// confirmSpread is the jitter of the confirming poll: ±1/3 of 9·base gives
// 6–12 h at the default 1 h base.
const confirmSpread = 1.0 / 3

// jitterSpread is the ±fraction applied to every other interval, so
// shipments added together do not stay in lock-step.
const jitterSpread = 0.10

// jitter spreads d by ±spread using r in [0, 1).
func jitter(d time.Duration, spread, r float64) time.Duration {
	return time.Duration(float64(d) * (1 - spread + 2*spread*r))
}

// failureBackoff is the wait after the n-th consecutive failed poll (n ≥ 1):
// base/2, base, 2·base, … up to 8·base.
func failureBackoff(base time.Duration, n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := base / 2 << min(n-1, 4)
	return min(d, 8*base)
}

// noClientWait is how long a shipment whose carrier no configured client can
// track waits before it is looked at again (a client may be configured by then).
func noClientWait(base time.Duration) time.Duration { return 24 * base }
