package storage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
)

func TestOutboxFlow(t *testing.T) { storagetest.Each(t, testOutboxFlow) }

func testOutboxFlow(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	mustTouch(t, s, -2, "group")
	sub := mustSubscribe(t, s, 1, "ups", upsNumber(1), "")
	text := `<b>Delivered</b> — “front door” 📦 '); DELETE FROM outbox; --`
	markup := `{"inline_keyboard":[[{"text":"Not received","callback_data":"nr:1"}]]}`

	n, err := s.Enqueue(ctx,
		OutboxMessage{ChatID: 1, SubscriptionID: sub.ID, DedupeKey: "a", Text: text, Markup: markup},
		OutboxMessage{ChatID: -2, DedupeKey: "b", Text: "b"},
		OutboxMessage{ChatID: 1, DedupeKey: "c", Text: "c"},
		OutboxMessage{ChatID: 1, DedupeKey: "a", Text: "duplicate in the same batch"},
	)
	if err != nil || n != 3 {
		t.Fatalf("Enqueue = %d, %v; want 3", n, err)
	}
	if n, err := s.Enqueue(ctx, OutboxMessage{ChatID: 1, DedupeKey: "b", Text: "again"}); err != nil || n != 0 {
		t.Fatalf("re-Enqueue = %d, %v; want 0", n, err)
	}
	if _, err := s.Enqueue(ctx, OutboxMessage{ChatID: 1, Text: "no key"}); err == nil {
		t.Fatal("Enqueue without a dedupe key succeeded")
	}
	if depth, oldest, err := s.OutboxStats(ctx); err != nil || depth != 3 || oldest.IsZero() {
		t.Fatalf("OutboxStats = %d, %v, %v", depth, oldest, err)
	}

	now := time.Now()
	items, err := s.PendingOutbox(ctx, now, 0)
	if err != nil || len(items) != 3 {
		t.Fatalf("PendingOutbox = %d, %v", len(items), err)
	}
	a, b, c := items[0], items[1], items[2]
	if a.DedupeKey != "a" || b.DedupeKey != "b" || c.DedupeKey != "c" {
		t.Fatalf("order = %s %s %s, want a b c", a.DedupeKey, b.DedupeKey, c.DedupeKey)
	}
	if a.Text != text || a.Markup != markup || a.SubscriptionID != sub.ID || a.ChatType != "private" || a.Attempts != 0 {
		t.Fatalf("item a = %+v", a)
	}
	if b.ChatType != "group" || b.SubscriptionID != 0 {
		t.Fatalf("item b = %+v", b)
	}
	if limited, _ := s.PendingOutbox(ctx, now, 2); len(limited) != 2 || limited[0].ID != a.ID {
		t.Fatalf("limit 2 = %+v", limited)
	}

	// a goes out; b hits a 429 and waits 30 s; c is refused for good.
	if err := s.MarkSent(ctx, a.ID, now); err != nil {
		t.Fatal(err)
	}
	if err := s.RetryLater(ctx, b.ID, now.Add(30*time.Second), "telegram: 429 retry after 30"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(ctx, c.ID, "telegram: 400 message is too long"); err != nil {
		t.Fatal(err)
	}
	if items, _ := s.PendingOutbox(ctx, now, 0); len(items) != 0 {
		t.Fatalf("pending before the retry time = %+v", items)
	}
	if depth, _, _ := s.OutboxStats(ctx); depth != 1 {
		t.Fatalf("depth = %d, want 1 (b waiting)", depth)
	}
	items, _ = s.PendingOutbox(ctx, now.Add(30*time.Second), 0)
	if len(items) != 1 || items[0].ID != b.ID || items[0].Attempts != 1 {
		t.Fatalf("pending at the retry time = %+v", items)
	}
	if err := s.MarkSent(ctx, b.ID, now.Add(31*time.Second)); err != nil {
		t.Fatal(err)
	}
	if items, _ := s.PendingOutbox(ctx, now.Add(time.Hour), 0); len(items) != 0 {
		t.Fatalf("pending after all done = %+v", items)
	}
	if depth, oldest, _ := s.OutboxStats(ctx); depth != 0 || !oldest.IsZero() {
		t.Fatalf("OutboxStats when empty = %d, %v", depth, oldest)
	}
	// A sent or failed key stays taken: no second push.
	if n, _ := s.Enqueue(ctx, OutboxMessage{ChatID: 1, DedupeKey: "a", Text: "x"}, OutboxMessage{ChatID: 1, DedupeKey: "c", Text: "x"}); n != 0 {
		t.Fatalf("sent/failed keys re-queued: %d", n)
	}
	var attempts [3]int
	for i, id := range []int64{a.ID, b.ID, c.ID} {
		if err := s.r.QueryRowContext(ctx, `SELECT attempts FROM outbox WHERE id = $1`, id).Scan(&attempts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if attempts != [3]int{1, 2, 1} {
		t.Fatalf("attempts = %v, want [1 2 1]", attempts)
	}
}

func TestEnqueueUnknownChat(t *testing.T) { storagetest.Each(t, testEnqueueUnknownChat) }

func testEnqueueUnknownChat(t *testing.T, e storagetest.Engine) {
	s, _ := openOn(t, e)
	_, err := s.Enqueue(context.Background(), OutboxMessage{ChatID: 404, DedupeKey: "k", Text: "t"})
	if err == nil || errors.Is(err, ErrNotFound) {
		t.Fatalf("Enqueue to an unknown chat: %v, want a foreign-key error", err)
	}
}

func TestPruneOutbox(t *testing.T) { storagetest.Each(t, testPruneOutbox) }

func testPruneOutbox(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	if _, err := s.Enqueue(ctx,
		OutboxMessage{ChatID: 1, DedupeKey: "old-sent", Text: "1"},
		OutboxMessage{ChatID: 1, DedupeKey: "new-sent", Text: "2"},
		OutboxMessage{ChatID: 1, DedupeKey: "failed", Text: "3"},
		OutboxMessage{ChatID: 1, DedupeKey: "pending", Text: "4"},
	); err != nil {
		t.Fatal(err)
	}
	items, _ := s.PendingOutbox(ctx, time.Now(), 0)
	s.MarkSent(ctx, items[0].ID, t0)
	s.MarkSent(ctx, items[1].ID, t0.Add(48*time.Hour))
	s.MarkFailed(ctx, items[2].ID, "400") // failed now
	n, err := s.PruneOutbox(ctx, t0.Add(time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PruneOutbox = %d, %v; want 1", n, err)
	}
	// The pruned key is free again; the kept ones are not.
	if n, _ := s.Enqueue(ctx, OutboxMessage{ChatID: 1, DedupeKey: "old-sent", Text: "1"}, OutboxMessage{ChatID: 1, DedupeKey: "new-sent", Text: "2"}); n != 1 {
		t.Fatalf("re-Enqueue after prune = %d, want 1", n)
	}
	if items, _ := s.PendingOutbox(ctx, time.Now(), 0); len(items) != 2 || items[0].DedupeKey != "pending" {
		t.Fatalf("pending after prune = %+v", items)
	}
}
