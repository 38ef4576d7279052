package bot

import (
	"os"
	"testing"

	"github.com/trackbot/trackbot/tracker/ask"
)

// TestMain trains the question matcher once before any test: it trains on
// the first question, and under -race that takes seconds of CPU that would
// otherwise count against tests that time their replies.
func TestMain(m *testing.M) {
	ask.Prepare()
	os.Exit(m.Run())
}
