package poller

import (
	"context"
	"time"

	"github.com/trackbot/trackbot/tracker/parcel"
)

// Store is what the poller needs from storage, in plain data: storage.Store
// satisfies it. Each method is one transaction of its own; none calls back
// into the poller.
type Store interface {
	// ClaimDueShipments returns up to limit shipments due at now, oldest
	// due first, and holds them for lease (see DefaultLease).
	ClaimDueShipments(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]parcel.Shipment, error)
	Shipment(ctx context.Context, id int64) (parcel.Shipment, error)
	// RecordPolls writes successful polls and their notices (see
	// parcel.PollRecord); the error is for the batch as a whole.
	RecordPolls(ctx context.Context, records []parcel.PollRecord) ([]parcel.PollOutcome, error)
	RecordPollFailure(ctx context.Context, shipmentID int64, at, next time.Time, errText string) error
	// HandOff moves a shipment's followers to (carrier, number), queuing n
	// for each of them.
	HandOff(ctx context.Context, fromID int64, carrier, number string, now time.Time, n *parcel.Notice) (moved int, err error)

	// ActiveSubscriptions pages through the subscriptions of active chats
	// by id.
	ActiveSubscriptions(ctx context.Context, afterID int64, limit int) ([]parcel.Subscription, error)
	Followers(ctx context.Context, shipmentID int64) ([]parcel.Subscription, error)
	QueueNotices(ctx context.Context, ns ...parcel.ChatNotice) (int, error)

	// ReserveCarrierSlot takes the next slot, one per every, of the one
	// schedule all instances send the carrier key's requests on, and says
	// how long until it comes. shared false: the store has no such schedule
	// (SQLite: one instance), and the client's own limiter paces.
	ReserveCarrierSlot(ctx context.Context, key string, every time.Duration) (wait time.Duration, shared bool, err error)

	// CarrierOutage is the client's open outage (parcel.ErrNotFound: none).
	CarrierOutage(ctx context.Context, client string) (parcel.CarrierOutage, error)
	RecordCarrierFailure(ctx context.Context, client string, since, at time.Time) (parcel.CarrierOutage, error)
	RecordOutageNotices(ctx context.Context, client string, at time.Time, notices []parcel.OutageNotice) (int, error)
	RecordCarrierRecovery(ctx context.Context, client string, at time.Time, notices []parcel.ChatNotice) (o parcel.CarrierOutage, ok bool, err error)
}
