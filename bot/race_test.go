package bot

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
)

// raceEngine is an engine over a real SQLite file whose error logs the test
// can read; in its group, user 2 is an admin.
func raceEngine(t *testing.T) (*Engine, *storage.Store, *lockedBuf) {
	return raceEngineOn(t, storagetest.SQLite)
}

// raceEngineOn is raceEngine on a fresh database of the storage engine's.
func raceEngineOn(t *testing.T, db storagetest.Engine) (*Engine, *storage.Store, *lockedBuf) {
	t.Helper()
	store, err := storage.Open(context.Background(), db.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	logs := &lockedBuf{}
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	eng := newEngine(store, router, true, 0, slog.New(slog.NewTextHandler(logs, nil)), nil)
	eng.isAdmin = func(_ context.Context, _, userID int64) (bool, error) { return userID == 2, nil }
	return eng, store, logs
}

var (
	raceGroup = Chat{ID: -100777, Type: "supergroup", Title: "flat"}
	raceAnn   = User{ID: 1, Name: "Ann"}
	raceBob   = User{ID: 2, Name: "Bob"} // admin
)

// together runs fns at the same moment and waits for them.
func together(fns ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn()
		}()
	}
	close(start)
	wg.Wait()
}

func noTrouble(t *testing.T, logs *lockedBuf, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, "went wrong") || strings.Contains(s, "didn't work") {
			t.Errorf("a user saw an internal error: %q", s)
		}
	}
	if l := logs.String(); strings.Contains(l, "level=ERROR") {
		t.Errorf("errors logged:\n%s", l)
	}
}

func (e *Engine) mustTrack(t *testing.T, chat Chat, from User, number string) storage.Subscription {
	t.Helper()
	e.HandleMessage(context.Background(), Message{Chat: chat, From: from, Text: "/track " + number})
	subs, err := e.store.FindSubscriptions(context.Background(), chat.ID, number)
	if err != nil || len(subs) != 1 {
		t.Fatalf("tracking %s: %d subscriptions, %v", number, len(subs), err)
	}
	return subs[0]
}

// TestConcurrentStop: two people press Stop (or Got it) on the same parcel
// at once. It is stopped once, one message says so, the other press gets a
// quiet toast, and nobody sees an error.
func TestConcurrentStop(t *testing.T) {
	tests := map[string][2]string{
		"stop and stop":     {ActStop, ActStop},
		"stop and got it":   {ActStop, ActGotIt},
		"got it and got it": {ActGotIt, ActGotIt},
	}
	for name, acts := range tests {
		t.Run(name, func(t *testing.T) {
			eng, store, logs := raceEngine(t)
			ctx := context.Background()
			for round := range 20 {
				sub := eng.mustTrack(t, raceGroup, raceAnn, "DEMO1")
				var res [2]ClickResult
				together(
					func() {
						res[0] = eng.HandleClick(ctx, Click{Chat: raceGroup, From: raceAnn, Data: CallbackData(acts[0], sub.ID, "")})
					},
					func() {
						res[1] = eng.HandleClick(ctx, Click{Chat: raceGroup, From: raceBob, Data: CallbackData(acts[1], sub.ID, "")})
					},
				)
				var texts []string
				withReplies := 0
				for _, r := range res {
					texts = append(texts, r.Answer)
					if len(r.Replies) > 0 {
						withReplies++
					}
					for _, rep := range r.Replies {
						texts = append(texts, rep.Text)
						if !rep.Edit {
							t.Errorf("round %d: a press sent a new message instead of editing: %q", round, rep.Text)
						}
					}
				}
				if withReplies != 1 {
					t.Fatalf("round %d: %d presses changed the message, want 1: %+v", round, withReplies, res)
				}
				noTrouble(t, logs, texts...)
				if subs, err := store.ChatSubscriptions(ctx, raceGroup.ID); err != nil || len(subs) != 0 {
					t.Fatalf("round %d: still following %d, %v", round, len(subs), err)
				}
			}
		})
	}
}

// TestRenameRacesStop: the reply to a rename prompt arrives while someone
// stops the parcel. Either order ends with the parcel stopped and a clear
// answer to both, never an error.
func TestRenameRacesStop(t *testing.T) {
	eng, store, logs := raceEngine(t)
	ctx := context.Background()
	renamedFirst, stoppedFirst := 0, 0
	for round := range 30 {
		sub := eng.mustTrack(t, raceGroup, raceAnn, "DEMO2")
		prompt := eng.HandleClick(ctx, Click{Chat: raceGroup, From: raceAnn, Data: CallbackData(ActRename, sub.ID, "")})
		if len(prompt.Replies) != 1 {
			t.Fatalf("rename prompt: %+v", prompt)
		}
		var renamed []Reply
		var stopped ClickResult
		together(
			func() {
				renamed = eng.HandleMessage(ctx, Message{Chat: raceGroup, From: raceAnn, Text: "birthday <present>",
					ReplyToBot: true, ReplyToText: stripTags(prompt.Replies[0].Text)})
			},
			func() {
				stopped = eng.HandleClick(ctx, Click{Chat: raceGroup, From: raceBob, Data: CallbackData(ActStop, sub.ID, "")})
			},
		)
		if len(renamed) != 1 || len(stopped.Replies) != 1 {
			t.Fatalf("round %d: rename %+v, stop %+v", round, renamed, stopped)
		}
		switch r := renamed[0].Text; {
		case strings.Contains(r, "is now called <b>birthday &lt;present&gt;</b>"):
			renamedFirst++
		case strings.Contains(r, "no longer following"):
			stoppedFirst++
		default:
			t.Fatalf("round %d: rename answered %q", round, r)
		}
		if !strings.Contains(stopped.Replies[0].Text, "Stopped following") {
			t.Fatalf("round %d: stop answered %q", round, stopped.Replies[0].Text)
		}
		noTrouble(t, logs, renamed[0].Text, stopped.Answer, stopped.Replies[0].Text)
		if subs, err := store.ChatSubscriptions(ctx, raceGroup.ID); err != nil || len(subs) != 0 {
			t.Fatalf("round %d: still following %d, %v", round, len(subs), err)
		}
	}
	t.Logf("rename first %d times, stop first %d times", renamedFirst, stoppedFirst)
}

// TestRenameAfterStop pins the losing order of the race above: the parcel
// goes between reading it and renaming it.
func TestRenameAfterStop(t *testing.T) {
	eng, _, logs := raceEngine(t)
	ctx := context.Background()
	sub := eng.mustTrack(t, raceGroup, raceAnn, "DEMO2")
	if r := eng.HandleClick(ctx, Click{Chat: raceGroup, From: raceAnn, Data: CallbackData(ActStop, sub.ID, "")}); r.Answer != "Stopped." {
		t.Fatalf("stop: %+v", r)
	}
	tests := map[string]func() []string{
		"rename": func() []string { return texts(eng.setLabel(ctx, sub, "lamp")) },
		"carrier": func() []string {
			r, ok := eng.setCarrier(ctx, sub, "ups", true)
			if ok {
				t.Error("carrier change of a stopped parcel reported ok")
			}
			return texts(r)
		},
		"stop again": func() []string {
			r := eng.unsubscribe(ctx, raceGroup, raceAnn, sub, true)
			if len(r.Replies) != 0 {
				t.Errorf("second stop sent %+v", r.Replies)
			}
			return []string{r.Answer}
		},
		"not received": func() []string { return []string{eng.notReceived(ctx, sub).Answer} },
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) {
			got := fn()
			if len(got) == 0 || !strings.Contains(strings.Join(got, " "), "no longer following") && !strings.Contains(got[0], "Already stopped") {
				t.Errorf("answer %q", got)
			}
			noTrouble(t, logs, got...)
		})
	}
}

func texts(rs []Reply) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Text)
	}
	return out
}

// TestConcurrentTrack: two group members send /track with the same number
// at once. One subscription results; one of them is told it is followed,
// the other that it already was.
func TestConcurrentTrack(t *testing.T) { storagetest.Each(t, testConcurrentTrack) }

func testConcurrentTrack(t *testing.T, db storagetest.Engine) {
	eng, store, logs := raceEngineOn(t, db)
	ctx := context.Background()
	for round := range 20 {
		number := upsNumber(round + 40)
		var a, b []Reply
		together(
			func() { a = eng.HandleMessage(ctx, Message{Chat: raceGroup, From: raceAnn, Text: "/track " + number}) },
			func() {
				b = eng.HandleMessage(ctx, Message{Chat: raceGroup, From: raceBob, Text: "/track " + number + " for Bob"})
			},
		)
		if len(a) != 1 || len(b) != 1 {
			t.Fatalf("round %d: %d and %d replies, want one each", round, len(a), len(b))
		}
		pair := a[0].Text + "\n---\n" + b[0].Text
		// The second to arrive is told it was followed already, or, when it
		// brings a name, that the parcel now has it.
		if strings.Count(pair, "📦 Following") != 1 || strings.Count(pair, "already following")+strings.Count(pair, "is now called") != 1 {
			t.Fatalf("round %d: want one 'Following' and one 'already following' or 'is now called':\n%s", round, pair)
		}
		noTrouble(t, logs, a[0].Text, b[0].Text)
		subs, err := store.FindSubscriptions(ctx, raceGroup.ID, number)
		if err != nil || len(subs) != 1 {
			t.Fatalf("round %d: %d subscriptions, %v", round, len(subs), err)
		}
	}
}

// TestConcurrentChatter: many users at once, in private and in the group,
// doing everything; afterwards the store still answers and nothing errored.
func TestConcurrentChatter(t *testing.T) { storagetest.Each(t, testConcurrentChatter) }

func testConcurrentChatter(t *testing.T, db storagetest.Engine) {
	eng, store, logs := raceEngineOn(t, db)
	ctx := context.Background()
	var fns []func()
	var mu sync.Mutex
	var all []string
	for u := range 6 {
		user := User{ID: int64(10 + u), Name: "user " + string(rune('A'+u))}
		chat := raceGroup
		if u%2 == 1 {
			chat = Chat{ID: user.ID, Type: "private"}
		}
		fns = append(fns, func() {
			for _, text := range []string{"/track DEMO1", "/track DEMO2 lamp", "/list", "/rename DEMO1 mug", "where is my parcel?", "/stop lamp", "/status DEMO1", "/stop DEMO1"} {
				for _, r := range eng.HandleMessage(ctx, Message{Chat: chat, From: user, Text: text}) {
					mu.Lock()
					all = append(all, r.Text)
					mu.Unlock()
				}
			}
		})
	}
	together(fns...)
	noTrouble(t, logs, all...)
	if _, err := store.ChatSubscriptions(ctx, raceGroup.ID); err != nil {
		t.Fatal(err)
	}
}
