package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
)

func TestStoreUpdatesKeepsEachUpdateOnce(t *testing.T) {
	storagetest.Each(t, testStoreUpdatesKeepsEachUpdateOnce)
}

func testStoreUpdatesKeepsEachUpdateOnce(t *testing.T, e storagetest.Engine) {
	s, _ := openOn(t, e)
	ctx := context.Background()
	now := time.Now()
	n, err := s.StoreUpdates(ctx, now, InboxUpdate{UpdateID: 7, ChatID: 1, Body: []byte(`{"update_id":7}`)},
		InboxUpdate{UpdateID: 8, ChatID: 2, Body: []byte(`{"update_id":8}`)})
	if err != nil || n != 2 {
		t.Fatalf("first store: %d, %v", n, err)
	}
	// Telegram delivers 8 again (the offset was not confirmed before a crash).
	n, err = s.StoreUpdates(ctx, now, InboxUpdate{UpdateID: 8, ChatID: 2, Body: []byte(`{"update_id":8,"again":1}`)},
		InboxUpdate{UpdateID: 9, ChatID: 2, Body: []byte(`{"update_id":9}`)})
	if err != nil || n != 1 {
		t.Fatalf("second store: %d new, %v; want 1", n, err)
	}
	ups, err := s.PendingUpdates(ctx, 0)
	if err != nil || len(ups) != 3 || ups[0].UpdateID != 7 || string(ups[1].Body) != `{"update_id":8}` {
		t.Fatalf("pending %+v, %v", ups, err)
	}
}

// TestHandleIsAllOrNothing: the handler's writes, its replies and the
// handled mark commit together; a failed handler leaves no trace and the
// update pending; a handled update is never handled again.
func TestHandleIsAllOrNothing(t *testing.T) { storagetest.Each(t, testHandleIsAllOrNothing) }

func testHandleIsAllOrNothing(t *testing.T, e storagetest.Engine) {
	s, _ := openOn(t, e)
	ctx := context.Background()
	now := time.Now()
	if _, err := s.StoreUpdates(ctx, now, InboxUpdate{UpdateID: 1, ChatID: 42, Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	// follow begins handling update 1 and follows a parcel in its chat.
	follow := func() *UpdateTx {
		t.Helper()
		ut, err := s.BeginUpdate(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := ut.Store.TouchChat(ctx, Chat{ID: 42, Type: "private", Active: true}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ut.Store.Subscribe(ctx, SubscribeParams{ChatID: 42, Carrier: "ups", Number: upsNumber(1), Now: now}); err != nil {
			t.Fatal(err)
		}
		return ut
	}
	// A handling that fails half-way is rolled back: nothing of it stays.
	follow().Rollback()
	if _, err := s.Chat(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failed handler's chat was kept: %v", err)
	}
	if ups, _ := s.PendingUpdates(ctx, 0); len(ups) != 1 {
		t.Errorf("failed update no longer pending: %+v", ups)
	}

	reply := OutboxMessage{ChatID: 42, DedupeKey: "upd:1:0", Text: "ok", Reply: true}
	ut := follow()
	// A read inside sees the transaction's own write.
	if subs, err := ut.Store.ChatSubscriptions(ctx, 42); err != nil || len(subs) != 1 {
		t.Errorf("inside the transaction: %v, %v", subs, err)
	}
	if err := ut.Finish(ctx, now, []OutboxMessage{reply}, ""); err != nil {
		t.Fatal(err)
	}
	ut.Rollback() // a no-op once finished
	items, err := s.PendingOutbox(ctx, now.Add(time.Minute), 0)
	if err != nil || len(items) != 1 || items[0].Lane != LaneReply || items[0].Text != "ok" {
		t.Fatalf("outbox %+v, %v", items, err)
	}
	if ups, _ := s.PendingUpdates(ctx, 0); len(ups) != 0 {
		t.Errorf("handled update still pending: %+v", ups)
	}
	if _, err := s.BeginUpdate(ctx, 1); !errors.Is(err, ErrAlreadyHandled) {
		t.Errorf("second handle: %v, want ErrAlreadyHandled", err)
	}
	if out, _ := s.UpdateOutcomes(ctx); out["handled"] != 1 {
		t.Errorf("outcomes %v", out)
	}
}

// TestRepliesGoBeforePushes: the notifier's read gives lane 0 first.
func TestRepliesGoBeforePushes(t *testing.T) { storagetest.Each(t, testRepliesGoBeforePushes) }

func testRepliesGoBeforePushes(t *testing.T, e storagetest.Engine) {
	s, _ := openOn(t, e)
	ctx := context.Background()
	mustTouch(t, s, 5, "private")
	if _, err := s.Enqueue(ctx, OutboxMessage{ChatID: 5, DedupeKey: "push", Text: "push"},
		OutboxMessage{ChatID: 5, DedupeKey: "reply", Text: "reply", Reply: true, ReplyTo: 9, EditID: 3}); err != nil {
		t.Fatal(err)
	}
	items, err := s.PendingOutbox(ctx, time.Now().Add(time.Minute), 0)
	if err != nil || len(items) != 2 {
		t.Fatalf("%+v %v", items, err)
	}
	if items[0].Text != "reply" || items[0].ReplyTo != 9 || items[0].EditID != 3 || items[1].Lane != LanePush {
		t.Errorf("order/fields: %+v", items)
	}
}
