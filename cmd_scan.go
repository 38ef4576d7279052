package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/label"
)

// scanLine is one candidate of `trackbot scan`: detect's line plus the
// symbology of the barcode it was read from (contract in design.md).
type scanLine struct {
	detectLine
	Symbology string `json:"symbology"`
}

// scanError is the line for a file that is not a readable image.
type scanError struct {
	Input string `json:"input"`
	Error string `json:"error"`
}

// runScan prints the tracking numbers read from each image's barcodes, one
// JSON object per line. An unreadable file is a line with "error", not a
// failure: the command fails only on wrong usage (no IMAGE).
func runScan(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("scan: usage: trackbot scan IMAGE…")
	}
	demo, err := parseBool(getenv("TRACKBOT_DEMO"))
	if err != nil {
		return fmt.Errorf("scan: TRACKBOT_DEMO: %w", err)
	}
	opt := label.Options{Detect: tracker.DetectOptions{Demo: demo}}
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for _, path := range args {
		if err := scanOne(ctx, enc, path, opt); err != nil {
			return fmt.Errorf("scan: write: %w", err)
		}
		if err := out.Flush(); err != nil { // one image at a time: a long list shows progress
			return fmt.Errorf("scan: write: %w", err)
		}
	}
	return nil
}

func scanOne(ctx context.Context, enc *json.Encoder, path string, opt label.Options) error {
	res, err := scanFile(ctx, path, opt)
	if err != nil {
		return enc.Encode(scanError{Input: path, Error: err.Error()})
	}
	if len(res.Found) == 0 {
		return enc.Encode(detectNone{Input: path})
	}
	for _, f := range res.Found {
		c := f.Candidate
		err := enc.Encode(scanLine{detectLine: detectLine{
			Input: path, Number: c.Number, Carrier: c.Carrier, Service: c.Service,
			Valid: c.Valid, Country: c.Country, URL: c.URL, Kind: string(c.Kind),
			Format: c.Format, Suggestion: c.Suggestion,
		}, Symbology: f.Symbology})
		if err != nil {
			return err
		}
	}
	return nil
}

func scanFile(ctx context.Context, path string, opt label.Options) (label.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return label.Result{}, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return label.Result{}, errors.New("is a directory")
	}
	return label.Scan(ctx, f, opt)
}
