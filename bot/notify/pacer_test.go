package notify

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// TestPacerWindowHoldsUnderDelays: senders granted by the pacer reach the
// "server" after delays (a descheduled goroutine, a busy worker, a slow
// connection, a pause of the whole process) and are answered after more.
// However the delays bunch the arrivals, no window of the limits' length
// holds more arrivals than the limits allow, counted the way Telegram (and
// telegramtest) counts: a send is refused when the window before it
// already holds that many. Stalls are what broke the pacer that only spaced
// its grants: every send granted during one arrived at its end, together.
func TestPacerWindowHoldsUnderDelays(t *testing.T) {
	limits := Limits{PerSecond: 1000, Window: 26 * time.Millisecond} // 26 per 26 ms, one a millisecond
	for _, tc := range []struct {
		name     string
		arrive   time.Duration // most a send takes from its grant to the server
		answered time.Duration // most the answer then takes
		stalls   bool          // the server stops 20 ms in every 40
	}{
		{name: "prompt"},
		{name: "random delays", arrive: 20 * time.Millisecond, answered: 20 * time.Millisecond},
		{name: "stalls", stalls: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := pacerFor(limits)
			const sends = 400
			var (
				mu    sync.Mutex
				at    []time.Time
				wg    sync.WaitGroup
				rnd   = rand.New(rand.NewPCG(1, 2))
				delay = func(most time.Duration) time.Duration {
					if most <= 0 {
						return 0
					}
					mu.Lock()
					defer mu.Unlock()
					return time.Duration(rnd.Int64N(int64(most)))
				}
				server   sync.RWMutex // held by a stall
				finished = make(chan struct{})
			)
			if tc.stalls {
				go func() {
					for {
						select {
						case <-finished:
							return
						case <-time.After(20 * time.Millisecond):
						}
						server.Lock()
						time.Sleep(20 * time.Millisecond)
						server.Unlock()
					}
				}()
			}
			for i := range sends {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := p.wait(context.Background(), i%2); err != nil {
						t.Error(err)
						return
					}
					time.Sleep(delay(tc.arrive))
					server.RLock()
					mu.Lock()
					at = append(at, time.Now())
					mu.Unlock()
					server.RUnlock()
					time.Sleep(delay(tc.answered))
					p.done()
				}()
			}
			wg.Wait()
			close(finished)
			slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
			most := int(limits.PerSecond * limits.Window.Seconds())
			worst := 0
			for i := range at {
				in := 0 // arrivals in the window ending at at[i], itself included
				for j := i; j >= 0 && at[i].Sub(at[j]) < limits.Window; j-- {
					in++
				}
				worst = max(worst, in)
			}
			if worst > most {
				t.Errorf("%d sends arrived within one %v window, limit %d", worst, limits.Window, most)
			}
			t.Logf("busiest window: %d of %d", worst, most)
		})
	}
}

// TestPacerRepliesFirst: with pushes waiting, a reply that comes later is
// granted before them.
func TestPacerRepliesFirst(t *testing.T) {
	p := newPacer(300*time.Millisecond, time.Second, 1000)
	ctx := context.Background()
	if err := p.wait(ctx, 1); err != nil { // takes the slot; the rest queue
		t.Fatal(err)
	}
	p.done()
	order := make(chan int, 4)
	var wg sync.WaitGroup
	start := func(lane, id int) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.wait(ctx, lane); err == nil {
				order <- id
				p.done()
			}
		}()
	}
	start(1, 1)
	start(1, 2)
	waitQueued(t, p, 2)
	start(0, 0)
	wg.Wait()
	close(order)
	var got []int
	for id := range order {
		got = append(got, id)
	}
	// The reply may come second (a push already had its turn when it
	// arrived), never last.
	if len(got) != 3 || got[2] == 0 {
		t.Errorf("grant order %v: the reply (0) waited behind every push", got)
	}
}

// waitQueued waits until n waiters are queued behind the head.
func waitQueued(t *testing.T, p *pacer, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		p.mu.Lock()
		q := len(p.q[0]) + len(p.q[1])
		ch := p.changed
		p.mu.Unlock()
		if q >= n {
			return
		}
		select {
		case <-ch:
		case <-time.After(time.Until(deadline)):
			t.Fatalf("%d waiters queued, want %d", q, n)
		}
	}
}
