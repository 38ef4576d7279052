package poller

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

// outageNotices counts queued outage and all-clear messages by chat.
func outageNotices(t *testing.T, e *env) (delayed, back map[int64]int) {
	t.Helper()
	delayed, back = map[int64]int{}, map[int64]int{}
	for _, it := range e.pending(t) {
		switch {
		case strings.HasPrefix(it.DedupeKey, "outage:"):
			delayed[it.ChatID]++
		case strings.HasPrefix(it.DedupeKey, "recovered:"):
			back[it.ChatID]++
			if it.Kind != "recovery" || !strings.Contains(it.Payload, `"carriers":"International post"`) {
				t.Errorf("all-clear notice: %+v", it)
			}
		}
	}
	return delayed, back
}

// restart closes the store and opens a new Store and Poller on the same
// file, as a redeploy in the middle of an outage would.
func (e *env) restart(t *testing.T) {
	t.Helper()
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(context.Background(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	e.p = New(Config{
		Store: st, Router: e.p.cfg.Router, Logger: quietLogger(),
		Now: e.clock.Now, Rand: func() float64 { return 0.5 },
	})
}

func TestOutageNoticesSurviveRestart(t *testing.T) {
	storagetest.Each(t, testOutageNoticesSurviveRestart)
}

func testOutageNoticesSurviveRestart(t *testing.T, eng storagetest.Engine) {
	e := newEnvOn(t, eng)
	ctx := context.Background()
	a, b, c := s10("RK", 11, "DE"), s10("RK", 12, "DE"), s10("RK", 13, "DE")
	for _, n := range []string{a, b, c} {
		e.fake.SetShipment(n, seventeentest.Shipment{Status: "InTransit"})
	}
	e.follow(t, 900, a, "<lamp>")
	e.follow(t, 900, b, "")
	e.follow(t, -901, b, "")
	e.p.Tick(ctx) // first look

	e.down.Store(true)
	tickFor := func(d time.Duration) {
		for end := e.clock.Now().Add(d); e.clock.Now().Before(end); {
			e.clock.Add(15 * time.Minute)
			e.p.Tick(ctx)
		}
	}
	// Polls fail at +1h, +1h30, +2h30 and +4h30 (back-off): the last is
	// past OutageAfter.
	tickFor(5 * time.Hour)
	delayed, back := outageNotices(t, e)
	if len(delayed) != 2 || delayed[900] != 1 || delayed[-901] != 1 || len(back) != 0 {
		t.Fatalf("before restart: delayed %v, back %v; want chats 900 and -901 told once", delayed, back)
	}
	for _, it := range e.pending(t) {
		if it.ChatID == 900 && strings.HasPrefix(it.DedupeKey, "outage:") && (it.Kind != "outage" || !strings.Contains(it.Payload, `"shipments":[`)) {
			t.Errorf("notice does not name the parcels waiting: %+v", it)
		}
	}

	e.restart(t)
	// A chat that starts following during the outage is told too, once.
	e.follow(t, 902, c, "")
	tickFor(6 * time.Hour)
	delayed, back = outageNotices(t, e)
	if len(delayed) != 3 || delayed[900] != 1 || delayed[-901] != 1 || delayed[902] != 1 || len(back) != 0 {
		t.Fatalf("after restart: delayed %v, back %v; want each of 900, -901, 902 told once", delayed, back)
	}

	// Another restart, then the carrier answers: every chat told gets the
	// all-clear once, including those told before the first restart.
	e.restart(t)
	e.down.Store(false)
	tickFor(4 * time.Hour)
	delayed, back = outageNotices(t, e)
	if len(back) != 3 || back[900] != 1 || back[-901] != 1 || back[902] != 1 || len(delayed) != 3 {
		t.Fatalf("after recovery: delayed %v, back %v; want each chat told once it is back", delayed, back)
	}
	if _, err := e.store.CarrierOutage(ctx, "17track"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("outage after the carrier answered: %v, want ErrNotFound", err)
	}
}
