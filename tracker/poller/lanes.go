package poller

import (
	"context"
	"sync"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/parcel"
)

// lane is one carrier client's polling: its own queue of work and its own
// goroutine (started when work arrives, gone when the queue is empty), so
// the client's rate limit and batch size pace only its shipments.
type lane struct {
	name    string
	drained func() // called after each piece of work

	mu        sync.Mutex
	queue     []laneWork
	queued    int       // shipments in queue
	running   bool      // a goroutine is working the queue
	busySince time.Time // start of the work under way (zero when idle)
	lastDone  time.Time // end of the last piece of work
}

type laneWork struct {
	ctx context.Context
	n   int
	run func(ctx context.Context)
}

// lane returns c's lane.
func (p *Poller) lane(c tracker.Client) *lane {
	p.lanesMu.Lock()
	defer p.lanesMu.Unlock()
	l := p.lanes[c.Name()]
	if l == nil {
		l = &lane{name: c.Name(), drained: p.laneDrained}
		p.lanes[c.Name()] = l
	}
	return l
}

// laneStalled: a lane whose current piece of work has run this long (a
// carrier paced to a call a minute, one that hangs until its timeout) takes
// no more work; the shipments it refuses stay claimed until their lease
// ends and then come due again. A lane keeping up takes every page of a
// tick, however many.
const laneStalled = 30 * time.Second

// take queues run (work on ships) unless the lane is stalled; it reports
// whether it took it.
func (l *lane) take(ctx context.Context, ships []parcel.Shipment, run func(ctx context.Context)) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.busySince.IsZero() && time.Since(l.busySince) > laneStalled {
		return false
	}
	l.queue = append(l.queue, laneWork{ctx: ctx, n: len(ships), run: run})
	l.queued += len(ships)
	if !l.running {
		l.running = true
		go l.work()
	}
	return true
}

func (l *lane) work() {
	for {
		l.mu.Lock()
		if len(l.queue) == 0 {
			l.running = false
			l.busySince = time.Time{}
			l.mu.Unlock()
			return
		}
		w := l.queue[0]
		l.queue = l.queue[1:]
		l.busySince = time.Now()
		l.mu.Unlock()

		w.run(w.ctx)

		l.mu.Lock()
		l.queued -= w.n
		l.lastDone = time.Now()
		l.mu.Unlock()
		l.drained()
	}
}

// hasRoom reports whether the lane could use more work: fewer than most
// shipments queued, or stalled (it takes none, and what it refuses lapses,
// so it should not hold back the other lanes' claims either).
func (l *lane) hasRoom(most int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.queued < most || (!l.busySince.IsZero() && time.Since(l.busySince) > laneStalled)
}

func (p *Poller) laneDrained() {
	p.lanesMu.Lock()
	defer p.lanesMu.Unlock()
	close(p.drained)
	p.drained = make(chan struct{})
}

// awaitRoom is a tick's backpressure: it claims its next page only once a
// lane it gave work has room for it (fewer than two pages queued, the one
// under way and one ahead), rather than every due shipment ahead of its
// lanes. So an instance holds only what it is about to poll, and the other
// instances claim the rest of a cycle: they share it by how fast each
// polls, not by who claimed first. It reports false when ctx is done.
func (p *Poller) awaitRoom(ctx context.Context, used map[*lane]bool) bool {
	for {
		p.lanesMu.Lock()
		drained := p.drained
		p.lanesMu.Unlock()
		if len(used) == 0 {
			return true
		}
		for l := range used {
			if l.hasRoom(2 * p.cfg.BatchLimit) {
				return true
			}
		}
		t := time.NewTimer(time.Second) // a lane may stall meanwhile, and say nothing
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-drained:
		case <-t.C:
		}
		t.Stop()
	}
}

// LaneHealth is one carrier client's lane as /healthz shows it.
type LaneHealth struct {
	Client   string
	Queued   int           // shipments waiting or being polled
	BusyFor  time.Duration // how long the work under way has taken (0: idle)
	LastDone time.Time     // when it last finished a piece of work
}

// Lanes reports every lane that has had work.
func (p *Poller) Lanes() []LaneHealth {
	p.lanesMu.Lock()
	lanes := make([]*lane, 0, len(p.lanes))
	for _, l := range p.lanes {
		lanes = append(lanes, l)
	}
	p.lanesMu.Unlock()
	out := make([]LaneHealth, 0, len(lanes))
	for _, l := range lanes {
		l.mu.Lock()
		h := LaneHealth{Client: l.name, Queued: l.queued, LastDone: l.lastDone}
		if !l.busySince.IsZero() {
			h.BusyFor = time.Since(l.busySince)
		}
		l.mu.Unlock()
		out = append(out, h)
	}
	return out
}
