// Package cluster decides, among the instances sharing one database, which
// one does what only one may do: take updates from Telegram by long
// polling, and run the periodic sweeps. The instances campaign for one
// role, "leader", held as a storage lock (a PostgreSQL advisory lock; always
// granted on SQLite, where there is one instance per file). When the leader
// dies its database session ends, the lock is free, and another instance
// takes it at its next try, within Config.Every.
package cluster

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/trackbot/trackbot/storage"
)

// DefaultEvery is how often a follower tries for the role and the leader
// checks it still holds it.
const DefaultEvery = 2 * time.Second

// Config configures a Role. Store is required.
type Config struct {
	Store  *storage.Store
	Name   string        // the lock's name; "leader" when empty
	Every  time.Duration // DefaultEvery when zero
	Logger *slog.Logger
}

// Role is one instance's campaign for a role. Safe for concurrent use.
type Role struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	lead    context.Context // non-nil while held; cancelled when lost
	cancel  context.CancelFunc
	changed chan struct{} // closed (and replaced) at each change
}

// New returns a Role; Run campaigns for it.
func New(cfg Config) *Role {
	if cfg.Name == "" {
		cfg.Name = "leader"
	}
	if cfg.Every <= 0 {
		cfg.Every = DefaultEvery
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Role{cfg: cfg, log: cfg.Logger.With("component", "cluster", "role", cfg.Name), changed: make(chan struct{})}
}

// Held reports whether this instance holds the role now.
func (r *Role) Held() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lead != nil
}

// Name is "leader" while the role is held and "follower" otherwise, for
// /healthz.
func (r *Role) Name() string {
	if r.Held() {
		return r.cfg.Name
	}
	return "follower"
}

func (r *Role) state() (context.Context, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lead, r.changed
}

// set records a new state: held with lead (cancelled by cancel), or not
// held (nil), cancelling the previous lead.
func (r *Role) set(lead context.Context, cancel context.CancelFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		r.cancel()
	}
	r.lead, r.cancel = lead, cancel
	close(r.changed)
	r.changed = make(chan struct{})
}

// Run campaigns until ctx ends: it takes the role when it is free, checks
// every Every that it still holds it, and lets it go when ctx ends.
func (r *Role) Run(ctx context.Context) {
	var lock *storage.Lock
	drop := func(why string, err error) {
		r.set(nil, nil)
		rctx, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = lock.Release(rctx)
		done()
		lock = nil
		if err != nil {
			r.log.Warn(why, slog.Any("error", err))
		} else {
			r.log.Info(why)
		}
	}
	t := time.NewTicker(r.cfg.Every)
	defer t.Stop()
	for {
		if lock == nil {
			l, err := r.cfg.Store.TryLock(ctx, r.cfg.Name)
			switch {
			case err == nil:
				lock = l
				r.set(context.WithCancel(context.WithoutCancel(ctx)))
				r.log.Info("cluster: this instance holds the role")
			case !errors.Is(err, storage.ErrLockHeld) && ctx.Err() == nil:
				r.log.Warn("cluster: campaign", slog.Any("error", err))
			}
		} else if err := lock.Check(ctx); err != nil && ctx.Err() == nil {
			drop("cluster: role lost", err)
		}
		select {
		case <-ctx.Done():
			if lock != nil {
				drop("cluster: role released", nil)
			}
			return
		case <-t.C:
		}
	}
}

// Lead runs fn whenever this instance holds the role, with a context that
// ends when the role is lost or ctx ends, until ctx ends. An error fn
// returns on its own (not because the role was lost) ends Lead with it.
func (r *Role) Lead(ctx context.Context, fn func(ctx context.Context) error) error {
	for {
		lead, changed := r.state()
		if lead == nil {
			select {
			case <-ctx.Done():
				return nil
			case <-changed:
				continue
			}
		}
		fctx, cancel := context.WithCancel(ctx)
		stop := context.AfterFunc(lead, cancel)
		err := fn(fctx)
		stop()
		cancel()
		if ctx.Err() != nil {
			return err
		}
		if lead.Err() == nil {
			return err
		}
		r.log.Info("cluster: role lost; waiting to hold it again")
	}
}
