package poller

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

// outage is a client that has been failing since a time, and the chats told.
type outage struct {
	since time.Time
	told  map[int64]string // chat → carrier names in its notice, for the all-clear
}

// carrierFailed notes a failed batch. Once the client has been failing for
// OutageAfter, the chats following the batch's shipments are told, once per
// outage, that updates are delayed on the carrier's side.
func (p *Poller) carrierFailed(ctx context.Context, client string, batch []storage.Shipment, now time.Time) {
	p.outMu.Lock()
	o := p.outages[client]
	if o == nil {
		since := now
		// After a restart in the middle of an outage the shipments' own
		// records still say how long the carrier has been failing.
		for _, s := range batch {
			if s.Failures > 0 {
				if last := lastSuccess(s); last.Before(since) {
					since = last
				}
			}
		}
		o = &outage{since: since, told: map[int64]string{}}
		p.outages[client] = o
	}
	since := o.since
	p.outMu.Unlock()
	if now.Sub(since) < p.cfg.OutageAfter {
		return
	}

	type waiting struct {
		carriers []string
		parcels  []string
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
			w := chats[sub.ChatID]
			if w == nil {
				w = &waiting{}
				chats[sub.ChatID] = w
				order = append(order, sub.ChatID)
			}
			if !slices.Contains(w.carriers, name) {
				w.carriers = append(w.carriers, name)
			}
			parcel := sub.Label
			if parcel == "" {
				parcel = s.Number
			}
			w.parcels = append(w.parcels, parcel)
		}
	}

	var msgs []storage.OutboxMessage
	var names []string
	p.outMu.Lock()
	for _, chat := range order {
		if _, told := o.told[chat]; told {
			continue
		}
		w := chats[chat]
		msgs = append(msgs, storage.OutboxMessage{
			ChatID:    chat,
			DedupeKey: outageKey("outage", client, chat, since),
			Text:      outageText(w.carriers, w.parcels, since),
		})
		names = append(names, strings.Join(w.carriers, ", "))
	}
	p.outMu.Unlock()
	if len(msgs) == 0 {
		return
	}
	if _, err := p.cfg.Store.Enqueue(ctx, msgs...); err != nil {
		p.log.Error("outage: enqueue notices", "client", client, slog.Any("error", err))
		return
	}
	p.outMu.Lock()
	for i, m := range msgs {
		o.told[m.ChatID] = names[i]
	}
	p.outMu.Unlock()
	p.log.Warn("carrier outage: chats told", "client", client, "since", since, "chats", len(msgs))
}

// carrierAnswered ends the client's outage, telling the chats that were told
// it began.
func (p *Poller) carrierAnswered(ctx context.Context, client string) {
	p.outMu.Lock()
	o := p.outages[client]
	delete(p.outages, client)
	p.outMu.Unlock()
	if o == nil || len(o.told) == 0 {
		return
	}
	msgs := make([]storage.OutboxMessage, 0, len(o.told))
	for chat, names := range o.told {
		msgs = append(msgs, storage.OutboxMessage{
			ChatID:    chat,
			DedupeKey: outageKey("recovered", client, chat, o.since),
			Text: fmt.Sprintf("✅ <b>Updates are back</b>\n%s is answering again; news about your parcels will arrive as usual.",
				html.EscapeString(names)),
		})
	}
	if _, err := p.cfg.Store.Enqueue(ctx, msgs...); err != nil {
		p.log.Error("outage: enqueue all-clear", "client", client, slog.Any("error", err))
		return
	}
	p.log.Info("carrier recovered", "client", client, "since", o.since, "chats", len(msgs))
}

func outageKey(kind, client string, chat int64, since time.Time) string {
	return kind + ":" + client + ":" + strconv.FormatInt(chat, 10) + ":" + strconv.FormatInt(since.Unix(), 10)
}

func outageText(carriers, parcels []string, since time.Time) string {
	const maxParcels = 5
	shown := parcels
	if len(shown) > maxParcels {
		shown = shown[:maxParcels]
	}
	esc := make([]string, len(shown))
	for i, s := range shown {
		esc[i] = html.EscapeString(clip(s))
	}
	list := strings.Join(esc, ", ")
	if more := len(parcels) - len(shown); more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return fmt.Sprintf("⏳ <b>Updates delayed</b>\n%s has not answered our tracking requests since %s. "+
		"This is on the carrier's side; we keep asking and will tell you when it answers again.\nWaiting: %s",
		html.EscapeString(strings.Join(carriers, ", ")), since.UTC().Format("Mon 2 Jan 15:04 MST"), list)
}

// lastSuccess is when the shipment was last polled successfully, or when it
// was first followed if never.
func lastSuccess(s storage.Shipment) time.Time {
	if s.PolledAt.IsZero() {
		return s.CreatedAt
	}
	return s.PolledAt
}
