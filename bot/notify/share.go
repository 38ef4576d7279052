package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/trackbot/trackbot/storage"
)

// sharedPace keeps several instances together under Telegram's overall
// limit, as the pacer keeps one (pacer.go), in the database: each send
// takes the next slot of one schedule, one slot per 1/PerSecond, and one
// of the window's tokens, which it holds from its grant until one window
// after its answer (Store.ReserveSend, FinishSend). The slots space the
// grants; the tokens bound the arrivals, which Telegram counts: a send
// granted on time but delivered late (a descheduled goroutine, a slow
// connection) bunches with later ones, and the slots alone let such a
// bunch exceed the limit. Rows updated atomically, rather than each
// instance pacing itself to its share of the rate, because they stay right
// whatever the instances do: an idle instance takes nothing from a busy
// one, one that starts or dies needs no agreement on how many are alive,
// and a token is never held twice. It costs two small statements per send
// (30 a second at most, against a database that handles thousands); the
// pacer asks for one grant at a time, so each instance holds at most one
// slot ahead and a reply still goes before the pushes waiting behind it.
type sharedPace struct {
	store *storage.Store
	pace  storage.SendPace
	log   *slog.Logger

	mu    sync.Mutex
	made  bool                // the window's tokens exist
	grant []storage.SendGrant // in flight, oldest first; zero: sent on our own pace
}

// wait takes a token and the next shared slot and sleeps until the slot
// comes. When the database cannot give one (it is down, or full: the
// answers of a full database are paced here too), the send goes on this
// instance's own pace rather than not at all.
func (s *sharedPace) wait(ctx context.Context) error {
	g, err := s.reserve(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Warn("send: no shared slot; pacing alone", slog.Any("error", err))
		s.push(storage.SendGrant{})
		return nil
	}
	if err := sleep(ctx, g.Wait); err != nil {
		s.give(g, time.Now()) // never sent
		return err
	}
	s.push(g)
	return nil
}

// reserve waits for a token of the shared window and takes the next slot.
func (s *sharedPace) reserve(ctx context.Context) (storage.SendGrant, error) {
	s.mu.Lock()
	made := s.made
	s.mu.Unlock()
	if !made {
		if err := s.store.MakeSendTokens(ctx, s.pace.Most); err != nil {
			return storage.SendGrant{}, err
		}
		s.mu.Lock()
		s.made = true
		s.mu.Unlock()
	}
	for {
		g, ok, retry, err := s.store.ReserveSend(ctx, s.pace)
		if err != nil || ok {
			return g, err
		}
		// The window is full. Its first token is due back at retry, or
		// sooner when another instance's send in flight is answered: look
		// again a tenth of a window on.
		if err := sleep(ctx, min(max(retry, time.Millisecond), s.pace.Window/10)); err != nil {
			return storage.SendGrant{}, err
		}
	}
}

func (s *sharedPace) push(g storage.SendGrant) {
	s.mu.Lock()
	s.grant = append(s.grant, g)
	s.mu.Unlock()
}

// finish gives back a grant of a send answered at answered. Which one does
// not matter: the oldest goes, and the others stay held as in flight.
func (s *sharedPace) finish(answered time.Time) {
	s.mu.Lock()
	if len(s.grant) == 0 {
		s.mu.Unlock()
		return
	}
	g := s.grant[0]
	s.grant = s.grant[1:]
	s.mu.Unlock()
	if g != (storage.SendGrant{}) {
		s.give(g, answered)
	}
}

func (s *sharedPace) give(g storage.SendGrant, answered time.Time) {
	// Not the send's context: a send cancelled at shutdown still frees its
	// token; a grant not given back lapses after its hold.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.store.FinishSend(ctx, g, s.pace.Window, time.Since(answered)); err != nil {
		s.log.Warn("send: give back a shared grant", slog.Any("error", err))
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
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
