package notify

import (
	"context"
	"sync"
	"time"
)

// pacer spaces sends evenly (one per every) across all chats and, when
// several wait, lets lane 0 (replies) go before lane 1 (pushes). Unlike a
// rate.Limiter, it reserves a slot only for the waiter whose turn it is, so
// a reply arriving behind a thousand waiting pushes goes next.
type pacer struct {
	every time.Duration

	mu      sync.Mutex
	next    time.Time // earliest time of the next grant
	q       [2][]*waiter
	changed chan struct{} // closed and replaced whenever the head may change
}

type waiter struct{ _ byte } // distinct pointers: a zero-size struct's may be equal

func newPacer(every time.Duration) *pacer {
	return &pacer{every: every, changed: make(chan struct{})}
}

// wait blocks until it is the caller's turn and the rate allows a send.
func (p *pacer) wait(ctx context.Context, lane int) error {
	lane = min(max(lane, 0), 1)
	w := &waiter{}
	p.mu.Lock()
	p.q[lane] = append(p.q[lane], w)
	p.signalLocked()
	for {
		head := p.headLocked()
		now := time.Now()
		if head == w && !now.Before(p.next) {
			p.q[lane] = p.q[lane][1:]
			p.next = now.Add(p.every)
			p.signalLocked()
			p.mu.Unlock()
			return nil
		}
		changed := p.changed
		var t *time.Timer
		var timer <-chan time.Time
		if head == w {
			t = time.NewTimer(p.next.Sub(now))
			timer = t.C
		}
		p.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-changed:
		case <-timer:
		}
		if t != nil {
			t.Stop()
		}
		p.mu.Lock()
		if ctx.Err() != nil {
			p.removeLocked(lane, w)
			p.signalLocked()
			p.mu.Unlock()
			return ctx.Err()
		}
	}
}

func (p *pacer) headLocked() *waiter {
	for _, q := range p.q {
		if len(q) > 0 {
			return q[0]
		}
	}
	return nil
}

func (p *pacer) removeLocked(lane int, w *waiter) {
	q := p.q[lane]
	for i, x := range q {
		if x == w {
			p.q[lane] = append(q[:i:i], q[i+1:]...)
			return
		}
	}
}

func (p *pacer) signalLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}
