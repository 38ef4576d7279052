package cluster

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func open(t *testing.T, dsn string) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// waitFor polls cond until it holds; the roles change on their own clock.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// On SQLite the one instance leads at once.
func TestSQLiteInstanceLeads(t *testing.T) {
	s := open(t, storagetest.SQLite.DSN(t))
	r := New(Config{Store: s, Every: 20 * time.Millisecond, Logger: quiet()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx)
	ran := make(chan struct{})
	go r.Lead(ctx, func(ctx context.Context) error { close(ran); <-ctx.Done(); return nil })
	select {
	case <-ran:
	case <-time.After(5 * time.Second):
		t.Fatal("Lead never ran on SQLite")
	}
	if r.Name() != "leader" {
		t.Fatalf("Name = %q", r.Name())
	}
}

// Three instances on PostgreSQL: one leads at a time; when it stops,
// another takes over, and the work fn runs in exactly one of them.
func TestOneLeaderAndTakeover(t *testing.T) {
	dsn := storagetest.PostgresDSN(t)
	const n = 3
	var (
		roles   [n]*Role
		cancels [n]context.CancelFunc
		running atomic.Int32 // instances inside fn right now
		most    atomic.Int32
	)
	for i := range n {
		roles[i] = New(Config{Store: open(t, dsn), Every: 20 * time.Millisecond, Logger: quiet()})
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		t.Cleanup(cancel)
		go roles[i].Run(ctx)
		go roles[i].Lead(ctx, func(ctx context.Context) error {
			now := running.Add(1)
			for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
			}
			<-ctx.Done()
			running.Add(-1)
			return nil
		})
	}
	leader := func() int {
		idx := -1
		for i, r := range roles {
			if r.Held() {
				if idx >= 0 {
					t.Fatalf("instances %d and %d both lead", idx, i)
				}
				idx = i
			}
		}
		return idx
	}
	waitFor(t, "a leader", func() bool { return leader() >= 0 && running.Load() == 1 })
	first := leader()
	cancels[first]()
	waitFor(t, "a new leader", func() bool { l := leader(); return l >= 0 && l != first && running.Load() == 1 })
	if most.Load() != 1 {
		t.Fatalf("%d instances ran the leader's work at once", most.Load())
	}
}
