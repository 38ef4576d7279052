package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/trackbot/trackbot/storage"
)

// sharedPace keeps several instances together under Telegram's overall
// limit: each send takes the next slot of one schedule in the database
// (Store.ReserveSend), one slot per 1/PerSecond, and waits for it. A row
// updated atomically, rather than each instance pacing itself to its share
// of the rate, because its one counter stays right whatever the instances
// do: an idle instance takes no slots from a busy one, one that starts or
// dies needs no agreement on how many are alive, and a slot is never given
// twice. It costs a round trip per send (30 a second at most, against a
// database that handles thousands); the pacer asks for one slot at a time,
// so each instance holds at most one slot ahead and a reply still goes
// before the pushes waiting behind it.
type sharedPace struct {
	store *storage.Store
	every time.Duration
	log   *slog.Logger
}

// wait takes the next shared slot and sleeps until it comes. When the
// database cannot give one (it is down, or full: the answers of a full
// database are paced here too), the send goes on this instance's own pace
// rather than not at all.
func (s *sharedPace) wait(ctx context.Context) error {
	d, err := s.store.ReserveSend(ctx, s.every)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Warn("send: no shared slot; pacing alone", slog.Any("error", err))
		return nil
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pause holds every instance's sends for d: Telegram's retry_after is the
// bot's, not this instance's.
func (s *sharedPace) pause(ctx context.Context, d time.Duration) {
	if err := s.store.PauseSends(ctx, d); err != nil {
		s.log.Warn("send: pause the other instances", slog.Any("error", err))
	}
}
