package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
)

// A claim leases what is due; the lease ends with the poll's record, or
// runs out when its instance died.
func TestClaimDueShipments(t *testing.T) { storagetest.Each(t, testClaimDueShipments) }

func testClaimDueShipments(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	var subs []Subscription
	for i := range 5 {
		subs = append(subs, mustSubscribe(t, s, 1, "ups", upsNumber(i), ""))
	}
	const lease = 2 * time.Minute
	first, err := s.ClaimDueShipments(ctx, t0, 3, lease)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 3 || first[0].ID != subs[0].Shipment.ID || first[2].ID != subs[2].Shipment.ID {
		t.Fatalf("first claim = %+v, want the first three shipments in order", first)
	}
	rest, err := s.ClaimDueShipments(ctx, t0, 0, lease)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 2 || rest[0].ID != subs[3].Shipment.ID {
		t.Fatalf("second claim = %d shipments, want the two left", len(rest))
	}
	if none, err := s.ClaimDueShipments(ctx, t0.Add(time.Minute), 0, lease); err != nil || len(none) != 0 {
		t.Fatalf("claim while leased = %d, %v; want none", len(none), err)
	}
	// One poll is recorded (lease over, next poll in an hour), one fails
	// (lease over, due again at once); the others' instance died.
	if _, err := s.RecordPoll(ctx, PollRecord{ShipmentID: first[0].ID, Result: tracker.Result{Status: tracker.StatusInTransit},
		PolledAt: t0, NextPollAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordPollFailure(ctx, first[1].ID, t0, t0, "carrier down"); err != nil {
		t.Fatal(err)
	}
	again, err := s.ClaimDueShipments(ctx, t0.Add(time.Minute), 0, lease)
	if err != nil || len(again) != 1 || again[0].ID != first[1].ID {
		t.Fatalf("claim after a failure = %+v, %v; want only the failed one", again, err)
	}
	expired, err := s.ClaimDueShipments(ctx, t0.Add(lease+time.Second), 0, lease)
	if err != nil {
		t.Fatal(err)
	}
	if len(expired) != 3 || expired[0].ID != first[2].ID {
		t.Fatalf("claim after the lease ran out = %d shipments, want the 3 still unpolled", len(expired))
	}
}

// Instances claiming at once share the due shipments: each is claimed once.
func TestClaimsDoNotOverlap(t *testing.T) { storagetest.Each(t, testClaimsDoNotOverlap) }

func testClaimsDoNotOverlap(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, dsn := openOn(t, e)
	mustTouch(t, s, 1, "private")
	const shipments = 120
	for i := range shipments {
		mustSubscribe(t, s, 1, "dhl", dhlNumber(i), "")
	}
	const instances = 3
	var (
		mu      sync.Mutex
		claimed = map[int64]int{}
		wg      sync.WaitGroup
	)
	for range instances {
		st, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := st.ClaimDueShipments(ctx, t0, 7, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, sh := range got {
					claimed[sh.ID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(claimed) != shipments {
		t.Errorf("%d shipments claimed, want %d", len(claimed), shipments)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("shipment %d claimed %d times", id, n)
		}
	}
}

// One instance at a time holds a lock; it is free again when released or
// when the holder's connection ends (the process died).
func TestLock(t *testing.T) {
	ctx := context.Background()
	lite, _ := openTest(t)
	a, err := lite.TryLock(ctx, "updates")
	if err != nil || a.Check(ctx) != nil || a.Release(ctx) != nil {
		t.Fatalf("SQLite lock: %v", err)
	}

	pg, dsn := openOn(t, storagetest.Postgres)
	other, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	held, err := pg.TryLock(ctx, "updates")
	if err != nil {
		t.Fatalf("first TryLock: %v", err)
	}
	if _, err := other.TryLock(ctx, "updates"); !errors.Is(err, ErrLockHeld) {
		t.Fatalf("second instance's TryLock: %v, want ErrLockHeld", err)
	}
	sweeps, err := other.TryLock(ctx, "sweeps")
	if err != nil {
		t.Fatalf("another name: %v", err)
	}
	if err := held.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := held.Release(ctx); err != nil {
		t.Fatal(err)
	}
	mine, err := other.TryLock(ctx, "updates")
	if err != nil {
		t.Fatalf("TryLock after release: %v", err)
	}
	// The holder dies without releasing (its session ends, as when the
	// process is killed): the lock is free, and the holder can tell.
	var pid int
	if err := sweeps.conn.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.w.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	if sweeps.Check(ctx) == nil {
		t.Error("Check passed on a dead session")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := pg.TryLock(ctx, "sweeps")
		if err == nil {
			l.Release(ctx)
			break
		}
		if !errors.Is(err, ErrLockHeld) || time.Now().After(deadline) {
			t.Fatalf("lock of a dead session not free: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := mine.Release(ctx); err != nil {
		t.Fatal(err)
	}
	_ = sweeps.Release(ctx) // its connection is gone; the pool drops it
}

// Instances sharing a PostgreSQL inbox handle each update once, a chat's
// updates one at a time and in order, other chats meanwhile.
func TestInboxTurnsAcrossInstances(t *testing.T) {
	ctx := context.Background()
	a, dsn := openOn(t, storagetest.Postgres)
	b, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ups := []InboxUpdate{
		{UpdateID: 1, ChatID: 5, Body: []byte(`{}`)}, {UpdateID: 2, ChatID: 5, Body: []byte(`{}`)},
		{UpdateID: 3, ChatID: 5, Body: []byte(`{}`)}, {UpdateID: 4, ChatID: 6, Body: []byte(`{}`)},
	}
	if _, err := a.StoreUpdates(ctx, t0, ups...); err != nil {
		t.Fatal(err)
	}
	handle := func(s *Store, id int64) error { return s.CloseUpdate(ctx, id, t0, nil, "") }
	ut, err := a.BeginUpdate(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	// While a has chat 5's turn, b may not handle its updates, but may another chat's.
	if err := handle(b, 1); !errors.Is(err, ErrBusy) {
		t.Errorf("b handling update 1 during a's: %v, want ErrBusy", err)
	}
	if err := handle(b, 2); !errors.Is(err, ErrBusy) {
		t.Errorf("b handling update 2 during a's 1: %v, want ErrBusy", err)
	}
	if err := handle(b, 4); err != nil {
		t.Errorf("b handling another chat's update: %v", err)
	}
	if err := ut.Finish(ctx, t0, nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := handle(b, 1); !errors.Is(err, ErrAlreadyHandled) {
		t.Errorf("update 1 again: %v, want ErrAlreadyHandled", err)
	}
	if err := handle(b, 3); !errors.Is(err, ErrBusy) {
		t.Errorf("update 3 before 2: %v, want ErrBusy", err)
	}
	for _, id := range []int64{2, 3} {
		if err := handle(b, id); err != nil {
			t.Errorf("update %d in turn: %v", id, err)
		}
	}
	if depth, _, err := a.InboxStats(ctx); err != nil || depth != 0 {
		t.Errorf("inbox depth %d, %v; want every update handled", depth, err)
	}
}

// A chat's messages go to the instance leasing the chat; chats with a
// reply are taken first; a lease is renewed while the chat has something
// due, and another instance takes the chat once it lapses or is released.
func TestClaimOutbox(t *testing.T) { storagetest.Each(t, testClaimOutbox) }

func testClaimOutbox(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	for _, id := range []int64{1, 2, 3} {
		mustTouch(t, s, id, "private")
	}
	if _, err := s.Enqueue(ctx,
		OutboxMessage{ChatID: 1, DedupeKey: "1a", Text: "1a"},
		OutboxMessage{ChatID: 2, DedupeKey: "2a", Text: "2a"},
		OutboxMessage{ChatID: 1, DedupeKey: "1b", Text: "1b"},
		OutboxMessage{ChatID: 3, DedupeKey: "3a", Text: "3a", Reply: true},
	); err != nil {
		t.Fatal(err)
	}
	const lease = time.Minute
	claim := func(owner string, now time.Time, newChats int) []string {
		t.Helper()
		items, err := s.ClaimOutbox(ctx, OutboxClaim{Owner: owner, Now: now, Lease: lease, NewChats: newChats})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, it := range items {
			keys = append(keys, it.DedupeKey)
		}
		return keys
	}
	if got := claim("a", t0, 2); !slices.Equal(got, []string{"3a", "1a", "1b"}) {
		t.Fatalf("a's first claim = %v, want the reply's chat, then chat 1's two in order", got)
	}
	if got := claim("b", t0, 5); !slices.Equal(got, []string{"2a"}) {
		t.Fatalf("b's claim = %v, want only chat 2 (a holds 1 and 3)", got)
	}
	items, err := s.PendingOutbox(ctx, t0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.DedupeKey == "3a" || it.DedupeKey == "1a" {
			if err := s.MarkSent(ctx, it.ID, t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Half a lease on, a renews chat 1 (1b is due); chat 3 has nothing due
	// and lapses.
	if got := claim("a", t0.Add(lease/2), 0); !slices.Equal(got, []string{"1b"}) {
		t.Fatalf("a's renewal = %v, want 1b", got)
	}
	if _, err := s.Enqueue(ctx, OutboxMessage{ChatID: 3, DedupeKey: "3b", Text: "3b"}); err != nil {
		t.Fatal(err)
	}
	if got := claim("b", t0.Add(lease/2), 5); len(got) != 1 || got[0] != "2a" {
		t.Fatalf("b while a's leases live = %v, want only its own 2a", got)
	}
	later := t0.Add(lease + time.Second)
	if got := claim("b", later, 5); !slices.Equal(got, []string{"2a", "3b"}) {
		t.Fatalf("b after chat 3's lease lapsed = %v, want its own 2a and 3b, not a's renewed 1b", got)
	}
	// a shuts down: b need not wait for chat 1's lease to run out.
	if err := s.ReleaseOutbox(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if got := claim("b", later, 5); !slices.Equal(got, []string{"2a", "1b", "3b"}) {
		t.Fatalf("b after a released = %v, want chat 1's 1b too", got)
	}
	if got := claim("a", later, 5); len(got) != 0 {
		t.Fatalf("a after b took everything = %v, want nothing", got)
	}
}

// A lease stored in whole seconds ends no earlier than its holder counts:
// taken at 9:30:00.6 for 1.5 s, the holder sends until 9:30:02.1, so
// another instance may take the chat (or the shipment) at 9:30:03, not at
// 9:30:02 while the holder's last send may still be on its way.
func TestLeaseEndsNoEarlierThanItsHolderCounts(t *testing.T) {
	storagetest.Each(t, testLeaseEndsNoEarlierThanItsHolderCounts)
}

func testLeaseEndsNoEarlierThanItsHolderCounts(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	mustSubscribe(t, s, 1, "ups", upsNumber(0), "")
	if _, err := s.Enqueue(ctx, OutboxMessage{ChatID: 1, DedupeKey: "1a", Text: "1a"}); err != nil {
		t.Fatal(err)
	}
	const lease = 1500 * time.Millisecond
	taken := t0.Add(600 * time.Millisecond)
	if items, err := s.ClaimOutbox(ctx, OutboxClaim{Owner: "a", Now: taken, Lease: lease, NewChats: 1}); err != nil || len(items) != 1 {
		t.Fatalf("a's claim = %d items, %v; want 1", len(items), err)
	}
	if got, err := s.ClaimDueShipments(ctx, taken, 0, lease); err != nil || len(got) != 1 {
		t.Fatalf("a's shipment claim = %d, %v; want 1", len(got), err)
	}
	for _, tc := range []struct {
		at   time.Duration // after t0
		free bool
	}{
		{2 * time.Second, false},         // within the holder's lease (to 2.1 s)
		{2900 * time.Millisecond, false}, // past it, but the stored second is not over
		{3 * time.Second, true},
	} {
		now := t0.Add(tc.at)
		items, err := s.ClaimOutbox(ctx, OutboxClaim{Owner: "b", Now: now, Lease: lease, NewChats: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(items) == 1; got != tc.free {
			t.Errorf("at t0+%s the chat is free: %v, want %v", tc.at, got, tc.free)
		}
		if tc.free {
			continue // b holds them now
		}
		ships, err := s.ClaimDueShipments(ctx, now, 0, lease)
		if err != nil {
			t.Fatal(err)
		}
		if len(ships) != 0 {
			t.Errorf("at t0+%s the shipment is claimed again while a holds it", tc.at)
		}
	}
}

// Instances claiming the outbox at once each get whole chats, and every
// message goes to exactly one of them.
func TestOutboxClaimsDoNotOverlap(t *testing.T) { storagetest.Each(t, testOutboxClaimsDoNotOverlap) }

func testOutboxClaimsDoNotOverlap(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, dsn := openOn(t, e)
	const chats, perChat, instances = 60, 3, 3
	var msgs []OutboxMessage
	for c := range int64(chats) {
		mustTouch(t, s, 100+c, "private")
		for k := range perChat {
			msgs = append(msgs, OutboxMessage{ChatID: 100 + c, DedupeKey: fmt.Sprintf("%d-%d", c, k), Text: "x"})
		}
	}
	if _, err := s.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		sent  = map[int64]int{}    // outbox id → times handed out
		owner = map[int64]string{} // chat → the instance it went to
		wg    sync.WaitGroup
	)
	for i := range instances {
		st, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		name := fmt.Sprintf("i%d", i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				got, err := st.ClaimOutbox(ctx, OutboxClaim{Owner: name, Now: t0, Lease: time.Minute, NewChats: 4})
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				for _, it := range got {
					mu.Lock()
					sent[it.ID]++
					if o, ok := owner[it.ChatID]; ok && o != name {
						t.Errorf("chat %d went to %s and %s", it.ChatID, o, name)
					}
					owner[it.ChatID] = name
					mu.Unlock()
					if err := st.MarkSent(ctx, it.ID, t0); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(sent) != chats*perChat {
		t.Errorf("%d messages handed out, want %d", len(sent), chats*perChat)
	}
	for id, n := range sent {
		if n != 1 {
			t.Errorf("message %d handed out %d times", id, n)
		}
	}
}

// Instances draw their sends from one schedule and one window: a burst of
// reservations gets slots one step apart, whichever instance asks; once the
// window's tokens are all held, none is granted until a send given back
// has been answered a window ago; a pause moves every slot.
func TestReserveSend(t *testing.T) { storagetest.Each(t, testReserveSend) }

func testReserveSend(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	a, dsn := openOn(t, e)
	b, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const n = 10
	pace := SendPace{Every: time.Second, Window: time.Minute, Hold: time.Hour, Most: n}
	for _, s := range []*Store{a, b} { // both instances make them: the second finds them made
		if err := s.MakeSendTokens(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu     sync.Mutex
		grants []SendGrant
		wg     sync.WaitGroup
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			g, ok, _, err := s.ReserveSend(ctx, pace)
			if err != nil || !ok {
				t.Errorf("reservation %d: granted %v, %v", i, ok, err)
				return
			}
			mu.Lock()
			grants = append(grants, g)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(grants) != n {
		t.Fatalf("%d grants, want %d", len(grants), n)
	}
	slices.SortFunc(grants, func(x, y SendGrant) int { return cmp.Compare(x.Wait, y.Wait) })
	tokens := map[int64]bool{}
	for i, g := range grants {
		if want := time.Duration(i) * pace.Every; g.Wait < want-pace.Every/2 || g.Wait > want+pace.Every/2 {
			t.Errorf("slot %d waits %v, want about %v", i, g.Wait, want)
		}
		tokens[g.token] = true
	}
	if len(tokens) != n {
		t.Errorf("%d grants held %d distinct tokens", n, len(tokens))
	}

	// The window is full: the sends are in flight for up to an hour.
	if _, ok, retry, err := a.ReserveSend(ctx, pace); err != nil || ok || retry < 50*time.Minute {
		t.Errorf("full window: granted %v, retry in %v, %v; want no grant for about an hour", ok, retry, err)
	}
	// One answered just now stays in the window for one more window.
	if err := b.FinishSend(ctx, grants[0], pace.Window, 0); err != nil {
		t.Fatal(err)
	}
	if _, ok, retry, err := a.ReserveSend(ctx, pace); err != nil || ok || retry < pace.Window-10*time.Second || retry > pace.Window {
		t.Errorf("one send answered now: granted %v, retry in %v, %v; want no grant for a window", ok, retry, err)
	}
	// One answered a window ago has left it; giving back a grant twice
	// frees nothing more.
	if err := b.FinishSend(ctx, grants[1], pace.Window, pace.Window); err != nil {
		t.Fatal(err)
	}
	if err := a.PauseSends(ctx, time.Hour); err != nil {
		t.Fatal(err)
	}
	g, ok, _, err := a.ReserveSend(ctx, pace)
	if err != nil || !ok || g.Wait < time.Hour-pace.Every {
		t.Errorf("a send left the window, sends paused for an hour: granted %v, wait %v, %v; want a grant in about an hour", ok, g.Wait, err)
	}
	if err := b.FinishSend(ctx, grants[1], pace.Window, pace.Window); err != nil {
		t.Fatal(err)
	}
	if _, ok, _, err := a.ReserveSend(ctx, pace); err != nil || ok {
		t.Errorf("a grant given back twice: granted %v, %v; want the window full", ok, err)
	}
}

// A message queued by one instance wakes another's listener.
func TestListenOutbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, dsn := openOn(t, storagetest.Postgres)
	b, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mustTouch(t, a, 1, "private")
	woken := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.ListenOutbox(ctx, func() { woken <- struct{}{} }, slog.Default())
	}()
	// The listener is up once a message queued after it wakes it: queue
	// until one does (LISTEN may not have run yet for the first).
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		if _, err := a.Enqueue(ctx, OutboxMessage{ChatID: 1, DedupeKey: fmt.Sprintf("w%d", i), Text: "x"}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-woken:
			cancel()
			<-done
			return
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			t.Fatal("no wake-up for a queued message")
		}
	}
}

// A group that becomes a supergroup stays with the instance sending to
// it: its messages, moved to the new id, are not another's to take.
func TestMigrateChatKeepsSendLease(t *testing.T) { storagetest.Each(t, testMigrateChatKeepsSendLease) }

func testMigrateChatKeepsSendLease(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	const oldID, newID = -5001, -1005001
	mustTouch(t, s, oldID, "group")
	if _, err := s.Enqueue(ctx, OutboxMessage{ChatID: oldID, DedupeKey: "m1", Text: "1"}, OutboxMessage{ChatID: oldID, DedupeKey: "m2", Text: "2"}); err != nil {
		t.Fatal(err)
	}
	claim := func(owner string) int {
		t.Helper()
		items, err := s.ClaimOutbox(ctx, OutboxClaim{Owner: owner, Now: t0, Lease: time.Minute, NewChats: 5})
		if err != nil {
			t.Fatal(err)
		}
		return len(items)
	}
	if n := claim("a"); n != 2 {
		t.Fatalf("a claimed %d messages, want 2", n)
	}
	if err := s.MigrateChat(ctx, oldID, newID); err != nil {
		t.Fatal(err)
	}
	if n := claim("b"); n != 0 {
		t.Errorf("b took %d of the migrated group's messages, want none while a's lease lives", n)
	}
	if n := claim("a"); n != 2 {
		t.Errorf("a holds %d messages of the supergroup, want 2", n)
	}
}

func TestReserveCarrierSlot(t *testing.T) { storagetest.Each(t, testReserveCarrierSlot) }

// Two instances reserving a carrier's slots at once get distinct slots one
// every apart (the waits are the slots, seen from each request's now);
// another carrier's schedule is its own; SQLite says it shares nothing.
func testReserveCarrierSlot(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	a, dsn := openOn(t, e)
	if e.Name != "postgres" {
		if _, shared, err := a.ReserveCarrierSlot(ctx, "17track", time.Second); err != nil || shared {
			t.Fatalf("SQLite: shared %v, err %v; want its one instance to pace in process", shared, err)
		}
		return
	}
	b, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const n, every = 10, time.Second
	waits := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := a
			if i%2 == 1 {
				s = b
			}
			w, shared, err := s.ReserveCarrierSlot(ctx, "17track", every)
			if err != nil || !shared {
				t.Errorf("reserve: shared %v, err %v", shared, err)
			}
			waits[i] = w
		}()
	}
	wg.Wait()
	slices.Sort(waits)
	for i, w := range waits {
		// Slot i is i seconds on; the requests' nows differ by the
		// statements' own time, well under a slot.
		if d := w - time.Duration(i)*every; d < -every/2 || d > every/2 {
			t.Errorf("wait %d is %v, want about %v", i, w, time.Duration(i)*every)
		}
	}
	if w, _, err := a.ReserveCarrierSlot(ctx, "usps", time.Minute); err != nil || w != 0 {
		t.Errorf("another carrier's first slot: wait %v, err %v; want now", w, err)
	}
}
