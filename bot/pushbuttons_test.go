package bot

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
	"github.com/trackbot/trackbot/tracker/poller"
)

// TestPollerButtonsParse: a real poll through the demo carrier queues a
// delivered notice; rendered for sending, every button on it must parse with
// ParseCallback to a push action for that very subscription, and pressing
// them must work.
func TestPollerButtonsParse(t *testing.T) {
	ctx := context.Background()
	store, err := storage.Open(ctx, filepath.Join(t.TempDir(), "push.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	var mu sync.Mutex
	clock := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{Now: now})}, nil)
	eng := newEngine(store, router, true, 0, slog.New(slog.DiscardHandler), now)
	p := poller.New(poller.Config{Store: store, Router: router, Now: now, Logger: slog.New(slog.DiscardHandler)})

	chat := Chat{ID: 5150, Type: "private"}
	sub := eng.mustTrack(t, chat, raceAnn, "DEMO1")
	if err := p.PollNow(ctx, sub.Shipment.ID); err != nil { // first look: label created
		t.Fatal(err)
	}
	mu.Lock()
	clock = clock.Add(time.Hour) // the whole demo story has played
	mu.Unlock()
	if err := p.PollNow(ctx, sub.Shipment.ID); err != nil {
		t.Fatal(err)
	}

	items, err := store.PendingOutbox(ctx, now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var delivered *storage.OutboxItem
	for i, it := range items {
		if strings.Contains(it.Payload, `"status":"delivered"`) {
			delivered = &items[i]
		}
	}
	if delivered == nil {
		t.Fatalf("no delivered push among %d queued", len(items))
	}
	r, ok, err := eng.RenderOutbox(ctx, *delivered)
	if !ok || err != nil || !strings.Contains(r.Text, "<b>Delivered</b>") {
		t.Fatalf("delivered push: %v %v %q", ok, err, r.Text)
	}
	type button struct{ Text, CallbackData string }
	var kb struct{ InlineKeyboard [][]button }
	for _, row := range r.Buttons {
		var out []button
		for _, b := range row {
			out = append(out, button{b.Text, b.Data})
		}
		kb.InlineKeyboard = append(kb.InlineKeyboard, out)
	}
	var actions []string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == "" {
				continue
			}
			cb, err := ParseCallback(b.CallbackData)
			if err != nil {
				t.Errorf("button %q: %v", b.Text, err)
				continue
			}
			if cb.SubID != sub.ID || delivered.SubscriptionID != sub.ID {
				t.Errorf("button %q names subscription %d, push %d; want %d", b.Text, cb.SubID, delivered.SubscriptionID, sub.ID)
			}
			actions = append(actions, cb.Action)
		}
	}
	slices.Sort(actions)
	if want := []string{ActGotIt, ActNotReceived}; !slices.Equal(actions, want) {
		t.Fatalf("delivered push actions %v, want %v (buttons %v)", actions, want, r.Buttons)
	}

	// And the bot acts on them: "Not received" sends advice, "Got it" stops.
	press := map[string]string{}
	for _, b := range kb.InlineKeyboard[0] {
		cb, _ := ParseCallback(b.CallbackData)
		press[cb.Action] = b.CallbackData
	}
	for _, step := range []struct{ action, answer string }{{ActNotReceived, "Sorry to hear that"}, {ActGotIt, ""}} {
		r := eng.HandleClick(ctx, Click{Chat: chat, From: raceAnn, Data: press[step.action]})
		if !strings.Contains(r.Answer, step.answer) || strings.Contains(r.Answer, "no longer") || strings.Contains(r.Answer, "wrong") {
			t.Errorf("pressing %s: %q", step.action, r.Answer)
		}
	}
	if subs, _ := store.ChatSubscriptions(ctx, chat.ID); len(subs) != 0 {
		t.Errorf("still following %d parcels after Got it", len(subs))
	}
}
