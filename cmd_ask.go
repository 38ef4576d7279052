package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker/ask"
)

// askOutput is the `trackbot ask` contract: one JSON object.
type askOutput struct {
	Topic      string  `json:"topic"`
	Answer     string  `json:"answer"`
	Lang       string  `json:"lang"`
	Confidence float64 `json:"confidence"`
	// Alternatives are the topics the bot would offer ("Did you mean…?")
	// when unsure; then Answer is the question it asks back.
	Alternatives []string `json:"alternatives,omitempty"`
}

// runAsk answers the question made of args joined with spaces. It needs no
// token, database or network: there are no followed parcels here, so "my
// parcel" questions are answered with how to add one.
func runAsk(args []string, stdout io.Writer) error {
	a := ask.Answer(strings.Join(args, " "), nil, time.Now())
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false) // plain text for a terminal, not for a web page
	out := askOutput{Topic: a.Topic, Answer: a.Text, Lang: a.Lang, Confidence: math.Round(a.Confidence*1000) / 1000, Alternatives: a.Alternatives}
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("ask: write answer: %w", err)
	}
	return nil
}
