package bot

// TEMPORARY shim until tracker.DetectWith lands (detection issue): a minimal
// detector for UPS 1Z numbers and Amazon order numbers, so the engine can be
// built and tested. Replace detect's body with
// tracker.DetectWith(text, tracker.DetectOptions{Demo: demo}) and delete the rest.

import (
	"regexp"
	"strings"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

var (
	shimUPS   = regexp.MustCompile(`(?i)\b1Z[0-9A-Z]{16}\b`)
	shimOrder = regexp.MustCompile(`\b\d{3}-\d{7}-\d{7}\b`)
)

func detect(text string, demo bool) []tracker.Candidate {
	var out []tracker.Candidate
	for _, loc := range shimUPS.FindAllStringIndex(text, -1) {
		n := strings.ToUpper(text[loc[0]:loc[1]])
		c := tracker.Candidate{Number: n, Carrier: "ups", Valid: upsValid(n), Kind: tracker.KindTracking,
			Format: "UPS", URL: tracker.TrackingURL("ups", n), Start: loc[0], End: loc[1]}
		if !c.Valid {
			var found []string
			for i := 2; i+1 < len(n); i++ {
				b := []byte(n)
				b[i], b[i+1] = b[i+1], b[i]
				if s := string(b); s != n && upsValid(s) {
					found = append(found, s)
				}
			}
			if len(found) == 1 {
				c.Suggestion = found[0]
			}
		}
		out = append(out, c)
	}
	for _, loc := range shimOrder.FindAllStringIndex(text, -1) {
		n := text[loc[0]:loc[1]]
		out = append(out, tracker.Candidate{Number: n, Carrier: "amazon", Valid: true, Kind: tracker.KindOrder, Format: "Amazon order", Start: loc[0], End: loc[1]})
	}
	return out
}

func upsValid(n string) bool {
	sum := 0
	for i, c := range []byte(n[2:17]) {
		v := int(c - '0')
		if c >= 'A' {
			v = (int(c) - 3) % 10
		}
		if i%2 == 1 {
			v *= 2
		}
		sum += v
	}
	return byte('0'+(10-sum%10)%10) == n[17]
}

// TEMPORARY until tracker/ask lands: text without a number gets a pointer to /help.
func answerQuestion(question string, _ []storage.Subscription, _ time.Time) string {
	_ = question
	return "I didn't find a tracking number in that. Paste a tracking number to follow it, or send /help to see what I can do."
}
