package poller

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/notice"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
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
		kinds    []notice.ItemKind
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
			want{[]notice.ItemKind{itemStatus}, []tracker.Status{tracker.StatusOutForDelivery}}},
		"new exception without a status change": {polled, tracker.Result{Status: tracker.StatusInTransit, ETA: sameETA},
			[]tracker.Event{ev(time.Minute, tracker.StatusException, "Weather delay")},
			want{[]notice.ItemKind{itemEvent}, []tracker.Status{tracker.StatusException}}},
		"failed attempt and customs together, oldest first": {polled, tracker.Result{Status: tracker.StatusInTransit, ETA: sameETA},
			[]tracker.Event{ev(time.Minute, tracker.StatusAttemptFailed, "No one home"), ev(time.Hour, tracker.StatusCustoms, "Cleared")},
			want{[]notice.ItemKind{itemEvent, itemEvent}, []tracker.Status{tracker.StatusCustoms, tracker.StatusAttemptFailed}}},
		"status change to exception is told once": {polled, tracker.Result{Status: tracker.StatusException, ETA: sameETA,
			Events: []tracker.Event{ev(time.Minute, tracker.StatusException, "Damaged")}},
			[]tracker.Event{ev(time.Minute, tracker.StatusException, "Damaged")},
			want{[]notice.ItemKind{itemStatus}, []tracker.Status{tracker.StatusException}}},
		"ETA change": {polled, tracker.Result{Status: tracker.StatusInTransit, ETA: sameETA.AddDate(0, 0, 2)}, nil,
			want{[]notice.ItemKind{itemETA}, []tracker.Status{""}}},
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
			want{[]notice.ItemKind{itemFirst}, []tracker.Status{tracker.StatusDelivered}}},
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
				if it.Kind != tc.want.kinds[i] || it.Status != tc.want.statuses[i] {
					t.Errorf("item %d = kind %s status %q, want kind %s status %q", i, it.Kind, it.Status, tc.want.kinds[i], tc.want.statuses[i])
				}
			}
		})
	}
}

// TestParcelNotice: one notice for all followers, plain data with the
// state the poll left, keyed by the news so a retried poll queues nothing new.
func TestParcelNotice(t *testing.T) {
	before := storage.Shipment{ID: 3, Carrier: "ups", Number: "1ZTEST", Status: tracker.StatusInTransit, PolledAt: t0.Add(-time.Hour),
		LastEventAt: t0.Add(-2 * time.Hour), ETA: t0.Add(24 * time.Hour)}
	res := tracker.Result{Status: tracker.StatusOutForDelivery, ETA: t0.Add(6 * time.Hour), StatusText: "Loaded <on> truck",
		Events: []tracker.Event{
			{Time: t0.Add(-time.Minute), Status: tracker.StatusOutForDelivery, Description: "Loaded <on> truck & gone", Location: "Köln"},
			{Time: t0.Add(-2 * time.Hour), Status: tracker.StatusInTransit, Description: "Arrived", Location: "Köln"},
		}}
	n := parcelNotice(before, res, t0)
	if n == nil || n.Kind != string(notice.KindParcel) || !strings.HasPrefix(n.DedupeKey, "poll:3:") {
		t.Fatalf("notice = %+v", n)
	}
	var got notice.Parcel
	if err := notice.Decode(n.Payload, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 2 || got.Items[0].Kind != itemStatus || got.Items[0].Status != tracker.StatusOutForDelivery ||
		got.Items[1].Kind != itemETA || got.Status != tracker.StatusOutForDelivery || !got.ETA.Equal(res.ETA) ||
		!got.PrevETA.Equal(before.ETA) || got.Latest.Description != "Loaded <on> truck & gone" {
		t.Errorf("payload = %+v", got)
	}
	if strings.ContainsAny(n.Payload, "\n") && strings.Contains(n.Payload, "<b>") {
		t.Errorf("payload holds markup: %s", n.Payload)
	}
	if again := parcelNotice(before, res, t0.Add(time.Minute)); again.DedupeKey != n.DedupeKey {
		t.Errorf("same news, different keys: %q vs %q", again.DedupeKey, n.DedupeKey)
	}
	// Only the scan newer than the newest stored one is fresh.
	if fresh := freshEvents(before, res); len(fresh) != 1 || fresh[0].Status != tracker.StatusOutForDelivery {
		t.Errorf("fresh = %+v", fresh)
	}
	if n := parcelNotice(before, tracker.Result{Status: tracker.StatusInTransit, ETA: before.ETA, Events: res.Events[1:]}, t0); n != nil {
		t.Errorf("no news, notice %+v", n)
	}
}

func TestSettleNeverGoesBackOnAnOlderView(t *testing.T) {
	ofdStored := storage.Shipment{Status: tracker.StatusOutForDelivery, StatusText: "On vehicle", PolledAt: t0, LastEventAt: t0.Add(-time.Hour)}
	delivered := storage.Shipment{Status: tracker.StatusDelivered, PolledAt: t0, LastEventAt: t0.Add(-2 * time.Hour)}
	tests := map[string]struct {
		before storage.Shipment
		res    tracker.Result
		want   tracker.Status
	}{
		"an answer knowing only older scans keeps the stage": {ofdStored, tracker.Result{Status: tracker.StatusInTransit,
			Events: []tracker.Event{ev(3*time.Hour, tracker.StatusInTransit, "Departed"), ev(5*time.Hour, tracker.StatusInfoReceived, "Label")}}, tracker.StatusOutForDelivery},
		"a newer scan is a correction, taken": {delivered, tracker.Result{Status: tracker.StatusInTransit,
			Events: []tracker.Event{ev(time.Hour, tracker.StatusInTransit, "Delivery correction"), ev(2*time.Hour, tracker.StatusDelivered, "Delivered")}}, tracker.StatusInTransit},
		"the same newest scan is the same view": {ofdStored, tracker.Result{Status: tracker.StatusDelivered,
			Events: []tracker.Event{ev(time.Hour, tracker.StatusDelivered, "Delivered")}}, tracker.StatusDelivered},
		"undated scans say nothing of the view": {ofdStored, tracker.Result{Status: tracker.StatusInTransit,
			Events: []tracker.Event{{Status: tracker.StatusInTransit, Description: "In transit"}}}, tracker.StatusInTransit},
		"the first answer is taken as it is": {storage.Shipment{Status: tracker.StatusUnknown}, tracker.Result{Status: tracker.StatusInTransit,
			Events: []tracker.Event{ev(3*time.Hour, tracker.StatusInTransit, "Departed")}}, tracker.StatusInTransit},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := settle(tc.before, tc.res).Status; got != tc.want {
				t.Errorf("settle = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestRestartNeverMovesAParcelBack: the poller restarts on the same
// database, and the carrier's first answer after the restart is less
// advanced than what is stored — a carrier answering from an older view, or
// the demo carrier, whose stories live in the process. The parcel keeps its
// stage and nobody is told it went back.
func TestRestartNeverMovesAParcelBack(t *testing.T) {
	ctx := context.Background()
	statuses := func(e *env) []string {
		var out []string
		for _, it := range e.pending(t) {
			var p struct {
				Status string `json:"status"`
			}
			_ = json.Unmarshal([]byte(it.Payload), &p)
			out = append(out, p.Status)
		}
		return out
	}

	t.Run("a carrier answering from an older view", func(t *testing.T) {
		e := newEnv(t)
		num := s10("RR", 313, "DE")
		at := e.clock.Now()
		transit := seventeentest.Event{Time: at.Add(-5 * time.Hour), Description: "Departed", City: "Leipzig", Country: "DE", Stage: "Departure"}
		e.fake.SetShipment(num, seventeentest.Shipment{Status: "OutForDelivery", Events: []seventeentest.Event{
			{Time: at.Add(-time.Hour), Description: "Out for delivery", City: "Berlin", Country: "DE", Stage: "OutForDelivery"}, transit}})
		sub := e.follow(t, 900, num, "")
		e.p.Tick(ctx)
		if sh := e.shipment(t, sub.Shipment.ID); sh.Status != tracker.StatusOutForDelivery {
			t.Fatalf("before the restart: %s", sh.Status)
		}
		before := statuses(e)

		e.restart(t)
		e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit", Events: []seventeentest.Event{transit}})
		e.clock.Add(24 * time.Hour)
		if st := e.p.Tick(ctx); st.Polled != 1 {
			t.Fatalf("after the restart: %+v", st)
		}
		sh := e.shipment(t, sub.Shipment.ID)
		if sh.Status != tracker.StatusOutForDelivery || !sh.PolledAt.Equal(e.clock.Now()) {
			t.Errorf("after the restart: %s polled %v, want out for delivery, polled now", sh.Status, sh.PolledAt)
		}
		if after := statuses(e); len(after) != len(before) {
			t.Errorf("pushes %v after the restart, %v before: nothing changed", after, before)
		}
	})

	t.Run("the demo carrier restarted", func(t *testing.T) {
		e := newEnv(t)
		start := func() {
			d := demo.New(demo.Config{Now: e.clock.Now})
			e.p = New(Config{Store: e.store, Router: tracker.NewRouter(map[string]tracker.Client{"demo": d}, nil), Logger: quietLogger(),
				Now: e.clock.Now, Rand: func() float64 { return 0.5 }, BaseInterval: time.Minute})
			resume(e.p.cfg.Router, e.store)
		}
		start()
		sub := e.followOn(t, 901, "demo", "DEMO1")
		e.p.Tick(ctx)
		// DEMO1 is out for delivery from 500 s of real time to 537.
		e.clock.Add(510 * time.Second)
		e.p.Tick(ctx)
		if sh := e.shipment(t, sub.Shipment.ID); sh.Status != tracker.StatusOutForDelivery {
			t.Fatalf("before the restart: %s", sh.Status)
		}
		before := statuses(e)

		e.restart(t)
		start()
		e.clock.Add(16 * time.Second) // the out-for-delivery poll is due; the story is still there
		if st := e.p.Tick(ctx); st.Polled != 1 {
			t.Fatalf("after the restart: %+v", st)
		}
		if sh := e.shipment(t, sub.Shipment.ID); sh.Status != tracker.StatusOutForDelivery {
			t.Errorf("after the restart: %s, want still out for delivery", sh.Status)
		}
		if after := statuses(e); len(after) != len(before) {
			t.Errorf("pushes %v after the restart, %v before: nothing changed", after, before)
		}
	})
}

// resume is what `trackbot run` and the console do (resumeDemo): the demo
// carrier resumes its stories from the database.
func resume(r *tracker.Router, st *storage.Store) {
	c, _ := r.ClientFor("demo")
	c.(*demo.Client).ResumeFrom(st.FirstEventAt)
}
