package storage

import (
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

// AdviceInput is what the advice rules know about this subscription. valid
// says whether the number passed its format's check digit, which storage
// cannot judge. The bot's answers and the poller's advice sweep both read a
// subscription through here, so they judge a parcel alike.
func (s Subscription) AdviceInput(valid bool) advice.Input {
	sh := s.Shipment
	return advice.Input{
		Carrier:       sh.Carrier,
		Number:        sh.Number,
		Valid:         valid,
		Status:        sh.Status,
		AddedAt:       s.CreatedAt,
		StatusSince:   sh.StatusSince,
		LastEventAt:   sh.LastEventAt,
		ETA:           sh.ETA,
		DeliveredAt:   sh.DeliveredAt,
		NotReceivedAt: s.NotReceivedAt,
		Polled:        !sh.PolledAt.IsZero(),
		// A customs scan makes it international too, but then Status says so.
		International: sh.Carrier == "s10" || sh.Status == tracker.StatusCustoms,
		AmazonOrder:   sh.Carrier == "amazon",
	}
}
