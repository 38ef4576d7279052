package seventeen

import (
	"strings"

	"github.com/trackbot/trackbot/tracker"
)

// subStatuses maps 17TRACK's sub-statuses (the finer of its two levels) to
// ours. Customs processing and "requiring information" mean the parcel sits
// in customs; "released" means it moves again. Returning and returned are
// filed under Exception by 17TRACK but are their own state for users.
var subStatuses = map[string]tracker.Status{
	"NotFound_Other":                        tracker.StatusNotFound,
	"NotFound_InvalidCode":                  tracker.StatusNotFound,
	"InfoReceived":                          tracker.StatusInfoReceived,
	"InTransit_PickedUp":                    tracker.StatusInTransit,
	"InTransit_Other":                       tracker.StatusInTransit,
	"InTransit_Departure":                   tracker.StatusInTransit,
	"InTransit_Arrival":                     tracker.StatusInTransit,
	"InTransit_CustomsProcessing":           tracker.StatusCustoms,
	"InTransit_CustomsRequiringInformation": tracker.StatusCustoms,
	"InTransit_CustomsReleased":             tracker.StatusInTransit,
	"Expired_Other":                         tracker.StatusExpired,
	"AvailableForPickup_Other":              tracker.StatusAvailableForPickup,
	"OutForDelivery_Other":                  tracker.StatusOutForDelivery,
	"DeliveryFailure_Other":                 tracker.StatusAttemptFailed,
	"DeliveryFailure_NoBody":                tracker.StatusAttemptFailed,
	"DeliveryFailure_Security":              tracker.StatusAttemptFailed,
	"DeliveryFailure_Rejected":              tracker.StatusAttemptFailed,
	"DeliveryFailure_InvalidAddress":        tracker.StatusAttemptFailed,
	"Delivered_Other":                       tracker.StatusDelivered,
	"Exception_Returning":                   tracker.StatusReturned,
	"Exception_Returned":                    tracker.StatusReturned,
	"Exception_Other":                       tracker.StatusException,
	"Exception_NoBody":                      tracker.StatusException,
	"Exception_Security":                    tracker.StatusException,
	"Exception_Damage":                      tracker.StatusException,
	"Exception_Rejected":                    tracker.StatusException,
	"Exception_Delayed":                     tracker.StatusException,
	"Exception_Lost":                        tracker.StatusException,
	"Exception_Destroyed":                   tracker.StatusException,
	"Exception_Cancel":                      tracker.StatusException,
}

// mainStatuses maps 17TRACK's nine main statuses; it also catches sub-statuses
// we have not seen spelled yet, by their prefix.
var mainStatuses = map[string]tracker.Status{
	"NotFound":           tracker.StatusNotFound,
	"InfoReceived":       tracker.StatusInfoReceived,
	"InTransit":          tracker.StatusInTransit,
	"Expired":            tracker.StatusExpired,
	"AvailableForPickup": tracker.StatusAvailableForPickup,
	"OutForDelivery":     tracker.StatusOutForDelivery,
	"DeliveryFailure":    tracker.StatusAttemptFailed,
	"Delivered":          tracker.StatusDelivered,
	"Exception":          tracker.StatusException,
}

// stages maps the milestone key stages 17TRACK puts on some events.
var stages = map[string]tracker.Status{
	"InfoReceived":       tracker.StatusInfoReceived,
	"PickedUp":           tracker.StatusInTransit,
	"Departure":          tracker.StatusInTransit,
	"Arrival":            tracker.StatusInTransit,
	"AvailableForPickup": tracker.StatusAvailableForPickup,
	"OutForDelivery":     tracker.StatusOutForDelivery,
	"Delivered":          tracker.StatusDelivered,
	"Returning":          tracker.StatusReturned,
	"Returned":           tracker.StatusReturned,
}

// mapStatus turns a sub-status and main status into ours; ok is false when
// neither says anything we know.
func mapStatus(sub, main string) (tracker.Status, bool) {
	sub, main = strings.TrimSpace(sub), strings.TrimSpace(main)
	if s, ok := subStatuses[sub]; ok {
		return s, true
	}
	if sub != "" {
		prefix, rest, _ := strings.Cut(sub, "_")
		switch {
		case prefix == "Exception" && strings.HasPrefix(rest, "Return"):
			return tracker.StatusReturned, true
		case prefix == "InTransit" && strings.HasPrefix(rest, "Customs") && !strings.Contains(rest, "Released"):
			return tracker.StatusCustoms, true
		}
		if s, ok := mainStatuses[prefix]; ok {
			return s, true
		}
	}
	s, ok := mainStatuses[main]
	return s, ok
}

// wordRules read a status from an event's description when 17TRACK gives no
// sub-status for it. Order matters: the first rule whose words all appear
// wins, so the narrower phrases come before the broad ones.
var wordRules = []struct {
	words  []string
	status tracker.Status
}{
	{[]string{"return", "sender"}, tracker.StatusReturned},
	{[]string{"returned"}, tracker.StatusReturned},
	{[]string{"out for delivery"}, tracker.StatusOutForDelivery},
	{[]string{"with delivery courier"}, tracker.StatusOutForDelivery},
	{[]string{"attempt"}, tracker.StatusAttemptFailed},
	{[]string{"not delivered"}, tracker.StatusAttemptFailed},
	{[]string{"undeliverable"}, tracker.StatusException},
	{[]string{"available for pick"}, tracker.StatusAvailableForPickup},
	{[]string{"ready for pick"}, tracker.StatusAvailableForPickup},
	{[]string{"ready for collection"}, tracker.StatusAvailableForPickup},
	{[]string{"locker"}, tracker.StatusAvailableForPickup},
	{[]string{"pickup point"}, tracker.StatusAvailableForPickup},
	{[]string{"customs", "released"}, tracker.StatusInTransit},
	{[]string{"customs", "cleared"}, tracker.StatusInTransit},
	{[]string{"clearance", "complete"}, tracker.StatusInTransit},
	{[]string{"customs"}, tracker.StatusCustoms},
	{[]string{"clearance"}, tracker.StatusCustoms},
	{[]string{"delivered"}, tracker.StatusDelivered},
	{[]string{"label created"}, tracker.StatusInfoReceived},
	{[]string{"label"}, tracker.StatusInfoReceived},
	{[]string{"electronic"}, tracker.StatusInfoReceived},
	{[]string{"information received"}, tracker.StatusInfoReceived},
	{[]string{"pre-shipment"}, tracker.StatusInfoReceived},
	{[]string{"exception"}, tracker.StatusException},
	{[]string{"delay"}, tracker.StatusException},
	{[]string{"damage"}, tracker.StatusException},
	{[]string{"lost"}, tracker.StatusException},
}

// statusFromWords guesses an event's status from its description; anything
// that is not recognised is movement through the network.
func statusFromWords(desc string) tracker.Status {
	d := strings.ToLower(desc)
	for _, r := range wordRules {
		all := true
		for _, w := range r.words {
			if !strings.Contains(d, w) {
				all = false
				break
			}
		}
		if all {
			return r.status
		}
	}
	return tracker.StatusInTransit
}
