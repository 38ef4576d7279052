package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/poller"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
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

// TestParcelButtonsCopyTheNumber: the follow reply and /status carry a
// copy_text button (Bot API 7.11) whose text is the number, in the chat's
// language, after the carrier's page when there is one; Telegram (the
// fake) accepts it.
func TestParcelButtonsCopyTheNumber(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, 0)
	u := telegramtest.User{ID: 4242, FirstName: "Lena", LanguageCode: "de"}
	pc := telegramtest.Private(u)
	de := locale.For(locale.DE)
	copies := func(what string, s telegramtest.Sent, number string, page bool) {
		t.Helper()
		var got []telegramtest.Button
		for _, b := range s.Markup.Buttons() {
			if b.Copies() != "" {
				got = append(got, b)
			}
		}
		if len(got) != 1 || got[0].Copies() != number || got[0].Text != de.T("btn_copy_number") || got[0].CallbackData != "" || got[0].URL != "" {
			t.Fatalf("%s: copy buttons %+v, want one %q copying %s", what, got, de.T("btn_copy_number"), number)
		}
		rows := s.Markup.InlineKeyboard
		if last := rows[len(rows)-1]; page && (len(last) != 2 || last[0].URL == "" || last[1].Copies() != number) {
			t.Errorf("%s: last row %+v, want the carrier's page, then the copy button", what, last)
		}
	}
	copies("follow reply", h.say(pc, u, "/track DEMO1", 1)[0], "DEMO1", false)
	ups := upsNumber(7)
	copies("follow reply", h.say(pc, u, "/track "+ups, 1)[0], ups, true)

	subs, err := h.store.FindSubscriptions(ctx, pc.ID, "DEMO1")
	if err != nil || len(subs) != 1 {
		t.Fatalf("DEMO1 followed: %v, %v", subs, err)
	}
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	if err := poller.New(poller.Config{Store: h.store, Router: router}).PollNow(ctx, subs[0].Shipment.ID); err != nil {
		t.Fatal(err)
	}
	status := h.say(pc, u, "/status DEMO1", 1)[0]
	if button(t, status, ActRefresh) == "" {
		t.Fatalf("/status of a followed parcel without its buttons: %+v", status.Markup)
	}
	copies("/status", status, "DEMO1", false)
}

// TestFirstConversation walks the flows a new user meets first: small
// talk, a pasted list of numbers, the same list again, an Amazon order
// number and the list of parcels.
func TestFirstConversation(t *testing.T) {
	h := newHarness(t, 10)
	pc := telegramtest.Private(ann)

	has(t, h.say(pc, ann, "hi", 1)[0], "Hi!", "tracking number")

	// Five numbers in one message: one summary, not five messages.
	email := "Your boxes: DEMO1, DEMO2, DEMO3\nand DEMO4 / DEMO5. Thanks!"
	sum := h.say(pc, ann, email, 1)[0]
	has(t, sum, "Following 5 new parcels", "DEMO1", "DEMO5", "Demo Express", "/list")
	h.quiet(len(h.srv.Sent()))
	again := h.say(pc, ann, email, 1)[0]
	has(t, again, "already follow all 5")
	has(t, h.say(pc, ann, "/track DEMO6 lamp", 1)[0], "Following <b>lamp</b>", "Number: <code>DEMO6</code>", "What happens next")
	mixed := h.say(pc, ann, "DEMO6 DEMO1 DEMO2 DEMO3 and a new one", 1)[0] // four known: still one summary
	has(t, mixed, "already follow all 4")

	has(t, h.say(pc, ann, "thanks!", 1)[0], "You&#39;re welcome", "keep an eye on your parcels")

	order := h.say(pc, ann, "my order 112-3456789-0123456", 1)[0]
	has(t, order, "Amazon <b>order</b> number", "Your Orders", "Track package")
	if len(order.Text) > 400 {
		t.Errorf("order-number answer is %d characters; keep it short:\n%s", len(order.Text), order.Text)
	}

	list := h.say(pc, ann, "/list", 1)[0]
	has(t, list, "6 parcels</b> followed here", "<b>lamp</b>", "not checked yet")
	if strings.Contains(list.Text, "(s)") {
		t.Errorf("list says parcel(s):\n%s", list.Text)
	}
	// A parcel without a name shows its number once, not twice.
	if n := strings.Count(list.Text, "DEMO1"); n != 1 {
		t.Errorf("DEMO1 appears %d times in the list:\n%s", n, list.Text)
	}
	if st := h.srv.Stats(); st.BadRequests != 0 {
		t.Errorf("Telegram refused %d of our messages", st.BadRequests)
	}
}

// TestStatusOfAParcelNotCheckedYet: /status of a parcel this chat follows
// but the poller has not reached yet answers live, with the parcel's
// buttons — not "Want updates? Send /track …" for a parcel already followed.
func TestStatusOfAParcelNotCheckedYet(t *testing.T) {
	ctx := context.Background()
	eng, _, logs := raceEngine(t)
	chat := Chat{ID: 6161, Type: "private"}
	for _, tc := range []struct{ cmd, want, not string }{
		{"/status DEMO2", "/track DEMO2", "Stop"}, // not followed: the offer to follow, no parcel buttons
		{"/track DEMO2 lamp", "lamp", ""},
		{"/status DEMO2", "lamp", "/track DEMO2"}, // followed: its name, no offer
	} {
		rs := eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: tc.cmd})
		if len(rs) != 1 {
			t.Fatalf("%s: %d replies", tc.cmd, len(rs))
		}
		var buttons []string
		for _, row := range rs[0].Buttons {
			for _, b := range row {
				buttons = append(buttons, b.Text)
			}
		}
		all := rs[0].Text + "\n" + strings.Join(buttons, " ")
		if !strings.Contains(all, tc.want) || tc.not != "" && strings.Contains(all, tc.not) {
			t.Errorf("%s answered:\n%s\nwant %q, not %q", tc.cmd, all, tc.want, tc.not)
		}
	}
	noTrouble(t, logs)
}

// TestTrackAgainWithAName: "/track NUMBER name" (or a pasted "NUMBER name")
// of a parcel already followed applies the name instead of ignoring it; in
// a group, only for whoever may rename it.
func TestTrackAgainWithAName(t *testing.T) {
	ctx := context.Background()
	eng, store, logs := raceEngine(t)
	chat := Chat{ID: 8181, Type: "private"}
	say := func(c Chat, from User, text string) string {
		return strings.Join(texts(eng.HandleMessage(ctx, Message{Chat: c, From: from, Text: text})), "\n")
	}
	label := func(c Chat) string {
		subs, err := store.FindSubscriptions(ctx, c.ID, "DEMO1")
		if err != nil || len(subs) != 1 {
			t.Fatalf("DEMO1: %d subscriptions, %v", len(subs), err)
		}
		return subs[0].Label
	}
	say(chat, raceAnn, "/track DEMO1")
	for _, tc := range []struct{ text, want, label string }{
		{"/track DEMO1 new lamp", "now called <b>new lamp</b>", "new lamp"},
		{"DEMO1 desk lamp", "now called <b>desk lamp</b>", "desk lamp"},
		{"/track DEMO1 Desk Lamp", "already following", "desk lamp"}, // the same name: nothing new
		{"/track DEMO1", "already following", "desk lamp"},
	} {
		if got := say(chat, raceAnn, tc.text); !strings.Contains(got, tc.want) {
			t.Errorf("%q answered:\n%s\nwant %q", tc.text, got, tc.want)
		}
		if got := label(chat); got != tc.label {
			t.Errorf("after %q the name is %q, want %q", tc.text, got, tc.label)
		}
	}
	// In a group, someone else's parcel keeps its name (Cy is no admin);
	// an admin may rename it, as with /rename.
	cy := User{ID: 3, Name: "Cy"}
	say(raceGroup, raceAnn, "/track DEMO1 vase")
	if got := say(raceGroup, cy, "/track DEMO1 cy's vase"); !strings.Contains(got, "already") {
		t.Errorf("another member's /track with a name answered:\n%s", got)
	}
	if got := label(raceGroup); got != "vase" {
		t.Errorf("another member renamed the group's parcel to %q", got)
	}
	say(raceGroup, raceBob, "/track DEMO1 blue vase")
	if got := label(raceGroup); got != "blue vase" {
		t.Errorf("the admin's name did not stick: %q", got)
	}
	noTrouble(t, logs)
}

// TestInternationalPostInTheChatsLanguage: an S10 number's carrier has no
// brand, so its name is the chat's language's ("Rede postal internacional"),
// in the follow reply, its buttons, /list and the carrier picker.
func TestInternationalPostInTheChatsLanguage(t *testing.T) {
	ctx := context.Background()
	eng, _, logs := raceEngine(t)
	n := seventeentest.S10Number("RR", 52718364, "CN")
	for i, l := range locale.All {
		chat := Chat{ID: int64(9191 + i), Type: "private"}
		from := User{ID: int64(9191 + i), Name: "Kim", Lang: string(l)}
		want := locale.For(l).T("carrier_s10")
		var all []string
		for _, text := range []string{n, "/list", "/carrier " + n} {
			for _, r := range eng.HandleMessage(ctx, Message{Chat: chat, From: from, Text: text}) {
				all = append(all, r.Text)
				for _, row := range r.Buttons {
					for _, b := range row {
						all = append(all, b.Text)
					}
				}
			}
		}
		got := strings.Join(all, "\n")
		if !strings.Contains(got, want) || l != locale.EN && strings.Contains(got, "International post") {
			t.Errorf("%s: want %q, not the English name:\n%s", l, want, got)
		}
		// Its service (RR: registered) too.
		if svc := locale.For(l).T("service_s10_registered"); !strings.Contains(got, svc) || l != locale.EN && strings.Contains(got, "Registered letter post") {
			t.Errorf("%s: want the service %q:\n%s", l, svc, got)
		}
	}
	noTrouble(t, logs)
}

// TestEveryS10ServiceHasAName: each service an S10 number can name (its
// first two letters) has a catalog key, so no other chat reads it in
// English, and English chats read tracker's own words (the detect contract's).
func TestEveryS10ServiceHasAName(t *testing.T) {
	seen := map[string]bool{}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			for _, c := range tracker.Detect(seventeentest.S10Number(string(a)+string(b), 30571946, "CN")) {
				if c.Service != "" {
					seen[c.Service] = true
				}
			}
		}
	}
	if len(seen) < 8 {
		t.Fatalf("only %d S10 services seen: %v", len(seen), seen)
	}
	for svc := range seen {
		key, ok := s10Services[svc]
		if !ok {
			t.Errorf("S10 service %q has no catalog key", svc)
		} else if got := en.T(key); got != svc {
			t.Errorf("S10 service %q reads %q in English (%s)", svc, got, key)
		}
	}
}
