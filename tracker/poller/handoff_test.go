package poller

import (
	"context"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker/notice"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

// uspsIMpb builds a USPS IMpb (construct N) number with its check digit.
func uspsIMpb(serial string) string {
	s := "94001" + "9" + serial
	sum := 0
	for i := 0; i < len(s); i++ { // weights 3,1 from the right
		d := int(s[len(s)-1-i] - '0')
		if i%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return s + string(rune('0'+(10-sum%10)%10))
}

func TestHandOffFollowsTheNewNumber(t *testing.T) { storagetest.Each(t, testHandOff) }

// International post hands the parcel to USPS with a number of its own:
// every chat is told once, follows the new number from then on, and the
// old number is polled no more.
func testHandOff(t *testing.T, eng storagetest.Engine) {
	e := newEnvOn(t, eng)
	ctx := context.Background()
	num := s10("LX", 12345678, "CN")
	local := uspsIMpb("123456780000001")
	sub := e.follow(t, 100, num, "lamp")
	e.follow(t, -200, num, "")
	base := e.clock.Now()
	e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit", Provider: "China Post",
		LocalNumber: local, LocalProvider: "USPS",
		Events: []seventeentest.Event{{Time: base.Add(-time.Hour), Description: "Arrived at destination country", Country: "US"}}})
	e.fake.SetShipment(local, seventeentest.Shipment{Status: "OutForDelivery", Provider: "USPS",
		Events: []seventeentest.Event{{Time: base.Add(-10 * time.Minute), Description: "Out for delivery", City: "Reno", State: "NV", Country: "US"}}})

	e.p.Tick(ctx)
	var handoffs []notice.Handoff
	for _, it := range e.pending(t) {
		if it.Kind == string(notice.KindHandoff) {
			var h notice.Handoff
			if err := notice.Decode(it.Payload, &h); err != nil {
				t.Fatal(err)
			}
			handoffs = append(handoffs, h)
		}
	}
	want := notice.Handoff{FromCarrier: "s10", FromNumber: num, Carrier: "usps", Number: local}
	if len(handoffs) != 2 || handoffs[0] != want || handoffs[1] != want {
		t.Fatalf("hand-off notices %+v, want two of %+v", handoffs, want)
	}
	subs, err := e.store.ChatSubscriptions(ctx, 100)
	if err != nil || len(subs) != 1 || subs[0].Shipment.Number != local || subs[0].Shipment.Carrier != "usps" || subs[0].Label != "lamp" {
		t.Fatalf("chat 100 follows %+v, %v", subs, err)
	}
	if subs[0].ID != sub.ID {
		t.Errorf("subscription id changed %d → %d (buttons on old messages would break)", sub.ID, subs[0].ID)
	}

	// The new number is polled at once; the old one never again.
	e.clock.Add(time.Minute)
	st := e.p.Tick(ctx)
	if st.Polled != 1 {
		t.Fatalf("second tick polled %d, want the new number only", st.Polled)
	}
	if s := e.shipment(t, subs[0].Shipment.ID); s.Status != "out_for_delivery" {
		t.Errorf("new number status %s", s.Status)
	}
	n := 0
	for _, it := range e.pending(t) {
		if it.Kind == string(notice.KindHandoff) {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d hand-off notices after the second tick, want the same 2", n)
	}
	e.clock.Add(30 * 24 * time.Hour)
	for range 3 {
		e.p.Tick(ctx)
	}
	if e.fake.Calls("gettrackinfo") == 0 {
		t.Fatal("fake never asked")
	}
	if s := e.shipment(t, sub.Shipment.ID); !s.PolledAt.Before(base.Add(time.Hour)) {
		t.Errorf("old number polled at %v after the hand-off", s.PolledAt)
	}
}
