package main

import (
	"os"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracker/ask"
)

// TestMain trains the question matcher once before any test, so the first
// question a test asks does not wait for it (seconds of CPU under -race).
// A child process of the crash, signal and cluster tests
// (TRACKBOT_TEST_…_CHILD=1) skips it: it is the program starting, and must
// take updates at once, as the real one does while it trains.
func TestMain(m *testing.M) {
	if !isTestChild() {
		ask.Prepare()
	}
	os.Exit(m.Run())
}

func isTestChild() bool {
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TRACKBOT_TEST_") && strings.HasSuffix(name, "_CHILD") && value == "1" {
			return true
		}
	}
	return false
}
