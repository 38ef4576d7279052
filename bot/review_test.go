package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
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

// TestStatusLineEverywhere: /list, following a parcel again and a live
// look-up word a status alike (tracker.StatusLine), escaped.
func TestStatusLineEverywhere(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		status tracker.Status
		text   string
		want   string   // as shown, escaped
		not    []string // the old, differing wordings
	}{
		"carrier text says it already": {tracker.StatusDelivered, "Delivered, left at the <door>", "Delivered, left at the &lt;door&gt;", []string{"Delivered: ", "Delivered — Delivered"}},
		"carrier text adds something":  {tracker.StatusInTransit, "Departed  from\nfacility", "In transit: Departed from facility", []string{"In transit — ", "In transit (", "\nDeparted"}},
		"same words":                   {tracker.StatusOutForDelivery, "OUT FOR DELIVERY", "Out for delivery", []string{"OUT FOR"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			eng, store, logs := raceEngine(t)
			chat := Chat{ID: 77, Type: "private"}
			sub := eng.mustTrack(t, chat, raceAnn, "DEMO3")
			now := time.Now()
			if _, err := store.RecordPoll(ctx, storage.PollRecord{ShipmentID: sub.Shipment.ID, PolledAt: now, NextPollAt: now.Add(time.Hour),
				Result: tracker.Result{Status: tc.status, StatusText: tc.text}}); err != nil {
				t.Fatal(err)
			}
			list := texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "/list"}))
			again := texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "/track DEMO3"}))
			res := tracker.Result{Number: "DEMO3", Carrier: "demo", Status: tc.status, StatusText: tc.text}
			looked := eng.renderStatus(storage.Subscription{Shipment: withResult(storage.Shipment{Carrier: "demo", Number: "DEMO3", PolledAt: now}, res)}, nil, view{now: now}, false)
			for where, got := range map[string]string{"list": strings.Join(list, "\n"), "track again": strings.Join(again, "\n"), "look-up": looked} {
				if !strings.Contains(got, tc.want) {
					t.Errorf("%s: want %q in:\n%s", where, tc.want, got)
				}
				for _, n := range tc.not {
					if strings.Contains(got, n) {
						t.Errorf("%s: %q in:\n%s", where, n, got)
					}
				}
			}
			noTrouble(t, logs, append(list, again...)...)
		})
	}
}

func TestStripMention(t *testing.T) {
	tests := map[string]struct {
		text, user string
		want       string
		mentioned  bool
	}{
		"at the start":               {"@TrackBot where is it?", "trackbot", "  where is it?", true},
		"any case":                   {"hey @TRACKBOT, status", "TrackBot", "hey  , status", true},
		"twice":                      {"@trackbot @trackbot hi", "trackbot", "    hi", true},
		"at the end":                 {"thanks @trackbot", "trackbot", "thanks  ", true},
		"someone else's longer name": {"ask @trackbot_fan", "trackbot", "ask @trackbot_fan", false},
		"a name inside a word":       {"mail@trackbotx.test", "trackbot", "mail@trackbotx.test", false},
		"no mention":                 {"where is it?", "trackbot", "where is it?", false},
		"no username (console)":      {"@trackbot hi", "", "@trackbot hi", false},
		"non-ASCII around it":        {"Grüße @trackbot… İstanbul", "trackbot", "Grüße  … İstanbul", true},
		"only the at sign":           {"@", "trackbot", "@", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := stripMention(tc.text, tc.user)
			if got != tc.want || ok != tc.mentioned {
				t.Errorf("stripMention(%q, %q) = %q, %v; want %q, %v", tc.text, tc.user, got, ok, tc.want, tc.mentioned)
			}
		})
	}
}

// A group message that mentions the bot is answered; one that names a
// longer username is chatter.
func TestGroupMentionOnly(t *testing.T) {
	eng, _, logs := raceEngine(t)
	eng.username = "TrackBot"
	ctx := context.Background()
	if r := eng.HandleMessage(ctx, Message{Chat: raceGroup, From: raceAnn, Text: "@trackbot_fan what is customs?"}); len(r) != 0 {
		t.Errorf("answered chatter: %v", texts(r))
	}
	r := eng.HandleMessage(ctx, Message{Chat: raceGroup, From: raceAnn, Text: "@trackbot DEMO1"})
	if len(r) != 1 || !strings.Contains(r[0].Text, "Following") || !strings.Contains(r[0].Text, "DEMO1") {
		t.Errorf("mention not answered: %v", texts(r))
	}
	noTrouble(t, logs, texts(r)...)
}

func BenchmarkStripMention(b *testing.B) {
	text := "@TrackBot where is the parcel from grandma? It said out for delivery yesterday"
	for b.Loop() {
		if _, ok := stripMention(text, "trackbot"); !ok {
			b.Fatal("no mention")
		}
	}
}

// TestCarrierTextCleaned: controls and direction overrides a carrier sends
// do not reach a look-up, /list or an answer; the text stays, escaped.
func TestCarrierTextCleaned(t *testing.T) {
	ctx := context.Background()
	bad := []string{"\x00", "\x1b", "\u202E", "\u2067", "\u2069", "\u2028"}
	at := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	evs := []tracker.Event{{Time: at, Status: tracker.StatusException, Description: "Held\x00 \u202E<ffo>\u202C", Location: "\u2067Köln\u2069\x1b[0m"}}
	res := tracker.Result{Number: "DEMO2", Carrier: "demo", Status: tracker.StatusException, StatusText: "Address\u2028problem\x00", Events: evs}

	eng, store, _ := raceEngine(t)
	eng.now = func() time.Time { return at.Add(time.Hour) }
	chat := Chat{ID: 99, Type: "private"}
	sub := eng.mustTrack(t, chat, raceAnn, "DEMO2")
	if _, err := store.RecordPoll(ctx, storage.PollRecord{ShipmentID: sub.Shipment.ID, PolledAt: at, NextPollAt: at.Add(time.Hour), Result: res}); err != nil {
		t.Fatal(err)
	}
	shown := map[string]struct {
		text string
		want []string
	}{
		"look-up": {lookedUp(eng, res, at.Add(time.Hour)), []string{"Exception: Address problem", "Held  &lt;ffo&gt;", "Köln [0m"}},
		"list":    {strings.Join(texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "/list"})), "\n"), []string{"Exception: Address problem"}},
		"answer":  {strings.Join(texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "where are my parcels?"})), "\n"), []string{"Exception: Address problem", "last seen in Köln [0m"}},
	}
	for where, s := range shown {
		for _, b := range bad {
			if strings.Contains(s.text, b) {
				t.Errorf("%s keeps %q:\n%q", where, b, s.text)
			}
		}
		for _, w := range s.want {
			if !strings.Contains(s.text, w) {
				t.Errorf("%s lacks %q:\n%s", where, w, s.text)
			}
		}
		checkReply(t, where, Reply{Text: s.text})
	}
}

// lookedUp renders a live look-up's result as /status does.
func lookedUp(eng *Engine, res tracker.Result, now time.Time) string {
	sub := storage.Subscription{CreatedAt: now, Shipment: withResult(storage.Shipment{Carrier: res.Carrier, Number: res.Number, PolledAt: now}, res)}
	return eng.renderStatus(sub, res.Events, view{now: now}, false)
}
