package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/tghtml"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/assess"
)

// TestRenderResultEscapesCarrierText: whatever a carrier says (markup,
// ampersands, a 10,000-character description) comes out as valid HTML with
// the carrier's words shown literally.
func TestRenderResultEscapesCarrierText(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		res  tracker.Result
		want []string
	}{
		"markup in every field": {
			res: tracker.Result{Number: "<b>1</b>", Carrier: "ups", Status: tracker.StatusException, StatusText: "Held: <i>address</i> & co",
				Events: []tracker.Event{{Time: now.Add(-time.Hour), Status: tracker.StatusException, Description: "</code><a href=\"javascript:x\">", Location: "A&B <Depot>"}}},
			want: []string{"Held: &lt;i&gt;address&lt;/i&gt; &amp; co", "&lt;/code&gt;&lt;a href=&#34;javascript:x&#34;&gt;", "A&amp;B &lt;Depot&gt;", "<code>&lt;b&gt;1&lt;/b&gt;</code>"},
		},
		"enormous description": {
			res: tracker.Result{Number: "DEMO1", Carrier: "demo", Status: tracker.StatusInTransit,
				Events: []tracker.Event{{Time: now, Status: tracker.StatusInTransit, Description: strings.Repeat("&<", 5000)}}},
			want: []string{"&amp;&lt;&amp;&lt;"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			eng, _, _ := raceEngine(t)
			out := lookedUp(eng, tc.res, now)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			checkReply(t, name, Reply{Text: out})
		})
	}
}

// TestStatusLineEverywhere: /list, following a parcel again and a live
// look-up word a status alike (statusLine), escaped.
func TestStatusLineEverywhere(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		status tracker.Status
		text   string
		want   string   // as shown, escaped
		not    []string // the old, differing wordings
	}{
		"carrier text says it already": {tracker.StatusDelivered, "Delivered, left at the <door>", "Delivered, left at the &lt;door&gt;", []string{"Delivered: ", "Delivered — Delivered"}},
		"carrier text adds something":  {tracker.StatusInTransit, "Departed  from\nfacility", "In transit: Departed from facility", []string{"In transit — ", "In transit (", "\nDeparted"}},
		"same words":                   {tracker.StatusOutForDelivery, "OUT FOR DELIVERY", "Out for delivery", []string{"OUT FOR"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			eng, store, logs := raceEngine(t)
			chat := Chat{ID: 77, Type: "private"}
			sub := eng.mustTrack(t, chat, raceAnn, "DEMO3")
			now := time.Now()
			if _, err := store.RecordPoll(ctx, storage.PollRecord{ShipmentID: sub.Shipment.ID, PolledAt: now, NextPollAt: now.Add(time.Hour),
				Result: tracker.Result{Status: tc.status, StatusText: tc.text}}); err != nil {
				t.Fatal(err)
			}
			list := texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "/list"}))
			again := texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "/track DEMO3"}))
			res := tracker.Result{Number: "DEMO3", Carrier: "demo", Status: tc.status, StatusText: tc.text}
			looked := eng.renderStatus(storage.Subscription{Shipment: withResult(storage.Shipment{Carrier: "demo", Number: "DEMO3", PolledAt: now}, res)}, nil, view{now: now}, false)
			for where, got := range map[string]string{"list": strings.Join(list, "\n"), "track again": strings.Join(again, "\n"), "look-up": looked} {
				if !strings.Contains(got, tc.want) {
					t.Errorf("%s: want %q in:\n%s", where, tc.want, got)
				}
				for _, n := range tc.not {
					if strings.Contains(got, n) {
						t.Errorf("%s: %q in:\n%s", where, n, got)
					}
				}
			}
			noTrouble(t, logs, append(list, again...)...)
		})
	}
}

// TestCarrierTextCleaned: controls and direction overrides a carrier sends
// do not reach a look-up, /list or an answer; the text stays, escaped.
func TestCarrierTextCleaned(t *testing.T) {
	ctx := context.Background()
	bad := []string{"\x00", "\x1b", "\u202E", "\u2067", "\u2069", "\u2028"}
	at := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	evs := []tracker.Event{{Time: at, Status: tracker.StatusException, Description: "Held\x00 \u202E<ffo>\u202C", Location: "\u2067Köln\u2069\x1b[0m"}}
	res := tracker.Result{Number: "DEMO2", Carrier: "demo", Status: tracker.StatusException, StatusText: "Address\u2028problem\x00", Events: evs}

	eng, store, _ := raceEngine(t)
	eng.now = func() time.Time { return at.Add(time.Hour) }
	chat := Chat{ID: 99, Type: "private"}
	sub := eng.mustTrack(t, chat, raceAnn, "DEMO2")
	if _, err := store.RecordPoll(ctx, storage.PollRecord{ShipmentID: sub.Shipment.ID, PolledAt: at, NextPollAt: at.Add(time.Hour), Result: res}); err != nil {
		t.Fatal(err)
	}
	shown := map[string]struct {
		text string
		want []string
	}{
		"look-up": {lookedUp(eng, res, at.Add(time.Hour)), []string{"Exception: Address problem", "Held  &lt;ffo&gt;", "Köln [0m"}},
		"list":    {strings.Join(texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "/list"})), "\n"), []string{"Exception: Address problem"}},
		"answer":  {strings.Join(texts(eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "where are my parcels?"})), "\n"), []string{"Exception: Address problem", "📍 Köln [0m"}},
	}
	for where, s := range shown {
		for _, b := range bad {
			if strings.Contains(s.text, b) {
				t.Errorf("%s keeps %q:\n%q", where, b, s.text)
			}
		}
		for _, w := range s.want {
			if !strings.Contains(s.text, w) {
				t.Errorf("%s lacks %q:\n%s", where, w, s.text)
			}
		}
		checkReply(t, where, Reply{Text: s.text})
	}
}

// lookedUp renders a live look-up's result as /status does.
func lookedUp(eng *Engine, res tracker.Result, now time.Time) string {
	sub := storage.Subscription{CreatedAt: now, Shipment: withResult(storage.Shipment{Carrier: res.Carrier, Number: res.Number, PolledAt: now}, res)}
	return eng.renderStatus(sub, res.Events, view{now: now}, false)
}

// TestTimelineInOneZone: a parcel leaves Leipzig at 09:02 CET and is held
// in New York at 03:04 EST, two minutes later. Newest first, both in the
// chat's zone (UTC, labelled, when it has none), each with its place: the
// clock never goes backwards down the list.
func TestTimelineInOneZone(t *testing.T) {
	cet, est := time.FixedZone("CET", 3600), time.FixedZone("EST", -5*3600)
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	events := []tracker.Event{
		{Time: time.Date(2026, 12, 3, 3, 4, 0, 0, est), Status: tracker.StatusCustoms, Description: "Held by customs", Location: "Jamaica, NY"},
		{Time: time.Date(2026, 12, 3, 9, 2, 0, 0, cet), Status: tracker.StatusInTransit, Description: "Export", Location: "Leipzig, DE"},
		{Time: time.Date(2026, 12, 2, 23, 30, 0, 0, cet), Status: tracker.StatusInTransit, Description: "Arrived at hub", Location: "Leipzig, DE"},
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		loc  *time.Location
		want []string // in this order
	}{
		"no zone set": {nil, []string{
			"• today 08:04 UTC — Held by customs, Jamaica, NY",
			"• today 08:02 UTC — Export, Leipzig, DE",
			"• yesterday 22:30 UTC — Arrived at hub, Leipzig, DE",
		}},
		"Europe/Berlin": {berlin, []string{
			"• today 09:04 — Held by customs, Jamaica, NY",
			"• today 09:02 — Export, Leipzig, DE",
			"• yesterday 23:30 — Arrived at hub, Leipzig, DE",
		}},
	}
	eng, _ := noticeEngine(t, "")
	r := tracker.Result{Number: "DEMO4", Carrier: "demo", Status: tracker.StatusCustoms, Events: events}
	sub := storage.Subscription{CreatedAt: now, Shipment: withResult(storage.Shipment{Carrier: "demo", Number: "DEMO4", PolledAt: now}, r)}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			// A live look-up may list its scans in any order.
			shuffled := []tracker.Event{events[1], events[2], events[0]}
			got := eng.renderStatus(sub, shuffled, view{now: now, loc: tc.loc}, false)
			at := 0
			for _, w := range tc.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Fatalf("lacks %q after position %d:\n%s", w, at, got)
				}
				at += i + len(w)
			}
			if tc.loc != nil && strings.Contains(got, "UTC") {
				t.Errorf("a chat with a zone sees UTC:\n%s", got)
			}
		})
	}
}

func TestRenderStatus(t *testing.T) {
	pst := time.FixedZone("PST", -8*3600)
	now := time.Date(2026, 3, 12, 20, 0, 0, 0, time.UTC) // 12:00 in Portland
	r := tracker.Result{Number: "DEMO1", Carrier: "demo", Status: tracker.StatusOutForDelivery, StatusText: "On vehicle <for> delivery",
		ETA: time.Date(2026, 3, 13, 0, 0, 0, 0, pst),
		Events: []tracker.Event{
			{Time: time.Date(2026, 3, 12, 7, 30, 0, 0, pst), Status: tracker.StatusOutForDelivery, Description: "On vehicle <for> delivery", Location: "Portland, OR"},
			{Time: time.Date(2026, 3, 11, 22, 10, 0, 0, pst), Status: tracker.StatusInTransit, Description: "Arrived at facility", Location: "Portland, OR"},
			{Time: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC), Status: tracker.StatusInTransit, Description: "Departed", Location: ""},
		}}
	eng, _ := noticeEngine(t, "")
	sub := storage.Subscription{CreatedAt: now, Shipment: withResult(storage.Shipment{Carrier: "demo", Number: "DEMO1", PolledAt: now}, r)}
	got := eng.renderStatus(sub, r.Events, view{now: now}, false)
	for _, want := range []string{
		"🛵 <b>Out for delivery</b>", "On vehicle &lt;for&gt; delivery", "🗓 Expected today",
		"• today 15:30 UTC — On vehicle &lt;for&gt; delivery, Portland, OR",
		"• today 06:10 UTC — Arrived at facility, Portland, OR",
		"• last Tue 09:00 UTC — Departed",
		"👉 Arriving today",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("look-up lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "tomorrow") {
		t.Errorf("out for delivery yet expected tomorrow:\n%s", got)
	}
	// A long timeline folds into an expandable quote.
	var many []tracker.Event
	for i := range 12 {
		many = append(many, tracker.Event{Time: now.Add(-time.Duration(i) * time.Hour), Status: tracker.StatusInTransit, Description: "Scan <" + strconv.Itoa(i) + ">"})
	}
	long := eng.renderStatus(sub, many, view{now: now}, false)
	if !strings.Contains(long, "<blockquote expandable>") || !strings.Contains(long, "Scan &lt;11&gt;") {
		t.Errorf("long timeline:\n%s", long)
	}
}

// TestExpectedLineInEnglish pins the English expected-delivery line (from
// en.toml, as every language's): on time, late by one day or more, today,
// and none when there is no date.
func TestExpectedLineInEnglish(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	eta := time.Date(2026, 11, 29, 0, 0, 0, 0, time.FixedZone("EST", -5*3600)) // a date at the destination
	v := view{now: now, p: locale.For(locale.EN)}
	for _, tc := range []struct {
		a    assess.Assessment
		want string // "" for no line
	}{
		{assess.Assessment{ETA: now.Add(24 * time.Hour)}, "🗓 Expected tomorrow (Thu 3 Dec)"},
		{assess.Assessment{ETA: now.Add(9 * 24 * time.Hour)}, "🗓 Expected Fri 11 Dec"},
		{assess.Assessment{ETA: eta, LateDays: 1}, "⏰ Expected Sun 29 Nov — a day late"},
		{assess.Assessment{ETA: eta, LateDays: 3}, "⏰ Expected Sun 29 Nov — 3 days late"},
		{assess.Assessment{ETA: now.Add(24 * time.Hour), Today: true}, "🗓 Expected today"},
		{assess.Assessment{}, ""},
	} {
		var h tghtml.Builder
		if ok := expectedLine(&h, tc.a, v); ok != (tc.want != "") || h.String() != tc.want {
			t.Errorf("%+v: %v %q, want %q", tc.a, ok, h.String(), tc.want)
		}
	}
}
