package bot

import (
	"os"
	"testing"

	"github.com/trackbot/trackbot/tracker/ask"
)

// TestMain trains the question matcher once before any test: every engine
// starts that training in the background, and under -race it takes seconds
// of CPU that would otherwise compete with tests that time their replies.
func TestMain(m *testing.M) {
	ask.Prepare()
	os.Exit(m.Run())
}
