// Package notice is the news the poller has for a chat, as plain data: a
// parcel's status change, new scans and ETA change, advice, a carrier outage
// and its end. The outbox stores a notice's kind and facts (JSON); the bot
// renders it when it sends it, with the chat's settings of that moment (the
// parcel's current name, the chat's time zone and language).
package notice

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// Kind names what a notice is about; stored in the outbox.
type Kind string

// Kinds.
const (
	KindParcel   Kind = "parcel"   // Parcel
	KindAdvice   Kind = "advice"   // Advice
	KindOutage   Kind = "outage"   // Outage
	KindRecovery Kind = "recovery" // Recovery
	KindHandoff  Kind = "handoff"  // Handoff
)

// ItemKind says why a line is in a parcel notice.
type ItemKind string

// Item kinds.
const (
	ItemFirst  ItemKind = "first"  // first look at the parcel: its current state, once
	ItemStatus ItemKind = "status" // the normalised status changed
	ItemEvent  ItemKind = "event"  // a new exception, failed attempt or customs scan
	ItemETA    ItemKind = "eta"    // the expected delivery date changed
)

// Item is one piece of news about a parcel.
type Item struct {
	Kind   ItemKind       `json:"kind"`
	Status tracker.Status `json:"status,omitempty"`
	Event  tracker.Event  `json:"event"` // zero when the carrier gave none
	ETA    time.Time      `json:"eta"`
}

// Parcel is one poll's news about one shipment, with the shipment's state
// as the poll left it, so the notice says what was true when it happened.
type Parcel struct {
	Items      []Item         `json:"items"`
	Status     tracker.Status `json:"status"`
	StatusText string         `json:"status_text,omitempty"`
	ETA        time.Time      `json:"eta"`      // zero when none
	PrevETA    time.Time      `json:"prev_eta"` // the ETA before this poll
	Latest     tracker.Event  `json:"latest"`   // newest scan
}

// Advice is an advice rule that fired for a subscription.
type Advice struct {
	Rule string `json:"rule"`
}

// Outage tells a chat that a carrier has not answered since Since.
type Outage struct {
	Carriers  []string  `json:"carriers"`  // carrier names
	Shipments []int64   `json:"shipments"` // the chat's parcels waiting on them
	Since     time.Time `json:"since"`
}

// Recovery tells a chat the carriers answer again.
type Recovery struct {
	Carriers string `json:"carriers"`
}

// Handoff tells a chat its parcel was handed to another carrier under a
// new number, which it is followed by from now on.
type Handoff struct {
	FromCarrier string `json:"from_carrier"`
	FromNumber  string `json:"from_number"`
	Carrier     string `json:"carrier"`
	Number      string `json:"number"`
}

// Encode is a notice's payload.
func Encode(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only plain data goes in; a failure is a programming error.
		panic(fmt.Sprintf("notice: encode %T: %v", v, err))
	}
	return string(b)
}

// Decode reads a payload into v.
func Decode(payload string, v any) error {
	if err := json.Unmarshal([]byte(payload), v); err != nil {
		return fmt.Errorf("notice: decode %T: %w", v, err)
	}
	return nil
}
