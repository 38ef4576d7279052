package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"

	"github.com/trackbot/trackbot/storage/storagetest"
)

// Many handlers and the poller at once: every call must succeed (no
// "database is locked"), and what they wrote must all be there exactly once.
func TestConcurrentUse(t *testing.T) { storagetest.Each(t, testConcurrentUse) }

func testConcurrentUse(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, path := openOn(t, e)
	// A second Store on the same file stands in for another process (a second
	// instance, the sqlite3 shell): BEGIN IMMEDIATE and busy_timeout must
	// make it wait its turn, not fail.
	other, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	const workers, perWorker = 12, 25
	chats := []int64{1, 2, 3, 4}
	for _, c := range chats {
		mustTouch(t, s, c, "private")
	}
	errs := make(chan error, workers*perWorker*4)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			st := s
			if w%3 == 0 {
				st = other
			}
			for i := 0; i < perWorker; i++ {
				chat := chats[(w+i)%len(chats)]
				// Workers overlap on numbers so Subscribe races on the same shipment rows.
				num := upsNumber(i)
				sub, _, err := st.Subscribe(ctx, SubscribeParams{ChatID: chat, Carrier: "ups", Number: num, Now: t0})
				if err != nil {
					errs <- fmt.Errorf("subscribe: %w", err)
					continue
				}
				ev := tracker.Event{Time: t0.Add(time.Duration(i) * time.Minute), Status: tracker.StatusInTransit, Description: "Scan", Location: "Hub"}
				_, err = st.RecordPoll(ctx, PollRecord{
					ShipmentID: sub.Shipment.ID,
					Result:     poll(tracker.StatusInTransit, ev),
					PolledAt:   t0, NextPollAt: t0.Add(time.Hour),
					Notice: &Notice{Kind: "parcel", Payload: "{}", DedupeKey: fmt.Sprintf("scan:%d", i)},
					Expect: sub.Shipment.PolledAt,
				})
				// Workers race on the same shipments: a notice worked out
				// from a state another worker replaced is refused, as it should be.
				if err != nil && !errors.Is(err, ErrStale) {
					errs <- fmt.Errorf("record poll: %w", err)
				}
				if _, err := st.DueShipments(ctx, t0.Add(2*time.Hour), 50); err != nil {
					errs <- fmt.Errorf("due: %w", err)
				}
				if _, err := st.ChatSubscriptions(ctx, chat); err != nil {
					errs <- fmt.Errorf("list: %w", err)
				}
				if err := st.TouchChat(ctx, Chat{ID: chat, Type: "private"}); err != nil {
					errs <- fmt.Errorf("touch: %w", err)
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Shipments != perWorker {
		t.Errorf("shipments = %d, want %d (one per number however many raced)", counts.Shipments, perWorker)
	}
	// Every (chat, number) pair that some worker hit is followed exactly once.
	pairs := map[[2]int64]bool{}
	for w := 0; w < workers; w++ {
		for i := 0; i < perWorker; i++ {
			pairs[[2]int64{chats[(w+i)%len(chats)], int64(i)}] = true
		}
	}
	if counts.Subscriptions != len(pairs) {
		t.Errorf("subscriptions = %d, want %d", counts.Subscriptions, len(pairs))
	}
	var events, queued int
	s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&events)
	s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&queued)
	if events != perWorker {
		t.Errorf("events = %d, want %d (one scan per shipment, deduplicated)", events, perWorker)
	}
	if queued != len(pairs) {
		t.Errorf("outbox rows = %d, want %d (one per subscription)", queued, len(pairs))
	}
}
