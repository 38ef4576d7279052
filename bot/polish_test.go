package bot

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/notice"
)

// TestConversationPolish walks the flows a new user meets first: small
// talk, a pasted list of numbers, the same list again, an Amazon order
// number and the list of parcels.
func TestConversationPolish(t *testing.T) {
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

func TestRenderStatus(t *testing.T) {
	pst := time.FixedZone("PST", -8*3600)
	now := time.Date(2026, 3, 12, 20, 0, 0, 0, time.UTC) // 12:00 in Portland
	r := tracker.Result{Number: "DEMO1", Carrier: "demo", Status: tracker.StatusOutForDelivery, StatusText: "On vehicle <for> delivery",
		ETA: time.Date(2026, 3, 13, 0, 0, 0, 0, pst),
		Events: []tracker.Event{
			{Time: time.Date(2026, 3, 12, 7, 30, 0, 0, pst), Status: tracker.StatusOutForDelivery, Description: "On vehicle <for> delivery", Location: "Portland, OR"},
			{Time: time.Date(2026, 3, 11, 22, 10, 0, 0, pst), Status: tracker.StatusInTransit, Description: "Arrived at facility", Location: "Portland, OR"},
			{Time: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Status: tracker.StatusInTransit, Description: "Departed", Location: ""},
		}}
	eng, _ := noticeEngine(t, "")
	sub := storage.Subscription{CreatedAt: now, Shipment: withResult(storage.Shipment{Carrier: "demo", Number: "DEMO1", PolledAt: now}, r)}
	got := eng.renderStatus(sub, r.Events, view{now: now}, false)
	for _, want := range []string{
		"🛵 <b>Out for delivery</b>", "On vehicle &lt;for&gt; delivery", "🗓 Expected today",
		"• today 07:30 — On vehicle &lt;for&gt; delivery, Portland, OR",
		"• yesterday 22:10 — Arrived at facility",
		"• last Tue 09:00 UTC — Departed",
		"👉 Arriving today",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("look-up lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "tomorrow") {
		t.Errorf("out for delivery yet expected tomorrow:\n%s", got)
	}
	// A long timeline folds into an expandable quote.
	var many []tracker.Event
	for i := range 12 {
		many = append(many, tracker.Event{Time: now.Add(-time.Duration(i) * time.Hour), Status: tracker.StatusInTransit, Description: "Scan <" + strconv.Itoa(i) + ">"})
	}
	long := eng.renderStatus(sub, many, view{now: now}, false)
	if !strings.Contains(long, "<blockquote expandable>") || !strings.Contains(long, "Scan &lt;11&gt;") {
		t.Errorf("long timeline:\n%s", long)
	}
}

func TestRenderAdviceNamesWhomToContact(t *testing.T) {
	ctx := context.Background()
	eng, sub := noticeEngine(t, "<mum's> lamp")
	delivered := nt0.Add(-72 * time.Hour)
	if _, err := eng.store.RecordPoll(ctx, storage.PollRecord{ShipmentID: sub.Shipment.ID, PolledAt: delivered, NextPollAt: nt0,
		Result: tracker.Result{Status: tracker.StatusDelivered, Events: []tracker.Event{{Time: delivered, Status: tracker.StatusDelivered, Description: "Delivered"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := eng.store.MarkNotReceived(ctx, sub.ID, delivered.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.store.Enqueue(ctx, storage.OutboxMessage{ChatID: sub.ChatID, SubscriptionID: sub.ID, DedupeKey: "a",
		Kind: string(notice.KindAdvice), Payload: notice.Encode(notice.Advice{Rule: advice.RuleNotReceived})}); err != nil {
		t.Fatal(err)
	}
	items, _ := eng.store.PendingOutbox(ctx, nt0, 0)
	r, ok, err := eng.RenderOutbox(ctx, items[0])
	if !ok || err != nil {
		t.Fatal(ok, err)
	}
	for _, want := range []string{"<b>Delivered but still missing</b> — &lt;mum&#39;s&gt; lamp",
		`☎️ Whom to contact: <a href="https://`, ">UPS customer service</a>"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("advice lacks %q:\n%s", want, r.Text)
		}
	}
	// Advice that no longer applies (the rule is for a parcel in transit)
	// is not sent.
	if _, err := eng.store.Enqueue(ctx, storage.OutboxMessage{ChatID: sub.ChatID, SubscriptionID: sub.ID, DedupeKey: "b",
		Kind: string(notice.KindAdvice), Payload: notice.Encode(notice.Advice{Rule: advice.RuleStalled})}); err != nil {
		t.Fatal(err)
	}
	items, _ = eng.store.PendingOutbox(ctx, nt0, 0)
	if _, ok, err := eng.RenderOutbox(ctx, items[1]); ok || err != nil {
		t.Errorf("stale advice: ok %v, err %v", ok, err)
	}
}

// A push queued for the console shows its buttons, and they work.
func TestConsolePushButtons(t *testing.T) {
	ctx := context.Background()
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.TouchChat(ctx, storage.Chat{ID: ConsoleChatID, Type: "private", Active: true}); err != nil {
		t.Fatal(err)
	}
	sub, _, err := store.Subscribe(ctx, storage.SubscribeParams{ChatID: ConsoleChatID, Carrier: "demo", Number: "DEMO6", Label: "lamp", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	markup := fmt.Sprintf(`{"inline_keyboard":[[{"text":"Got it","callback_data":"%s"},{"text":"Not received","callback_data":"%s"}]]}`,
		CallbackData(ActGotIt, sub.ID, ""), CallbackData(ActNotReceived, sub.ID, ""))
	if _, err := store.Enqueue(ctx, storage.OutboxMessage{ChatID: ConsoleChatID, SubscriptionID: sub.ID, DedupeKey: "t:1",
		Text: "✅ <b>Delivered</b> — lamp", Markup: markup}); err != nil {
		t.Fatal(err)
	}
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	var out bytes.Buffer
	in := strings.NewReader("1\n/list\n/quit\n")
	if err := RunConsole(ctx, ConsoleConfig{Store: store, Router: router, In: in, Out: &out}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"🔔 ✅ Delivered — lamp", "[1] Got it [2] Not received", "lamp arrived", "not following anything here"} {
		if !strings.Contains(text, want) {
			t.Errorf("console output lacks %q:\n%s", want, text)
		}
	}
}
