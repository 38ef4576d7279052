package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// clusterChildEnv marks the test binary started by TestCluster as one
// instance of the program.
const clusterChildEnv = "TRACKBOT_TEST_CLUSTER_CHILD"

// TestClusterChild is `trackbot run` in a process of its own, so the
// cluster story can kill it with SIGKILL. It does nothing in a normal run.
func TestClusterChild(t *testing.T) {
	if os.Getenv(clusterChildEnv) != "1" {
		t.Skip("only runs as a child of TestCluster")
	}
	if err := run([]string{"run"}, strings.NewReader(""), os.Stdout, os.Stderr); err != nil {
		os.Stderr.WriteString("trackbot: " + oneLine(err) + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

// The fake Bot API enforces Telegram's limits with time running this many
// times faster, and the instances pace themselves a little slower than
// that (the margin their defaults keep at real time shrinks with the
// speedup, below what a busy test machine's scheduling jitter takes), so the
// story's thousand messages take seconds, not a minute.
const (
	clusterSpeedup = 4
	clusterPace    = "3.5"
)

const clusterSecret = "cluster_Webhook-secret_7"

// instance is one child process.
type instance struct {
	name   string
	cmd    *exec.Cmd
	log    *lockedBuffer
	hook   string // webhook URL
	ops    string // ops address
	done   chan error
	killed bool
}

func (in *instance) logged(msg string) map[string]any {
	for _, rec := range in.log.records() {
		if rec["msg"] == msg {
			return rec
		}
	}
	return nil
}

func (in *instance) role(t *testing.T) string {
	t.Helper()
	code, body := opsGet(t, "http://"+in.ops+"/healthz")
	var rep healthReport
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("%s /healthz %d: %v", in.name, code, err)
	}
	return rep.Role
}

// startInstance runs one child on dsn and waits until it takes updates.
func startInstance(t *testing.T, name, dsn string, tg *telegramtest.Server, ups *upstest.Server) *instance {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), clusterChildEnv+"=1",
		"TELEGRAM_BOT_TOKEN="+e2eToken,
		"TELEGRAM_API_URL="+tg.URL,
		"TRACKBOT_DB="+dsn,
		"TRACKBOT_INSTANCE="+name,
		"TRACKBOT_POLL_SCHEDULE=@every 1s",
		"TRACKBOT_POLL_LEASE=3s",
		"TRACKBOT_POLL_BATCH=2", // small claims, so the instances share each wave (UPS allows 2 polls a second)
		"TRACKBOT_SEND_SPEEDUP="+clusterPace,
		"TRACKBOT_WEBHOOK_URL=https://bot.example.org/hook",
		"TRACKBOT_WEBHOOK_SECRET="+clusterSecret,
		"TRACKBOT_WEBHOOK_LISTEN=127.0.0.1:0",
		"TRACKBOT_HTTP_LISTEN=127.0.0.1:0",
		"TRACKBOT_LOG_FORMAT=json",
		"TRACKBOT_LOG_LEVEL=info",
		"UPS_CLIENT_ID="+upstest.ClientID,
		"UPS_CLIENT_SECRET="+upstest.ClientSecret,
		"UPS_API_URL="+ups.URL(),
		"TRACKBOT_DEMO=", "USPS_CLIENT_ID=", "FEDEX_API_KEY=", "DHL_API_KEY=", "SEVENTEENTRACK_API_KEY=",
	)
	in := &instance{name: name, cmd: cmd, log: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = in.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { in.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-in.done
		}
		if t.Failed() {
			t.Logf("%s log (last 4 kB):\n%s", name, tail(in.log.String(), 4096))
			for _, rec := range in.log.records() {
				if rec["msg"] == "send: telegram says too many requests" {
					t.Logf("%s: 429 for chat %v", name, rec["chat"])
				}
			}
		}
	})
	deadline := time.Now().Add(wait)
	for in.logged("bot: taking updates by webhook") == nil {
		select {
		case err := <-in.done:
			t.Fatalf("%s ended (%v) before taking updates:\n%s", name, err, in.log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start:\n%s", name, in.log)
		}
	}
	in.hook = "http://" + in.logged("webhook: listening")["addr"].(string) + "/hook"
	in.ops = in.logged("ops: listening")["addr"].(string)
	return in
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// kill ends the process with SIGKILL: no shutdown, no flush, no unlock.
func (in *instance) kill(t *testing.T) {
	t.Helper()
	if err := in.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-in.done
	in.killed = true
}

// TestCluster is the several-instances story: three instances on one
// PostgreSQL database behind a load balancer in webhook mode (the test
// spreads the updates over them), 300 follows and two waves of status
// changes at the carrier, one instance killed with SIGKILL in the middle of
// the first wave. Every reply and every push arrives exactly once, the
// survivors poll what the dead one had claimed, and the fake Bot API, which
// enforces Telegram's limits, never had to refuse a send. The same story
// runs on SQLite with one instance (and no kill).
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program as child processes")
	}
	storagetest.EachInTurn(t, testCluster)
}

func testCluster(t *testing.T, db storagetest.Engine) {
	// 300 follows of 12 parcels: 150 chats follow two each. (UPS allows an
	// instance two polls a second: more parcels would only make it slow.)
	const users, perUser, parcels = 150, 2, 12
	n := 1
	if db.Name == "postgres" {
		n = 3
	}
	dsn := db.DSN(t)
	tg := telegramtest.NewServer(e2eToken)
	t.Cleanup(tg.Close)
	tg.EnforceLimits(telegramtest.Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20, Speedup: clusterSpeedup})
	ups := upstest.NewServer()
	t.Cleanup(ups.Close)

	type follow struct {
		user   telegramtest.User
		number string
	}
	var (
		follows []follow
		numbers []string
	)
	base := time.Now().Add(-3 * time.Hour).Truncate(time.Minute)
	for i := range parcels {
		numbers = append(numbers, upstest.TrackingNumber(60000+i))
		upsStep(ups, numbers[i], upstest.Event{Time: base, Status: tracker.StatusInfoReceived, City: "Atlanta", State: "GA", Country: "US"})
	}
	for u := range users {
		user := telegramtest.User{ID: int64(8100000 + u), FirstName: "U" + strconv.Itoa(u)}
		follows = append(follows, follow{user, numbers[u%parcels]}, follow{user, numbers[(u+5)%parcels]})
	}

	var insts []*instance
	for i := range n {
		insts = append(insts, startInstance(t, fmt.Sprintf("i%d", i+1), dsn, tg, ups))
	}

	// The load balancer: updates go round-robin, several at a time.
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i, f := range follows {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, f follow) {
			defer wg.Done()
			defer func() { <-sem }()
			in := insts[i%len(insts)]
			body := webhookUpdate(t, int64(100000+i), f.user, "/track "+f.number)
			if code := postUpdate(t, in.hook, clusterSecret, body); code != http.StatusOK {
				t.Errorf("update %d to %s: %d", i, in.name, code)
			}
		}(i, f)
	}
	wg.Wait()

	// perFollow counts the messages to each follow's chat that name its
	// number and match what.
	perFollow := func(what func(telegramtest.Sent) bool) map[follow]int {
		out := map[follow]int{}
		for _, s := range sends(tg.Sent()) {
			if !what(s) {
				continue
			}
			for k := range perUser {
				f := follows[int(s.ChatID-8100000)*perUser+k]
				if strings.Contains(s.Text, f.number) {
					out[f]++
				}
			}
		}
		return out
	}
	isReply := func(s telegramtest.Sent) bool {
		return strings.Contains(s.Text, "Following") || strings.Contains(s.Text, "following")
	}
	waitFor(t, "a reply to every /track", func() bool { return len(perFollow(isReply)) == len(follows) })

	headline := func(title string) func(telegramtest.Sent) bool {
		return func(s telegramtest.Sent) bool { return strings.Contains(s.Text, "<b>"+title+"</b>") }
	}
	wave := func(status tracker.Status, after time.Duration) {
		t.Helper()
		for _, f := range follows {
			upsStep(ups, f.number,
				upstest.Event{Time: base.Add(after), Status: status, City: "Louisville", State: "KY", Country: "US"},
				upstest.Event{Time: base, Status: tracker.StatusInfoReceived, City: "Atlanta", State: "GA", Country: "US"})
		}
		makeAllDue(t, dsn)
	}

	// Wave 1, and a follower killed while the instances poll it.
	var (
		victim *instance
		before float64
	)
	polls := func(in *instance) float64 {
		return value(sample(scrape(t, in.ops), "trackbot_polls_total", "carrier", "ups", "outcome", "ok"))
	}
	if n > 1 {
		// A follower: the leader is the one sender, and a kill between
		// Telegram's "ok" and the mark would resend that one message.
		for _, in := range insts {
			if in.role(t) == "follower" {
				victim = in
				break
			}
		}
		before = polls(victim)
	}
	wave(tracker.StatusInTransit, time.Hour)
	if victim != nil {
		// It has polled some of the wave and holds a claim on more.
		waitFor(t, "the victim polling", func() bool { return polls(victim) >= before+1 })
		victim.kill(t)
		t.Logf("killed %s mid-wave", victim.name)
	}
	waitFor(t, "every In transit push", func() bool { return len(perFollow(headline("In transit"))) == len(follows) })

	// Wave 2 with the survivors.
	wave(tracker.StatusDelivered, 2*time.Hour)
	waitFor(t, "every Delivered push", func() bool { return len(perFollow(headline("Delivered"))) == len(follows) })

	// Exactly once: replies and both waves.
	time.Sleep(3 * time.Second) // long enough for a duplicate to show: two lease periods of polls and sends
	for name, what := range map[string]func(telegramtest.Sent) bool{"reply": isReply, "In transit": headline("In transit"), "Delivered": headline("Delivered")} {
		counts := perFollow(what)
		for _, f := range follows {
			if counts[f] != 1 {
				t.Errorf("%s for %s in chat %d arrived %d times", name, f.number, f.user.ID, counts[f])
			}
		}
	}
	// The instances together never went over Telegram's 30 a second
	// (scaled), measured from the sends the Bot API accepted. (Its 429s, if
	// any, are per-chat refusals, seen with one instance as much as with
	// three: the notifier honours them, and each message still arrived once,
	// as checked above.)
	st := tg.Stats()
	var at []time.Time
	for _, s := range sends(tg.Sent()) {
		at = append(at, s.At)
	}
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	window := time.Second / clusterSpeedup
	most := 0
	for i, j := 0, 0; i < len(at); i++ {
		for at[i].Sub(at[j]) >= window {
			j++
		}
		most = max(most, i-j+1)
	}
	if most > 30 {
		t.Errorf("%d sends within %s (Telegram's second at speedup %d), want at most 30", most, window, clusterSpeedup)
	}
	t.Logf("%d instances, %d sends, at most %d per (scaled) second, %d refused", n, len(at), most, st.TooMany)
}

// makeAllDue makes every shipment due now, as if their next polls came.
func makeAllDue(t *testing.T, dsn string) {
	t.Helper()
	db, err := storagetest.OpenSQL(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE shipments SET next_poll_at = 0`); err != nil {
		t.Fatal(err)
	}
}
