package main

// Acceptance tests of `trackbot run` for chat-issue bullets that need the
// poller and the notifier running: a carrier picked with "Wrong carrier?" is
// the one polled, and a group that removed the bot gets no pushes until it
// adds the bot back, its parcels kept meanwhile.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// fedex12 builds a FedEx Express 12-digit number: 11 serial digits weighted
// 3,1,7 repeating, the sum mod 11 then mod 10 is the check digit.
func fedex12(seed int) string {
	serial := fmt.Sprintf("%011d", 70000000000+seed*7919)
	weights := []int{3, 1, 7}
	sum := 0
	for i, c := range serial {
		sum += int(c-'0') * weights[i%3]
	}
	return serial + fmt.Sprint(sum%11%10)
}

func TestEndToEndWrongCarrierPickIsPolled(t *testing.T) {
	w := newWorld(t)
	ann := telegramtest.User{ID: 5550301, FirstName: "Ann"}
	chat := telegramtest.Private(ann)
	num := fedex12(3)
	if cs := tracker.Detect(num); len(cs) == 0 || !cs[0].Valid || cs[0].Carrier == "ups" {
		t.Fatalf("test number %s detected as %+v, want a valid non-UPS number", num, cs)
	}
	// UPS (the only carrier configured) knows the parcel under this number.
	upsStep(w.ups, num, upstest.Event{Time: time.Now().Add(-2 * time.Hour).Truncate(time.Minute),
		Status: tracker.StatusInTransit, City: "Louisville", State: "KY", Country: "US"})
	w.startPolling()

	following := w.say(chat, ann, "/track "+num+" desk lamp")
	if !strings.Contains(following.Text, "Following") || !strings.Contains(following.Text, "not checked automatically on this server") {
		t.Fatalf("/track answered %q, want it followed without automatic updates", following.Text)
	}
	n := len(sends(w.tg.SentTo(chat.ID)))
	w.click(ann, following, buttonData(t, following, "car:"))
	choices := w.waitChat(chat.ID, n+1)[n]
	var toUPS string
	for _, b := range choices.Markup.Buttons() {
		if strings.HasPrefix(b.CallbackData, "cs:") && strings.HasSuffix(b.CallbackData, ":ups") {
			toUPS = b.CallbackData
		}
	}
	if toUPS == "" {
		t.Fatalf("no UPS among the carrier choices: %+v", choices.Markup.Buttons())
	}
	w.click(ann, choices, toUPS)

	// The next tick polls UPS for the number and pushes what it says.
	waitFor(t, "the in-transit push from UPS", func() bool {
		for _, s := range sends(w.tg.SentTo(chat.ID)) {
			if strings.Contains(s.Text, "<b>In transit</b>") && strings.Contains(s.Text, num) {
				return true
			}
		}
		return false
	})
	subs, err := storeAt(t, w.db).ChatSubscriptions(context.Background(), chat.ID)
	if err != nil || len(subs) != 1 || subs[0].Shipment.Carrier != "ups" || subs[0].Label != "desk lamp" {
		t.Fatalf("after the pick: %+v, %v; want one UPS parcel named desk lamp", subs, err)
	}
}

func TestEndToEndRemovedGroupGetsNoPushesUntilBack(t *testing.T) {
	w := newWorld(t)
	ann := telegramtest.User{ID: 5550401, FirstName: "Ann"}
	g := telegramtest.Group(-5550400, "Flat 4")
	num := upstest.TrackingNumber(8123)
	t0 := time.Now().Add(-3 * time.Hour).Truncate(time.Minute)
	inTransit := upstest.Event{Time: t0, Status: tracker.StatusInTransit, City: "Secaucus", State: "NJ", Country: "US"}
	upsStep(w.ups, num, inTransit)
	w.startPolling()

	w.tg.AddToGroup(g, ann)
	w.waitChat(g.ID, 1)
	w.say(g, ann, "/track "+num+" sofa cover")
	waitFor(t, "the first push in the group", func() bool { return len(pushes(sends(w.tg.SentTo(g.ID)))) == 1 })

	w.tg.RemoveFromGroup(g, ann)
	st := storeAt(t, w.db)
	ctx := context.Background()
	waitFor(t, "the group marked inactive", func() bool {
		c, err := st.Chat(ctx, g.ID)
		return err == nil && !c.Active
	})
	refused := w.tg.Stats().Forbidden
	ofd := upstest.Event{Time: t0.Add(2 * time.Hour), Status: tracker.StatusOutForDelivery, City: "Hoboken", State: "NJ", Country: "US"}
	upsStep(w.ups, num, ofd, inTransit)
	w.makeDue(num)
	time.Sleep(3 * time.Second) // three ticks of the 1 s schedule
	if got := w.tg.Stats().Forbidden; got != refused {
		t.Errorf("%d more sends tried to the group that removed the bot", got-refused)
	}
	if got := pushes(sends(w.tg.SentTo(g.ID))); len(got) != 1 {
		t.Errorf("pushes while removed: %v", got)
	}
	if subs, err := st.ChatSubscriptions(ctx, g.ID); err != nil || len(subs) != 1 || subs[0].Label != "sofa cover" {
		t.Fatalf("the group's parcel after removal: %+v, %v", subs, err)
	}

	// Back in the group: the parcel is polled again and the news arrives.
	w.tg.Unblock(g.ID) // the fake refuses sends after RemoveFromGroup until told
	w.tg.AddToGroup(g, ann)
	waitFor(t, "the out-for-delivery push after the bot is back", func() bool {
		return strings.Join(pushes(sends(w.tg.SentTo(g.ID))), " → ") == "In transit → Out for delivery"
	})
}
