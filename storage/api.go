// Package storage keeps trackbot's state in SQLite (mattn/go-sqlite3, the
// embedded default) or PostgreSQL (jackc/pgx, for several instances): chats,
// shipments (one row per carrier+number, however many chats follow it),
// subscriptions (chat × shipment), carrier events and the outbox of messages
// waiting to be sent. Methods are named for what the product does.
package storage

import (
	"errors"
	"time"

	"github.com/trackbot/trackbot/tracker/parcel"
)

var (
	// ErrNotFound: no such row (subscription, shipment, chat).
	ErrNotFound = parcel.ErrNotFound
	// ErrLimitReached: the chat already follows the maximum number of parcels.
	ErrLimitReached = errors.New("storage: parcel limit reached for this chat")
	// ErrStale: the row changed since the caller read it (PollRecord.Expect).
	ErrStale = parcel.ErrStale
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

// The poller's plain data (tracker/parcel), kept here under their storage
// names so the bot reads them as before.
type (
	Shipment     = parcel.Shipment
	Subscription = parcel.Subscription
	PollRecord   = parcel.PollRecord
	PollOutcome  = parcel.PollOutcome
	Notice       = parcel.Notice
	ChatNotice   = parcel.ChatNotice
)

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
