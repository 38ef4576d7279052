package poller

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

// TestOnePollsNewsIsOneMessagePerChat: a customs scan, a failed attempt and
// a new delivery date that arrive in one poll reach each following chat as
// ONE message that tells all three, through the real client, poller and
// SQLite outbox.
func TestOnePollsNewsIsOneMessagePerChat(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	num := s10("RK", 5150, "DE")
	e.follow(t, 900, num, "tea set")
	e.follow(t, -901, num, "")
	base := e.clock.Now()
	eta := time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)
	departed := seventeentest.Event{Time: base.Add(-5 * time.Hour), Description: "Departed hub", City: "Leipzig", Country: "DE", Stage: "Departure"}
	e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit", ETA: eta, Events: []seventeentest.Event{departed}})
	if st := e.p.Tick(ctx); st.Messages != 2 {
		t.Fatalf("first look: %+v, want 2 messages", st)
	}
	before := len(e.pending(t))

	e.clock.Add(time.Hour)
	e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit", SubStatus: "InTransit_Other", ETA: eta.AddDate(0, 0, 3), Events: []seventeentest.Event{
		{Time: e.clock.Now().Add(-10 * time.Minute), Description: "Recipient not at home", City: "Berlin", Country: "DE", SubStatus: "DeliveryFailure_NoBody"},
		{Time: e.clock.Now().Add(-40 * time.Minute), Description: "Held for customs inspection", City: "Frankfurt", Country: "DE", SubStatus: "InTransit_CustomsProcessing"},
		departed,
	}})
	if st := e.p.Tick(ctx); st.Polled != 1 || st.Messages != 2 {
		t.Fatalf("news tick: %+v, want 1 polled and 1 message per chat", st)
	}
	items := e.pending(t)[before:]
	per := map[int64]int{}
	for _, it := range items {
		per[it.ChatID]++
		for _, want := range []string{"Held for customs inspection", "Recipient not at home", "Expected Sun 15 Mar"} {
			if !strings.Contains(it.Text, want) {
				t.Errorf("chat %d: the one message lacks %q:\n%s", it.ChatID, want, it.Text)
			}
		}
		// Oldest first: customs before the failed attempt.
		if i, j := strings.Index(it.Text, "customs inspection"), strings.Index(it.Text, "not at home"); i > j {
			t.Errorf("chat %d: events out of order:\n%s", it.ChatID, it.Text)
		}
	}
	if len(items) != 2 || per[900] != 1 || per[-901] != 1 {
		t.Errorf("queued %d messages (%v), want exactly one per chat", len(items), per)
	}
}

// TestSlowCarrierTimesOutAndBacksOff: a carrier that answers after the
// client's timeout gives the tick a clean failure (no hang, no push) and the
// shipment is put off by the failure back-off rather than retried next tick.
func TestSlowCarrierTimesOutAndBacksOff(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	num := s10("RL", 6161, "DE")
	sub := e.follow(t, 910, num, "")
	e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit"})
	e.fake.SetDelay(3 * time.Second)

	client := seventeen.New(seventeen.Config{BaseURL: e.fake.URL(), APIKey: seventeentest.APIKey, Rate: 1000,
		Timeout: 50 * time.Millisecond, Logger: quietLogger(), Now: e.clock.Now})
	p := New(Config{Store: e.store, Router: tracker.NewRouter(nil, client), Logger: quietLogger(),
		Now: e.clock.Now, Rand: func() float64 { return 0.5 }})

	start := time.Now()
	st := p.Tick(ctx)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("tick took %v against a 50ms client timeout", d)
	}
	if st.Polled != 0 || st.Failed != 1 || st.Messages != 0 {
		t.Fatalf("tick against a slow carrier: %+v, want 1 failed, nothing queued", st)
	}
	s := e.shipment(t, sub.Shipment.ID)
	if s.Failures != 1 {
		t.Errorf("failures = %d, want 1", s.Failures)
	}
	if got, want := s.NextPollAt.Sub(e.clock.Now()), failureBackoff(DefaultBaseInterval, 1); got != want {
		t.Errorf("next poll in %v, want the back-off %v", got, want)
	}
	if due := mustDue(t, e); len(due) != 0 {
		t.Errorf("shipment due again at once after a timeout: %+v", due)
	}
	if n := len(e.pending(t)); n != 0 {
		t.Errorf("%d messages queued for a timeout", n)
	}
}
