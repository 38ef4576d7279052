package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
)

func TestSubscribe(t *testing.T) { storagetest.Each(t, testSubscribe) }

func testSubscribe(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	mustTouch(t, s, 2, "group")
	first := upsNumber(10)

	steps := []struct {
		name        string
		p           SubscribeParams
		wantCreated bool
		wantErr     error
		wantSubID   func() int64 // nil: any new id
	}{
		{name: "new number", p: SubscribeParams{ChatID: 1, Carrier: "ups", Number: first, Label: "boots", AddedBy: 7, AddedByName: "Ann", MaxPerChat: 2, Now: t0}, wantCreated: true},
		{name: "same number again", p: SubscribeParams{ChatID: 1, Carrier: "ups", Number: first, Label: "other", MaxPerChat: 2, Now: t0.Add(time.Minute)}, wantCreated: false},
		{name: "second number", p: SubscribeParams{ChatID: 1, Carrier: "ups", Number: upsNumber(11), MaxPerChat: 2, Now: t0}, wantCreated: true},
		{name: "over the limit", p: SubscribeParams{ChatID: 1, Carrier: "ups", Number: upsNumber(12), MaxPerChat: 2, Now: t0}, wantErr: ErrLimitReached},
		{name: "duplicate at the limit is fine", p: SubscribeParams{ChatID: 1, Carrier: "ups", Number: first, MaxPerChat: 2, Now: t0}, wantCreated: false},
		{name: "no limit", p: SubscribeParams{ChatID: 1, Carrier: "ups", Number: upsNumber(12), Now: t0}, wantCreated: true},
		{name: "other chat shares the shipment", p: SubscribeParams{ChatID: 2, Carrier: "ups", Number: first, Now: t0}, wantCreated: true},
		{name: "chat not touched yet", p: SubscribeParams{ChatID: 3, Carrier: "dhl", Number: dhlNumber(1), Now: t0}, wantCreated: true},
	}
	var firstSub Subscription
	shipmentOf := map[string]int64{}
	for _, st := range steps {
		sub, created, err := s.Subscribe(ctx, st.p)
		if !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: err = %v, want %v", st.name, err, st.wantErr)
		}
		if err != nil {
			continue
		}
		if created != st.wantCreated {
			t.Fatalf("%s: created = %v, want %v", st.name, created, st.wantCreated)
		}
		if sub.ChatID != st.p.ChatID || sub.Shipment.Number != st.p.Number || sub.Shipment.Carrier != st.p.Carrier {
			t.Fatalf("%s: got %+v", st.name, sub)
		}
		if id, ok := shipmentOf[st.p.Number]; ok && id != sub.Shipment.ID {
			t.Fatalf("%s: shipment %d, want the shared %d", st.name, sub.Shipment.ID, id)
		}
		shipmentOf[st.p.Number] = sub.Shipment.ID
		if firstSub.ID == 0 {
			firstSub = sub
		} else if !created && sub.ChatID == firstSub.ChatID && sub.Shipment.ID == firstSub.Shipment.ID && sub.ID != firstSub.ID {
			t.Fatalf("%s: duplicate returned id %d, want %d", st.name, sub.ID, firstSub.ID)
		}
	}
	// The first subscription is unchanged by the later duplicate.
	got, err := s.SubscriptionByID(ctx, firstSub.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Label != "boots" || got.AddedBy != 7 || got.AddedByName != "Ann" || !got.CreatedAt.Equal(t0) {
		t.Fatalf("first subscription = %+v", got)
	}
	sh := got.Shipment
	if sh.Status != "unknown" || !sh.NextPollAt.Equal(t0) || !sh.CreatedAt.Equal(t0) || !sh.PolledAt.IsZero() {
		t.Fatalf("new shipment = %+v, want unknown, due at t0, never polled", sh)
	}
	subs, err := s.ChatSubscriptions(ctx, 1)
	if err != nil || len(subs) != 3 {
		t.Fatalf("ChatSubscriptions(1) = %d, %v; want 3", len(subs), err)
	}
	if c, err := s.Chat(ctx, 3); err != nil || !c.Active {
		t.Fatalf("Chat(3) created by Subscribe = %+v, %v", c, err)
	}
	if _, _, err := s.Subscribe(ctx, SubscribeParams{ChatID: 1, Carrier: "ups", Number: "  "}); err == nil {
		t.Fatal("Subscribe with an empty number succeeded")
	}
}

func TestLabelsRoundTrip(t *testing.T) { storagetest.Each(t, testLabelsRoundTrip) }

func testLabelsRoundTrip(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	labels := map[string]string{
		"html":        `<b>Mum's</b> "gift" & <i>more</i>`,
		"sql":         `x'); DROP TABLE subscriptions; --`,
		"emoji":       "🎁 подарок для мамы 👩‍👧",
		"percent":     "50% off_%",
		"spaces kept": "  two  spaces  ",
	}
	i := 0
	for name, label := range labels {
		i++
		t.Run(name, func(t *testing.T) {
			sub, _, err := s.Subscribe(ctx, SubscribeParams{ChatID: 1, Carrier: "ups", Number: upsNumber(i), Label: label, AddedByName: label, Now: t0})
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.SubscriptionByID(ctx, sub.ID)
			if err != nil || got.Label != label || got.AddedByName != label {
				t.Fatalf("label = %q, name = %q, %v; want %q", got.Label, got.AddedByName, err, label)
			}
			renamed := label + " ✓"
			if err := s.RenameSubscription(ctx, sub.ID, renamed); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.SubscriptionByID(ctx, sub.ID); got.Label != renamed {
				t.Fatalf("renamed label = %q, want %q", got.Label, renamed)
			}
		})
	}
	if subs, err := s.ChatSubscriptions(ctx, 1); err != nil || len(subs) != len(labels) {
		t.Fatalf("after SQL-looking labels: %d subscriptions, %v", len(subs), err)
	}
}

func TestFindSubscriptions(t *testing.T) { storagetest.Each(t, testFindSubscriptions) }

func testFindSubscriptions(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	mustTouch(t, s, 2, "private")
	boots := mustSubscribe(t, s, 1, "ups", upsNumber(1), "Boots")
	bootsLaces := mustSubscribe(t, s, 1, "ups", upsNumber(2), "boots laces")
	lamp := mustSubscribe(t, s, 1, "dhl", dhlNumber(3), "Лампа")
	mustSubscribe(t, s, 1, "ups", upsNumber(4), "")
	other := mustSubscribe(t, s, 2, "ups", upsNumber(5), "Boots")

	spaced := upsNumber(2)
	spaced = spaced[:2] + " " + spaced[2:8] + "-" + spaced[8:]
	cases := map[string]struct {
		chat  int64
		query string
		want  []int64
	}{
		"number exact":             {1, upsNumber(1), []int64{boots.ID}},
		"number lower with spaces": {1, "  " + toLower(spaced), []int64{bootsLaces.ID}},
		"label exact wins":         {1, "BOOTS", []int64{boots.ID}},
		"label prefix":             {1, "boo", []int64{boots.ID, bootsLaces.ID}},
		"unicode case-insensitive": {1, "лампа", []int64{lamp.ID}},
		"unicode prefix":           {1, "ЛАМ", []int64{lamp.ID}},
		"other chat's label":       {2, "boots", []int64{other.ID}},
		"no match":                 {1, "sofa", nil},
		"number of another chat":   {2, upsNumber(1), nil},
		"empty query":              {1, "   ", nil},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			subs, err := s.FindSubscriptions(ctx, c.chat, c.query)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, sub := range subs {
				ids = append(ids, sub.ID)
			}
			if !equalIDs(ids, c.want) {
				t.Fatalf("FindSubscriptions(%d, %q) = %v, want %v", c.chat, c.query, ids, c.want)
			}
		})
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestChangeCarrier(t *testing.T) { storagetest.Each(t, testChangeCarrier) }

func testChangeCarrier(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	num := dhlNumber(5)

	// Move to a carrier nobody used for this number: a new shipment, due now.
	sub := mustSubscribe(t, s, 1, "dhl", num, "lamp")
	later := t0.Add(2 * time.Hour)
	moved, err := s.ChangeCarrier(ctx, sub.ID, "dhl_ecommerce", later)
	if err != nil {
		t.Fatal(err)
	}
	if moved.ID != sub.ID || moved.Shipment.Carrier != "dhl_ecommerce" || moved.Shipment.Number != num ||
		moved.Shipment.ID == sub.Shipment.ID || !moved.Shipment.NextPollAt.Equal(later) || moved.Label != "lamp" {
		t.Fatalf("moved = %+v", moved)
	}
	// Same carrier again: nothing changes.
	same, err := s.ChangeCarrier(ctx, sub.ID, "dhl_ecommerce", later)
	if err != nil || same.Shipment.ID != moved.Shipment.ID {
		t.Fatalf("no-op change = %+v, %v", same, err)
	}
	// Back to the first shipment, which still exists.
	back, err := s.ChangeCarrier(ctx, sub.ID, "dhl", later)
	if err != nil || back.Shipment.ID != sub.Shipment.ID {
		t.Fatalf("back = %+v, %v; want shipment %d", back, err, sub.Shipment.ID)
	}

	// The chat already follows the target: the two merge into that one.
	target := mustSubscribe(t, s, 1, "dhl_ecommerce", num, "")
	if _, err := s.Enqueue(ctx, OutboxMessage{ChatID: 1, SubscriptionID: sub.ID, DedupeKey: "k1", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	merged, err := s.ChangeCarrier(ctx, sub.ID, "dhl_ecommerce", later)
	if err != nil {
		t.Fatal(err)
	}
	if merged.ID != target.ID || merged.Label != "lamp" {
		t.Fatalf("merged = %+v, want id %d with label lamp", merged, target.ID)
	}
	if _, err := s.SubscriptionByID(ctx, sub.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old subscription after merge: %v, want ErrNotFound", err)
	}
	items, err := s.PendingOutbox(ctx, later, 0)
	if err != nil || len(items) != 1 || items[0].SubscriptionID != target.ID {
		t.Fatalf("outbox after merge = %+v, %v", items, err)
	}
	if subs, _ := s.ChatSubscriptions(ctx, 1); len(subs) != 1 {
		t.Fatalf("chat follows %d after merge, want 1", len(subs))
	}
}

func TestUnsubscribeAndMarks(t *testing.T) { storagetest.Each(t, testUnsubscribeAndMarks) }

func testUnsubscribeAndMarks(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	a := mustSubscribe(t, s, 1, "ups", upsNumber(1), "")
	b := mustSubscribe(t, s, 1, "ups", upsNumber(2), "")

	if err := s.MarkNotReceived(ctx, a.ID, t0); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SubscriptionByID(ctx, a.ID); !got.NotReceivedAt.Equal(t0) {
		t.Fatalf("NotReceivedAt = %v, want %v", got.NotReceivedAt, t0)
	}

	n, err := s.Enqueue(ctx,
		OutboxMessage{ChatID: 1, SubscriptionID: a.ID, DedupeKey: "a-sent", Text: "1"},
		OutboxMessage{ChatID: 1, SubscriptionID: a.ID, DedupeKey: "a-pending", Text: "2"},
		OutboxMessage{ChatID: 1, SubscriptionID: b.ID, DedupeKey: "b-pending", Text: "3"},
	)
	if err != nil || n != 3 {
		t.Fatalf("Enqueue = %d, %v", n, err)
	}
	items, _ := s.PendingOutbox(ctx, t0, 0)
	if err := s.MarkSent(ctx, items[0].ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Unsubscribe(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubscriptionByID(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after Unsubscribe: %v", err)
	}
	// The pending push about a is dropped; b's stays; a's sent history keeps its key.
	items, _ = s.PendingOutbox(ctx, t0, 0)
	if len(items) != 1 || items[0].DedupeKey != "b-pending" {
		t.Fatalf("pending after Unsubscribe = %+v", items)
	}
	if n, _ := s.Enqueue(ctx, OutboxMessage{ChatID: 1, DedupeKey: "a-sent", Text: "again"}); n != 0 {
		t.Fatalf("sent key re-queued after Unsubscribe")
	}
	// A message about the gone subscription is skipped, not an error.
	if n, err := s.Enqueue(ctx, OutboxMessage{ChatID: 1, SubscriptionID: a.ID, DedupeKey: "late", Text: "x"}); err != nil || n != 0 {
		t.Fatalf("Enqueue for a gone subscription = %d, %v; want 0, nil", n, err)
	}
	// The shipment stays (its history), but nobody follows it, so it is not polled.
	if _, err := s.Shipment(ctx, a.Shipment.ID); err != nil {
		t.Fatalf("shipment after Unsubscribe: %v", err)
	}
	due, _ := s.DueShipments(ctx, t0, 0)
	if len(due) != 1 || due[0].ID != b.Shipment.ID {
		t.Fatalf("due after Unsubscribe = %+v", due)
	}
}

// A stopped parcel's id is never handed to the next parcel followed: buttons
// carry subscription ids and outlive the subscription.
func TestSubscriptionIDsNotReused(t *testing.T) { storagetest.Each(t, testSubscriptionIDsNotReused) }

func testSubscriptionIDsNotReused(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	seen := map[int64]bool{}
	for i := range 3 {
		sub, _, err := s.Subscribe(ctx, SubscribeParams{ChatID: 1, Carrier: "ups", Number: upsNumber(20 + i), Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		if seen[sub.ID] {
			t.Fatalf("parcel %d got id %d, which a stopped parcel had", i, sub.ID)
		}
		seen[sub.ID] = true
		// The newest, highest id goes: the one SQLite's rowid would reuse.
		if err := s.Unsubscribe(ctx, sub.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSetMuted(t *testing.T) { storagetest.Each(t, testSetMuted) }

func testSetMuted(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	a := mustSubscribe(t, s, 1, "ups", upsNumber(1), "")
	b := mustSubscribe(t, s, 1, "ups", upsNumber(2), "")
	if a.Muted {
		t.Fatal("a new subscription is muted")
	}
	for _, want := range []bool{true, false, true} {
		if err := s.SetMuted(ctx, a.ID, want); err != nil {
			t.Fatal(err)
		}
		subs, err := s.ChatSubscriptions(ctx, 1)
		if err != nil || len(subs) != 2 {
			t.Fatalf("ChatSubscriptions = %d, %v", len(subs), err)
		}
		if subs[0].ID != a.ID || subs[0].Muted != want || subs[1].ID != b.ID || subs[1].Muted {
			t.Fatalf("after SetMuted(%v): a.Muted=%v b.Muted=%v", want, subs[0].Muted, subs[1].Muted)
		}
	}
	if err := s.SetMuted(ctx, 9999, true); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetMuted of a missing subscription = %v, want ErrNotFound", err)
	}
}
