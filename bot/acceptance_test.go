package bot

// Acceptance tests for the chat issue's bullets that the other tests leave
// open: a long /list through the fake Bot API, deep links with a number to
// normalise, buttons pressed after a restart, group permissions on buttons,
// a removed group's data, and /list marking parcels that need attention.

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
)

// startApp runs an App on an existing Bot API server and database file, as
// one start of the program; stop ends it and closes its store.
func startApp(t *testing.T, srv *telegramtest.Server, dbPath string) (h *harness, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := storage.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuf{}
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	app, err := New(ctx, Config{Token: testToken, APIURL: srv.URL, Store: store, Router: router, Demo: true,
		MaxParcels: 10, Logger: slog.New(slog.NewTextHandler(logs, nil)), HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	h = &harness{t: t, srv: srv, store: store, app: app, logs: logs, done: make(chan error, 1)}
	h.runNotifier(ctx, app, store)
	go func() { h.done <- app.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-h.done; err != nil && !errors.Is(err, ErrConflict) {
			t.Errorf("Run: %v", err)
		}
		<-h.notified // what it sent is recorded before the store closes
		store.Close()
	}
	t.Cleanup(stop)
	return h, stop
}

// drain waits for at least n replies after before, then until the bot has
// been quiet for a moment, and returns everything it sent.
func (h *harness) drain(before, n int) []telegramtest.Sent {
	h.t.Helper()
	h.wait(before, n)
	for {
		count := len(h.srv.Sent())
		time.Sleep(300 * time.Millisecond)
		if got := h.srv.Sent(); len(got) == count {
			return got[before:]
		}
	}
}

// longLabel is 64 characters (the limit) of what must be escaped, emoji and
// text, different for every i.
func longLabel(i int) string {
	l := []rune("🎧 <Sony> & \"Bose\" 'n' co #" + itoa(int64(i)) + " ")
	for len(l) < maxLabel {
		l = append(l, 'x')
	}
	return string(l[:maxLabel])
}

func TestListOfFiftyLongLabelsSplitsUnder4096(t *testing.T) {
	h := newHarness(t, DefaultMaxParcels)
	ctx := context.Background()
	pc := telegramtest.Private(ann)
	h.say(pc, ann, "/start", 2)
	var numbers []string
	for i := range DefaultMaxParcels {
		n := upsNumber(100 + i)
		numbers = append(numbers, n)
		if _, _, err := h.store.Subscribe(ctx, storage.SubscribeParams{ChatID: ann.ID, Carrier: "ups", Number: n,
			Label: longLabel(i), AddedBy: ann.ID, AddedByName: "Ann", MaxPerChat: DefaultMaxParcels, Now: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}

	before := len(h.srv.Sent())
	h.srv.SendText(pc, ann, "/list")
	parts := h.drain(before, 2)
	var all strings.Builder
	for i, p := range parts {
		plain, err := telegramtest.ParseHTML(p.Text)
		if err != nil {
			t.Fatalf("part %d is not valid Telegram HTML: %v", i, err)
		}
		if u := units(plain); u > MaxMessage {
			t.Errorf("part %d has %d UTF-16 units, over %d", i, u, MaxMessage)
		}
		all.WriteString(plain)
	}
	if len(parts) < 2 {
		t.Fatalf("/list of 50 long labels came in %d message(s), want a split", len(parts))
	}
	for i, n := range numbers {
		if c := strings.Count(all.String(), n); c != 1 {
			t.Errorf("parcel %d (%s) appears %d times in /list", i, n, c)
		}
	}
	if !strings.Contains(all.String(), "<Sony> & \"Bose\"") {
		t.Error("labels are not shown as the user wrote them")
	}
	if st := h.srv.Stats(); st.BadRequests != 0 {
		t.Errorf("Telegram refused %d of the /list messages", st.BadRequests)
	}
	// The 51st is refused with the limit and a way out.
	has(t, h.say(pc, ann, "/track DEMO1", 1)[0], "already follows 50 parcels", "/stop")
}

func TestDeepLinkNormalisesTheNumber(t *testing.T) {
	h := newHarness(t, 10)
	pc := telegramtest.Private(bob)
	n := upsNumber(7)
	// A deep-link payload may only hold letters, digits, "_" and "-"; people
	// and link builders write numbers in lower case.
	r := h.say(pc, bob, "/start track_"+strings.ToLower(n), 1)[0]
	has(t, r, "Following", n, "UPS")
	subs, err := h.store.ChatSubscriptions(context.Background(), bob.ID)
	if err != nil || len(subs) != 1 || subs[0].Shipment.Number != n || subs[0].Shipment.Carrier != "ups" {
		t.Fatalf("followed %+v, %v; want %s with UPS", subs, err, n)
	}
	// The same link shared again: already followed, not twice.
	has(t, h.say(pc, bob, "/start track_"+n, 1)[0], "already following")
	// A deep link with a typo'd number explains instead of following.
	has(t, h.say(pc, bob, "/start track_"+typo(upsNumber(8)), 1)[0], "check digit")
}

func TestButtonsAfterRestart(t *testing.T) { storagetest.Each(t, testButtonsAfterRestart) }

func testButtonsAfterRestart(t *testing.T, eng storagetest.Engine) {
	srv := telegramtest.NewServer(testToken)
	t.Cleanup(srv.Close)
	db := eng.DSN(t)
	pc := telegramtest.Private(carol)

	h, stop := startApp(t, srv, db)
	kept := h.say(pc, carol, "/track DEMO1 kept", 1)[0]
	dropped := h.say(pc, carol, "/track DEMO2 dropped", 1)[0]
	prompt := h.click(carol, kept, button(t, kept, ActRename), 1)[0]
	has(t, h.say(pc, carol, "/stop dropped", 1)[0], "Stopped following")
	stop()

	h, _ = startApp(t, srv, db)
	// The stopped parcel's buttons answer plainly, change nothing, send nothing.
	for _, act := range []string{ActRefresh, ActRename, ActCarrier, ActStop} {
		before := len(h.srv.Sent())
		h.click(carol, dropped, button(t, dropped, act), 0)
		if !strings.Contains(h.lastAnswer.Text, "no longer following") {
			t.Errorf("%s on a stopped parcel after restart answered %+v", act, h.lastAnswer)
		}
		h.quiet(before)
	}
	// The followed parcel's buttons and the rename prompt still work.
	edit := h.click(carol, kept, button(t, kept, ActRefresh), 1)[0]
	if edit.Method != "editMessageText" || !strings.Contains(edit.Text, "DEMO1") {
		t.Errorf("refresh after restart: %+v", edit)
	}
	before := len(h.srv.Sent())
	h.srv.ReplyText(pc, carol, "still kept", prompt)
	has(t, h.wait(before, 1)[0], "now called <b>still kept</b>")
	list := h.say(pc, carol, "/list", 1)[0]
	has(t, list, "1 parcel", "still kept")
	if strings.Contains(list.Text, "dropped") {
		t.Errorf("stopped parcel listed after restart: %s", list.Text)
	}
}

func TestGroupStopButtonNeedsAdderOrAdmin(t *testing.T) {
	h := newHarness(t, 10)
	ctx := context.Background()
	g := telegramtest.Supergroup(-1007001, "Office")
	msg := h.say(g, ann, "/track DEMO3 Ann's chair", 1)[0]
	stopData := button(t, msg, ActStop)

	h.click(bob, msg, stopData, 0)
	if a := h.lastAnswer; !a.ShowAlert || !strings.Contains(a.Text, "Only Ann") || !strings.Contains(a.Text, "admin") {
		t.Errorf("non-admin stop answered %+v, want an alert naming Ann and admins", a)
	}
	if subs, err := h.store.ChatSubscriptions(ctx, g.ID); err != nil || len(subs) != 1 {
		t.Fatalf("after a refused stop the group follows %d (%v), want 1", len(subs), err)
	}
	// Renaming and changing the carrier follow the same rule as stopping.
	has(t, h.say(g, bob, "/rename DEMO3 the chair", 1)[0], "Only Ann", "admin")
	has(t, h.say(g, bob, "/carrier DEMO3 ups", 1)[0], "Only Ann", "admin")
	h.click(bob, msg, button(t, msg, ActRename), 0)
	if a := h.lastAnswer; !a.ShowAlert || !strings.Contains(a.Text, "Only Ann") {
		t.Errorf("non-admin rename button answered %+v, want an alert naming Ann", a)
	}
	if subs, _ := h.store.ChatSubscriptions(ctx, g.ID); len(subs) != 1 || subs[0].Label != "Ann's chair" || subs[0].Shipment.Carrier != "demo" {
		t.Errorf("after refused changes: %+v", subs)
	}
	has(t, h.say(g, ann, "/rename DEMO3 the chair", 1)[0], "now called")
	h.srv.SetMember(g.ID, bob, "administrator")
	has(t, h.say(g, bob, "/rename DEMO3 our chair", 1)[0], "now called")
	h.srv.SetMember(g.ID, bob, "member")

	h.srv.SetMember(g.ID, carol, "administrator")
	has(t, h.click(carol, msg, stopData, 1)[0], "Stopped following")
	if subs, err := h.store.ChatSubscriptions(ctx, g.ID); err != nil || len(subs) != 0 {
		t.Errorf("after the admin's stop the group follows %d (%v), want 0", len(subs), err)
	}
}

func TestRemovedFromGroupKeepsDataAndSendsNothing(t *testing.T) {
	h := newHarness(t, 10)
	ctx := context.Background()
	g := telegramtest.Group(-4101, "Housemates")
	before := len(h.srv.Sent())
	h.srv.AddToGroup(g, ann)
	h.wait(before, 1)
	h.say(g, ann, "/track DEMO1 rug", 1)
	subs, err := h.store.ChatSubscriptions(ctx, g.ID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("group follows %v, %v", subs, err)
	}

	h.srv.RemoveFromGroup(g, ann)
	waitActive(t, h.store, g.ID, false)
	if _, err := h.store.Enqueue(ctx, storage.OutboxMessage{ChatID: g.ID, SubscriptionID: subs[0].ID, DedupeKey: "acceptance:removed", Text: "moved"}); err != nil {
		t.Fatal(err)
	}
	items, err := h.store.PendingOutbox(ctx, time.Now().Add(time.Minute), 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.ChatID == g.ID {
			t.Errorf("a push waits to go to the group the bot left: %+v", it)
		}
	}
	if kept, err := h.store.ChatSubscriptions(ctx, g.ID); err != nil || len(kept) != 1 || kept[0].Label != "rug" {
		t.Errorf("data after removal: %+v, %v", kept, err)
	}

	// Added back: active again, the parcel still there. (The fake keeps
	// refusing sends after RemoveFromGroup until told otherwise.)
	h.srv.Unblock(g.ID)
	before = len(h.srv.Sent())
	h.srv.AddToGroup(g, ann)
	// The greeting and the push that waited for the group.
	rejoined := h.wait(before, 2)
	if rejoined[0].Text == "moved" || rejoined[1].Text != "moved" {
		t.Errorf("back in the group, sent %q then %q; want the greeting (a reply) before the waiting push", rejoined[0].Text, rejoined[1].Text)
	}
	waitActive(t, h.store, g.ID, true)
	has(t, h.say(g, bob, "/list", 1)[0], "rug", "added by Ann")
}

func TestListMarksParcelsNeedingAttention(t *testing.T) {
	h := newHarness(t, 10)
	ctx := context.Background()
	pc := telegramtest.Private(ann)
	h.say(pc, ann, "/track DEMO1 fresh", 1)

	// Twelve days without a scan: past both the domestic and the
	// international stall limits.
	added := time.Now().Add(-20 * 24 * time.Hour)
	scan := time.Now().Add(-12 * 24 * time.Hour)
	sub, _, err := h.store.Subscribe(ctx, storage.SubscribeParams{ChatID: ann.ID, Carrier: "demo", Number: "DEMO5", Label: "stuck", AddedBy: ann.ID, Now: added})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.RecordPoll(ctx, storage.PollRecord{ShipmentID: sub.Shipment.ID, PolledAt: time.Now(), NextPollAt: time.Now().Add(time.Hour),
		Result: tracker.Result{Number: "DEMO5", Carrier: "demo", Status: tracker.StatusInTransit,
			Events: []tracker.Event{{Time: scan, Status: tracker.StatusInTransit, Description: "Departed facility"}}}}); err != nil {
		t.Fatal(err)
	}

	list := h.say(pc, ann, "/list", 1)[0]
	has(t, list, "1 need you", "time to contact someone")
	lines := strings.Split(list.Text, "\n")
	var stuck, fresh string
	for _, l := range lines {
		switch {
		case strings.Contains(l, "stuck"):
			stuck = l
		case strings.Contains(l, "fresh"):
			fresh = l
		}
	}
	if !strings.Contains(stuck, "❗") {
		t.Errorf("the stalled parcel is not marked: %q", stuck)
	}
	if strings.Contains(fresh, "❗") {
		t.Errorf("the fresh parcel is marked: %q", fresh)
	}
	if strings.Index(list.Text, "stuck") > strings.Index(list.Text, "fresh") {
		t.Error("the parcel needing attention should come first")
	}
}
