package bot

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
)

func TestConsoleShowsLinkAddresses(t *testing.T) {
	got := stripTags(linksShown(`Open <a href="https://www.ups.com/track?loc=en_US&amp;tracknum=1Z">the UPS page</a> or <b>not</b>`))
	if want := "Open the UPS page (https://www.ups.com/track?loc=en_US&tracknum=1Z) or not"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// consoleRun is RunConsole reading from a pipe the test writes to.
type consoleRun struct {
	t     *testing.T
	store *storage.Store
	in    *io.PipeWriter
	out   *lockedBuf
	done  chan error
}

func startConsole(t *testing.T, gap time.Duration) *consoleRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	c := &consoleRun{t: t, store: store, in: pw, out: &lockedBuf{}, done: make(chan error, 1)}
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	go func() {
		c.done <- RunConsole(ctx, ConsoleConfig{Store: store, Router: router, In: pr, Out: c.out, PasteGap: gap})
	}()
	t.Cleanup(func() {
		cancel()
		pw.Close()
		<-c.done
		store.Close()
	})
	c.waitPrompts(1)
	return c
}

func (c *consoleRun) write(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, s); err != nil {
		c.t.Fatal(err)
	}
}

// waitPrompts waits until the console has shown n prompts: each follows
// one message handled.
func (c *consoleRun) waitPrompts(n int) {
	c.t.Helper()
	for deadline := time.Now().Add(15 * time.Second); strings.Count(c.out.String(), "> ") < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			c.t.Fatalf("%d prompts, want %d:\n%s", strings.Count(c.out.String(), "> "), n, c.out)
		}
	}
}

// quit ends the console and returns all it wrote.
func (c *consoleRun) quit() string {
	c.t.Helper()
	c.write("/quit\n")
	if err := <-c.done; err != nil {
		c.t.Fatal(err)
	}
	c.done <- nil
	return c.out.String()
}

// TestConsolePastedEmailIsOneMessage: an e-mail pasted into the console
// arrives as lines in one burst; they make one message, ended by a short
// pause or by a blank line, so it gets one answer that follows the number
// in it, as the same paste on Telegram would.
func TestConsolePastedEmailIsOneMessage(t *testing.T) {
	email := strings.Join([]string{
		"Hello Anna,",
		"good news: your order 40213 has shipped.",
		"Tracking number: DEMO1",
		"Carrier: Demo Express",
		"Thank you for shopping with us!",
	}, "\n") + "\n"
	for _, tc := range []struct {
		name string
		gap  time.Duration
		end  string
	}{
		{"a pause ends it", 50 * time.Millisecond, ""},
		{"a blank line ends it", time.Hour, "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := startConsole(t, tc.gap)
			c.write(email + tc.end)
			c.waitPrompts(2)
			out := c.quit()
			if n := strings.Count(out, "> "); n != 2 {
				t.Errorf("%d prompts: the e-mail was taken as %d messages, want 1:\n%s", n, n-1, out)
			}
			subs, err := c.store.ChatSubscriptions(context.Background(), ConsoleChatID)
			if err != nil || len(subs) != 1 || subs[0].Shipment.Number != "DEMO1" {
				t.Errorf("following %v (%v), want DEMO1 alone", subs, err)
			}
		})
	}
}

// TestConsoleCommandForTheBot: "/help@somebot" is /help in the console,
// which has one bot whatever its name; a command ends a paste in progress,
// which is answered first.
func TestConsoleCommandForTheBot(t *testing.T) {
	c := startConsole(t, time.Hour)
	c.write("/help\n")
	c.waitPrompts(2)
	c.write("/help@trackbot_demo_bot\n")
	c.waitPrompts(3)
	c.write("my parcel\nDEMO2\n/list\n")
	c.waitPrompts(5)
	// What follows each prompt is the answer to the next message.
	answers := strings.Split(c.quit(), "> ")
	if len(answers) != 6 {
		t.Fatalf("%d answers, want 5:\n%q", len(answers)-1, answers)
	}
	if help := answers[1]; len(help) < 100 || answers[2] != help {
		t.Errorf("/help@bot answered:\n%s\nwant what /help answered:\n%s", answers[2], help)
	}
	if list := answers[4]; !strings.Contains(list, "DEMO2") {
		t.Errorf("/list after the paste:\n%s\nwant DEMO2, followed from the paste", list)
	}
}

// A push queued for the console shows its buttons, and they work.
func TestConsolePushButtons(t *testing.T) {
	ctx := context.Background()
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if err := store.TouchChat(ctx, storage.Chat{ID: ConsoleChatID, Type: "private", Active: true}); err != nil {
		t.Fatal(err)
	}
	sub, _, err := store.Subscribe(ctx, storage.SubscribeParams{ChatID: ConsoleChatID, Carrier: "demo", Number: "DEMO6", Label: "lamp", Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	markup := fmt.Sprintf(`{"inline_keyboard":[[{"text":"Got it","callback_data":"%s"},{"text":"Not received","callback_data":"%s"}]]}`,
		CallbackData(ActGotIt, sub.ID, ""), CallbackData(ActNotReceived, sub.ID, ""))
	if _, err := store.Enqueue(ctx, storage.OutboxMessage{ChatID: ConsoleChatID, SubscriptionID: sub.ID, DedupeKey: "t:1",
		Text: "✅ <b>Delivered</b> — lamp", Markup: markup}); err != nil {
		t.Fatal(err)
	}
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	var out bytes.Buffer
	in := strings.NewReader("1\n/list\n/quit\n")
	if err := RunConsole(ctx, ConsoleConfig{Store: store, Router: router, In: in, Out: &out}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"🔔 ✅ Delivered — lamp", "[1] Got it [2] Not received", "lamp arrived", "not following anything here"} {
		if !strings.Contains(text, want) {
			t.Errorf("console output lacks %q:\n%s", want, text)
		}
	}
}

// TestConsoleAsksNoZone: the console greets with /start at every start; it
// does not ask for the time zone each time.
func TestConsoleAsksNoZone(t *testing.T) {
	ctx := context.Background()
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var out bytes.Buffer
	if err := RunConsole(ctx, ConsoleConfig{Store: store, In: strings.NewReader("/quit\n"), Out: &out}); err != nil {
		t.Fatal(err)
	}
	en := locale.For(locale.EN)
	if !strings.Contains(out.String(), stripTags(en.T("welcome"))[:20]) || strings.Contains(out.String(), stripTags(en.T("tz_question"))) {
		t.Errorf("console start:\n%s\nwant the welcome and no time zone question", out.String())
	}
}
