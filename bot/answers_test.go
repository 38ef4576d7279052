package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/ask"
)

// TestAnswerUsesLatestScans: a question about "my parcels" names where each
// parcel was last scanned, read from the store for the whole chat at once.
func TestAnswerUsesLatestScans(t *testing.T) {
	ctx := context.Background()
	eng, store, logs := raceEngine(t)
	chat := Chat{ID: 4242, Type: "private"}
	now := time.Date(2026, 3, 12, 18, 0, 0, 0, time.UTC)
	eng.now = func() time.Time { return now }
	lamp := eng.mustTrack(t, chat, raceAnn, "DEMO1")
	eng.mustTrack(t, chat, raceAnn, "DEMO2") // never scanned: no place
	cst := time.FixedZone("CST", -6*3600)
	events := []tracker.Event{
		{Time: time.Date(2026, 3, 12, 9, 40, 0, 0, cst), Status: tracker.StatusInTransit, Description: "Arrived", Location: "Memphis, TN"},
		{Time: time.Date(2026, 3, 11, 20, 0, 0, 0, cst), Status: tracker.StatusInTransit, Description: "Departed", Location: "Dallas, TX"},
	}
	if _, err := store.RecordPoll(ctx, storage.PollRecord{ShipmentID: lamp.Shipment.ID, PolledAt: now, NextPollAt: now.Add(time.Hour),
		Result: tracker.Result{Status: tracker.StatusInTransit, Events: events}}); err != nil {
		t.Fatal(err)
	}
	replies := eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "where are my parcels?"})
	if len(replies) != 1 {
		t.Fatalf("%d replies, want 1", len(replies))
	}
	got := replies[0].Text
	if !strings.Contains(got, "last seen in Memphis, TN 2 h ago") {
		t.Errorf("answer lacks the newest scan's place:\n%s", got)
	}
	if strings.Contains(got, "Dallas") || strings.Count(got, "last seen in") != 1 {
		t.Errorf("answer names an older or an absent scan:\n%s", got)
	}
	noTrouble(t, logs, got)
}

// TestVerdictInEveryLanguage: each direct answer about a parcel ("is it
// late?", "will it come by Friday?") is said in every language, with the
// dates in it and no English left in the others.
func TestVerdictInEveryLanguage(t *testing.T) {
	now := time.Date(2026, 3, 12, 18, 0, 0, 0, time.UTC)
	past, soon, asked := now.AddDate(0, 0, -3), now.AddDate(0, 0, 4), now.AddDate(0, 0, 2)
	carrier := carrierWords(t)
	for _, tc := range []struct {
		v        ask.Verdict
		eta, day bool
	}{
		{ask.Verdict{Kind: ask.ByDayToday, Day: asked}, false, false},
		{ask.Verdict{Kind: ask.ByDayNoDate, Day: asked}, false, true},
		{ask.Verdict{Kind: ask.ByDayOverdue, ETA: past, Day: asked}, true, true},
		{ask.Verdict{Kind: ask.ByDayOnTrack, ETA: now.AddDate(0, 0, 1), Day: asked}, true, false},
		{ask.Verdict{Kind: ask.ByDayNotBy, ETA: soon, Day: asked}, true, true},
		{ask.Verdict{Kind: ask.LateToday}, false, false},
		{ask.Verdict{Kind: ask.LateYes, ETA: past}, true, false},
		{ask.Verdict{Kind: ask.LateNo, ETA: soon}, true, false},
	} {
		for _, l := range locale.All {
			w := view{now: now, p: locale.For(l)}
			got := verdictLine(w, tc.v)
			if strings.TrimSpace(got) == "" || tc.eta && !strings.Contains(got, esc(w.day(tc.v.ETA))) || tc.day && !strings.Contains(got, esc(w.day(tc.v.Day))) {
				t.Errorf("%s %s: %q lacks its dates", l, tc.v.Kind, got)
			}
			if strings.Contains(got, "..") {
				t.Errorf("%s %s: %q", l, tc.v.Kind, got)
			}
			if l != locale.EN {
				for _, s := range englishSentences(withoutCarrierWords(got, carrier)) {
					t.Errorf("%s %s: English left: %q", l, tc.v.Kind, s)
				}
			}
		}
	}
	if got := verdictLine(view{now: now}, ask.Verdict{}); got != "" {
		t.Errorf("no verdict says %q", got)
	}
}
