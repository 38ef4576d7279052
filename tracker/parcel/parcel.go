// Package parcel holds the plain data the poller and storage exchange: a
// shipment as stored, a chat's subscription to it, what a poll writes and
// the notices queued for chats. storage keeps these; the poller reads and
// writes them through the small interface it declares (poller.Store), so
// nothing under tracker/ needs storage or SQL.
package parcel

import (
	"errors"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

var (
	// ErrNotFound: no such row (subscription, shipment, chat, outage).
	ErrNotFound = errors.New("storage: not found")
	// ErrStale: the row changed since the caller read it (PollRecord.Expect).
	ErrStale = errors.New("storage: changed since read")
)

// Shipment is one parcel at one carrier, shared by every chat that follows it.
type Shipment struct {
	ID          int64
	Carrier     string // detection carrier code
	Number      string
	Status      tracker.Status
	StatusText  string
	Service     string
	ETA         time.Time // zero when unknown
	StatusSince time.Time // when Status last changed (zero before the first poll)
	LastEventAt time.Time // newest carrier event time (zero when none)
	DeliveredAt time.Time // zero unless delivered
	CreatedAt   time.Time // first followed
	PolledAt    time.Time // last successful poll (zero when never)
	NextPollAt  time.Time
	Failures    int       // consecutive failed polls
	LastError   string    // last poll error, for logs and /status
	LastErrorAt time.Time // when LastError happened (zero when the last poll succeeded)
}

// Subscription is one chat following one shipment.
type Subscription struct {
	ID            int64
	ChatID        int64
	Shipment      Shipment
	Label         string
	AddedBy       int64  // Telegram user id (0 for the console)
	AddedByName   string // display name at the time
	CreatedAt     time.Time
	NotReceivedAt time.Time // when someone pressed "Not received" (zero otherwise)
	Muted         bool      // /mute: listed, but no pushes
}

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

// ChatNotice is a notice (tracker/notice: a kind and its JSON facts) queued
// for one chat; the bot renders it when it is sent. DedupeKey is unique
// across the outbox: queueing the same key twice keeps the first.
type ChatNotice struct {
	ChatID         int64
	SubscriptionID int64 // 0 when the notice concerns no single parcel
	DedupeKey      string
	Kind           string
	Payload        string
}

// Notice is a notice for every follower of a shipment.
type Notice struct {
	Kind, Payload string
	DedupeKey     string // prefix; the chat id is appended per follower
}

// PollRecord is what one successful poll of a shipment writes, in one
// transaction: new events, the shipment's state and next poll time, and the
// notice for its followers.
type PollRecord struct {
	ShipmentID int64
	Result     tracker.Result
	PolledAt   time.Time
	NextPollAt time.Time
	// Notice, when set, is queued for every follower in an active chat
	// (one outbox row each, dedupe key Notice.DedupeKey + ":" + chat id).
	Notice *Notice
	// Expect is the shipment's PolledAt the notice was worked out from;
	// when the stored one differs (another poll came first), nothing is
	// written and the outcome is ErrStale, so the caller can look again.
	Expect time.Time
}

// PollOutcome is what storing one PollRecord did: the events that were new
// (newest first), or why nothing of it was stored.
type PollOutcome struct {
	Fresh  []tracker.Event
	Queued int   // outbox rows the notice added
	Err    error // ErrNotFound for an unknown shipment, ErrStale (see PollRecord.Expect)
}

// CarrierOutage is a carrier client that has been failing since a time, and
// the chats told so. It lives in storage, not in the poller's memory, so a
// restart in the middle of an outage neither tells a chat twice nor forgets
// whom to tell when the carrier answers again.
type CarrierOutage struct {
	Client        string
	FailingSince  time.Time
	LastFailureAt time.Time
	NotifiedAt    time.Time    // first "updates delayed" notice; zero before
	Told          []OutageChat // by chat id
}

// OutageChat is a chat told about an outage.
type OutageChat struct {
	ChatID   int64
	Carriers string // the carrier names its notice gave, for the all-clear
	ToldAt   time.Time
}

// WasTold reports whether the chat was told about the outage.
func (o CarrierOutage) WasTold(chatID int64) bool {
	for _, c := range o.Told {
		if c.ChatID == chatID {
			return true
		}
	}
	return false
}

// OutageNotice is an "updates delayed" notice for one chat and the carrier
// names it gives.
type OutageNotice struct {
	Notice   ChatNotice
	Carriers string
}
