package poller

import (
	"context"
	"testing"
	"time"
)

func TestTickReportsLagOfMostOverdueShipment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.follow(t, 700, s10("RK", 7001, "DE"), "")
	due, err := e.store.DueShipments(ctx, e.clock.Now().Add(time.Hour), 1)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %v, %v", due, err)
	}
	e.clock.Add(10 * time.Minute)
	e.follow(t, 701, s10("RK", 7002, "DE"), "") // due later: not the most overdue

	st := e.p.Tick(ctx)
	if want := e.clock.Now().Sub(due[0].NextPollAt); st.Lag != want || want < 10*time.Minute {
		t.Errorf("first tick: Lag = %v, want %v (at least 10m)", st.Lag, want)
	}
	if st := e.p.Tick(ctx); st.Lag != 0 || st.Polled+st.Failed != 0 {
		t.Errorf("nothing due: %+v, want zero Lag and no polls", st)
	}
}
