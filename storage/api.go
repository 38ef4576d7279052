// Package storage keeps trackbot's state in SQLite (mattn/go-sqlite3, the
// embedded default) or PostgreSQL (jackc/pgx, for several instances): chats,
// shipments (one row per carrier+number, however many chats follow it),
// subscriptions (chat × shipment), carrier events and the outbox of messages
// waiting to be sent. Methods are named for what the product does.
package storage

import (
	"errors"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

var (
	// ErrNotFound: no such row (subscription, shipment, chat).
	ErrNotFound = errors.New("storage: not found")
	// ErrLimitReached: the chat already follows the maximum number of parcels.
	ErrLimitReached = errors.New("storage: parcel limit reached for this chat")
	// ErrStale: the row changed since the caller read it (PollRecord.Expect).
	ErrStale = errors.New("storage: changed since read")
)

// Chat is a Telegram chat (or the console's one chat).
type Chat struct {
	ID     int64
	Type   string // private, group, supergroup, channel, console
	Title  string // group title or user's name
	Active bool   // false after Telegram answered 403 (blocked / removed)
	// Language is the code of the language the chat is written to in; ""
	// until one is known. TouchChat keeps it; SetChatLanguage sets it.
	Language string
}

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

// SubscribeParams is a request to follow a number in a chat.
type SubscribeParams struct {
	ChatID      int64
	Carrier     string
	Number      string
	Label       string
	AddedBy     int64
	AddedByName string
	MaxPerChat  int // 0: no limit
	Now         time.Time
}

// OutboxMessage is a message queued for a chat. DedupeKey is unique across
// the outbox: queueing the same key twice keeps the first, which is how each
// change reaches each chat once and each advice rule fires once.
type OutboxMessage struct {
	ChatID         int64
	SubscriptionID int64 // 0 when the message concerns no single parcel
	DedupeKey      string
	// Kind and Payload are a notice (tracker/notice): what happened, as
	// JSON facts, rendered by the bot when it is sent. Kind "" is a message
	// rendered when it was queued: Text (HTML) and Markup (buttons, JSON)
	// as the bot wrote them.
	Kind    string
	Payload string
	Text    string
	Markup  string
	// Reply marks an answer to what a person just sent: it goes in lane
	// LaneReply, ahead of pushes (LanePush).
	Reply   bool
	ReplyTo int // message id the reply quotes (groups), 0 for none
	EditID  int // message id to edit instead of sending anew, 0 for none
}

// Outbox lanes (the outbox.lane column).
const (
	LaneReply = 0
	LanePush  = 1
)

// InboxUpdate is one update from Telegram as stored.
type InboxUpdate struct {
	UpdateID   int64
	ChatID     int64  // 0 when the update names no chat
	Body       []byte // the update's JSON
	ReceivedAt time.Time
	Attempts   int
}

// OutboxItem is a queued message waiting to be sent.
type OutboxItem struct {
	ID int64
	OutboxMessage
	Lane      int
	ChatType  string
	Attempts  int
	CreatedAt time.Time
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

// Notice is a notice for all followers of a shipment.
type Notice struct {
	Kind, Payload string
	DedupeKey     string // prefix; the chat id is appended per follower
}
