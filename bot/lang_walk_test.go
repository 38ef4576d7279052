package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
)

// TestDemoStoriesInEveryLanguage plays every demo story through the real
// poller, advice sweep and SQLite for one chat per language, hour by story
// hour: every push and advice push (rendered at send time, as the notifier
// does), /status and /list of each parcel, and "Not received" on a
// delivered parcel. No message of a non-English chat may keep an English
// sentence (the carrier's own event texts excepted), and each language's
// status names appear.
func TestDemoStoriesInEveryLanguage(t *testing.T) {
	ctx := context.Background()
	w := newStoryWalk(t)
	store, clk, eng := w.store, w.clk, w.eng
	carrier := carrierWords(t)

	chats := map[int64]locale.Lang{}
	shown := map[locale.Lang][]string{}
	say := func(chat Chat, text string) {
		for _, r := range eng.HandleMessage(ctx, Message{Chat: chat, From: User{ID: chat.ID, Name: "Kim", Lang: string(chats[chat.ID])}, Text: text}) {
			shown[chats[chat.ID]] = append(shown[chats[chat.ID]], r.Text)
		}
	}
	for i, l := range locale.All {
		chat := Chat{ID: int64(7000 + i), Type: "private"}
		chats[chat.ID] = l
		for _, n := range demo.Numbers() {
			say(chat, "/track "+n)
		}
	}

	pushes := map[locale.Lang]int{}
	pressed := map[int64]bool{}
	for h := range 6 * 24 {
		w.tick(t, func(it storage.OutboxItem, r Reply) {
			l := chats[it.ChatID]
			pushes[l]++
			shown[l] = append(shown[l], r.Text)
			for _, row := range r.Buttons {
				for _, b := range row {
					shown[l] = append(shown[l], b.Text)
				}
			}
		})
		for id, l := range chats {
			chat := Chat{ID: id, Type: "private"}
			if h%12 == 0 {
				say(chat, "/list")
				for _, n := range demo.Numbers() {
					say(chat, "/status "+n)
				}
			}
			// DEMO6 is marked delivered and never turns up: press "Not received".
			subs, _ := store.FindSubscriptions(ctx, id, "DEMO6")
			if len(subs) == 1 && subs[0].Shipment.Status == tracker.StatusDelivered && !pressed[id] {
				pressed[id] = true
				res := eng.HandleClick(ctx, Click{Chat: chat, From: User{ID: id}, Data: CallbackData(ActNotReceived, subs[0].ID, "")})
				shown[l] = append(shown[l], res.Answer)
			}
		}
		clk.Add(time.Hour)
	}

	for _, l := range locale.All {
		all := strings.Join(shown[l], "\n")
		if pushes[l] < 15 {
			t.Errorf("%s: only %d pushes", l, pushes[l])
		}
		pr := locale.For(l)
		for _, st := range []tracker.Status{tracker.StatusDelivered, tracker.StatusOutForDelivery, tracker.StatusCustoms, tracker.StatusAttemptFailed} {
			if !strings.Contains(all, statusTitle(pr, st)) {
				t.Errorf("%s: never said %q", l, statusTitle(pr, st))
			}
		}
		if !strings.Contains(all, pr.T("advice_not_received_check_title")) && !strings.Contains(all, pr.T("advice_not_received_investigate_title")) {
			t.Errorf("%s: no not-received advice shown", l)
		}
		n := 0
		for _, text := range shown[l] {
			for _, s := range englishSentences(withoutCarrierWords(text, carrier)) {
				n++
				if l != locale.EN && n < 20 {
					t.Errorf("%s: English left: %q\nin: %q", l, s, text)
				}
			}
		}
		if l == locale.EN && n < 50 {
			t.Errorf("the English chat shows only %d English sentences: is the scan blind?", n)
		}
	}
}
