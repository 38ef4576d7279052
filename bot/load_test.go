package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
)

// speedup plays Telegram's limits ten times faster in the load tests: the
// fake's windows are a tenth of a second (30 sends overall, 1 per chat) and
// a tenth of a minute (20 per group), and the notifier's rates are ten
// times its defaults' with the same kind of margin. Two thousand replies
// then take seconds, not minutes, and every ratio stays Telegram's.
//
// Under the race detector (several times slower, with bursts of scheduling
// jitter) time runs only five times faster, so the jitter stays small
// against the margins.
var speedup = map[bool]float64{false: 10, true: 5}[raceEnabled]

var telegramLimits = telegramtest.Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20}

// spedUpLimits are the notifier's pacing at speedup. The margin under the
// fake's limits is a little wider than the defaults' (which leave 3–10 %):
// at ten times the speed, a few milliseconds of scheduling jitter on a
// shared machine weigh ten times as much.
var spedUpLimits = notify.Limits{PerSecond: 26 * speedup, PerChatPerSecond: 0.85 * speedup, PerGroupPerMinute: 18 * speedup,
	Window: time.Duration(float64(time.Second) / speedup)}

// loadRig is the bot and its notifier against a Bot API enforcing limits.
type loadRig struct {
	srv   *telegramtest.Server
	store *storage.Store
	n     *notify.Notifier
	path  string // the SQLite file
}

func newLoadRig(t testing.TB, tgLimits telegramtest.Limits, limits notify.Limits, setup ...func(*App)) *loadRig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv := telegramtest.NewServer(testToken)
	srv.EnforceLimits(tgLimits)
	path := filepath.Join(t.TempDir(), "bot.db")
	store, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	app, err := New(ctx, Config{Token: testToken, APIURL: srv.URL, Store: store, Router: router, Demo: true,
		MaxParcels: 50, Logger: quiet, HTTPClient: &http.Client{Timeout: 10 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	n := notify.New(notify.Config{Store: store, Telegram: app.Telegram(), Logger: quiet, Limits: limits})
	app.OnQueued(n.Wake)
	app.PaceDirect(n.Pace)
	for _, f := range setup {
		f(app)
	}
	done := make(chan struct{}, 2)
	go func() { _ = n.Run(ctx); done <- struct{}{} }()
	go func() { _ = app.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() {
		cancel()
		<-done
		<-done
		store.Close()
		srv.Close()
	})
	return &loadRig{srv: srv, store: store, n: n, path: path}
}

func (r *loadRig) waitSent(t testing.TB, n int, within time.Duration) []telegramtest.Sent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	got, err := r.srv.WaitSent(ctx, n)
	if err != nil {
		t.Fatalf("%v (429s so far: %d)", err, r.srv.Stats().TooMany)
	}
	return got
}

// TestEveryReplyUnderTelegramLimits: 50 chats send 40 different messages
// each, all at once. Every one is answered, each chat's answers in order,
// and the Bot API never has to refuse a send with 429.
func TestEveryReplyUnderTelegramLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 replies at a tenth of Telegram's time scale (about 10 s)")
	}
	const chats, each = 50, 40
	r := newLoadRig(t, withSpeedup(telegramLimits, speedup), spedUpLimits)
	for k := range each {
		for c := range chats {
			u := telegramtest.User{ID: int64(8_000_000 + c), FirstName: fmt.Sprint("C", c)}
			r.srv.SendText(telegramtest.Private(u), u, fmt.Sprintf("/help %d", k))
		}
	}
	r.waitSent(t, chats*each, time.Minute)
	time.Sleep(200 * time.Millisecond) // anything extra would show by now
	for c := range chats {
		if got := len(r.srv.SentTo(int64(8_000_000 + c))); got != each {
			t.Errorf("chat %d got %d replies, want %d", c, got, each)
		}
	}
	st := r.srv.Stats()
	t.Logf("%d/%d replies, %d × 429", st.Sends, chats*each, st.TooMany)
	if st.Sends != chats*each || st.TooMany != 0 {
		t.Errorf("Bot API stats %+v: want %d sends and no 429", st, chats*each)
	}
}

// TestTwoHundredTrackAtOnce: 200 people send /track in the same moment;
// all 200 follow the parcel and get their answer, without a 429.
func TestTwoHundredTrackAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("200 replies under Telegram's limits")
	}
	const chats = 200
	r := newLoadRig(t, withSpeedup(telegramLimits, speedup), spedUpLimits)
	for c := range chats {
		u := telegramtest.User{ID: int64(8_100_000 + c), FirstName: fmt.Sprint("T", c)}
		r.srv.SendText(telegramtest.Private(u), u, "/track DEMO1 lamp")
	}
	r.waitSent(t, chats, time.Minute)
	for c := range chats {
		got := r.srv.SentTo(int64(8_100_000 + c))
		if len(got) != 1 {
			t.Errorf("chat %d got %d replies", c, len(got))
			continue
		}
		has(t, got[0], "lamp")
		subs, err := r.store.ChatSubscriptions(context.Background(), int64(8_100_000+c))
		if err != nil || len(subs) != 1 {
			t.Errorf("chat %d follows %v (%v)", c, subs, err)
		}
	}
	if st := r.srv.Stats(); st.Sends != chats || st.TooMany != 0 {
		t.Errorf("Bot API stats %+v: want %d sends and no 429", st, chats)
	}
}

func withSpeedup(l telegramtest.Limits, f float64) telegramtest.Limits {
	l.Speedup = f
	return l
}

// BenchmarkReplyLatency measures, at Telegram's real limits and time scale,
// how long a person waits from sending a message (the update queued at the
// Bot API) to the reply reaching it: 30 chats each write every 1.5 s (under
// the per-chat limit) while, in the "flood" case, one more chat pastes 300
// messages at once. It reports the quiet chats' p50 and p99 in ms.
//
//	go test -run '^$' -bench BenchmarkReplyLatency -benchtime 1x ./bot
func BenchmarkReplyLatency(b *testing.B) {
	for _, flood := range []bool{false, true} {
		name := "calm"
		if flood {
			name = "flood"
		}
		b.Run(name, func(b *testing.B) {
			var lat []time.Duration
			for range b.N {
				lat = append(lat, replyLatencies(b, flood)...)
			}
			slices.Sort(lat)
			p := func(q float64) float64 {
				return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(p(0.50), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")
			b.ReportMetric(float64(len(lat)), "replies")
		})
	}
}

func replyLatencies(b *testing.B, flood bool) []time.Duration {
	const chats, rounds = 30, 6
	r := newLoadRig(b, telegramLimits, notify.DefaultLimits)
	user := func(c int) telegramtest.User {
		return telegramtest.User{ID: int64(8_200_000 + c), FirstName: fmt.Sprint("L", c)}
	}
	flooder := telegramtest.User{ID: 8_299_999, FirstName: "Flood"}
	if flood {
		for i := range 300 {
			r.srv.SendText(telegramtest.Private(flooder), flooder, fmt.Sprintf("/help %d", i))
		}
	}
	asked := map[int64][]time.Time{}
	for k := range rounds {
		for c := range chats {
			u := user(c)
			asked[u.ID] = append(asked[u.ID], time.Now())
			r.srv.SendText(telegramtest.Private(u), u, fmt.Sprintf("/help %d", k))
			time.Sleep(1500 * time.Millisecond / chats)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		done := true
		for c := range chats {
			if len(r.srv.SentTo(user(c).ID)) < rounds {
				done = false
			}
		}
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var lat []time.Duration
	for id, times := range asked {
		got := r.srv.SentTo(id)
		sort.Slice(got, func(i, j int) bool { return got[i].At.Before(got[j].At) })
		if len(got) < len(times) {
			b.Fatalf("chat %d: %d of %d replies", id, len(got), len(times))
		}
		for i, at := range times {
			lat = append(lat, got[i].At.Sub(at))
		}
	}
	return lat
}
