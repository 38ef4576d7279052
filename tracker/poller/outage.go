package poller

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/notice"
	"github.com/trackbot/trackbot/tracker/parcel"
)

// carrierFailed notes a failed batch in parcel. Once the client has been
// failing for OutageAfter, the chats following the batch's shipments are
// told, once per outage, that updates are delayed on the carrier's side. The
// outage and the chats told live in storage, so a restart changes neither.
func (p *Poller) carrierFailed(ctx context.Context, client string, batch []parcel.Shipment, now time.Time) {
	// Opening an outage: the shipments' own records may say the carrier has
	// been failing for longer (failures recorded by a refresh, or before
	// outages were stored).
	since := now
	for _, s := range batch {
		if s.Failures > 0 {
			if last := lastSuccess(s); last.Before(since) {
				since = last
			}
		}
	}
	o, err := p.cfg.Store.RecordCarrierFailure(ctx, client, since, now)
	if err != nil {
		p.log.Error("outage: record failure", "client", client, slog.Any("error", err))
		return
	}
	if now.Sub(o.FailingSince) < p.cfg.OutageAfter {
		return
	}

	type waiting struct {
		carriers  []string
		shipments []int64
	}
	chats := map[int64]*waiting{}
	var order []int64
	for _, s := range batch {
		subs, err := p.cfg.Store.Followers(ctx, s.ID)
		if err != nil {
			p.log.Error("outage: followers", "shipment", s.ID, slog.Any("error", err))
			continue
		}
		name := tracker.Carrier(s.Carrier).Name
		for _, sub := range subs {
			if o.WasTold(sub.ChatID) {
				continue
			}
			w := chats[sub.ChatID]
			if w == nil {
				w = &waiting{}
				chats[sub.ChatID] = w
				order = append(order, sub.ChatID)
			}
			if !slices.Contains(w.carriers, name) {
				w.carriers = append(w.carriers, name)
			}
			w.shipments = append(w.shipments, s.ID)
		}
	}
	if len(order) == 0 {
		return
	}

	notices := make([]parcel.OutageNotice, 0, len(order))
	for _, chat := range order {
		w := chats[chat]
		notices = append(notices, parcel.OutageNotice{
			Notice: parcel.ChatNotice{
				ChatID:    chat,
				DedupeKey: outageKey("outage", client, chat, o.FailingSince),
				Kind:      string(notice.KindOutage),
				Payload:   notice.Encode(notice.Outage{Carriers: w.carriers, Shipments: w.shipments, Since: o.FailingSince}),
			},
			Carriers: strings.Join(w.carriers, ", "),
		})
	}
	n, err := p.cfg.Store.RecordOutageNotices(ctx, client, now, notices)
	if err != nil {
		p.log.Error("outage: record notices", "client", client, slog.Any("error", err))
		return
	}
	if n > 0 {
		p.log.Warn("carrier outage: chats told", "client", client, "since", o.FailingSince, "chats", n)
	}
}

// carrierAnswered ends the client's outage, if it had one, telling the chats
// that were told it began.
func (p *Poller) carrierAnswered(ctx context.Context, client string) {
	o, err := p.cfg.Store.CarrierOutage(ctx, client)
	if errors.Is(err, parcel.ErrNotFound) {
		return // the usual case: the carrier was not failing
	}
	if err != nil {
		p.log.Error("outage: read", "client", client, slog.Any("error", err))
		return
	}
	msgs := make([]parcel.ChatNotice, 0, len(o.Told))
	for _, c := range o.Told {
		msgs = append(msgs, parcel.ChatNotice{
			ChatID:    c.ChatID,
			DedupeKey: outageKey("recovered", client, c.ChatID, o.FailingSince),
			Kind:      string(notice.KindRecovery),
			Payload:   notice.Encode(notice.Recovery{Carriers: c.Carriers}),
		})
	}
	o, ok, err := p.cfg.Store.RecordCarrierRecovery(ctx, client, p.cfg.Now(), msgs)
	if err != nil {
		p.log.Error("outage: record recovery", "client", client, slog.Any("error", err))
		return
	}
	if ok {
		p.log.Info("carrier recovered", "client", client, "since", o.FailingSince, "chats", len(o.Told))
	}
}

func outageKey(kind, client string, chat int64, since time.Time) string {
	return kind + ":" + client + ":" + strconv.FormatInt(chat, 10) + ":" + strconv.FormatInt(since.Unix(), 10)
}

// lastSuccess is when the shipment was last polled successfully, or when it
// was first followed if never.
func lastSuccess(s parcel.Shipment) time.Time {
	if s.PolledAt.IsZero() {
		return s.CreatedAt
	}
	return s.PolledAt
}
