package bot

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/notice"
)

var nt0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

// garbling are characters a carrier's (or an old label's) text may carry
// that would garble a push: controls and bidi overrides/isolates.
var garbling = []string{"\x00", "\x1b", "\u0085", "\u202E", "\u202D", "\u2066", "\u2067", "\u2069", "\u2028"}

func checkClean(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, g := range garbling {
		if strings.Contains(got, g) {
			t.Errorf("push keeps %q:\n%q", g, got)
		}
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("push lacks %q:\n%s", w, got)
		}
	}
	if _, err := checkHTML(got); err != nil {
		t.Errorf("push is not well-formed HTML (%v):\n%s", err, got)
	}
}

// noticeEngine is an engine on a real store with one followed UPS parcel.
func noticeEngine(t *testing.T, label string) (*Engine, storage.Subscription) {
	t.Helper()
	ctx := context.Background()
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "notice.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	eng := newEngine(store, router, true, 0, slog.New(slog.DiscardHandler), func() time.Time { return nt0 })
	if err := store.TouchChat(ctx, storage.Chat{ID: 100, Type: "private", Active: true}); err != nil {
		t.Fatal(err)
	}
	sub, _, err := store.Subscribe(ctx, storage.SubscribeParams{ChatID: 100, Carrier: "ups", Number: "1ZTEST", Label: label, Now: nt0.Add(-48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return eng, sub
}

// render queues n for the parcel and renders it as the notifier would.
func renderNotice(t *testing.T, eng *Engine, sub storage.Subscription, n notice.Parcel) Reply {
	t.Helper()
	ctx := context.Background()
	if _, err := eng.store.Enqueue(ctx, storage.OutboxMessage{ChatID: sub.ChatID, SubscriptionID: sub.ID, DedupeKey: t.Name(),
		Kind: string(notice.KindParcel), Payload: notice.Encode(n)}); err != nil {
		t.Fatal(err)
	}
	items, err := eng.store.PendingOutbox(ctx, nt0, 0)
	if err != nil || len(items) == 0 {
		t.Fatalf("pending: %v, %v", items, err)
	}
	r, ok, err := eng.RenderOutbox(ctx, items[len(items)-1])
	if !ok || err != nil {
		t.Fatalf("render: %v, %v", ok, err)
	}
	return r
}

// TestPushesCleanCarrierText: pushes show carrier and label text without
// controls or direction overrides, still escaped.
func TestPushesCleanCarrierText(t *testing.T) {
	tests := map[string]struct {
		n     notice.Parcel
		label string
		want  []string
	}{
		"event description and location": {
			n: notice.Parcel{Status: tracker.StatusAttemptFailed, Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusAttemptFailed,
				Event: tracker.Event{Time: nt0.Add(-time.Minute), Status: tracker.StatusAttemptFailed,
					Description: "Nobody\x00 home \u202Eroob <tnorf>\u202C", Location: "\u2067Köln\u2069\x1b[0m"}}}},
			want: []string{"Nobody  home roob &lt;tnorf&gt;", "📍 Köln [0m"},
		},
		"status text as the fallback": {
			n: notice.Parcel{Status: tracker.StatusException, StatusText: "Held\u2028at\u0085depot",
				Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusException, Event: tracker.Event{Status: tracker.StatusException}}}},
			want: []string{"Held at depot"},
		},
		"a label stored before labels were cleaned": {
			n: notice.Parcel{Status: tracker.StatusOutForDelivery, Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusOutForDelivery,
				Event: tracker.Event{Time: nt0, Status: tracker.StatusOutForDelivery, Description: "On vehicle"}}}},
			label: "\u202Eshoes & <socks>",
			want:  []string{" — shoes &amp; &lt;socks&gt;"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			eng, sub := noticeEngine(t, "")
			if tc.label != "" {
				// Stored raw, as an old version would have.
				if err := eng.store.RenameSubscription(context.Background(), sub.ID, tc.label); err != nil {
					t.Fatal(err)
				}
			}
			checkClean(t, renderNotice(t, eng, sub, tc.n).Text, tc.want...)
		})
	}
}

func TestRenderSaysWhatHappenedAndWhatToDo(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	eta := time.Date(2026, 3, 11, 0, 0, 0, 0, cet)
	tests := map[string]struct {
		n       notice.Parcel
		want    []string
		not     []string
		buttons []string
	}{
		"delivered points at the buttons": {
			n: notice.Parcel{Status: tracker.StatusDelivered, Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusDelivered,
				Event: tracker.Event{Time: time.Date(2026, 3, 10, 9, 15, 0, 0, cet), Status: tracker.StatusDelivered, Description: "Left at front door", Location: "Leipzig, DE"}}}},
			// No zone set: the chat's times are UTC, and say so.
			want:    []string{"✅ <b>Delivered</b>", "Left at front door", "📍 Leipzig, DE · today 08:15 UTC", "then tap “Not received”"},
			not:     []string{"Expected"},
			buttons: []string{"👍 Got it", "📭 Not received"},
		},
		"collected from the locker: no look-around": {
			n: notice.Parcel{Status: tracker.StatusDelivered, Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusDelivered,
				Event: tracker.Event{Time: nt0.Add(-time.Hour), Status: tracker.StatusDelivered, Description: "Collected from Demo Locker 214 by the recipient"}}},
				Latest: tracker.Event{Time: nt0.Add(-time.Hour), Status: tracker.StatusDelivered, Description: "Collected from Demo Locker 214 by the recipient"}},
			want:    []string{"in the recipient&#39;s hands"},
			not:     []string{"Not there?", "Not received"},
			buttons: []string{"👍 Got it"},
		},
		"exception says what to do": {
			n: notice.Parcel{Status: tracker.StatusException, ETA: eta, Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusException,
				Event: tracker.Event{Time: time.Date(2026, 3, 9, 18, 0, 0, 0, cet), Status: tracker.StatusException, Description: "Weather delay"}}}},
			want: []string{"⚠️ <b>Exception</b>", "Weather delay\n🕒 yesterday 17:00 UTC", "Expected tomorrow (Wed 11 Mar)", "👉 Something held it up"},
		},
		"customs asking for duties asks you to act": {
			n: notice.Parcel{Status: tracker.StatusCustoms, ETA: eta, Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusCustoms,
				Event: tracker.Event{Time: time.Date(2026, 3, 10, 8, 0, 0, 0, cet), Status: tracker.StatusCustoms, Description: "Held: import duties to pay"}}},
				Latest: tracker.Event{Status: tracker.StatusCustoms, Description: "Held: import duties to pay"}},
			want: []string{"🛃 <b>In customs</b>", "👉 Action needed from you"},
			not:  []string{"nothing to do"},
		},
		"a later delivery date says what it was": {
			n:    notice.Parcel{Status: tracker.StatusInTransit, ETA: time.Date(2026, 3, 16, 0, 0, 0, 0, cet), PrevETA: eta, Items: []notice.Item{{Kind: notice.ItemETA, ETA: time.Date(2026, 3, 16, 0, 0, 0, 0, cet)}}},
			want: []string{"🗓 <b>New delivery date</b>", "Expected Mon 16 Mar (was tomorrow (Wed 11 Mar))", "👉 On its way"},
		},
		"out for delivery with an ETA of tomorrow arrives today": {
			n: notice.Parcel{Status: tracker.StatusOutForDelivery, ETA: eta, Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusOutForDelivery,
				Event: tracker.Event{Time: nt0.Add(-time.Minute), Status: tracker.StatusOutForDelivery, Description: "Loaded <on> truck & gone", Location: "Köln"}}}},
			want: []string{"Loaded &lt;on&gt; truck &amp; gone", "📍 Köln · today 11:59 UTC", "Expected today", "👉 Arriving today"},
			not:  []string{"tomorrow"},
		},
		"three days past the ETA is late, with whom to contact": {
			n: notice.Parcel{Status: tracker.StatusInTransit, ETA: time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC), Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusInTransit,
				Event: tracker.Event{Time: nt0.Add(-time.Hour), Status: tracker.StatusInTransit, Description: "Departed facility"}}}},
			want: []string{"⏰ Expected Sat 7 Mar — 3 days late", "👉 Contact UPS customer service now", `<a href="https://`},
			not:  []string{"Nothing to do"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			eng, sub := noticeEngine(t, "")
			r := renderNotice(t, eng, sub, tc.n)
			checkClean(t, r.Text, tc.want...)
			for _, w := range tc.not {
				if strings.Contains(r.Text, w) {
					t.Errorf("push should not contain %q:\n%s", w, r.Text)
				}
			}
			if tc.buttons != nil {
				var got []string
				for _, row := range r.Buttons {
					for _, b := range row {
						got = append(got, b.Text)
					}
				}
				if strings.Join(got, "|") != strings.Join(tc.buttons, "|") {
					t.Errorf("buttons %v, want %v", got, tc.buttons)
				}
			}
		})
	}
}

// A rename between queueing and sending shows the new name; a parcel
// stopped meanwhile sends nothing.
func TestNoticeRenderedAtSendTime(t *testing.T) {
	ctx := context.Background()
	eng, sub := noticeEngine(t, "old name")
	n := notice.Parcel{Status: tracker.StatusInTransit, Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusInTransit,
		Event: tracker.Event{Time: nt0, Status: tracker.StatusInTransit, Description: "Departed"}}}}
	if _, err := eng.store.Enqueue(ctx, storage.OutboxMessage{ChatID: sub.ChatID, SubscriptionID: sub.ID, DedupeKey: "k",
		Kind: string(notice.KindParcel), Payload: notice.Encode(n)}); err != nil {
		t.Fatal(err)
	}
	if err := eng.store.RenameSubscription(ctx, sub.ID, "<new> name"); err != nil {
		t.Fatal(err)
	}
	items, _ := eng.store.PendingOutbox(ctx, nt0, 0)
	r, ok, err := eng.RenderOutbox(ctx, items[0])
	if !ok || err != nil || !strings.Contains(r.Text, " — &lt;new&gt; name") || strings.Contains(r.Text, "old name") {
		t.Fatalf("rendered %v %v:\n%s", ok, err, r.Text)
	}
	if err := eng.store.Unsubscribe(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	// Stopping drops the parcel's queued notices, or they render to nothing.
	items, _ = eng.store.PendingOutbox(ctx, nt0, 0)
	for _, it := range items {
		if _, ok, err := eng.RenderOutbox(ctx, it); ok || err != nil {
			t.Fatalf("stopped parcel: ok %v, err %v; want nothing to send", ok, err)
		}
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
