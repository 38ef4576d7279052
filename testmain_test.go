package main

import (
	"os"
	"testing"

	"github.com/trackbot/trackbot/tracker/ask"
)

// TestMain trains the question matcher once before any test, so the
// background training every bot starts does not compete with tests that
// time replies (it takes seconds of CPU under -race).
func TestMain(m *testing.M) {
	ask.Prepare()
	os.Exit(m.Run())
}
