package notify

import (
	"context"
	"sync"
	"time"

	"github.com/trackbot/trackbot/storage"
)

// pacer spaces sends evenly (one per every) across all chats and, when
// several wait, lets lane 0 (replies) go before lane 1 (pushes). Unlike a
// rate.Limiter, it reserves a slot only for the waiter whose turn it is, so
// a reply arriving behind a thousand waiting pushes goes next.
//
// Even spacing of the grants is not enough on its own: Telegram counts a
// send when the request reaches it, and between the grant and that moment
// a goroutine may be descheduled, wait for a worker or a slow connection.
// Sends granted a few slots apart then arrive together and a sliding window
// sees more than the limit. So the pacer also keeps a window count it can
// prove: a send occupies the window from its grant (it may reach Telegram
// at any moment after) until one window after its answer arrived (it reached
// Telegram before that). A grant needs fewer than most such sends: however
// late any of them was delivered, no window at Telegram's end can then hold
// more than most (see TestPacerWindowHoldsUnderDelays).
type pacer struct {
	every  time.Duration
	window time.Duration
	most   int
	// gate, when set, is waited for by the waiter whose turn it is before
	// its grant (the slot all instances share, share.go); meanwhile nobody
	// else is granted, so this instance holds one shared slot at a time.
	gate   func(context.Context) error
	gating bool
	// ungate, when set, is called by done after each send the gate let
	// through, with the time of its answer.
	ungate func(answered time.Time)

	mu       sync.Mutex
	next     time.Time   // earliest time of the next grant
	inFlight int         // granted, not answered yet
	answered []time.Time // answer times, oldest first, pruned to the last window
	q        [2][]*waiter
	changed  chan struct{} // closed and replaced whenever the head may change
}

type waiter struct{ _ byte } // distinct pointers: a zero-size struct's may be equal

// newPacer paces to one grant per every and at most most sends per window.
func newPacer(every, window time.Duration, most int) *pacer {
	return &pacer{every: every, window: window, most: max(most, 1), changed: make(chan struct{})}
}

// pacerFor is the global pacer for limits.
func pacerFor(l Limits) *pacer {
	window := l.Window
	if window <= 0 {
		window = time.Second
	}
	return newPacer(time.Duration(float64(time.Second)/l.PerSecond), window, int(l.PerSecond*window.Seconds()))
}

// wait blocks until it is the caller's turn and the rate allows a send. A
// nil error must be followed by done once Telegram answered (or the send
// was given up).
func (p *pacer) wait(ctx context.Context, lane int) error {
	lane = min(max(lane, 0), 1)
	w := &waiter{}
	p.mu.Lock()
	p.q[lane] = append(p.q[lane], w)
	p.signalLocked()
	for {
		head := p.headLocked()
		now := time.Now()
		free := p.freeAtLocked(now) // zero: the window has room now
		if head == w && !p.gating && !now.Before(p.next) && free.IsZero() {
			if err := p.passGateLocked(ctx); err != nil {
				p.removeLocked(lane, w)
				p.signalLocked()
				p.mu.Unlock()
				return err
			}
			p.removeLocked(lane, w) // a reply may have come ahead meanwhile
			now = time.Now()
			p.next = now.Add(p.every)
			p.inFlight++
			p.signalLocked()
			p.mu.Unlock()
			return nil
		}
		changed := p.changed
		var t *time.Timer
		var timer <-chan time.Time
		if head == w && !p.gating {
			// Wake at the next grant time or when the oldest answer leaves
			// the window, whichever is later; a send answered meanwhile
			// signals changed. Sends all in flight: only changed can help.
			at := p.next
			if free.After(at) {
				at = free
			}
			if !free.Equal(never) {
				t = time.NewTimer(at.Sub(now))
				timer = t.C
			}
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

// passGateLocked waits for the gate, if any, with mu released.
func (p *pacer) passGateLocked(ctx context.Context) error {
	if p.gate == nil {
		return nil
	}
	p.gating = true
	p.mu.Unlock()
	err := p.gate(ctx)
	p.mu.Lock()
	p.gating = false
	return err
}

// never marks a window that only an answer can free.
var never = time.Unix(1<<62, 0)

// done records that a granted send was answered: it stays in the window
// for one more window from now.
func (p *pacer) done() {
	now := time.Now()
	p.mu.Lock()
	p.inFlight = max(p.inFlight-1, 0)
	p.answered = append(p.answered, now)
	p.signalLocked()
	p.mu.Unlock()
	if p.ungate != nil {
		p.ungate(now)
	}
}

// freeAtLocked is when the window will have room for one more send: zero
// if it has now, never if only answers in flight can make room.
func (p *pacer) freeAtLocked(now time.Time) time.Time {
	drop := 0
	for drop < len(p.answered) && !now.Before(p.answered[drop].Add(p.window)) {
		drop++
	}
	if drop > 0 {
		p.answered = append(p.answered[:0], p.answered[drop:]...)
	}
	over := p.inFlight + len(p.answered) - p.most // how many must leave first
	switch {
	case over < 0:
		return time.Time{}
	case over >= len(p.answered):
		return never
	}
	return p.answered[over].Add(p.window)
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

// pace waits until Telegram's limits allow a send to the item's chat and
// holds the chat: no other send to it (an outbox row or a direct answer
// through Pace) starts before sentTo(it), which must follow once Telegram
// answered (or unpace, if the send is given up).
func (n *Notifier) pace(ctx context.Context, it storage.OutboxItem) error {
	for {
		n.mu.Lock()
		wait := max(time.Until(n.pauseUntil), time.Until(n.chat(it.ChatID).nextAt))
		freed := n.chatFreed
		n.mu.Unlock()
		if wait > 0 {
			// A chat held by a send is free as soon as it is answered,
			// long before the hold's sendTimeout.
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			case <-freed:
				t.Stop()
			}
			continue
		}
		if err := n.global.wait(ctx, it.Lane); err != nil {
			return err
		}
		n.mu.Lock()
		c := n.chat(it.ChatID)
		if now := time.Now(); !now.Before(c.nextAt) {
			c.nextAt = now.Add(sendTimeout) // ours until answered; sentTo then spaces the next
			n.mu.Unlock()
			return nil
		}
		n.mu.Unlock()
		n.global.done() // another send to the chat went first: give the turn back
	}
}

// unpace gives back what pace took for a send that is not made.
func (n *Notifier) unpace(it storage.OutboxItem) {
	n.global.done()
	n.mu.Lock()
	n.chat(it.ChatID).nextAt = time.Now()
	n.freeChatsLocked()
	n.mu.Unlock()
}

// Pace waits, as a reply in the outbox would, until Telegram's limits allow
// one more message to chatID, for a message sent outside the outbox (the
// answers of a database that takes no writes), so that all sends share the
// limits. The chat is held until sent is called, once Telegram answered.
func (n *Notifier) Pace(ctx context.Context, chatID int64, group bool) (sent func(), err error) {
	it := storage.OutboxItem{OutboxMessage: storage.OutboxMessage{ChatID: chatID}, ChatType: "private", Lane: storage.LaneReply}
	if group {
		it.ChatType = "group"
	}
	if err := n.pace(ctx, it); err != nil {
		return nil, err
	}
	return func() { n.sentTo(it) }, nil
}

// freeChatsLocked wakes the sends waiting for a chat: one was answered or
// given up. Called with mu held.
func (n *Notifier) freeChatsLocked() {
	close(n.chatFreed)
	n.chatFreed = make(chan struct{})
}
