package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// TestEndToEndJSONLogsAndCarrierNotes runs `trackbot run` with
// TRACKBOT_LOG_FORMAT=json through start-up, a chat, a failing carrier and
// shutdown, and checks that every line it logged is one JSON object with
// time, level and msg — also the lines of the Telegram library and the
// start-up notes — and that the start-up names each carrier left without
// credentials and what that means for users.
func TestEndToEndJSONLogsAndCarrierNotes(t *testing.T) {
	w := newWorld(t)
	fay := telegramtest.User{ID: 5550606, FirstName: "Fay"}
	num := upstest.TrackingNumber(3141)
	upsStep(w.ups, num, upstest.Event{Time: time.Now().Add(-time.Hour), Status: tracker.StatusInTransit, City: "Reno", State: "NV", Country: "US"})
	w.ups.FailNext(1, http.StatusServiceUnavailable, 0)

	r := w.startPolling()
	w.say(telegramtest.Private(fay), fay, "/track "+num)
	r.waitLog("poll: carrier failed")
	w.tg.CloseClientConnections() // the library logs a failed getUpdates
	w.say(telegramtest.Private(fay), fay, "/help")
	if err := r.stop(); err != nil {
		t.Fatalf("run returned %v", err)
	}

	out := r.log.String()
	lines := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var msgs []string
	for sc.Scan() {
		lines++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Errorf("log line %d is not JSON (%v): %s", lines, err, sc.Text())
			continue
		}
		for _, k := range []string{"time", "level", "msg"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("log line %d has no %q: %s", lines, k, sc.Text())
			}
		}
		msg, _ := rec["msg"].(string)
		msgs = append(msgs, msg)
	}
	if lines < 5 {
		t.Fatalf("only %d log lines: the run logged too little to judge:\n%s", lines, out)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"carriers: USPS: no credentials (USPS_CLIENT_ID, USPS_CLIENT_SECRET unset) — users get the USPS tracking link only",
		"carriers: DHL: no credentials (DHL_API_KEY unset) — users get the DHL tracking link only",
		"poll: carrier failed",
		"stopped",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no log record %q among:\n%s", want, all)
		}
	}
	if strings.Contains(all, "carriers: UPS:") {
		t.Errorf("UPS has credentials but is listed as missing them:\n%s", all)
	}
}
