package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
)

// TestCarrierPromisesOnlyWhatCanBeChecked: /carrier to a carrier no client
// on this server can look up says so instead of "I'll check it there", and
// the picker lists checkable carriers first and marks the others.
func TestCarrierPromisesOnlyWhatCanBeChecked(t *testing.T) {
	ctx := context.Background()
	eng, _, logs := raceEngine(t)
	// The demo client stands in for UPS: UPS can be checked, FedEx cannot.
	eng.router = tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{}), "ups": demo.New(demo.Config{})}, nil)
	chat := Chat{ID: 4141, Type: "private"}
	eng.mustTrack(t, chat, raceAnn, "DEMO1")
	say := func(text string) Reply {
		rs := eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: text})
		if len(rs) == 0 {
			t.Fatalf("%s: no reply", text)
		}
		return rs[0]
	}

	fedex := say("/carrier DEMO1 fedex")
	if !strings.Contains(fedex.Text, "not checked automatically on this server") || strings.Contains(fedex.Text, "within a minute") {
		t.Errorf("/carrier fedex promises a check:\n%s", fedex.Text)
	}
	ups := say("/carrier DEMO1 ups")
	if !strings.Contains(ups.Text, "within a minute") {
		t.Errorf("/carrier ups makes no promise:\n%s", ups.Text)
	}
	pick := say("/carrier DEMO1")
	var names []string
	for _, row := range pick.Buttons {
		for _, b := range row {
			names = append(names, b.Text)
		}
	}
	if len(names) < 3 || strings.Contains(names[0], "link only") {
		t.Fatalf("picker %v: checkable carriers should come first", names)
	}
	for _, n := range names {
		checkable := n == "Demo Express"
		if checkable == strings.Contains(n, "link only") {
			t.Errorf("picker button %q marked wrongly", n)
		}
	}
	noTrouble(t, logs, fedex.Text, ups.Text, pick.Text)
}
