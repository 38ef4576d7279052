package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// statusJSON is the `trackbot status` contract.
type statusJSON struct {
	Number     string      `json:"number"`
	Carrier    string      `json:"carrier"`
	Status     string      `json:"status"`
	StatusText string      `json:"status_text"`
	ETA        string      `json:"eta"` // RFC 3339, "" when unknown
	Events     []eventJSON `json:"events"`
}

type eventJSON struct {
	Time        string `json:"time"`
	Status      string `json:"status"`
	Description string `json:"description"`
	Location    string `json:"location"`
}

// runStatus is `trackbot status NUMBER`: one live look-up, printed as one
// JSON object. A carrier's answer, not_found included, is success; an error
// means no usable answer could be had.
func runStatus(ctx context.Context, args []string, router *tracker.Router, stdout io.Writer) error {
	text := strings.TrimSpace(strings.Join(args, " "))
	if text == "" {
		return errors.New("status: usage: trackbot status NUMBER")
	}
	cand, err := pickCandidate(text, hasDemo(router))
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	res, err := router.Lookup(ctx, cand.Carrier, cand.Number)
	if errors.Is(err, tracker.ErrNoClient) {
		name := tracker.Carrier(cand.Carrier).Name
		msg := fmt.Sprintf("status: %s: no client configured for %s numbers: set %s", cand.Number, name, varsFor(cand.Carrier))
		if u := tracker.TrackingURL(cand.Carrier, cand.Number); u != "" {
			msg += "; track it at " + u
		}
		return errors.New(msg)
	}
	if err != nil {
		return fmt.Errorf("status: %s (%s): %w", cand.Number, cand.Carrier, err)
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false) // for people and scripts, not for a web page
	if err := enc.Encode(toStatusJSON(res)); err != nil {
		return fmt.Errorf("status: write: %w", err)
	}
	return nil
}

// hasDemo reports whether the demo carrier is wired: only then are DEMO
// numbers tracking numbers (and never sent to the aggregator).
func hasDemo(router *tracker.Router) bool {
	c, err := router.ClientFor("demo")
	return err == nil && c.Name() == "demo"
}

// pickCandidate finds the one number to look up: the first valid tracking
// number in text.
func pickCandidate(text string, demo bool) (tracker.Candidate, error) {
	cands := tracker.DetectWith(text, tracker.DetectOptions{Demo: demo})
	for _, c := range cands {
		if c.Kind != tracker.KindOrder && c.Valid {
			return c, nil
		}
	}
	for _, c := range cands {
		switch {
		case c.Kind == tracker.KindOrder:
			return tracker.Candidate{}, fmt.Errorf("%s is an Amazon order number, not a tracking number: the tracking number is in the order's details", c.Number)
		case c.Suggestion != "":
			return tracker.Candidate{}, fmt.Errorf("%s looks like a %s number but its check digit is wrong; did you mean %s?", c.Number, tracker.Carrier(c.Carrier).Name, c.Suggestion)
		default:
			return tracker.Candidate{}, fmt.Errorf("%s looks like a %s number but its check digit is wrong", c.Number, tracker.Carrier(c.Carrier).Name)
		}
	}
	if !demo {
		for _, c := range tracker.DetectWith(text, tracker.DetectOptions{Demo: true}) {
			if c.Carrier == "demo" {
				return tracker.Candidate{}, fmt.Errorf("%s is a demo number: set TRACKBOT_DEMO=1 to look it up", c.Number)
			}
		}
	}
	return tracker.Candidate{}, fmt.Errorf("%q is not a tracking number trackbot recognises", text)
}

func toStatusJSON(r tracker.Result) statusJSON {
	out := statusJSON{
		Number:     r.Number,
		Carrier:    r.Carrier,
		Status:     string(validStatus(r.Status)),
		StatusText: r.StatusText,
		ETA:        rfc3339(r.ETA),
		Events:     make([]eventJSON, 0, len(r.Events)),
	}
	for _, e := range r.Events {
		out.Events = append(out.Events, eventJSON{
			Time:        rfc3339(e.Time),
			Status:      string(validStatus(e.Status)),
			Description: e.Description,
			Location:    e.Location,
		})
	}
	return out
}

// validStatus keeps the output inside the contract's list whatever a client did.
func validStatus(s tracker.Status) tracker.Status {
	if s.Valid() {
		return s
	}
	return tracker.StatusUnknown
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}
