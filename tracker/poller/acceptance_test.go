package poller

import (
	"context"
	"github.com/trackbot/trackbot/storage/storagetest"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestAdviceOnceAcrossSentAndRestart: each rule's advice is queued once per
// parcel even after it was sent, the program restarted, and more sweeps ran
// while the rule still fires.
func TestAdviceOnceAcrossSentAndRestart(t *testing.T) {
	storagetest.Each(t, testAdviceOnceAcrossSentAndRestart)
}

func testAdviceOnceAcrossSentAndRestart(t *testing.T, eng storagetest.Engine) {
	e := newEnvOn(t, eng)
	ctx := context.Background()
	e.follow(t, 910, s10("RK", 9090, "DE"), "")
	e.follow(t, 911, s10("RK", 9091, "DE"), "")
	e.p.Tick(ctx)
	e.clock.Add(10 * 24 * time.Hour)
	e.p.Tick(ctx)
	if n, err := e.p.AdviceSweep(ctx); err != nil || n < 2 {
		t.Fatalf("first sweep queued %d, %v; want advice for both parcels", n, err)
	}
	var keys []string
	for _, it := range e.pending(t) {
		if strings.HasPrefix(it.DedupeKey, "advice:") {
			keys = append(keys, it.DedupeKey)
		}
		if err := e.store.MarkSent(ctx, it.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(keys)
	if len(slices.Compact(slices.Clone(keys))) != len(keys) {
		t.Fatalf("one rule queued twice: %v", keys)
	}

	for i := range 2 {
		e.restart(t)
		e.clock.Add(time.Hour)
		e.p.Tick(ctx)
		if n, err := e.p.AdviceSweep(ctx); err != nil || n != 0 {
			t.Errorf("sweep after restart %d queued %d, %v; want nothing new", i+1, n, err)
		}
	}
	if p := e.pending(t); len(p) != 0 {
		t.Errorf("pending after restarts: %+v", p)
	}
}
