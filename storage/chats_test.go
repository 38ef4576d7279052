package storage

import (
	"context"
	"errors"
	"testing"

	"github.com/trackbot/trackbot/storage/storagetest"
)

func TestTouchChat(t *testing.T) { storagetest.Each(t, testTouchChat) }

func testTouchChat(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	steps := []struct {
		name string
		in   Chat
		want Chat
	}{
		{"create", Chat{ID: -100, Type: "group", Title: "Flat <3 & co"}, Chat{ID: -100, Type: "group", Title: "Flat <3 & co", Active: true}},
		{"rename", Chat{ID: -100, Type: "group", Title: "Flat 🏠"}, Chat{ID: -100, Type: "group", Title: "Flat 🏠", Active: true}},
		{"empty fields keep stored", Chat{ID: -100}, Chat{ID: -100, Type: "group", Title: "Flat 🏠", Active: true}},
	}
	for _, st := range steps {
		if err := s.TouchChat(ctx, st.in); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got, err := s.Chat(ctx, st.in.ID)
		if err != nil || got != st.want {
			t.Fatalf("%s: Chat = %+v, %v; want %+v", st.name, got, err, st.want)
		}
	}
	// Blocked, then back: TouchChat (any update from the chat) reactivates it.
	if err := s.SetChatActive(ctx, -100, false); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Chat(ctx, -100); c.Active {
		t.Fatal("still active after SetChatActive(false)")
	}
	if err := s.TouchChat(ctx, Chat{ID: -100}); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Chat(ctx, -100); !c.Active {
		t.Fatal("TouchChat did not reactivate")
	}
}

func TestSetChatActiveKeepsData(t *testing.T) { storagetest.Each(t, testSetChatActiveKeepsData) }

func testSetChatActiveKeepsData(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 5, "private")
	sub := mustSubscribe(t, s, 5, "ups", upsNumber(1), "keep me")
	if _, err := s.Enqueue(ctx, OutboxMessage{ChatID: 5, SubscriptionID: sub.ID, DedupeKey: "k", Text: "t"}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChatActive(ctx, 5, false); err != nil {
		t.Fatal(err)
	}
	if items, _ := s.PendingOutbox(ctx, t0, 0); len(items) != 0 {
		t.Fatalf("inactive chat's outbox offered: %+v", items)
	}
	if f, _ := s.Followers(ctx, sub.Shipment.ID); len(f) != 0 {
		t.Fatalf("inactive chat among followers: %+v", f)
	}
	if subs, _ := s.ChatSubscriptions(ctx, 5); len(subs) != 1 || subs[0].Label != "keep me" {
		t.Fatalf("subscriptions of inactive chat: %+v", subs)
	}
	if err := s.SetChatActive(ctx, 5, true); err != nil {
		t.Fatal(err)
	}
	if items, _ := s.PendingOutbox(ctx, t0, 0); len(items) != 1 {
		t.Fatalf("reactivated chat's outbox: %d items, want 1", len(items))
	}
}

func TestMigrateChat(t *testing.T) { storagetest.Each(t, testMigrateChat) }

func testMigrateChat(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	const oldID, newID = -4001, -1004001
	mustTouch(t, s, oldID, "group")
	onlyOld := mustSubscribe(t, s, oldID, "ups", upsNumber(1), "lamp")
	bothOld := mustSubscribe(t, s, oldID, "ups", upsNumber(2), "sofa")
	labelled := mustSubscribe(t, s, oldID, "ups", upsNumber(3), "")
	// The supergroup already exists (an update raced the migration) and follows two of them.
	mustTouch(t, s, newID, "supergroup")
	bothNew := mustSubscribe(t, s, newID, "ups", upsNumber(2), "")
	labelledNew := mustSubscribe(t, s, newID, "ups", upsNumber(3), "new label")

	n, err := s.Enqueue(ctx,
		OutboxMessage{ChatID: oldID, SubscriptionID: onlyOld.ID, DedupeKey: "only", Text: "1"},
		OutboxMessage{ChatID: oldID, SubscriptionID: bothOld.ID, DedupeKey: "both", Text: "2"},
		OutboxMessage{ChatID: oldID, DedupeKey: "chat-wide", Text: "3"},
	)
	if err != nil || n != 3 {
		t.Fatalf("Enqueue = %d, %v", n, err)
	}

	if err := s.MigrateChat(ctx, oldID, newID); err != nil {
		t.Fatalf("MigrateChat: %v", err)
	}
	if _, err := s.Chat(ctx, oldID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old chat after migration: %v", err)
	}
	if c, err := s.Chat(ctx, newID); err != nil || !c.Active || c.Type != "supergroup" {
		t.Fatalf("new chat = %+v, %v", c, err)
	}
	subs, err := s.ChatSubscriptions(ctx, newID)
	if err != nil {
		t.Fatal(err)
	}
	byShipment := map[int64]Subscription{}
	for _, sub := range subs {
		byShipment[sub.Shipment.ID] = sub
	}
	if len(subs) != 3 || len(byShipment) != 3 {
		t.Fatalf("new chat follows %d (%d shipments), want 3: %+v", len(subs), len(byShipment), subs)
	}
	if got := byShipment[onlyOld.Shipment.ID]; got.ID != onlyOld.ID || got.Label != "lamp" {
		t.Errorf("moved subscription = %+v", got)
	}
	if got := byShipment[bothOld.Shipment.ID]; got.ID != bothNew.ID || got.Label != "sofa" {
		t.Errorf("merged subscription = %+v, want id %d labelled sofa", got, bothNew.ID)
	}
	if got := byShipment[labelled.Shipment.ID]; got.ID != labelledNew.ID || got.Label != "new label" {
		t.Errorf("merged subscription kept %+v, want the new chat's label", got)
	}
	if subs, _ := s.ChatSubscriptions(ctx, oldID); len(subs) != 0 {
		t.Errorf("old chat still follows %d", len(subs))
	}

	items, err := s.PendingOutbox(ctx, t0, 0)
	if err != nil || len(items) != 3 {
		t.Fatalf("pending after migration = %+v, %v", items, err)
	}
	wantSub := map[string]int64{"only": onlyOld.ID, "both": bothNew.ID, "chat-wide": 0}
	for _, it := range items {
		if it.ChatID != newID || it.ChatType != "supergroup" || it.SubscriptionID != wantSub[it.DedupeKey] {
			t.Errorf("pending %q = chat %d (%s), sub %d; want chat %d, sub %d",
				it.DedupeKey, it.ChatID, it.ChatType, it.SubscriptionID, newID, wantSub[it.DedupeKey])
		}
	}
	// Followers of the shared shipment: one subscription, in the new chat.
	f, _ := s.Followers(ctx, bothOld.Shipment.ID)
	if len(f) != 1 || f[0].ChatID != newID {
		t.Fatalf("followers after migration = %+v", f)
	}
	if err := s.MigrateChat(ctx, oldID, newID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second MigrateChat: %v, want ErrNotFound", err)
	}
}

func TestMigrateChatToNewID(t *testing.T) { storagetest.Each(t, testMigrateChatToNewID) }

func testMigrateChatToNewID(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, -7, "group")
	sub := mustSubscribe(t, s, -7, "dhl", dhlNumber(1), "x")
	if err := s.MigrateChat(ctx, -7, -1007); err != nil {
		t.Fatal(err)
	}
	c, err := s.Chat(ctx, -1007)
	if err != nil || c.Title != "chat -7" || c.Type != "supergroup" {
		t.Fatalf("new chat = %+v, %v", c, err)
	}
	got, err := s.SubscriptionByID(ctx, sub.ID)
	if err != nil || got.ChatID != -1007 {
		t.Fatalf("subscription = %+v, %v", got, err)
	}
}

func TestChatLanguage(t *testing.T) { storagetest.Each(t, testChatLanguage) }

func testChatLanguage(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	if l, err := s.ChatLanguage(ctx, 42); err != nil || l != "" {
		t.Fatalf("unknown chat: %q, %v", l, err)
	}
	steps := []struct {
		name        string
		lang        string
		onlyIfUnset bool
		wrote       bool
		want        string
	}{
		{"first contact sets it (chat row created)", "de", true, true, "de"},
		{"a later client language does not override", "fr", true, false, "de"},
		{"an explicit choice does", "es", false, true, "es"},
	}
	for _, st := range steps {
		wrote, err := s.SetChatLanguage(ctx, 42, st.lang, st.onlyIfUnset)
		if err != nil || wrote != st.wrote {
			t.Fatalf("%s: wrote %t, %v", st.name, wrote, err)
		}
		if l, err := s.ChatLanguage(ctx, 42); err != nil || l != st.want {
			t.Fatalf("%s: language %q, %v; want %q", st.name, l, err, st.want)
		}
	}
	// TouchChat keeps it; a move to a supergroup takes it along.
	if err := s.TouchChat(ctx, Chat{ID: 42, Type: "group", Title: "Casa"}); err != nil {
		t.Fatal(err)
	}
	if err := s.MigrateChat(ctx, 42, -100042); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Chat(ctx, -100042); err != nil || c.Language != "es" {
		t.Fatalf("after migration: %+v, %v", c, err)
	}
}
