package poller

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func ev(ago time.Duration, st tracker.Status, desc string) tracker.Event {
	return tracker.Event{Time: t0.Add(-ago), Status: st, Description: desc, Location: "Leipzig, DE"}
}

func TestSettle(t *testing.T) {
	tests := map[string]struct {
		before tracker.Status
		res    tracker.Result
		want   tracker.Status
	}{
		"delivered wins over a later out-for-delivery scan": {tracker.StatusInTransit, tracker.Result{Status: tracker.StatusOutForDelivery,
			Events: []tracker.Event{ev(time.Hour, tracker.StatusOutForDelivery, "On vehicle"), ev(2*time.Hour, tracker.StatusDelivered, "Delivered")}}, tracker.StatusDelivered},
		"stored delivered wins over out-for-delivery": {tracker.StatusDelivered, tracker.Result{Status: tracker.StatusOutForDelivery}, tracker.StatusDelivered},
		"out for delivery stands alone":               {tracker.StatusInTransit, tracker.Result{Status: tracker.StatusOutForDelivery}, tracker.StatusOutForDelivery},
		"carrier forgetting a known parcel":           {tracker.StatusInTransit, tracker.Result{Status: tracker.StatusNotFound}, tracker.StatusInTransit},
		"not found stays not found":                   {tracker.StatusUnknown, tracker.Result{Status: tracker.StatusNotFound}, tracker.StatusNotFound},
		"a correction after delivery is taken":        {tracker.StatusDelivered, tracker.Result{Status: tracker.StatusInTransit}, tracker.StatusInTransit},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := settle(storage.Shipment{Status: tc.before}, tc.res).Status
			if got != tc.want {
				t.Errorf("settle = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestNews(t *testing.T) {
	polled := storage.Shipment{ID: 7, Carrier: "s10", Number: "RA000000013DE", Status: tracker.StatusInTransit, PolledAt: t0.Add(-time.Hour),
		ETA: time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)}
	sameETA := polled.ETA
	type want struct {
		kinds    []itemKind
		statuses []tracker.Status
	}
	tests := map[string]struct {
		before storage.Shipment
		res    tracker.Result
		fresh  []tracker.Event
		want   want
	}{
		"nothing new": {polled, tracker.Result{Status: tracker.StatusInTransit, ETA: sameETA,
			Events: []tracker.Event{ev(3*time.Hour, tracker.StatusInTransit, "Departed")}}, nil, want{}},
		"a new in-transit scan is not news": {polled, tracker.Result{Status: tracker.StatusInTransit, ETA: sameETA,
			Events: []tracker.Event{ev(time.Minute, tracker.StatusInTransit, "Arrived")}},
			[]tracker.Event{ev(time.Minute, tracker.StatusInTransit, "Arrived")}, want{}},
		"status change": {polled, tracker.Result{Status: tracker.StatusOutForDelivery, ETA: sameETA,
			Events: []tracker.Event{ev(time.Minute, tracker.StatusOutForDelivery, "On vehicle")}},
			[]tracker.Event{ev(time.Minute, tracker.StatusOutForDelivery, "On vehicle")},
			want{[]itemKind{itemStatus}, []tracker.Status{tracker.StatusOutForDelivery}}},
		"new exception without a status change": {polled, tracker.Result{Status: tracker.StatusInTransit, ETA: sameETA},
			[]tracker.Event{ev(time.Minute, tracker.StatusException, "Weather delay")},
			want{[]itemKind{itemEvent}, []tracker.Status{tracker.StatusException}}},
		"failed attempt and customs together, oldest first": {polled, tracker.Result{Status: tracker.StatusInTransit, ETA: sameETA},
			[]tracker.Event{ev(time.Minute, tracker.StatusAttemptFailed, "No one home"), ev(time.Hour, tracker.StatusCustoms, "Cleared")},
			want{[]itemKind{itemEvent, itemEvent}, []tracker.Status{tracker.StatusCustoms, tracker.StatusAttemptFailed}}},
		"status change to exception is told once": {polled, tracker.Result{Status: tracker.StatusException, ETA: sameETA,
			Events: []tracker.Event{ev(time.Minute, tracker.StatusException, "Damaged")}},
			[]tracker.Event{ev(time.Minute, tracker.StatusException, "Damaged")},
			want{[]itemKind{itemStatus}, []tracker.Status{tracker.StatusException}}},
		"ETA change": {polled, tracker.Result{Status: tracker.StatusInTransit, ETA: sameETA.AddDate(0, 0, 2)}, nil,
			want{[]itemKind{itemETA}, []tracker.Status{""}}},
		"exception older than a week is history": {polled, tracker.Result{Status: tracker.StatusInTransit, ETA: sameETA},
			[]tracker.Event{ev(8*24*time.Hour, tracker.StatusException, "Old delay")}, want{}},
		"status change whose scan is older than a week is history": {polled, tracker.Result{Status: tracker.StatusDelivered,
			Events: []tracker.Event{ev(9*24*time.Hour, tracker.StatusDelivered, "Delivered")}},
			[]tracker.Event{ev(9*24*time.Hour, tracker.StatusDelivered, "Delivered")}, want{}},
		"first seen delivered: reported once, not replayed": {storage.Shipment{ID: 7, Carrier: "s10", Number: "RA000000013DE", Status: tracker.StatusUnknown},
			tracker.Result{Status: tracker.StatusDelivered, Events: []tracker.Event{
				ev(20*24*time.Hour, tracker.StatusDelivered, "Delivered"), ev(21*24*time.Hour, tracker.StatusException, "Delay"),
				ev(22*24*time.Hour, tracker.StatusCustoms, "Customs")}},
			[]tracker.Event{ev(20*24*time.Hour, tracker.StatusDelivered, "Delivered"), ev(21*24*time.Hour, tracker.StatusException, "Delay"),
				ev(22*24*time.Hour, tracker.StatusCustoms, "Customs")},
			want{[]itemKind{itemFirst}, []tracker.Status{tracker.StatusDelivered}}},
		"first look at an unknown number says nothing": {storage.Shipment{ID: 7, Status: tracker.StatusUnknown},
			tracker.Result{Status: tracker.StatusNotFound}, nil, want{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := news(tc.before, tc.res, tc.fresh, t0)
			if len(got) != len(tc.want.kinds) {
				t.Fatalf("news = %+v, want kinds %v", got, tc.want.kinds)
			}
			for i, it := range got {
				if it.kind != tc.want.kinds[i] || it.status != tc.want.statuses[i] {
					t.Errorf("item %d = kind %d status %q, want kind %d status %q", i, it.kind, it.status, tc.want.kinds[i], tc.want.statuses[i])
				}
			}
		})
	}
}

func TestComposeRendersOneEscapedMessagePerFollower(t *testing.T) {
	before := storage.Shipment{ID: 3, Carrier: "ups", Number: "1ZTEST", Status: tracker.StatusInTransit, PolledAt: t0.Add(-time.Hour)}
	res := tracker.Result{Status: tracker.StatusOutForDelivery, ETA: t0.Add(6 * time.Hour),
		Events: []tracker.Event{{Time: t0.Add(-time.Minute), Status: tracker.StatusOutForDelivery, Description: "Loaded <on> truck & gone", Location: "Köln"}}}
	fresh := res.Events
	followers := []storage.Subscription{{ID: 11, ChatID: 100, Label: "<b>shoes</b>"}, {ID: 12, ChatID: -200}}
	msgs := composer{now: t0}.compose(res)(before, fresh, followers)
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2", len(msgs))
	}
	m := msgs[0]
	for _, want := range []string{"Out for delivery", "UPS", "&lt;b&gt;shoes&lt;/b&gt;", "Loaded &lt;on&gt; truck &amp; gone", "📍 Köln · today 11:59 UTC", "Expected today", "👉 Arriving today",
		`href="https://www.ups.com/track?loc=en_US&amp;tracknum=1ZTEST"`} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if strings.Contains(m.Text, "<b>shoes") {
		t.Errorf("label not escaped:\n%s", m.Text)
	}
	if m.SubscriptionID != 11 || m.ChatID != 100 || msgs[1].ChatID != -200 {
		t.Errorf("messages addressed wrongly: %+v", msgs)
	}
	if !strings.HasPrefix(m.DedupeKey, "poll:3:100:") || m.DedupeKey == msgs[1].DedupeKey {
		t.Errorf("dedupe keys %q %q", m.DedupeKey, msgs[1].DedupeKey)
	}
	// The same change composed again (a retried poll) has the same key.
	again := composer{now: t0.Add(time.Minute)}.compose(res)(before, fresh, followers[:1])
	if again[0].DedupeKey != m.DedupeKey {
		t.Errorf("same change, different keys: %q vs %q", again[0].DedupeKey, m.DedupeKey)
	}
	var kb inlineKeyboard
	if err := json.Unmarshal([]byte(m.Markup), &kb); err != nil || kb.InlineKeyboard[0][0].URL == "" || kb.InlineKeyboard[0][0].Text != "Open UPS page" {
		t.Errorf("markup %s (%v)", m.Markup, err)
	}
}

func TestMarkupAfterDelivery(t *testing.T) {
	got := markup(storage.Shipment{Carrier: "ups", Number: "1ZTEST"}, tracker.StatusDelivered, 42)
	want := `{"inline_keyboard":[[{"text":"Got it","callback_data":"got:42"},{"text":"Not received","callback_data":"nr:42"}]]}`
	if got != want {
		t.Errorf("markup = %s\nwant %s", got, want)
	}
	if got := markup(storage.Shipment{Carrier: "demo", Number: "DEMO1"}, tracker.StatusInTransit, 42); got != "" {
		t.Errorf("carrier without page: markup %s, want none", got)
	}
}

func TestRenderSaysWhatHappenedAndWhatToDo(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	before := storage.Shipment{ID: 3, Carrier: "ups", Number: "1ZTEST", Status: tracker.StatusInTransit, PolledAt: t0.Add(-time.Hour),
		ETA: time.Date(2026, 3, 11, 0, 0, 0, 0, cet)}
	tests := map[string]struct {
		res   tracker.Result
		fresh []tracker.Event
		subID int64
		want  []string
		not   []string
	}{
		"delivered points at the buttons": {
			res: tracker.Result{Status: tracker.StatusDelivered, Events: []tracker.Event{
				{Time: time.Date(2026, 3, 10, 9, 15, 0, 0, cet), Status: tracker.StatusDelivered, Description: "Left at front door", Location: "Leipzig, DE"}}},
			subID: 5,
			want:  []string{"✅ <b>Delivered</b>", "Left at front door", "📍 Leipzig, DE · today 09:15", "then tap “Not received”"},
			not:   []string{"Expected", "UTC"},
		},
		"exception without a status change says what to do": {
			res: tracker.Result{Status: tracker.StatusInTransit, ETA: before.ETA},
			fresh: []tracker.Event{{Time: time.Date(2026, 3, 9, 18, 0, 0, 0, cet), Status: tracker.StatusException,
				Description: "Weather delay"}},
			want: []string{"⚠️ <b>Exception</b>", "Weather delay\n🕒 yesterday 18:00", "Expected tomorrow (Wed 11 Mar)", "👉 Something held it up"},
			not:  []string{"Exception</b>\n⚠️"},
		},
		"customs asking for duties asks you to act": {
			res: tracker.Result{Status: tracker.StatusCustoms, ETA: before.ETA, Events: []tracker.Event{
				{Time: time.Date(2026, 3, 10, 8, 0, 0, 0, cet), Status: tracker.StatusCustoms, Description: "Held: import duties to pay"}}},
			want: []string{"🛃 <b>In customs</b>", "👉 Action needed from you"},
			not:  []string{"nothing to do"},
		},
		"a later delivery date says what it was": {
			res:  tracker.Result{Status: tracker.StatusInTransit, ETA: time.Date(2026, 3, 16, 0, 0, 0, 0, cet)},
			want: []string{"🗓 <b>New delivery date</b>", "Expected Mon 16 Mar (was tomorrow (Wed 11 Mar))"},
			not:  []string{"👉"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			items := news(before, tc.res, tc.fresh, t0)
			if len(items) == 0 {
				t.Fatal("no news")
			}
			got := render(before, tc.res, "", items, tc.subID, t0)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("push lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("push should not contain %q:\n%s", w, got)
				}
			}
		})
	}
}
