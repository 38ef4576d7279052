package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/notice"
)

// subNamed is the chat's subscription to number.
func subNamed(t *testing.T, st *storage.Store, chatID int64, number string) storage.Subscription {
	t.Helper()
	subs, err := st.FindSubscriptions(context.Background(), chatID, number)
	if err != nil || len(subs) != 1 {
		t.Fatalf("FindSubscriptions(%s) = %d, %v", number, len(subs), err)
	}
	return subs[0]
}

// pushParcel queues a parcel notice about sub, as the poller does.
func pushParcel(t *testing.T, st *storage.Store, sub storage.Subscription, key, where string) {
	t.Helper()
	scan := tracker.Event{Time: time.Now(), Status: tracker.StatusInTransit, Description: "Arrived at hub", Location: where}
	if _, err := st.Enqueue(context.Background(), storage.OutboxMessage{ChatID: sub.ChatID, SubscriptionID: sub.ID, DedupeKey: key,
		Kind: string(notice.KindParcel), Payload: notice.Encode(notice.Parcel{Status: tracker.StatusInTransit, Latest: scan,
			Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusInTransit, Event: scan}}})}); err != nil {
		t.Fatal(err)
	}
}

// deliver records sub's shipment delivered at at.
func deliver(t *testing.T, st *storage.Store, sub storage.Subscription, at time.Time) {
	t.Helper()
	if _, err := st.RecordPoll(context.Background(), storage.PollRecord{ShipmentID: sub.Shipment.ID, PolledAt: at, NextPollAt: at.Add(time.Hour),
		Result: tracker.Result{Status: tracker.StatusDelivered, StatusText: "Delivered",
			Events: []tracker.Event{{Time: at, Status: tracker.StatusDelivered, Description: "Delivered, front door"}}}}); err != nil {
		t.Fatal(err)
	}
}

// TestMuteEndToEnd: a muted parcel stays in /list (🔕) and its pushes are
// not sent, through the real notifier and the Bot API fake; /unmute brings
// them back.
func TestMuteEndToEnd(t *testing.T) {
	h := newHarness(t, 10)
	pc := telegramtest.Private(ann)
	h.say(pc, ann, "/track DEMO1 lamp", 1)
	h.say(pc, ann, "/track DEMO4 vase", 1)

	has(t, h.say(pc, ann, "/mute", 1)[0], "Which parcel", "/mute NUMBER")
	has(t, h.say(pc, ann, "/mute teapot", 1)[0], "not following anything called", "teapot")
	has(t, h.say(pc, ann, "/mute lamp", 1)[0], "🔕", "lamp", "is muted", "/unmute")
	has(t, h.say(pc, ann, "/mute DEMO1", 1)[0], "already muted")

	list := h.say(pc, ann, "/list", 1)[0]
	has(t, list, "2 parcels", "lamp</b> 🔕", "🔕 muted")
	if strings.Contains(list.Text, "vase</b> 🔕") {
		t.Errorf("the unmuted parcel is marked muted:\n%s", list.Text)
	}

	lamp, vase := subNamed(t, h.store, pc.ID, "DEMO1"), subNamed(t, h.store, pc.ID, "DEMO4")
	if !lamp.Muted || vase.Muted {
		t.Fatalf("stored muted: lamp %v vase %v", lamp.Muted, vase.Muted)
	}
	// The push about the muted lamp is queued first; only the vase's arrives.
	before := len(h.srv.Sent())
	pushParcel(t, h.store, lamp, "lamp-1", "Lampstadt")
	pushParcel(t, h.store, vase, "vase-1", "Vasenburg")
	h.app.queued()
	got := h.wait(before, 1)[0]
	has(t, got, "vase", "Vasenburg")
	h.quiet(before + 1)

	has(t, h.say(pc, ann, "/unmute lamp", 1)[0], "🔔", "lamp", "unmuted")
	has(t, h.say(pc, ann, "/unmute lamp", 1)[0], "isn't muted")
	before = len(h.srv.Sent())
	pushParcel(t, h.store, lamp, "lamp-2", "Lampstadt")
	h.app.queued()
	has(t, h.wait(before, 1)[0], "lamp", "Lampstadt")
	if l := h.say(pc, ann, "/list", 1)[0]; strings.Contains(l.Text, "🔕") {
		t.Errorf("still marked muted after /unmute:\n%s", l.Text)
	}
}

// TestMuteInGroupFollowsTheStopRule: in a group only whoever added the
// parcel (or an admin) may mute it.
func TestMuteInGroupFollowsTheStopRule(t *testing.T) {
	h := newHarness(t, 10)
	g := telegramtest.Group(-4100, "Flat")
	before := len(h.srv.Sent())
	h.srv.AddToGroup(g, ann)
	h.wait(before, 1)
	h.say(g, ann, "/track DEMO1 lamp", 1)
	has(t, h.say(g, bob, "/mute lamp", 1)[0], "Only Ann", "admin")
	if subNamed(t, h.store, g.ID, "DEMO1").Muted {
		t.Fatal("Bob muted Ann's parcel")
	}
	has(t, h.say(g, ann, "/mute lamp", 1)[0], "is muted")
}

// TestStopSeveral: "/stop A B" and "/stop delivered" answer with one
// summary; unknown names are named back, and in a group other people's
// parcels are left alone.
func TestStopSeveral(t *testing.T) {
	h := newHarness(t, 10)
	g := telegramtest.Group(-4200, "Flat")
	before := len(h.srv.Sent())
	h.srv.AddToGroup(g, ann)
	h.wait(before, 1)
	h.say(g, ann, "/track DEMO1 lamp", 1)
	h.say(g, ann, "/track DEMO2 new headphones", 1)
	h.say(g, ann, "/track DEMO3 rug", 1)
	h.say(g, bob, "/track DEMO4 vase", 1)
	h.say(g, bob, "/track DEMO5 chair", 1)

	// A name of several words is still one parcel.
	has(t, h.say(g, ann, "/stop new headphones", 1)[0], "Stopped following", "new headphones")

	r := h.say(g, ann, "/stop lamp vase teapot", 1)[0]
	has(t, r, "Stopped following 1 parcel", "lamp", "Not found here", "teapot", "Only whoever added them", "vase")
	subs, _ := h.store.ChatSubscriptions(context.Background(), g.ID)
	if len(subs) != 3 {
		t.Fatalf("after /stop lamp vase teapot: %d parcels, want rug, vase, chair", len(subs))
	}

	has(t, h.say(g, ann, "/stop delivered", 1)[0], "None of the parcels here is delivered")
	now := time.Now()
	deliver(t, h.store, subNamed(t, h.store, g.ID, "DEMO3"), now.Add(-time.Hour))
	deliver(t, h.store, subNamed(t, h.store, g.ID, "DEMO4"), now.Add(-time.Hour))
	r = h.say(g, ann, "/stop delivered", 1)[0]
	has(t, r, "Stopped following 1 parcel", "rug", "Only whoever added them", "vase")
	h.srv.SetMember(g.ID, carol, "administrator")
	has(t, h.say(g, carol, "/stop@trackbot_test_bot DEMO4 DEMO5", 1)[0], "Stopped following 2 parcels", "vase", "chair")
	if subs, _ := h.store.ChatSubscriptions(context.Background(), g.ID); len(subs) != 0 {
		t.Errorf("still following %d parcels", len(subs))
	}
}

// TestHistory: a parcel delivered days ago leaves /list for /history, with
// its delivery date; one delivered today stays listed too.
func TestHistory(t *testing.T) {
	h := newHarness(t, 10)
	pc := telegramtest.Private(ann)
	has(t, h.say(pc, ann, "/history", 1)[0], "No delivered parcels")
	h.say(pc, ann, "/track DEMO1 lamp", 1)
	h.say(pc, ann, "/track DEMO2 rug", 1)
	h.say(pc, ann, "/track DEMO3 vase", 1)
	old := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	deliver(t, h.store, subNamed(t, h.store, pc.ID, "DEMO1"), old)
	deliver(t, h.store, subNamed(t, h.store, pc.ID, "DEMO2"), time.Now().Add(-time.Hour))

	list := h.say(pc, ann, "/list", 1)[0]
	has(t, list, "2 parcels", "rug", "vase", "1 parcel delivered a while ago is in /history")
	if strings.Contains(list.Text, "lamp") {
		t.Errorf("a parcel delivered a year ago is still in /list:\n%s", list.Text)
	}
	hist := h.say(pc, ann, "/history", 1)[0]
	has(t, hist, "2 delivered parcels", "lamp", "delivered Fri 14 Mar 2025", "rug", "/stop delivered")
	if strings.Index(hist.Text, "rug") > strings.Index(hist.Text, "lamp") {
		t.Errorf("newest delivery should come first:\n%s", hist.Text)
	}
	if strings.Contains(hist.Text, "vase") {
		t.Errorf("an undelivered parcel in /history:\n%s", hist.Text)
	}

	// Only history left: /list says where the parcels went.
	h.say(pc, ann, "/stop rug vase", 1)
	has(t, h.say(pc, ann, "/list", 1)[0], "Nothing on its way", "/history")
}

// TestStopSeveralNamesWithSpaces: "/stop sofa desk lamp teapot" stops the
// sofa and the desk lamp — a name of several words among others — and names
// back only what matched nothing.
func TestStopSeveralNamesWithSpaces(t *testing.T) {
	ctx := context.Background()
	eng, store, logs := raceEngine(t)
	chat := Chat{ID: 7171, Type: "private"}
	say := func(text string) string {
		return strings.Join(texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: text})), "\n")
	}
	say("/track DEMO1 sofa")
	say("/track DEMO2 desk lamp")
	say("/track DEMO3 desk fan")
	got := say("/stop sofa desk lamp teapot")
	for _, want := range []string{"Stopped following 2 parcels", "sofa", "desk lamp", "Not found here", "teapot"} {
		if !strings.Contains(got, want) {
			t.Errorf("/stop sofa desk lamp teapot lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "<b>lamp</b>") || strings.Contains(got, "desk fan") {
		t.Errorf("/stop named back a word of a name it stopped, or stopped the fan:\n%s", got)
	}
	if subs, _ := store.ChatSubscriptions(ctx, chat.ID); len(subs) != 1 || subs[0].Label != "desk fan" {
		t.Errorf("left %d parcels, want the desk fan alone", len(subs))
	}
	noTrouble(t, logs)
}
