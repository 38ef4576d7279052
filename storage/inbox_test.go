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
	boom := errors.New("boom")
	err := s.Handle(ctx, 1, now, func(ctx context.Context, tx *Store) ([]OutboxMessage, string, error) {
		if err := tx.TouchChat(ctx, Chat{ID: 42, Type: "private", Active: true}); err != nil {
			return nil, "", err
		}
		if _, _, err := tx.Subscribe(ctx, SubscribeParams{ChatID: 42, Carrier: "ups", Number: upsNumber(1), Now: now}); err != nil {
			return nil, "", err
		}
		return nil, "", boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("handle: %v, want boom", err)
	}
	if _, err := s.Chat(ctx, 42); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failed handler's chat was kept: %v", err)
	}
	if ups, _ := s.PendingUpdates(ctx, 0); len(ups) != 1 {
		t.Errorf("failed update no longer pending: %+v", ups)
	}

	reply := OutboxMessage{ChatID: 42, DedupeKey: "upd:1:0", Text: "ok", Reply: true}
	err = s.Handle(ctx, 1, now, func(ctx context.Context, tx *Store) ([]OutboxMessage, string, error) {
		if err := tx.TouchChat(ctx, Chat{ID: 42, Type: "private", Active: true}); err != nil {
			return nil, "", err
		}
		if _, _, err := tx.Subscribe(ctx, SubscribeParams{ChatID: 42, Carrier: "ups", Number: upsNumber(1), Now: now}); err != nil {
			return nil, "", err
		}
		// A read inside sees the transaction's own write.
		subs, err := tx.ChatSubscriptions(ctx, 42)
		if err != nil || len(subs) != 1 {
			t.Errorf("inside the transaction: %v, %v", subs, err)
		}
		return []OutboxMessage{reply}, "", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.PendingOutbox(ctx, now.Add(time.Minute), 0)
	if err != nil || len(items) != 1 || items[0].Lane != LaneReply || items[0].Text != "ok" {
		t.Fatalf("outbox %+v, %v", items, err)
	}
	if ups, _ := s.PendingUpdates(ctx, 0); len(ups) != 0 {
		t.Errorf("handled update still pending: %+v", ups)
	}
	err = s.Handle(ctx, 1, now, func(context.Context, *Store) ([]OutboxMessage, string, error) {
		t.Error("handler ran for a handled update")
		return nil, "", nil
	})
	if !errors.Is(err, ErrAlreadyHandled) {
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
