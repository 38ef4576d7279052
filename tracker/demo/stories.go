package demo

import (
	"time"

	"github.com/trackbot/trackbot/tracker"
)

type place struct {
	name string
	zone *time.Location
}

// Fixed offsets keep the demo free of the system's zone database.
var (
	eastern  = time.FixedZone("EST", -5*3600)
	central  = time.FixedZone("CST", -6*3600)
	mountain = time.FixedZone("MST", -7*3600)
	pacific  = time.FixedZone("PST", -8*3600)
	cet      = time.FixedZone("CET", 1*3600)

	portland    = place{"Portland, OR, US", pacific}
	saltLake    = place{"Salt Lake City, UT, US", mountain}
	denver      = place{"Denver, CO, US", mountain}
	minneapolis = place{"Minneapolis, MN, US", central}
	fargo       = place{"Fargo, ND, US", central}
	bismarck    = place{"Bismarck, ND, US", central}
	austin      = place{"Austin, TX, US", central}
	houston     = place{"Houston, TX, US", central}
	hamburg     = place{"Hamburg, DE", cet}
	leipzig     = place{"Leipzig, DE", cet}
	newYork     = place{"Jamaica, NY, US", eastern}
	chicago     = place{"Chicago, IL, US", central}
	columbus    = place{"Columbus, OH, US", eastern}
)

// step is one scan, at a story time after the number was first tracked.
// eta > 0 sets the ETA (story time); eta < 0 clears it.
type step struct {
	at     time.Duration
	status tracker.Status
	text   string
	place  place
	eta    time.Duration
}

type story struct {
	service string
	steps   []step // oldest first, the first at 0
}

const h = time.Hour

var stories = map[string]story{
	"DEMO1": {service: "Demo Ground", steps: []step{
		{0, tracker.StatusInfoReceived, "Shipping label created, Demo Express is waiting for the parcel", portland, 86 * h},
		{5 * h, tracker.StatusInTransit, "Picked up from the sender", portland, 0},
		{12 * h, tracker.StatusInTransit, "Departed Demo Express hub", portland, 0},
		{30 * h, tracker.StatusInTransit, "Arrived at Demo Express hub", saltLake, 0},
		{60 * h, tracker.StatusInTransit, "Arrived at the local delivery station", denver, 0},
		{80 * h, tracker.StatusOutForDelivery, "Out for delivery", denver, 0},
		{86 * h, tracker.StatusDelivered, "Delivered, left at the front door", denver, 0},
	}},
	"DEMO2": {service: "Demo Ground", steps: []step{
		{0, tracker.StatusInfoReceived, "Shipping label created, Demo Express is waiting for the parcel", minneapolis, 52 * h},
		{4 * h, tracker.StatusInTransit, "Picked up from the sender", minneapolis, 0},
		{16 * h, tracker.StatusInTransit, "Arrived at Demo Express hub", fargo, 0},
		{28 * h, tracker.StatusException, "Weather delay: winter storm, the parcel is held at the hub for safety", fargo, 76 * h},
		{52 * h, tracker.StatusInTransit, "Storm cleared, the parcel is on its way again", fargo, 0},
		{70 * h, tracker.StatusOutForDelivery, "Out for delivery", bismarck, 0},
		{76 * h, tracker.StatusDelivered, "Delivered, handed to the recipient", bismarck, 0},
	}},
	"DEMO3": {service: "Demo Express Saver", steps: []step{
		{0, tracker.StatusInfoReceived, "Shipping label created, Demo Express is waiting for the parcel", austin, 46 * h},
		{6 * h, tracker.StatusInTransit, "Picked up from the sender", austin, 0},
		{20 * h, tracker.StatusInTransit, "Arrived at the local delivery station", houston, 0},
		{40 * h, tracker.StatusOutForDelivery, "Out for delivery", houston, 0},
		{46 * h, tracker.StatusAttemptFailed, "Delivery attempted: nobody available to sign", houston, -1},
		{50 * h, tracker.StatusAvailableForPickup, "Ready for pickup at Demo Locker 214, 1200 Main St (code 4417, kept 7 days)", houston, 0},
		{70 * h, tracker.StatusDelivered, "Collected from Demo Locker 214 by the recipient", houston, 0},
	}},
	"DEMO4": {service: "Deutsche Post → USPS", steps: []step{
		{0, tracker.StatusInfoReceived, "Electronic information received from the sender", hamburg, 90 * h},
		{4 * h, tracker.StatusInTransit, "Accepted at the post office", hamburg, 0},
		{12 * h, tracker.StatusInTransit, "Export: left the international exchange office", leipzig, 0},
		{26 * h, tracker.StatusInTransit, "Arrived in the destination country", newYork, 0},
		{30 * h, tracker.StatusCustoms, "Held by customs: import duties of USD 14.20 to pay before release", newYork, -1},
		{50 * h, tracker.StatusInTransit, "Duties paid, released by customs", newYork, 92 * h},
		{56 * h, tracker.StatusInTransit, "Handed over to USPS for delivery", chicago, 0},
		{84 * h, tracker.StatusOutForDelivery, "Out for delivery (USPS)", chicago, 0},
		{92 * h, tracker.StatusDelivered, "Delivered, in the mailbox (USPS)", chicago, 0},
	}},
	"DEMO5": {service: "Demo Ground", steps: []step{
		{0, tracker.StatusInfoReceived, "Shipping label created, Demo Express is waiting for the parcel", columbus, 60 * h},
		{8 * h, tracker.StatusInTransit, "Picked up from the sender", columbus, 0},
	}},
	"DEMO6": {service: "Demo Ground", steps: []step{
		{0, tracker.StatusInfoReceived, "Shipping label created, Demo Express is waiting for the parcel", chicago, 24 * h},
		{3 * h, tracker.StatusInTransit, "Picked up from the sender", chicago, 0},
		{18 * h, tracker.StatusOutForDelivery, "Out for delivery", chicago, 0},
		{22 * h, tracker.StatusDelivered, "Delivered, left in the parcel box", chicago, 0},
	}},
}
