// Package notify drains the outbox to Telegram: it paces sends to Telegram's
// limits, honours retry_after, stops writing to chats that blocked the bot,
// follows group → supergroup migrations and retries what failed on the way.
// A message is marked sent only after Telegram accepted it, and the outbox
// row is the only copy, so a crash at any point loses nothing; at worst a
// send that Telegram accepted just before the crash is repeated once.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/storage"
)

// Limits are the rates the notifier paces itself to. Telegram counts with
// sliding windows and without slack, so the defaults stay a little under its
// published limits (30/s overall, 1/s per chat, 20/min per group).
type Limits struct {
	PerSecond         float64 // all chats together
	PerChatPerSecond  float64 // one private chat
	PerGroupPerMinute float64 // one group, supergroup or channel
	// Window is the span Telegram counts PerSecond over: one second
	// (the default), shorter when a test plays time faster.
	Window time.Duration
}

// DefaultLimits leave a margin under Telegram's limits for network jitter.
var DefaultLimits = Limits{PerSecond: 29, PerChatPerSecond: 0.9, PerGroupPerMinute: 19}

const (
	pageSize      = 500              // outbox rows read at a time
	sendTimeout   = 30 * time.Second // one sendMessage, even during shutdown
	retryMin      = 5 * time.Second  // first back-off after a network or server error
	retryMinReply = time.Second      // the same for a reply, which someone is waiting for
	maxAttempts   = 12               // transient failures before a message is given up (about an hour of tries)
	retryMax      = 10 * time.Minute
	idleChatAfter = time.Minute // per-chat limiters unused this long are dropped
	// maxUnmarked bounds the messages Telegram accepted that the database
	// could not yet record as sent (a full disk): past it nothing more is
	// sent until the marks are written. Each costs a few dozen bytes.
	maxUnmarked  = 10000
	markRetryMin = 500 * time.Millisecond // first wait before writing the marks again
	markRetryMax = time.Minute
)

// Config configures a Notifier. Store and Telegram are required.
type Config struct {
	Store    *storage.Store
	Telegram *bot.Bot
	Logger   *slog.Logger
	Now      func() time.Time
	Limits   Limits // zero fields take DefaultLimits
	// Interval is how often Run looks for due messages; default 1s.
	Interval time.Duration
	// Workers bounds concurrent sendMessage calls; default 8. Pacing, not
	// this, sets the rate: it only has to cover Telegram's latency.
	Workers int
	// Observe, when set, is told each send's outcome (sent, retried,
	// failed, blocked, migrated), for metrics.
	Observe func(outcome string)
	// Render turns an outbox row into the message to send, at send time
	// (the bot renders notices with the chat's settings of that moment).
	// ok false: nothing to send any more; the row is done. Nil sends a
	// row's Text and Markup as they are.
	Render func(ctx context.Context, it storage.OutboxItem) (m Message, ok bool, err error)
	// Owner, when set, makes this notifier one of several instances
	// sending one outbox (on PostgreSQL): it sends only the chats it leases
	// (Store.ClaimOutbox), so each chat's messages go in order from one
	// instance, and it draws every send from the one schedule all the
	// instances share (share.go). Unique per process. Empty: it sends the
	// whole outbox alone (SQLite).
	Owner string
	// Lease is how long a chat stays this instance's after its last
	// renewal (each load renews the chats with something due); DefaultLease
	// when zero. A dead instance's chats wait this long for another.
	Lease time.Duration
}

// DefaultLease: a dead instance's chats are taken over within half a
// minute, and a live one renews its leases thirty times meanwhile.
const DefaultLease = 30 * time.Second

// ErrUnreadable marks a Render error about the row itself (a payload it
// cannot decode): the row is given up, not retried.
var ErrUnreadable = errors.New("notify: unreadable outbox row")

// DeferError from Render holds a row until Until (the chat's quiet hours):
// it is not sent now, no attempt is counted, and the chat's later rows may
// go meanwhile.
type DeferError struct{ Until time.Time }

func (d *DeferError) Error() string { return "notify: deferred until " + d.Until.Format(time.RFC3339) }

// Message is an outbox row rendered for sendMessage.
type Message struct {
	Text   string // Telegram HTML
	Markup models.ReplyMarkup
}

// Notifier sends outbox messages. Safe for concurrent use.
//
// Each chat with something due gets a goroutine that sends its messages in
// order, replies (lane 0) before pushes (lane 1), paced by the chat's
// limiter; all chats share one pacer for the overall rate, which also serves
// replies first. New messages join a chat's queue while it is being sent,
// so a reply never waits for a drain of pushes to finish.
type Notifier struct {
	cfg    Config
	log    *slog.Logger
	global *pacer
	share  *sharedPace // with Owner: the instances' one schedule
	// claimTarget: with Owner, how many chats this instance sends to at
	// once, at most (due).
	claimTarget int
	sem         chan struct{}
	wake        chan struct{}

	mu         sync.Mutex
	chats      map[int64]*chatState
	pauseUntil time.Time     // Telegram said 429: nobody sends before this
	chatFreed  chan struct{} // closed and replaced when a chat's hold ends early

	qmu    sync.Mutex
	queued map[int64]bool // outbox ids queued or being sent
	// finished: when this process last finished with an outbox id (sent,
	// failed, put off). A load whose read began before that may have seen
	// the row as it was before, and must not queue it again.
	finished map[int64]time.Time
	queues   map[int64]*chatQueue
	// leases: with Owner, until when (this process's clock, counted from
	// before the claim) each chat it sends to is surely its own.
	leases map[int64]time.Time
	// unmarked: messages Telegram accepted whose sent mark the database
	// refused (a full disk). They are never sent again; load retries the
	// marks, all together, after markWait.
	unmarked    map[int64]unmarkedSend
	maxUnmarked int       // maxUnmarked; smaller in tests
	sending     int       // deliveries under way
	markAt      time.Time // the next try of the marks
	markWait    time.Duration
	markMu      sync.Mutex // one retry of the marks at a time
	// claimFailing: with Owner, the last claim failed (leases unrenewed).
	claimFailing bool
	active       int           // chats being sent to
	idle         chan struct{} // closed when active drops to 0

	stats struct{ sent, tooMany, retried, failed, blocked, migrated atomic.Int64 }
}

// unmarkedSend is a message sent whose sent mark is still to be written.
type unmarkedSend struct {
	chat int64
	at   time.Time // when Telegram accepted it
}

// chatQueue is what is queued for one chat, per lane.
type chatQueue struct {
	lanes [2][]storage.OutboxItem
	moved int64 // the chat's new id once it migrated mid-queue
}

func (q *chatQueue) pop() (storage.OutboxItem, bool) {
	for l := range q.lanes {
		if len(q.lanes[l]) > 0 {
			it := q.lanes[l][0]
			q.lanes[l] = q.lanes[l][1:]
			return it, true
		}
	}
	return storage.OutboxItem{}, false
}

// chatState paces one chat and remembers when it may be written to again.
type chatState struct {
	nextAt    time.Time // the chat's next send may start then
	holdUntil time.Time // after a 429 or a transient failure
	lastUsed  time.Time
}

// New returns a Notifier with defaults filled in.
func New(cfg Config) *Notifier {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limits.PerSecond <= 0 {
		cfg.Limits.PerSecond = DefaultLimits.PerSecond
	}
	if cfg.Limits.PerChatPerSecond <= 0 {
		cfg.Limits.PerChatPerSecond = DefaultLimits.PerChatPerSecond
	}
	if cfg.Limits.PerGroupPerMinute <= 0 {
		cfg.Limits.PerGroupPerMinute = DefaultLimits.PerGroupPerMinute
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 8
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	n := &Notifier{
		cfg: cfg,
		log: cfg.Logger.With("component", "notifier"),
		// One send at a time, evenly spaced: Telegram's window slides, so a
		// burst now is a 429 a second later.
		global:      pacerFor(cfg.Limits),
		sem:         make(chan struct{}, cfg.Workers),
		wake:        make(chan struct{}, 1),
		chats:       map[int64]*chatState{},
		chatFreed:   make(chan struct{}),
		queued:      map[int64]bool{},
		finished:    map[int64]time.Time{},
		queues:      map[int64]*chatQueue{},
		leases:      map[int64]time.Time{},
		unmarked:    map[int64]unmarkedSend{},
		maxUnmarked: maxUnmarked,
		idle:        make(chan struct{}),
	}
	if cfg.Owner != "" {
		n.share = &sharedPace{store: cfg.Store, log: n.log, pace: storage.SendPace{
			Every: n.global.every, Window: n.global.window, Most: n.global.most, Hold: sendTimeout + n.global.window,
		}}
		n.global.gate, n.global.ungate = n.share.wait, n.share.finish
		n.claimTarget = max(1, int(math.Ceil(cfg.Limits.PerSecond/cfg.Limits.PerChatPerSecond)))
	}
	return n
}

// Stats counts what the notifier did since it started.
type Stats struct {
	Sent, TooMany, Retried, Failed, Blocked, Migrated int64
}

// Stats returns the counters.
func (n *Notifier) Stats() Stats {
	return Stats{
		Sent: n.stats.sent.Load(), TooMany: n.stats.tooMany.Load(), Retried: n.stats.retried.Load(),
		Failed: n.stats.failed.Load(), Blocked: n.stats.blocked.Load(), Migrated: n.stats.migrated.Load(),
	}
}

// Wake makes Run look at the outbox now instead of at its next interval.
func (n *Notifier) Wake() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Run sends the outbox until ctx is done, then returns once the sends
// already under way have finished and been recorded.
func (n *Notifier) Run(ctx context.Context) error {
	t := time.NewTicker(n.cfg.Interval)
	defer t.Stop()
	if n.cfg.Owner != "" {
		// Another instance may queue a reply for a chat this one holds:
		// its commit wakes this one at once, not at the next interval.
		listening := make(chan struct{})
		defer func() { <-listening }()
		go func() { defer close(listening); n.cfg.Store.ListenOutbox(ctx, n.Wake, n.log) }()
	}
	for {
		n.prune()
		if _, err := n.load(ctx, true); err != nil && ctx.Err() == nil {
			n.log.Error("outbox", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			n.waitIdle(context.Background())
			return nil
		case <-t.C:
		case <-n.wake:
		}
	}
}

// Flush sends what is due now, paced, and returns when it is done (or ctx
// is, after the sends under way). Messages held back (a 429, a transient
// error) wait for a later Flush. With Owner it sends the chats it holds and
// takes on no others: it is for shutdown.
func (n *Notifier) Flush(ctx context.Context) error {
	n.prune()
	for ctx.Err() == nil {
		added, err := n.load(ctx, false)
		if err != nil {
			return err
		}
		n.waitIdle(ctx)
		if added == 0 {
			return nil
		}
	}
	n.waitIdle(context.Background())
	return nil
}

// waitIdle waits until no chat is being sent to, or ctx is done.
func (n *Notifier) waitIdle(ctx context.Context) {
	for {
		n.qmu.Lock()
		if n.active == 0 {
			n.qmu.Unlock()
			return
		}
		idle := n.idle
		n.qmu.Unlock()
		select {
		case <-idle:
		case <-ctx.Done():
			return
		}
	}
}

// Release lets the other instances take this one's chats at once, rather
// than when their leases run out: for shutdown, after Flush.
func (n *Notifier) Release(ctx context.Context) error {
	if n.cfg.Owner == "" {
		return nil
	}
	if left := n.markSent(ctx, true); left > 0 {
		// Released, their chats would be sent again by another instance
		// at once; kept, the leases lapse first (and the marks may land
		// meanwhile if this process lives on).
		n.log.Warn("release: messages sent but not recorded; leaving their chats' leases to lapse", "unmarked", left)
		return nil
	}
	return n.cfg.Store.ReleaseOutbox(ctx, n.cfg.Owner)
}

// load queues the due messages not queued yet and starts a goroutine for
// each chat that has none; it returns how many it queued. With Owner it
// claims them (taking on new chats only when more is true).
func (n *Notifier) load(ctx context.Context, more bool) (int, error) {
	// With Owner, while the claims fail too (the database takes no writes),
	// the leases are not renewed and may lapse: the marks are then tried
	// before each claim, not after their back-off, so that they are
	// written before any instance can take the chats again.
	n.qmu.Lock()
	force := n.claimFailing
	n.qmu.Unlock()
	n.markSent(ctx, force)
	began := time.Now()
	items, err := n.due(ctx, more)
	if n.cfg.Owner != "" {
		n.qmu.Lock()
		n.claimFailing = err != nil
		n.qmu.Unlock()
	}
	if err != nil {
		return 0, err
	}
	added := 0
	n.qmu.Lock()
	defer n.qmu.Unlock()
	if len(n.unmarked) >= n.maxUnmarked {
		return 0, nil // nothing more goes out until the marks are written
	}
	for _, it := range items {
		if n.cfg.Owner != "" {
			n.leases[it.ChatID] = began.Add(n.cfg.Lease)
		}
		if _, sent := n.unmarked[it.ID]; sent || n.queued[it.ID] || n.held(it.ChatID) {
			continue
		}
		if at, ok := n.finished[it.ID]; ok && !at.Before(began) {
			continue // read before this process recorded its send: stale
		}
		n.queued[it.ID] = true
		added++
		q := n.queues[it.ChatID]
		if q == nil {
			q = &chatQueue{}
			n.queues[it.ChatID] = q
			n.active++
			go n.runChat(ctx, it.ChatID, q)
		}
		lane := min(max(it.Lane, 0), 1)
		q.lanes[lane] = append(q.lanes[lane], it)
	}
	return added, nil
}

// due reads the messages to send: the whole outbox's, or with Owner those
// of the chats this instance leases, taking on new chats up to
// claimTarget: enough to send at the full rate even if each chat has a long
// queue (paced at its own 1/s), few enough that the other instances get
// theirs. A chat finished makes room; crossing half empty wakes a load.
func (n *Notifier) due(ctx context.Context, more bool) ([]storage.OutboxItem, error) {
	if n.cfg.Owner == "" {
		items, err := n.cfg.Store.PendingOutbox(ctx, n.cfg.Now(), pageSize)
		if err != nil {
			return nil, fmt.Errorf("notify: pending outbox: %w", err)
		}
		return items, nil
	}
	newChats := 0
	if more {
		n.qmu.Lock()
		newChats = max(0, n.claimTarget-len(n.queues))
		n.qmu.Unlock()
	}
	items, err := n.cfg.Store.ClaimOutbox(ctx, storage.OutboxClaim{
		Owner: n.cfg.Owner, Now: n.cfg.Now(), Lease: n.cfg.Lease, NewChats: newChats, Limit: pageSize,
	})
	if err != nil {
		return nil, fmt.Errorf("notify: claim outbox: %w", err)
	}
	return items, nil
}

// leaseLeft is how long chat is surely still this instance's: forever
// without Owner.
func (n *Notifier) leaseLeft(chat int64) time.Duration {
	if n.cfg.Owner == "" {
		return sendTimeout
	}
	n.qmu.Lock()
	defer n.qmu.Unlock()
	return time.Until(n.leases[chat])
}

// runChat sends chat's queue in order until it is empty or a message must
// wait (then the rest waits with it, to keep the chat's order).
func (n *Notifier) runChat(ctx context.Context, chat int64, q *chatQueue) {
	for {
		n.qmu.Lock()
		it, ok := q.pop()
		if !ok || ctx.Err() != nil {
			n.releaseLocked(chat, q, ok, it)
			n.qmu.Unlock()
			return
		}
		moved := q.moved
		n.qmu.Unlock()
		if moved != 0 {
			it.ChatID, it.ChatType = moved, "supergroup"
		}
		next, to := n.deliver(ctx, it)
		n.qmu.Lock()
		delete(n.queued, it.ID)
		n.finished[it.ID] = time.Now()
		if to != it.ChatID {
			q.moved = to
		}
		if !next {
			n.releaseLocked(chat, q, false, it)
			n.qmu.Unlock()
			return
		}
		n.qmu.Unlock()
	}
}

// releaseLocked ends chat's goroutine: what is still queued goes back to
// the outbox's care (a later load picks it up). Called with qmu held.
func (n *Notifier) releaseLocked(chat int64, q *chatQueue, popped bool, it storage.OutboxItem) {
	if popped {
		delete(n.queued, it.ID)
	}
	for _, lane := range q.lanes {
		for _, r := range lane {
			delete(n.queued, r.ID)
		}
	}
	delete(n.queues, chat)
	delete(n.leases, chat)
	if n.cfg.Owner != "" && len(n.queues) == n.claimTarget/2 {
		n.Wake() // room for more chats
	}
	n.active--
	if n.active == 0 {
		close(n.idle)
		n.idle = make(chan struct{})
	}
}

// deliver sends one message and records the outcome. It reports whether the
// chat's next message may follow in this drain, and the chat's id, which a
// migration changes.
func (n *Notifier) deliver(ctx context.Context, it storage.OutboxItem) (next bool, chat int64) {
	// A send under way may end unmarked too: it counts against the bound.
	n.qmu.Lock()
	full := len(n.unmarked)+n.sending >= n.maxUnmarked
	if !full {
		n.sending++
	}
	n.qmu.Unlock()
	if full {
		return false, it.ChatID // the row stays pending until the marks are written
	}
	defer func() {
		n.qmu.Lock()
		n.sending--
		n.qmu.Unlock()
	}()
	m, ok, err := n.render(ctx, it)
	var later *DeferError
	switch {
	case err != nil && ctx.Err() != nil:
		return false, it.ChatID // shutting down: the message stays pending
	case errors.As(err, &later):
		if err := n.cfg.Store.Defer(context.WithoutCancel(ctx), it.ID, later.Until); err != nil {
			n.log.Error("send: defer", "outbox", it.ID, slog.Any("error", err))
			return false, it.ChatID
		}
		n.log.Debug("send: held for quiet hours", "chat", it.ChatID, "outbox", it.ID, "until", later.Until)
		return true, it.ChatID
	case errors.Is(err, ErrUnreadable):
		// The row cannot be read: sending it again cannot help.
		n.stats.failed.Add(1)
		n.observe("failed")
		n.log.Error("send: cannot render", "chat", it.ChatID, "outbox", it.ID, slog.Any("error", err))
		if err := n.cfg.Store.MarkFailed(context.WithoutCancel(ctx), it.ID, err.Error()); err != nil {
			n.log.Error("send: mark failed", "outbox", it.ID, slog.Any("error", err))
		}
		return true, it.ChatID
	case err != nil:
		// The database, most likely: try again later, in order.
		wait := min(retryMin<<min(it.Attempts, 10), retryMax)
		n.log.Warn("send: render failed", "chat", it.ChatID, "outbox", it.ID, "retry_in", wait, slog.Any("error", err))
		n.hold(it.ChatID, wait)
		n.retryLater(ctx, &it, n.cfg.Now().Add(wait), err.Error())
		return false, it.ChatID
	case !ok:
		// Overtaken (the parcel was stopped, the advice no longer applies).
		n.log.Debug("send: nothing to send any more", "chat", it.ChatID, "outbox", it.ID)
		if err := n.cfg.Store.MarkSent(context.WithoutCancel(ctx), it.ID, n.cfg.Now()); err != nil {
			n.log.Error("send: mark done", "outbox", it.ID, slog.Any("error", err))
			return false, it.ChatID
		}
		return true, it.ChatID
	}
	for range 3 { // a migration resends to the new id; twice is already odd
		if err := n.pace(ctx, it); err != nil {
			return false, it.ChatID // shutting down: the message stays pending
		}
		n.sem <- struct{}{}
		// With Owner, the send must end before the chat's lease may: past
		// it another instance may send the chat's messages. A lease half
		// gone (the loads that renew it are failing) is left to lapse.
		// Measured once a worker is free, since waiting for one takes from
		// the lease too.
		left := n.leaseLeft(it.ChatID)
		if left < min(n.cfg.Lease/2, sendTimeout) {
			<-n.sem
			n.log.Warn("send: the chat's lease runs out; leaving it to the next holder", "chat", it.ChatID, "outbox", it.ID)
			n.unpace(it) // the grant goes unused
			return false, it.ChatID
		}
		err := n.send(ctx, it, m, min(left, sendTimeout))
		<-n.sem
		n.sentTo(it)
		next, retry := n.handle(ctx, &it, err)
		if !retry {
			return next, it.ChatID
		}
	}
	n.log.Error("send: chat keeps migrating", "chat", it.ChatID, "outbox", it.ID)
	return false, it.ChatID
}

// send makes the sendMessage (or editMessageText) call. Once started, it is
// not cancelled by shutdown: abandoning a request Telegram may already have
// accepted would send the message twice after a restart.
func (n *Notifier) send(ctx context.Context, it storage.OutboxItem, m Message, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	noPreview := &models.LinkPreviewOptions{IsDisabled: bot.True()}
	mk := m.Markup
	if it.EditID != 0 {
		p := &bot.EditMessageTextParams{ChatID: it.ChatID, MessageID: it.EditID, Text: m.Text,
			ParseMode: models.ParseModeHTML, LinkPreviewOptions: noPreview}
		if inlineKeyboard(mk) { // an edit takes inline buttons only
			p.ReplyMarkup = mk
		}
		_, err := n.cfg.Telegram.EditMessageText(ctx, p)
		return err
	}
	p := &bot.SendMessageParams{
		ChatID:             it.ChatID,
		Text:               m.Text,
		ParseMode:          models.ParseModeHTML,
		LinkPreviewOptions: noPreview,
		ReplyMarkup:        mk,
	}
	if it.ReplyTo != 0 {
		p.ReplyParameters = &models.ReplyParameters{MessageID: it.ReplyTo, AllowSendingWithoutReply: true}
	}
	_, err := n.cfg.Telegram.SendMessage(ctx, p)
	return err
}

// render is the message to send for it now: a notice rendered by Render,
// or a row queued already rendered (a reply), as it is.
func (n *Notifier) render(ctx context.Context, it storage.OutboxItem) (Message, bool, error) {
	if it.Kind != "" && n.cfg.Render != nil {
		return n.cfg.Render(ctx, it)
	}
	return Message{Text: it.Text, Markup: n.markup(it)}, true, nil
}

// markup is the stored reply_markup (inline buttons, or the "reply to this"
// prompt of a rename), sent as stored: go-telegram's keyboard type would add
// an empty copy_text to every button, which Telegram refuses.
func (n *Notifier) markup(it storage.OutboxItem) models.ReplyMarkup {
	if it.Markup == "" {
		return nil
	}
	if !json.Valid([]byte(it.Markup)) {
		n.log.Error("send: bad markup, sending without buttons", "outbox", it.ID)
		return nil
	}
	return json.RawMessage(it.Markup)
}

// inlineKeyboard reports whether mk is an inline keyboard, whatever type
// holds it.
func inlineKeyboard(mk models.ReplyMarkup) bool {
	if mk == nil {
		return false
	}
	b, err := json.Marshal(mk)
	var probe struct {
		Rows json.RawMessage `json:"inline_keyboard"`
	}
	return err == nil && json.Unmarshal(b, &probe) == nil && len(probe.Rows) > 0 && string(probe.Rows) != "null"
}

// handle records the outcome of a send. next: the chat's following message
// may go now; retry: send this message again now (the chat moved).
func (n *Notifier) handle(ctx context.Context, it *storage.OutboxItem, err error) (next, retry bool) {
	// Recording must survive shutdown too: the send happened.
	ctx = context.WithoutCancel(ctx)
	now := n.cfg.Now()
	v := Classify(err, it.EditID != 0)
	switch {
	case v.Outcome == Delivered:
		n.stats.sent.Add(1)
		err := n.cfg.Store.MarkSent(ctx, it.ID, now)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			n.log.Warn("send: sent message no longer in the outbox", "outbox", it.ID)
		case err != nil:
			// Sent all the same: remember it, so that it is never sent
			// again, and write the mark when the database takes it.
			n.log.Error("send: mark sent; will retry", "outbox", it.ID, slog.Any("error", err))
			n.qmu.Lock()
			n.unmarked[it.ID] = unmarkedSend{chat: it.ChatID, at: now}
			if n.markWait == 0 {
				n.markWait = markRetryMin
				n.markAt = time.Now().Add(n.markWait)
			}
			n.qmu.Unlock()
		default:
			n.observe("sent") // once recorded: a count that includes it means the row says so
		}
		return true, false

	case v.Outcome == Flood:
		n.stats.tooMany.Add(1)
		wait := v.Wait
		n.log.Warn("send: telegram says too many requests", "chat", it.ChatID, "retry_after", wait)
		n.mu.Lock()
		// Whether the limit was the chat's or the bot's, Telegram said wait:
		// everybody waits, which is what keeps further 429s away.
		if until := time.Now().Add(wait); until.After(n.pauseUntil) {
			n.pauseUntil = until
		}
		n.mu.Unlock()
		if n.share != nil {
			n.share.pause(ctx, wait) // the other instances too
		}
		n.hold(it.ChatID, wait)
		n.retryLater(ctx, it, now.Add(wait), "telegram: 429 too many requests")
		return false, false

	case v.Outcome == Migrated:
		n.stats.migrated.Add(1)
		n.observe("migrated")
		to := v.To
		n.log.Info("send: group became a supergroup", "chat", it.ChatID, "new_chat", to)
		if err := n.cfg.Store.MigrateChat(ctx, it.ChatID, to); err != nil {
			n.log.Error("send: migrate chat", "chat", it.ChatID, "new_chat", to, slog.Any("error", err))
			n.retryLater(ctx, it, now.Add(retryMin), "migrate chat: "+err.Error())
			return false, false
		}
		n.qmu.Lock()
		if until, ok := n.leases[it.ChatID]; ok {
			n.leases[to] = until // MigrateChat moved the lease along
		}
		n.qmu.Unlock()
		it.ChatID, it.ChatType = to, "supergroup"
		return false, true

	case v.Outcome == Blocked:
		// Blocked or removed: keep a push; it goes out if the chat comes
		// back. A reply would be stale by then: it is closed, with the reason.
		n.stats.blocked.Add(1)
		n.observe("blocked")
		n.log.Info("send: chat blocked the bot, marking inactive", "chat", it.ChatID)
		if err := n.cfg.Store.SetChatActive(ctx, it.ChatID, false); err != nil {
			n.log.Error("send: mark chat inactive", "chat", it.ChatID, slog.Any("error", err))
		}
		if it.Lane == storage.LaneReply {
			if err := n.cfg.Store.MarkFailed(ctx, it.ID, "chat blocked the bot: "+err.Error()); err != nil {
				n.log.Error("send: mark failed", "outbox", it.ID, slog.Any("error", err))
			}
		}
		return false, false

	case v.Outcome == EditGone:
		// The message to edit is gone or too old: send the text anew.
		it.EditID = 0
		return false, true

	case v.Outcome == Refused:
		// The message itself is wrong; sending it again cannot help.
		n.stats.failed.Add(1)
		n.observe("failed")
		n.log.Error("send: telegram refused the message", "chat", it.ChatID, "outbox", it.ID, slog.Any("error", err))
		if err := n.cfg.Store.MarkFailed(ctx, it.ID, err.Error()); err != nil {
			n.log.Error("send: mark failed", "outbox", it.ID, slog.Any("error", err))
		}
		return true, false

	case it.Attempts+1 >= maxAttempts:
		// Nothing is dropped silently: the reason stays on the row, in the
		// log and in the failed count.
		n.stats.failed.Add(1)
		n.observe("failed")
		n.log.Error("send: giving up after repeated failures", "chat", it.ChatID, "outbox", it.ID,
			"attempts", it.Attempts+1, slog.Any("error", err))
		if err := n.cfg.Store.MarkFailed(ctx, it.ID, "gave up: "+err.Error()); err != nil {
			n.log.Error("send: mark failed", "outbox", it.ID, slog.Any("error", err))
		}
		return true, false

	default: // network, 5xx, 401 while a token is being fixed: try again later
		base := retryMin
		if it.Lane == storage.LaneReply {
			base = retryMinReply // someone is waiting
		}
		wait := min(base<<min(it.Attempts, 10), retryMax)
		n.log.Warn("send: transient failure", "chat", it.ChatID, "outbox", it.ID, "retry_in", wait, slog.Any("error", err))
		n.hold(it.ChatID, wait)
		n.retryLater(ctx, it, now.Add(wait), err.Error())
		return false, false
	}
}

func (n *Notifier) observe(outcome string) {
	if n.cfg.Observe != nil {
		n.cfg.Observe(outcome)
	}
}

func (n *Notifier) retryLater(ctx context.Context, it *storage.OutboxItem, at time.Time, why string) {
	n.stats.retried.Add(1)
	n.observe("retried")
	if err := n.cfg.Store.RetryLater(ctx, it.ID, at, why); err != nil {
		n.log.Error("send: retry later", "outbox", it.ID, slog.Any("error", err))
	}
}

// chat returns the chat's state. Called with mu held.
func (n *Notifier) chat(id int64) *chatState {
	c := n.chats[id]
	if c == nil {
		c = &chatState{}
		n.chats[id] = c
	}
	c.lastUsed = time.Now()
	return c
}

// sentTo spaces the chat's next send from the moment this one's answer
// arrived: 1/s for a private chat, 20/min for a group. Counting from the
// answer rather than from the start keeps two sends to one chat apart at
// Telegram's end too, however the network delays either. The global pacer
// counts the send in its window the same way.
func (n *Notifier) sentTo(it storage.OutboxItem) {
	n.global.done()
	every := time.Duration(float64(time.Second) / n.cfg.Limits.PerChatPerSecond)
	if isGroup(it) {
		every = time.Duration(float64(time.Minute) / n.cfg.Limits.PerGroupPerMinute)
	}
	n.mu.Lock()
	n.chat(it.ChatID).nextAt = time.Now().Add(every)
	n.freeChatsLocked()
	n.mu.Unlock()
}

func isGroup(it storage.OutboxItem) bool {
	switch it.ChatType {
	case "group", "supergroup", "channel":
		return true
	}
	return it.ChatID < 0
}

func (n *Notifier) hold(chat int64, d time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.chat(chat).holdUntil = time.Now().Add(d)
}

func (n *Notifier) held(chat int64) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.chats[chat]
	return c != nil && time.Now().Before(c.holdUntil)
}

// prune drops the state of chats idle for a while: a fresh limiter starts
// full, which is what an idle chat's would be anyway.
func (n *Notifier) prune() {
	n.qmu.Lock()
	for id, at := range n.finished {
		if time.Since(at) > time.Minute { // far longer than any read takes
			delete(n.finished, id)
		}
	}
	for chat, until := range n.leases {
		if time.Now().After(until) && n.queues[chat] == nil {
			delete(n.leases, chat)
		}
	}
	n.qmu.Unlock()
	n.mu.Lock()
	defer n.mu.Unlock()
	now := time.Now()
	for id, c := range n.chats {
		if now.Sub(c.lastUsed) > idleChatAfter && now.After(c.holdUntil) {
			delete(n.chats, id)
		}
	}
}

// markSent writes the sent marks the database refused before, if their
// back-off is over (or now, with force), oldest first, stopping at the first
// failure: the database most likely refuses them all. It returns how many
// are still unwritten.
func (n *Notifier) markSent(ctx context.Context, force bool) int {
	n.markMu.Lock()
	defer n.markMu.Unlock()
	n.qmu.Lock()
	if len(n.unmarked) == 0 || !force && time.Now().Before(n.markAt) {
		left := len(n.unmarked)
		n.qmu.Unlock()
		return left
	}
	ids := make([]int64, 0, len(n.unmarked))
	rows := make(map[int64]unmarkedSend, len(n.unmarked))
	for id, u := range n.unmarked {
		ids = append(ids, id)
		rows[id] = u
	}
	n.qmu.Unlock()
	slices.Sort(ids)
	ctx = context.WithoutCancel(ctx) // the sends happened: record them even during shutdown
	var failed error
	for _, id := range ids {
		err := n.cfg.Store.MarkSent(ctx, id, rows[id].at)
		if err != nil && !errors.Is(err, storage.ErrNotFound) { // gone: nothing left to mark
			failed = err
			break
		}
		n.qmu.Lock()
		delete(n.unmarked, id)
		// A load that read the row before this mark must not send it.
		n.finished[id] = time.Now()
		n.qmu.Unlock()
		if err == nil {
			n.observe("sent")
		}
	}
	n.qmu.Lock()
	defer n.qmu.Unlock()
	if failed == nil {
		n.markWait = 0
		return len(n.unmarked)
	}
	n.markWait = min(max(n.markWait*2, markRetryMin), markRetryMax)
	n.markAt = time.Now().Add(n.markWait)
	n.log.Warn("send: sent marks still refused", "unmarked", len(n.unmarked), "retry_in", n.markWait, slog.Any("error", failed))
	return len(n.unmarked)
}
