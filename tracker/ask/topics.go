package ask

import (
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// topics is the knowledge base: every topic a question can be matched to
// (the contract's list, contract_test.go). Each has an answer and a title
// in every language the bot speaks, in the bot's catalogs
// (answer_<topic>, topic_<topic>, ":" written "_"); here it is only a name.
var topics = func() []string {
	out := []string{"find_tracking_number"}
	for _, s := range []tracker.Status{tracker.StatusInfoReceived, tracker.StatusInTransit, tracker.StatusOutForDelivery,
		tracker.StatusDelivered, tracker.StatusAttemptFailed, tracker.StatusAvailableForPickup, tracker.StatusException,
		tracker.StatusCustoms, tracker.StatusReturned, tracker.StatusExpired, tracker.StatusNotFound, tracker.StatusUnknown} {
		out = append(out, "status:"+string(s))
	}
	return append(out, "status:order_placed",
		"activation_delay", "not_updating", "late", "delivered_not_received", "damaged_or_wrong", "invalid_number",
		"amazon_vs_carrier", "track_without_login", "international", "change_address", "contact_support", "notifications",
		"delivery_preferences", "hub_locker", "my_packages", "bot_help",
		// Topics named "parent:child" narrow an older topic, so a reader
		// that knows only the original list can fall back to the part
		// before ":".
		"bot_help:add", "bot_help:stop", "bot_help:rename", "bot_help:carriers", "lost_parcel",
		"track_without_login:guest_checkout")
}()

// query is what a reply may draw on.
type query struct {
	parcels  []Parcel
	now      time.Time
	question string    // as asked; empty when a topic was picked from a button
	sel      selection // the parcels the question names
}

// newQuery picks the parcels the question names once, for every part of
// the reply.
func newQuery(question string, parcels []Parcel, now time.Time) query {
	return query{parcels: parcels, now: now, question: question, sel: selectParcels(question, parcels)}
}
