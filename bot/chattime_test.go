package bot

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/notify"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/notice"
)

func TestParseZone(t *testing.T) {
	tests := map[string]string{ // input → stored name; "" for an error
		"Europe/Berlin": "Europe/Berlin", "berlin": "Europe/Berlin", "new york": "America/New_York",
		"Sao_Paulo": "America/Sao_Paulo", "UTC": "UTC", "utc+2": "UTC+2", "GMT-5:30": "UTC-5:30", "UTC+0530": "UTC+5:30",
		"Atlantis": "", "UTC+15": "", "UTC2": "", "Local": "", "../etc/passwd": "",
		// as people write their city
		"Wien": "Europe/Vienna", "Roma": "Europe/Rome", "São Paulo": "America/Sao_Paulo", "Zürich": "Europe/Zurich",
		"ciudad de méxico": "America/Mexico_City", "Montréal": "America/Toronto", "Lisboa": "Europe/Lisbon",
		"BOGOTÁ": "America/Bogota", "Delhi": "Asia/Kolkata",
	}
	for in, want := range tests {
		_, got, err := parseZone(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("parseZone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestQuietUntil(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	night := storage.ChatTime{QuietStart: 22 * 60, QuietEnd: 7 * 60}
	day := storage.ChatTime{QuietStart: 13 * 60, QuietEnd: 14 * 60}
	at := func(h, m int) time.Time { return time.Date(2026, 11, 26, h, m, 0, 0, berlin) }
	tests := []struct {
		name string
		ct   storage.ChatTime
		now  time.Time
		want time.Time // zero: not quiet
	}{
		{"03:00 in 22-07", night, at(3, 0), at(7, 0)},
		{"23:30 in 22-07 ends next morning", night, at(23, 30), at(7, 0).AddDate(0, 0, 1)},
		{"07:00 is awake", night, at(7, 0), time.Time{}},
		{"21:59 is awake", night, at(21, 59), time.Time{}},
		{"13:30 in 13-14", day, at(13, 30), at(14, 0)},
		{"no quiet hours", storage.ChatTime{QuietStart: -1, QuietEnd: -1}, at(3, 0), time.Time{}},
	}
	for _, tc := range tests {
		got, ok := quietUntil(tc.ct, berlin, tc.now)
		if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
			t.Errorf("%s: %v, %v; want %v", tc.name, got, ok, tc.want)
		}
	}
	if s, e, ok := parseQuiet("22:00-07:00"); !ok || s != 22*60 || e != 7*60 {
		t.Errorf("parseQuiet = %d %d %v", s, e, ok)
	}
	for _, bad := range []string{"22:00", "25:00-07:00", "7-7", "late-early"} {
		if _, _, ok := parseQuiet(bad); ok {
			t.Errorf("parseQuiet(%q) accepted", bad)
		}
	}
}

// TestQuietHoursEndToEnd: a chat in Berlin with quiet hours 22:00–07:00. A
// push due at 03:00 local goes out at 07:00, once, through the real
// notifier and the Bot API fake; an urgent one (duties to pay) goes at once;
// times in the push are the chat's.
func TestQuietHoursEndToEnd(t *testing.T) {
	ctx := context.Background()
	w := newStoryWalk(t)
	store, clk := w.store, w.clk
	clk.t = time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC) // 03:00 in Berlin
	srv := telegramtest.NewServer(testToken)
	defer srv.Close()
	app, err := New(ctx, Config{Token: testToken, APIURL: srv.URL, Store: store, Router: w.router, Demo: true, Now: clk.Now, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	n := notify.New(notify.Config{Store: store, Telegram: app.Telegram(), Render: app.RenderPush, Now: clk.Now,
		Logger: slog.New(slog.DiscardHandler), Limits: notify.Limits{PerSecond: 1000, PerChatPerSecond: 1000, PerGroupPerMinute: 60000}})

	chat := Chat{ID: 7007, Type: "private"}
	say := func(text string) string {
		return strings.Join(texts(app.Engine().HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: text})), "\n")
	}
	if r := say("/timezone berlin"); !strings.Contains(r, "Europe/Berlin") || !strings.Contains(r, "03:00") {
		t.Fatalf("/timezone: %s", r)
	}
	if r := say("/quiet 22:00-07:00"); !strings.Contains(r, "22:00–07:00") {
		t.Fatalf("/quiet: %s", r)
	}
	say("/track DEMO1 lamp")
	say("/track DEMO4 vase")
	subs, _ := store.ChatSubscriptions(ctx, chat.ID)
	if len(subs) != 2 {
		t.Fatalf("following %d parcels", len(subs))
	}
	byNumber := map[string]storage.Subscription{}
	for _, s := range subs {
		byNumber[s.Shipment.Number] = s
	}
	queue := func(key string, sub storage.Subscription, p notice.Parcel) {
		t.Helper()
		if _, err := store.Enqueue(ctx, storage.OutboxMessage{ChatID: chat.ID, SubscriptionID: sub.ID, DedupeKey: key,
			Kind: string(notice.KindParcel), Payload: notice.Encode(p)}); err != nil {
			t.Fatal(err)
		}
	}
	scan := tracker.Event{Time: clk.Now(), Status: tracker.StatusInTransit, Description: "Arrived at hub", Location: "Köln, DE"}
	queue("night", byNumber["DEMO1"], notice.Parcel{Status: tracker.StatusInTransit, Latest: scan,
		Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusInTransit, Event: scan}}})
	duty := tracker.Event{Time: clk.Now(), Status: tracker.StatusCustoms, Description: "Held by customs: import duties to pay", Location: "Frankfurt, DE"}
	queue("urgent", byNumber["DEMO4"], notice.Parcel{Status: tracker.StatusCustoms, Latest: duty,
		Items: []notice.Item{{Kind: notice.ItemStatus, Status: tracker.StatusCustoms, Event: duty}}})

	pushes := func() []telegramtest.Sent {
		var out []telegramtest.Sent
		for _, s := range srv.SentTo(chat.ID) {
			if strings.Contains(s.Text, "lamp") || strings.Contains(s.Text, "vase") {
				out = append(out, s)
			}
		}
		return out
	}
	flush := func() {
		t.Helper()
		if err := n.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	flush()
	if got := pushes(); len(got) != 1 || !strings.Contains(got[0].Text, "Action needed") {
		t.Fatalf("at 03:00 only the urgent push should go: %+v", got)
	}
	clk.Add(3*time.Hour + 59*time.Minute) // 06:59 in Berlin
	flush()
	if got := pushes(); len(got) != 1 {
		t.Fatalf("at 06:59: %d pushes", len(got))
	}
	clk.Add(time.Minute) // 07:00
	flush()
	flush()
	got := pushes()
	if len(got) != 2 || !strings.Contains(got[1].Text, "lamp") {
		t.Fatalf("at 07:00: %+v", got)
	}
	// The scan at 02:00 UTC reads 03:00 in Berlin, with its place.
	if !strings.Contains(got[1].Text, "📍 Köln, DE · today 03:00") {
		t.Errorf("push times not in the chat's zone:\n%s", got[1].Text)
	}
	if items, _ := store.PendingOutbox(ctx, clk.Now().Add(24*time.Hour), 0); len(items) != 0 {
		t.Errorf("still pending: %+v", items)
	}
	if r := say("/quiet off"); !strings.Contains(r, "off") {
		t.Errorf("/quiet off: %s", r)
	}
}
