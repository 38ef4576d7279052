// Package poller polls carriers for the shipments that are due, on the
// schedule each shipment's state asks for, and turns what changed into
// outbox messages for the chats following it (written in the same
// transaction as the change, so a push is never lost nor doubled).
package poller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/carrierhttp"
	"github.com/trackbot/trackbot/tracker/parcel"
)

// Defaults for Config.
const (
	DefaultBaseInterval = time.Hour
	DefaultBatchLimit   = 500
	// DefaultOutageAfter is how long a carrier must have been failing before
	// the chats waiting on it are told that updates are delayed.
	DefaultOutageAfter = 3 * time.Hour
	// DefaultLease is how long a tick holds the shipments it claimed: other
	// instances leave them alone meanwhile, and take them over once it runs
	// out (the instance died mid-tick). It must outlast a page's polls.
	DefaultLease = 5 * time.Minute
)

// Config configures a Poller. Store and Router are required.
type Config struct {
	Store  Store
	Router *tracker.Router
	// BaseInterval is the poll interval of a shipment in transit; other
	// states scale from it.
	BaseInterval time.Duration
	// BatchLimit is how many due shipments one read from storage returns.
	BatchLimit  int
	OutageAfter time.Duration
	// Lease is how long claimed shipments stay this instance's (see
	// DefaultLease).
	Lease  time.Duration
	Logger *slog.Logger
	Now    func() time.Time
	// Rand returns a number in [0, 1) for jitter. It need not be safe for
	// concurrent use.
	Rand func() float64
	// ValidNumber tells the advice rules whether a number passed its
	// carrier's format and check digit; nil treats every number as valid.
	ValidNumber func(carrier, number string) bool
	// Observe, when set, is told the outcome of each shipment's look-up
	// (ok, not_found, error, resting) by client name, with the carrier
	// call's latency, for metrics and health.
	Observe func(client, outcome string, latency time.Duration)
}

// Poller runs poll cycles. Safe for concurrent use.
type Poller struct {
	cfg Config
	log *slog.Logger

	lanesMu sync.Mutex
	lanes   map[string]*lane // by client name
	drained chan struct{}    // closed and replaced whenever a lane finishes a piece of work

	randMu sync.Mutex
}

// New returns a Poller with defaults filled in.
func New(cfg Config) *Poller {
	if cfg.BaseInterval <= 0 {
		cfg.BaseInterval = DefaultBaseInterval
	}
	if cfg.BatchLimit <= 0 {
		cfg.BatchLimit = DefaultBatchLimit
	}
	if cfg.OutageAfter <= 0 {
		cfg.OutageAfter = DefaultOutageAfter
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	return &Poller{cfg: cfg, log: cfg.Logger.With("component", "poller"), lanes: map[string]*lane{}, drained: make(chan struct{})}
}

// TickStats counts what one tick did.
type TickStats struct {
	Skipped  bool // another tick was still running
	Polled   int  // shipments a carrier answered for
	Failed   int  // shipments whose poll failed or was put off
	Messages int  // outbox messages queued (before dedupe)
	// Lag is how late the most overdue shipment was when the tick began
	// (zero when nothing was due): the poller keeping up, or not.
	Lag time.Duration
}

// Tick runs one poll cycle: every due shipment is grouped by the client that
// tracks its carrier and handed to that client's lane (lanes.go), which
// polls its work in batches of the client's MaxBatch, paced by the client's
// own rate limit. Lanes run side by side, so a slow, paced or hanging
// carrier delays only its own shipments. Tick returns when the lanes have
// done what it gave them; ticks may overlap (a tick waiting on a slow lane
// does not hold up the next one), and a stalled lane (lanes.go) takes no
// more: the shipments it refuses stay claimed until their lease ends, then
// come due again. Skipped reports a tick that found only such shipments.
// It stops early when ctx is done; shipments not reached stay due for the
// next tick.
func (p *Poller) Tick(ctx context.Context) TickStats {
	var (
		total    TickStats
		mu       sync.Mutex
		wg       sync.WaitGroup
		deferred int
	)
	add := func(st TickStats) {
		mu.Lock()
		total.Polled += st.Polled
		total.Failed += st.Failed
		total.Messages += st.Messages
		mu.Unlock()
	}
	seen := map[int64]bool{}
	used := map[*lane]bool{} // the lanes this tick gave work
	paused := &pauses{until: map[string]time.Time{}}
	for ctx.Err() == nil {
		if !p.awaitRoom(ctx, used) {
			break
		}
		now := p.cfg.Now()
		// Claimed, not just read: other instances on the database (and
		// overlapping ticks) skip these until their records end the lease.
		due, err := p.cfg.Store.ClaimDueShipments(ctx, now, p.cfg.BatchLimit, p.cfg.Lease)
		if err != nil {
			if ctx.Err() == nil {
				p.log.Error("poll: read due shipments", slog.Any("error", err))
			}
			break
		}
		if len(seen) == 0 && len(due) > 0 { // the first page: oldest due first
			total.Lag = now.Sub(due[0].NextPollAt)
		}
		page := due[:0:0]
		for _, s := range due {
			if !seen[s.ID] {
				seen[s.ID] = true
				page = append(page, s)
			}
		}
		// A page of shipments already handled means their records failed to
		// move them on; stop rather than spin.
		if len(page) == 0 {
			break
		}
		st, n := p.dispatch(ctx, page, now.Add(p.cfg.Lease-p.cfg.Lease/5), paused, used, &wg, add)
		add(st)
		deferred += n
		if len(due) < p.cfg.BatchLimit {
			break
		}
	}
	wg.Wait()
	if deferred > 0 && total.Polled+total.Failed == 0 {
		total.Skipped = true
	}
	if total.Polled+total.Failed > 0 {
		p.log.Info("poll tick done", "polled", total.Polled, "failed", total.Failed, "messages", total.Messages, "deferred", deferred)
	}
	return total
}

// pauses records carriers that asked us to wait (429, resting) during a tick.
type pauses struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (ps *pauses) get(client string) (time.Time, bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	t, ok := ps.until[client]
	return t, ok
}

func (ps *pauses) set(client string, until time.Time) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.until[client] = until
}

// dispatch hands one page of due shipments to the lanes of their clients;
// done is told each lane's stats when it has polled its share. It returns
// the stats of what it settled itself (no client) and how many shipments it
// left for later because their lane already had work.
// A lane reaching the page only after until (most of its lease gone) leaves
// the rest to whoever claims it next (pollClient).
func (p *Poller) dispatch(ctx context.Context, page []parcel.Shipment, until time.Time, paused *pauses, used map[*lane]bool, wg *sync.WaitGroup, done func(TickStats)) (TickStats, int) {
	groups := map[tracker.Client][]parcel.Shipment{}
	var order []tracker.Client
	var st TickStats
	for _, s := range page {
		c, err := p.cfg.Router.ClientFor(s.Carrier)
		if err != nil {
			// No client can track it: look again much later, the link is all
			// the user gets meanwhile.
			now := p.cfg.Now()
			if err := p.cfg.Store.RecordPollFailure(ctx, s.ID, now, now.Add(p.jitter(noClientWait(p.cfg.BaseInterval), jitterSpread)), "no client for carrier "+s.Carrier); err != nil {
				p.log.Error("poll: record no-client", "shipment", s.ID, slog.Any("error", err))
			}
			st.Failed++
			continue
		}
		if _, ok := groups[c]; !ok {
			order = append(order, c)
		}
		groups[c] = append(groups[c], s)
	}
	deferred := 0
	for _, c := range order {
		ships := groups[c]
		wg.Add(1)
		l := p.lane(c)
		used[l] = true
		if !l.take(ctx, ships, func(ctx context.Context) {
			defer wg.Done()
			done(p.pollClient(ctx, c, ships, until, paused))
		}) {
			wg.Done()
			deferred += len(ships)
		}
	}
	return st, deferred
}

// answer is a carrier's reply to one batch.
type answer struct {
	batch   []parcel.Shipment
	asked   bool      // false: the client was paused
	until   time.Time // when !asked: the end of the pause
	results []tracker.Result
	err     error
	took    time.Duration
}

// pollClient polls one client's shipments batch by batch. The next batch's
// request runs while the answers to the one before are written, so the
// carrier's round trip and the database work overlap; at most one batch is
// fetched ahead. The fetching side sets pauses (429, resting) itself, so a
// carrier that asked us to wait is not asked again meanwhile.
//
// The shipments were claimed with a lease, and a tick claims pages ahead of
// its lanes: a lane slower than the lease (a paced carrier, a long queue)
// would still be asking for shipments whose lease ran out, which another
// instance (or the next tick) has claimed again meanwhile. So no batch is
// asked for after until, a fifth of the lease before it ends, leaving time
// to record what was asked; the rest is left to lapse and come due again.
func (p *Poller) pollClient(ctx context.Context, c tracker.Client, ships []parcel.Shipment, until time.Time, paused *pauses) TickStats {
	answers := make(chan answer) // unbuffered: one batch ahead, no more
	fetchCtx, stop := context.WithCancel(ctx)
	go p.fetch(fetchCtx, c, ships, until, paused, answers)
	defer func() {
		stop()
		for range answers { // let the fetcher finish before the tick ends
		}
	}()

	var st TickStats
	for a := range answers {
		if ctx.Err() != nil {
			break // shutting down: what is left stays due
		}
		switch {
		case !a.asked:
			p.putOff(ctx, a.batch, a.until, "carrier paused after rate limit or errors")
			st.Failed += len(a.batch)
		case a.err != nil:
			outcome := "error"
			if resting := (*carrierhttp.RestingError)(nil); errors.As(a.err, &resting) {
				outcome = "resting" // refused locally: no request was made
			}
			p.observe(c.Name(), outcome, a.took, len(a.batch))
			st.Failed += len(a.batch)
			p.batchFailed(ctx, c, a.batch, a.err, paused)
		default:
			p.carrierAnswered(ctx, c.Name())
			bs := p.recordBatch(ctx, c, a)
			st.Polled += bs.Polled
			st.Failed += bs.Failed
			st.Messages += bs.Messages
		}
	}
	return st
}

// fetch asks the client about ships batch by batch, handing each answer to
// out, and closes out when done or when ctx is.
func (p *Poller) fetch(ctx context.Context, c tracker.Client, ships []parcel.Shipment, until time.Time, paused *pauses, out chan<- answer) {
	defer close(out)
	size := max(c.MaxBatch(), 1)
	for start := 0; start < len(ships); start += size {
		if ctx.Err() != nil {
			return
		}
		if p.cfg.Now().After(until) {
			p.log.Info("poll: the lease on these shipments runs out before their turn; they come due again",
				"client", c.Name(), "shipments", len(ships)-start)
			return
		}
		a := answer{batch: ships[start:min(start+size, len(ships))]}
		if until, ok := paused.get(c.Name()); ok {
			a.until = until
		} else {
			a.asked = true
			numbers := make([]string, 0, len(a.batch))
			dup := make(map[string]bool, len(a.batch))
			for _, s := range a.batch {
				if !dup[s.Number] {
					dup[s.Number] = true
					numbers = append(numbers, s.Number)
				}
			}
			began := time.Now()
			a.results, a.err = c.Track(carrierhttp.WithPacer(ctx, p.carrierSlot), numbers)
			a.took = time.Since(began)
			if a.err != nil {
				if ctx.Err() != nil {
					return // shutting down: not the carrier's fault
				}
				p.pauseIfAsked(c.Name(), a.err, paused)
			}
		}
		select {
		case out <- a:
		case <-ctx.Done():
			return
		}
	}
}

// pauseIfAsked pauses the client for the rest of the tick when its error
// asks us to wait: it is resting, or it answered 429.
func (p *Poller) pauseIfAsked(client string, err error, paused *pauses) {
	var resting *carrierhttp.RestingError
	var status *carrierhttp.StatusError
	switch {
	case errors.As(err, &resting):
		paused.set(client, resting.Until)
	case errors.As(err, &status) && status.StatusCode == 429:
		paused.set(client, p.cfg.Now().Add(max(status.RetryAfter, time.Minute)))
	}
}

// recordBatch writes the answers to one batch in one transaction: one
// commit instead of one per shipment.
func (p *Poller) recordBatch(ctx context.Context, c tracker.Client, a answer) TickStats {
	var st TickStats
	byNumber := make(map[string]tracker.Result, len(a.results))
	for _, r := range a.results {
		byNumber[r.Number] = r
	}
	now := p.cfg.Now()
	records := make([]parcel.PollRecord, len(a.batch))
	results := make([]tracker.Result, len(a.batch))
	for i, s := range a.batch {
		res, ok := byNumber[s.Number]
		if !ok {
			res = tracker.Result{Number: s.Number, Status: tracker.StatusNotFound}
		}
		if res.Status == tracker.StatusNotFound {
			p.observe(c.Name(), "not_found", a.took, 1)
		} else {
			p.observe(c.Name(), "ok", a.took, 1)
		}
		results[i] = res
		records[i] = p.pollRecord(s, res, now)
	}
	outs, err := p.cfg.Store.RecordPolls(ctx, records)
	if err != nil {
		p.log.Error("poll: record batch", "client", c.Name(), "shipments", len(a.batch), slog.Any("error", err))
		st.Failed += len(a.batch)
		return st
	}
	for i, out := range outs {
		if errors.Is(out.Err, parcel.ErrStale) {
			// A refresh stored a poll of it meanwhile: work the news out again.
			out.Queued, out.Err = p.record(ctx, a.batch[i], results[i])
		}
		if out.Err != nil {
			p.log.Error("poll: record", "shipment", a.batch[i].ID, "client", c.Name(), slog.Any("error", out.Err))
			st.Failed++
			continue
		}
		st.Polled++
		st.Messages += out.Queued
		if h := results[i].Handoff; h != nil {
			p.handOff(ctx, a.batch[i], *h, now)
		}
	}
	return st
}

func (p *Poller) observe(client, outcome string, latency time.Duration, n int) {
	if p.cfg.Observe == nil {
		return
	}
	for range n {
		p.cfg.Observe(client, outcome, latency)
	}
}

// batchFailed backs off every shipment of a failed batch (to the end of the
// client's pause, if fetch paused it) and tells the chats waiting on a
// carrier that has been failing for long.
func (p *Poller) batchFailed(ctx context.Context, c tracker.Client, batch []parcel.Shipment, err error, paused *pauses) {
	now := p.cfg.Now()
	p.log.Warn("poll: carrier failed", "client", c.Name(), "shipments", len(batch), slog.Any("error", err))
	for _, s := range batch {
		next := now.Add(p.jitter(failureBackoff(p.cfg.BaseInterval, s.Failures+1), jitterSpread))
		if until, ok := paused.get(c.Name()); ok && until.After(next) {
			next = until
		}
		if err := p.cfg.Store.RecordPollFailure(ctx, s.ID, now, next, err.Error()); err != nil {
			p.log.Error("poll: record failure", "shipment", s.ID, slog.Any("error", err))
		}
	}
	p.carrierFailed(ctx, c.Name(), batch, now)
}

// putOff moves shipments the tick did not poll (their carrier is paused) to
// when the carrier is willing again.
func (p *Poller) putOff(ctx context.Context, batch []parcel.Shipment, until time.Time, why string) {
	now := p.cfg.Now()
	for _, s := range batch {
		next := until.Add(p.jitter(time.Minute, 1)) // spread the restart over a minute
		if err := p.cfg.Store.RecordPollFailure(ctx, s.ID, now, next, why); err != nil {
			p.log.Error("poll: put off", "shipment", s.ID, slog.Any("error", err))
		}
	}
}

// pollRecord is what a successful poll of s writes: the settled result, the
// next poll time and the notice for its followers, worked out from s as read.
func (p *Poller) pollRecord(s parcel.Shipment, res tracker.Result, now time.Time) parcel.PollRecord {
	res.Number = s.Number
	if res.Carrier == "" {
		res.Carrier = s.Carrier
	}
	res = settle(s, res)
	next := Never
	if d := interval(p.cfg.BaseInterval, s.Status, !s.PolledAt.IsZero(), res.Status, now.Sub(s.CreatedAt)); d > 0 {
		spread := jitterSpread
		if res.Status.Final() {
			spread = confirmSpread
		}
		next = now.Add(p.jitter(d, spread))
	}
	return parcel.PollRecord{
		ShipmentID: s.ID,
		Result:     res,
		PolledAt:   now,
		NextPollAt: next,
		Notice:     parcelNotice(s, res, now),
		Expect:     s.PolledAt,
	}
}

// record writes one successful poll and its notice; it returns how many
// outbox rows were queued. When another poll of the shipment was stored
// since s was read, the news is worked out again from what is stored.
func (p *Poller) record(ctx context.Context, s parcel.Shipment, res tracker.Result) (int, error) {
	for range 3 {
		outs, err := p.cfg.Store.RecordPolls(ctx, []parcel.PollRecord{p.pollRecord(s, res, p.cfg.Now())})
		if err == nil {
			err = outs[0].Err
		}
		if err == nil {
			if h := res.Handoff; h != nil {
				p.handOff(ctx, s, *h, p.cfg.Now())
			}
			return outs[0].Queued, nil
		}
		if !errors.Is(err, parcel.ErrStale) {
			return 0, fmt.Errorf("poller: record poll of shipment %d: %w", s.ID, err)
		}
		if s, err = p.cfg.Store.Shipment(ctx, s.ID); err != nil {
			return 0, fmt.Errorf("poller: record poll of shipment %d: %w", s.ID, err)
		}
	}
	return 0, fmt.Errorf("poller: record poll of shipment %d: %w", s.ID, parcel.ErrStale)
}

// PollNow polls one shipment at once (the bot's refresh button), queuing
// pushes for whatever changed like a tick would.
func (p *Poller) PollNow(ctx context.Context, shipmentID int64) error {
	s, err := p.cfg.Store.Shipment(ctx, shipmentID)
	if err != nil {
		return fmt.Errorf("poller: poll now: %w", err)
	}
	c, err := p.cfg.Router.ClientFor(s.Carrier)
	if err != nil {
		return fmt.Errorf("poller: %s: %w", s.Carrier, err)
	}
	results, err := c.Track(ctx, []string{s.Number})
	if err != nil {
		if ctx.Err() == nil {
			now := p.cfg.Now()
			next := now.Add(p.jitter(failureBackoff(p.cfg.BaseInterval, s.Failures+1), jitterSpread))
			if rerr := p.cfg.Store.RecordPollFailure(ctx, s.ID, now, next, err.Error()); rerr != nil {
				p.log.Error("poll now: record failure", "shipment", s.ID, slog.Any("error", rerr))
			}
		}
		return fmt.Errorf("poller: track shipment %d: %w", shipmentID, err)
	}
	res := tracker.Result{Number: s.Number, Status: tracker.StatusNotFound}
	for _, r := range results {
		if r.Number == s.Number {
			res = r
			break
		}
	}
	_, err = p.record(ctx, s, res)
	return err
}

// jitter spreads d by ±spread.
func (p *Poller) jitter(d time.Duration, spread float64) time.Duration {
	p.randMu.Lock()
	r := p.cfg.Rand()
	p.randMu.Unlock()
	return jitter(d, spread, r)
}

// carrierSlot is the carriers' Pacer: the next slot of the schedule the
// instances share in the store, so that together they keep a carrier's
// rate (not each of them). When the store cannot answer, the client paces
// alone rather than not at all.
func (p *Poller) carrierSlot(ctx context.Context, key string, every time.Duration) (time.Duration, bool) {
	wait, shared, err := p.cfg.Store.ReserveCarrierSlot(ctx, key, every)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Warn("poll: no shared carrier slot; pacing alone", "carrier", key, slog.Any("error", err))
		}
		return 0, false
	}
	return wait, shared
}
