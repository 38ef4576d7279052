package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
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

// apiGate stands between one instance and the fake Bot API, the network
// between them: it counts the sends it has answered, and once closed it
// holds every send where it is (the request made, not yet at Telegram),
// until its sender dies, and never passes it on.
type apiGate struct {
	*httptest.Server
	mu       sync.Mutex
	closed   bool
	gone     chan struct{} // closed when the test ends
	held     int           // sends waiting at the closed gate
	answered int           // sends Telegram accepted, answer passed back
}

func newAPIGate(t *testing.T, api string) *apiGate {
	t.Helper()
	target, err := url.Parse(api)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	g := &apiGate{gone: make(chan struct{})}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		send := strings.HasSuffix(r.URL.Path, "/sendMessage") || strings.HasSuffix(r.URL.Path, "/editMessageText")
		g.mu.Lock()
		if send && g.closed {
			g.held++
			g.mu.Unlock()
			// Read to the end, so the server watches the connection and
			// ends the request's context when the sender dies.
			_, _ = io.Copy(io.Discard, r.Body)
			select { // the send never reaches Telegram
			case <-r.Context().Done():
			case <-g.gone:
			}
			return
		}
		g.mu.Unlock()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		proxy.ServeHTTP(rec, r)
		if send && rec.code == http.StatusOK {
			g.mu.Lock()
			g.answered++
			g.mu.Unlock()
		}
	}))
	t.Cleanup(func() { close(g.gone); g.Close() })
	return g
}

func (g *apiGate) close() { g.mu.Lock(); g.closed = true; g.mu.Unlock() }

// counts: sends held at the closed gate, sends answered.
func (g *apiGate) counts() (held, answered int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held, g.answered
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) { r.code = code; r.ResponseWriter.WriteHeader(code) }

// instance is one child process.
type instance struct {
	name   string
	gate   *apiGate // its way to the Bot API
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
	gate := newAPIGate(t, tg.URL)
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), clusterChildEnv+"=1",
		"TELEGRAM_BOT_TOKEN="+e2eToken,
		"TELEGRAM_API_URL="+gate.URL,
		"TRACKBOT_DB="+dsn,
		"TRACKBOT_INSTANCE="+name,
		"TRACKBOT_POLL_SCHEDULE=@every 1s",
		"TRACKBOT_POLL_LEASE=3s",
		"TRACKBOT_SEND_LEASE=3s",
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
	in := &instance{name: name, gate: gate, cmd: cmd, log: &lockedBuffer{}, done: make(chan error, 1)}
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
// changes at the carrier, the leader killed with SIGKILL in the middle of
// the first wave while it holds shipments and chats. Every reply and every
// push arrives exactly once, the survivors poll and send what the dead one
// held, another leads, and together the instances never sent faster than
// Telegram allows (the fake Bot API enforces its limits). The same story
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

	// Wave 1, and the leader killed while it polls and sends it.
	var (
		victim       *instance
		before, sent float64
		leased       []int64 // chats the victim held, with messages unsent, when it died
	)
	polls := func(in *instance) float64 {
		return value(sample(scrape(t, in.ops), "trackbot_polls_total", "carrier", "ups", "outcome", "ok"))
	}
	pushed := func(in *instance) float64 {
		return value(sample(scrape(t, in.ops), "trackbot_pushes_total", "outcome", "sent"))
	}
	if n > 1 {
		// The leader: it runs the sweeps, polls and sends like the others.
		for _, in := range insts {
			if in.role(t) == "leader" {
				victim = in
				break
			}
		}
		if victim == nil {
			t.Fatal("no instance leads")
		}
		before, sent = polls(victim), pushed(victim)
	}
	wave(tracker.StatusInTransit, time.Hour)
	if victim != nil {
		// It has polled some of the wave (and holds a claim on more) and
		// sends it. Then its sends stop on the way to Telegram, and once
		// each one Telegram answered is recorded as sent, it dies: no send
		// is in the one window no design closes, between Telegram's "ok"
		// and the record of it, where a kill means a second copy.
		waitFor(t, "the victim polling and sending the wave", func() bool {
			return polls(victim) >= before+1 && pushed(victim) >= sent+1
		})
		victim.gate.close()
		waitFor(t, "the victim's sends held, the answered ones recorded", func() bool {
			held, answered := victim.gate.counts()
			return held >= 1 && pushed(victim) == float64(answered)
		})
		leased = leasedChats(t, dsn, victim.name)
		if len(leased) == 0 {
			t.Fatal("the victim holds no chat with unsent messages")
		}
		victim.kill(t)
		t.Logf("killed %s mid-wave, holding %d chats with messages unsent", victim.name, len(leased))
	}
	// After a kill the survivors first wait out the dead instance's leases
	// and take turns at UPS's shared 2 calls a second, so this wave gets
	// longer than the other waits (still an event, not a sleep).
	waitForWithin(t, afterKillWait, "every In transit push", func() bool { return len(perFollow(headline("In transit"))) == len(follows) })
	if victim != nil {
		// The survivors took its chats over once their leases ran out, and
		// another leads.
		owners := chatOwners(t, dsn)
		for _, id := range leased {
			if strings.HasPrefix(owners[id], victim.name+"/") {
				t.Errorf("chat %d is still the dead instance's", id)
			}
		}
		waitFor(t, "a new leader", func() bool {
			for _, in := range insts {
				if in != victim && in.role(t) == "leader" {
					return true
				}
			}
			return false
		})
	}

	// Wave 2 with the survivors.
	wave(tracker.StatusDelivered, 2*time.Hour)
	waitForWithin(t, afterKillWait, "every Delivered push", func() bool { return len(perFollow(headline("Delivered"))) == len(follows) })

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
	// Not every follow gets a push of the first status (it depends on
	// when the parcel was polled), but none gets two.
	for f, n := range perFollow(headline("Label created")) {
		if n > 1 {
			t.Errorf("Label created for %s in chat %d arrived %d times", f.number, f.user.ID, n)
		}
	}
	// The instances together never went over Telegram's limits: the Bot
	// API refused nothing (a send delayed between its grant and its
	// arrival still counts in the shared window, storage.ReserveSend), and
	// the sends it accepted were never more than 30 in a (scaled) second.
	st := tg.Stats()
	if st.TooMany != 0 {
		t.Errorf("the Bot API refused %d sends with 429 (%d overall, %d per chat or group)", st.TooMany, st.TooManyOverall, st.TooManyChat)
		for _, r := range st.Refused[:min(len(st.Refused), 3)] {
			t.Errorf("refused: %s", refusalStory(r, tg.Sent()))
		}
	}
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
	t.Logf("%d instances, %d sends, at most %d per (scaled) second, %d refused (%d overall, %d per chat)",
		n, len(at), most, st.TooMany, st.TooManyOverall, st.TooManyChat)
}

// refusalStory is a 429 with the sends to its chat around it, times
// relative to the refusal, so that a failure says which sends crowded it.
func refusalStory(r telegramtest.Refusal, sent []telegramtest.Sent) string {
	var b strings.Builder
	fmt.Fprintf(&b, "chat %d at %s (overall limit: %v); its sends:", r.ChatID, r.At.Format("15:04:05.000"), r.Overall)
	for _, s := range sent {
		if d := s.At.Sub(r.At); s.ChatID == r.ChatID && d > -5*time.Second && d < 5*time.Second {
			fmt.Fprintf(&b, " %+dms %q;", d.Milliseconds(), tail(s.Text, 40))
		}
	}
	return b.String()
}

// leasedChats are the chats an instance (by name) holds with messages
// unsent.
func leasedChats(t *testing.T, dsn, name string) []int64 {
	t.Helper()
	var ids []int64
	for id, owner := range chatOwners(t, dsn, `c.send_lease_until > 0
		AND EXISTS (SELECT 1 FROM outbox o WHERE o.chat_id = c.id AND o.sent_at = 0 AND o.failed_at = 0)`) {
		if strings.HasPrefix(owner, name+"/") {
			ids = append(ids, id)
		}
	}
	return ids
}

// chatOwners maps chats to the instance process sending to them, those
// matching where if given.
func chatOwners(t *testing.T, dsn string, where ...string) map[int64]string {
	t.Helper()
	db, err := storagetest.OpenSQL(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	query := `SELECT c.id, c.send_owner FROM chats c`
	if len(where) > 0 {
		query += ` WHERE ` + where[0]
	}
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	owners := map[int64]string{}
	for rows.Next() {
		var (
			id    int64
			owner string
		)
		if err := rows.Scan(&id, &owner); err != nil {
			t.Fatal(err)
		}
		owners[id] = owner
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return owners
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
