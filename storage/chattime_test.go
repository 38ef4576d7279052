package storage

import (
	"context"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
)

// A chat's zone and quiet hours are stored, cleared, kept through a move to
// a supergroup; Defer holds a message without counting an attempt.
func TestChatTime(t *testing.T) { storagetest.Each(t, testChatTime) }

func testChatTime(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	if got, err := s.ChatTime(ctx, 5); err != nil || got.TimeZone != "" || got.Quiet() {
		t.Fatalf("unknown chat: %+v, %v", got, err)
	}
	mustTouch(t, s, -5, "group")
	if err := s.SetChatTimeZone(ctx, -5, "Europe/Berlin"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChatQuiet(ctx, -5, 22*60, 7*60); err != nil {
		t.Fatal(err)
	}
	if err := s.SetChatTimeZone(ctx, 404, "UTC"); err != ErrNotFound {
		t.Errorf("unknown chat: %v, want ErrNotFound", err)
	}
	if err := s.MigrateChat(ctx, -5, -1005); err != nil {
		t.Fatal(err)
	}
	got, err := s.ChatTime(ctx, -1005)
	if err != nil || got.TimeZone != "Europe/Berlin" || got.QuietStart != 22*60 || got.QuietEnd != 7*60 || !got.Quiet() {
		t.Fatalf("after the move: %+v, %v", got, err)
	}
	if err := s.SetChatQuiet(ctx, -1005, -1, -1); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ChatTime(ctx, -1005); got.Quiet() {
		t.Errorf("quiet hours not cleared: %+v", got)
	}

	if _, err := s.Enqueue(ctx, OutboxMessage{ChatID: -1005, DedupeKey: "q", Text: "later"}); err != nil {
		t.Fatal(err)
	}
	items, _ := s.PendingOutbox(ctx, t0, 0)
	if len(items) != 1 {
		t.Fatalf("pending %d", len(items))
	}
	if err := s.Defer(ctx, items[0].ID, t0.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if items, _ := s.PendingOutbox(ctx, t0.Add(4*time.Hour-time.Second), 0); len(items) != 0 {
		t.Errorf("deferred message offered early")
	}
	items, _ = s.PendingOutbox(ctx, t0.Add(4*time.Hour), 0)
	if len(items) != 1 || items[0].Attempts != 0 {
		t.Errorf("deferred message at its time: %+v", items)
	}
}
