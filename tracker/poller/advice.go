package poller

import (
	"context"
	"fmt"
	"strconv"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/notice"
	"github.com/trackbot/trackbot/tracker/parcel"
)

// adviceSweepPage is how many subscriptions one sweep reads at a time.
const adviceSweepPage = 500

// AdviceSweep evaluates the advice rules for every subscription in an active
// chat and queues each rule that fires, once per subscription (the outbox
// dedupe key "advice:<subID>:<rule>" makes a rule that keeps firing a no-op).
// It returns how many messages were newly queued.
func (p *Poller) AdviceSweep(ctx context.Context) (int, error) {
	now := p.cfg.Now()
	var after int64
	queued := 0
	for {
		subs, err := p.cfg.Store.ActiveSubscriptions(ctx, after, adviceSweepPage)
		if err != nil {
			return queued, fmt.Errorf("poller: advice sweep after %d: %w", after, err)
		}
		var msgs []parcel.ChatNotice
		for _, sub := range subs {
			for _, a := range advice.Evaluate(p.adviceInput(sub), now) {
				if !pushAdvice(a, sub.Shipment.Status) {
					continue
				}
				msgs = append(msgs, parcel.ChatNotice{
					ChatID:         sub.ChatID,
					SubscriptionID: sub.ID,
					DedupeKey:      "advice:" + strconv.FormatInt(sub.ID, 10) + ":" + a.Rule,
					Kind:           string(notice.KindAdvice),
					Payload:        notice.Encode(notice.Advice{Rule: a.Rule}),
				})
			}
		}
		if len(msgs) > 0 {
			n, err := p.cfg.Store.QueueNotices(ctx, msgs...)
			if err != nil {
				return queued, fmt.Errorf("poller: advice sweep: %w", err)
			}
			queued += n
		}
		if len(subs) < adviceSweepPage {
			break
		}
		after = subs[len(subs)-1].ID
	}
	if queued > 0 {
		p.log.Info("advice sweep", "queued", queued)
	}
	return queued, nil
}

// pushAdvice says whether advice is news worth a message of its own. Every
// status push already ends with its next step, so "wait" advice for a parcel
// that has a status would only repeat it; it stays in /list and in answers.
// Advice to contact someone is pushed, and so is the reassurance for a parcel
// the carrier does not show yet, which got no status push at all.
func pushAdvice(a advice.Advice, status tracker.Status) bool {
	if a.Action == advice.Contact {
		return true
	}
	return a.Rule == advice.RuleActivationWait && (status == tracker.StatusUnknown || status == tracker.StatusNotFound)
}

// adviceInput is what the rules know about one subscription.
func (p *Poller) adviceInput(sub parcel.Subscription) advice.Input {
	valid := true
	if p.cfg.ValidNumber != nil {
		valid = p.cfg.ValidNumber(sub.Shipment.Carrier, sub.Shipment.Number)
	}
	return sub.AdviceInput(valid)
}
