package poller

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/notice"
)

// handOff follows a parcel to the carrier it was handed to: its followers
// move to the new number (which is polled at once) and each chat is told
// once. The old number, followed by nobody, is no longer polled.
func (p *Poller) handOff(ctx context.Context, s storage.Shipment, h tracker.Handoff, now time.Time) {
	if h.Number == "" || h.Carrier == "" || h.Number == s.Number {
		return
	}
	moved, err := p.cfg.Store.HandOff(ctx, s.ID, h.Carrier, h.Number, now,
		func(from storage.Shipment, subs []storage.Subscription) []storage.OutboxMessage {
			msgs := make([]storage.OutboxMessage, 0, len(subs))
			for _, sub := range subs {
				msgs = append(msgs, storage.OutboxMessage{
					ChatID:         sub.ChatID,
					SubscriptionID: sub.ID,
					DedupeKey: "handoff:" + strconv.FormatInt(from.ID, 10) + ":" + strconv.FormatInt(sub.ChatID, 10) +
						":" + h.Carrier + ":" + h.Number,
					Kind: string(notice.KindHandoff),
					Payload: notice.Encode(notice.Handoff{FromCarrier: from.Carrier, FromNumber: from.Number,
						Carrier: h.Carrier, Number: h.Number}),
				})
			}
			return msgs
		})
	if err != nil {
		p.log.Error("poll: hand-off", "shipment", s.ID, "to", h.Carrier, slog.Any("error", err))
		return
	}
	p.log.Info("poll: hand-off", "shipment", s.ID, "to", h.Carrier, "subscriptions", moved)
}
