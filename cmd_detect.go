package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/trackbot/trackbot/tracker"
)

// detectLine is one candidate of `trackbot detect` (contract in design.md).
type detectLine struct {
	Input      string `json:"input"`
	Number     string `json:"number"`
	Carrier    string `json:"carrier"`
	Service    string `json:"service"`
	Valid      bool   `json:"valid"`
	Country    string `json:"country"`
	URL        string `json:"url"`
	Kind       string `json:"kind"`
	Format     string `json:"format,omitempty"`
	Suggestion string `json:"suggestion,omitempty"`
}

// detectNone is the line for an input without any candidate.
type detectNone struct {
	Input   string `json:"input"`
	Number  string `json:"number"`
	Carrier string `json:"carrier"`
	Valid   bool   `json:"valid"`
}

// runDetect prints the tracking-number candidates of each argument, or of
// each stdin line when there are no arguments, one JSON object per line.
// TRACKBOT_DEMO=1 also recognises the demo carrier's numbers.
func runDetect(args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	demo, err := parseBool(getenv("TRACKBOT_DEMO"))
	if err != nil {
		return fmt.Errorf("detect: TRACKBOT_DEMO: %w", err)
	}
	opt := tracker.DetectOptions{Demo: demo}
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false) // URLs keep their "&"
	emit := func(input string) error {
		cands := tracker.DetectWith(input, opt)
		if len(cands) == 0 {
			return enc.Encode(detectNone{Input: input})
		}
		for _, c := range cands {
			err := enc.Encode(detectLine{
				Input: input, Number: c.Number, Carrier: c.Carrier, Service: c.Service,
				Valid: c.Valid, Country: c.Country, URL: c.URL, Kind: string(c.Kind),
				Format: c.Format, Suggestion: c.Suggestion,
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
	if len(args) > 0 {
		for _, a := range args {
			if err := emit(a); err != nil {
				return fmt.Errorf("detect: write: %w", err)
			}
		}
	} else {
		// bufio.Reader rather than Scanner: a line has no length limit.
		in := bufio.NewReader(stdin)
		for {
			line, err := in.ReadString('\n')
			if len(line) > 0 {
				line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
				if werr := emit(line); werr != nil {
					return fmt.Errorf("detect: write: %w", werr)
				}
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("detect: read stdin: %w", err)
			}
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("detect: write: %w", err)
	}
	return nil
}
