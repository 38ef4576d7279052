package bot

import (
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

func detect(text string, demo bool) []tracker.Candidate {
	return tracker.DetectWith(text, tracker.DetectOptions{Demo: demo})
}

// TEMPORARY until tracker/ask lands: text without a number gets a pointer to /help.
func answerQuestion(question string, _ []storage.Subscription, _ time.Time) string {
	_ = question
	return "I didn't find a tracking number in that. Paste a tracking number to follow it, or send /help to see what I can do."
}
