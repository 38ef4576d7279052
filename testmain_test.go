package main

import (
	"os"
	"testing"

	"github.com/trackbot/trackbot/tracker/ask"
)

// TestMain trains the question matcher once before any test, so the
// background training every bot starts does not compete with tests that
// time replies (it takes seconds of CPU under -race).
// A kill -9 child (crashChildEnv) skips it: it is the program starting, and
// must take updates at once, as the real one does while it trains.
func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "1" {
		ask.Prepare()
	}
	os.Exit(m.Run())
}
