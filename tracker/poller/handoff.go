package poller

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/notice"
	"github.com/trackbot/trackbot/tracker/parcel"
)

// handOff follows a parcel to the carrier it was handed to: its followers
// move to the new number (which is polled at once) and each chat is told
// once. The old number, followed by nobody, is no longer polled.
func (p *Poller) handOff(ctx context.Context, s parcel.Shipment, h tracker.Handoff, now time.Time) {
	if h.Number == "" || h.Carrier == "" || h.Number == s.Number {
		return
	}
	n := &parcel.Notice{
		Kind: string(notice.KindHandoff),
		Payload: notice.Encode(notice.Handoff{FromCarrier: s.Carrier, FromNumber: s.Number,
			Carrier: h.Carrier, Number: h.Number}),
		DedupeKey: "handoff:" + strconv.FormatInt(s.ID, 10) + ":" + h.Carrier + ":" + h.Number,
	}
	moved, err := p.cfg.Store.HandOff(ctx, s.ID, h.Carrier, h.Number, now, n)
	if err != nil {
		p.log.Error("poll: hand-off", "shipment", s.ID, "to", h.Carrier, slog.Any("error", err))
		return
	}
	p.log.Info("poll: hand-off", "shipment", s.ID, "to", h.Carrier, "subscriptions", moved)
}
