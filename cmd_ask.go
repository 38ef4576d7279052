package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker/ask"
)

// askOutput is the `trackbot ask` contract: one JSON object.
type askOutput struct {
	Topic  string `json:"topic"`
	Answer string `json:"answer"`
}

// runAsk answers the question made of args joined with spaces. It needs no
// token, database or network: there are no followed parcels here, so "my
// parcel" questions are answered with how to add one.
func runAsk(args []string, stdout io.Writer) error {
	a := ask.Answer(strings.Join(args, " "), nil, time.Now())
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false) // plain text for a terminal, not for a web page
	if err := enc.Encode(askOutput{Topic: a.Topic, Answer: a.Text}); err != nil {
		return fmt.Errorf("ask: write answer: %w", err)
	}
	return nil
}
