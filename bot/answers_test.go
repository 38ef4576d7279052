package bot

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/ask"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

// TestAnswerUsesLatestScans: a question about "my parcels" names where each
// parcel was last scanned, read from the store for the whole chat at once.
func TestAnswerUsesLatestScans(t *testing.T) {
	ctx := context.Background()
	eng, store, logs := raceEngine(t)
	chat := Chat{ID: 4242, Type: "private"}
	now := time.Date(2026, 3, 12, 18, 0, 0, 0, time.UTC)
	eng.now = func() time.Time { return now }
	lamp := eng.mustTrack(t, chat, raceAnn, "DEMO1")
	eng.mustTrack(t, chat, raceAnn, "DEMO2") // never scanned: no place
	cst := time.FixedZone("CST", -6*3600)
	events := []tracker.Event{
		{Time: time.Date(2026, 3, 12, 9, 40, 0, 0, cst), Status: tracker.StatusInTransit, Description: "Arrived", Location: "Memphis, TN"},
		{Time: time.Date(2026, 3, 11, 20, 0, 0, 0, cst), Status: tracker.StatusInTransit, Description: "Departed", Location: "Dallas, TX"},
	}
	if _, err := store.RecordPoll(ctx, storage.PollRecord{ShipmentID: lamp.Shipment.ID, PolledAt: now, NextPollAt: now.Add(time.Hour),
		Result: tracker.Result{Status: tracker.StatusInTransit, Events: events}}); err != nil {
		t.Fatal(err)
	}
	replies := eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "where are my parcels?"})
	if len(replies) != 1 {
		t.Fatalf("%d replies, want 1", len(replies))
	}
	got := replies[0].Text
	if !strings.Contains(got, "📍 Memphis, TN · 2 h ago") {
		t.Errorf("answer lacks the newest scan's place:\n%s", got)
	}
	if strings.Contains(got, "Dallas") || strings.Count(got, "📍") != 1 {
		t.Errorf("answer names an older or an absent scan:\n%s", got)
	}
	noTrouble(t, logs, got)
}

// TestVerdictInEveryLanguage: each direct answer about a parcel ("is it
// late?", "will it come by Friday?") is said in every language, with the
// dates in it and no English left in the others.
func TestVerdictInEveryLanguage(t *testing.T) {
	now := time.Date(2026, 3, 12, 18, 0, 0, 0, time.UTC)
	past, soon, asked := now.AddDate(0, 0, -3), now.AddDate(0, 0, 4), now.AddDate(0, 0, 2)
	carrier := carrierWords(t)
	for _, tc := range []struct {
		v        ask.Verdict
		eta, day bool
	}{
		{ask.Verdict{Kind: ask.ByDayToday, Day: asked}, false, false},
		{ask.Verdict{Kind: ask.ByDayNoDate, Day: asked}, false, true},
		{ask.Verdict{Kind: ask.ByDayOverdue, ETA: past, Day: asked}, true, true},
		{ask.Verdict{Kind: ask.ByDayOnTrack, ETA: now.AddDate(0, 0, 1), Day: asked}, true, false},
		{ask.Verdict{Kind: ask.ByDayNotBy, ETA: soon, Day: asked}, true, true},
		{ask.Verdict{Kind: ask.LateToday}, false, false},
		{ask.Verdict{Kind: ask.LateYes, ETA: past}, true, false},
		{ask.Verdict{Kind: ask.LateNo, ETA: soon}, true, false},
	} {
		for _, l := range locale.All {
			w := view{now: now, p: locale.For(l)}
			got := verdictLine(w, tc.v)
			if strings.TrimSpace(got) == "" || tc.eta && !strings.Contains(got, esc(w.day(tc.v.ETA))) || tc.day && !strings.Contains(got, esc(w.day(tc.v.Day))) {
				t.Errorf("%s %s: %q lacks its dates", l, tc.v.Kind, got)
			}
			if strings.Contains(got, "..") {
				t.Errorf("%s %s: %q", l, tc.v.Kind, got)
			}
			if l != locale.EN {
				for _, s := range englishSentences(withoutCarrierWords(got, carrier)) {
					t.Errorf("%s %s: English left: %q", l, tc.v.Kind, s)
				}
			}
		}
	}
	if got := verdictLine(view{now: now}, ask.Verdict{}); got != "" {
		t.Errorf("no verdict says %q", got)
	}
}

// TestAnswersDrawOnTheChatsParcels: what an answer says of the chat's own
// parcels — the carrier a question names that none is with, the parcels
// that need a contact now, whom to contact, where a parcel from abroad was
// posted, the state of the parcel a question names — is said in every
// language, from the same data (tracker/ask) and the same catalogs.
func TestAnswersDrawOnTheChatsParcels(t *testing.T) {
	ctx := context.Background()
	eng, store, logs := raceEngine(t)
	chat := Chat{ID: 4343, Type: "private"}
	now := time.Date(2026, 3, 12, 18, 0, 0, 0, time.UTC)
	eng.now = func() time.Time { return now }
	late := eng.mustTrack(t, chat, raceAnn, "DEMO1")
	eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "/rename DEMO1 headphones"})
	ups := upsNumber(7)
	eng.mustTrack(t, chat, raceAnn, ups)
	tea := seventeentest.S10Number("RR", 30571846, "JP")
	eng.mustTrack(t, chat, raceAnn, tea)
	eng.HandleMessage(ctx, Message{Chat: chat, From: raceAnn, Text: "/rename " + tea + " tea set"})
	stalled := now.AddDate(0, 0, -6)
	if _, err := store.RecordPoll(ctx, storage.PollRecord{ShipmentID: late.Shipment.ID, PolledAt: now, NextPollAt: now.Add(time.Hour),
		Result: tracker.Result{Status: tracker.StatusInTransit, ETA: now.AddDate(0, 0, -3),
			Events: []tracker.Event{{Time: stalled, Status: tracker.StatusInTransit, Description: "Departed", Location: "Memphis, TN"}}}}); err != nil {
		t.Fatal(err)
	}
	subs, err := store.ChatSubscriptions(ctx, chat.ID)
	if err != nil || len(subs) != 3 {
		t.Fatalf("%d subscriptions, %v", len(subs), err)
	}
	upsOnly := slices.DeleteFunc(slices.Clone(subs), func(s storage.Subscription) bool { return s.Shipment.Number != ups })
	carrier := carrierWords(t)
	latest := eng.latestEvents(ctx, chat.ID)
	for _, l := range locale.All {
		p := locale.For(l)
		answer := func(r ask.Reply, subs []storage.Subscription) string {
			return eng.answerText(ctx, p, chat.ID, r, subs, latest)
		}
		asked := func(question string, subs []storage.Subscription) string {
			return answer(ask.AnswerIn("en", question, eng.askParcels(subs, latest), now), subs)
		}
		topic := func(topic string, subs []storage.Subscription) string {
			return answer(ask.AnswerTopic(string(l), topic, eng.askParcels(subs, latest), now), subs)
		}
		attention := esc(p.T("answer_attention"))
		for name, tc := range map[string]struct {
			text      string
			want, not []string
		}{
			"a carrier none is with": {asked("where is my fedex parcel?", subs),
				[]string{esc(p.T("answer_carrier_none", "Carrier", "FedEx")), esc(p.N("answer_parcels", 3)), "headphones", ups, "tea set", "📍 Memphis, TN"}, nil},
			"a general answer names the parcels in trouble": {topic("not_updating", subs),
				[]string{esc(p.T("answer_not_updating")), attention, "headphones"}, []string{ups}},
			"whom to contact": {topic("contact_support", subs),
				[]string{"UPS: " + tracker.Carrier("ups").Contact, attention, "headphones"}, []string{esc(p.T("answer_contact_none"))}},
			"nobody to call": {topic("contact_support", upsOnly),
				[]string{"UPS: " + tracker.Carrier("ups").Contact, esc(p.T("answer_contact_none"))}, []string{attention}},
			"where a parcel from abroad was posted": {topic("international", subs),
				[]string{esc(p.T("answer_international")), esc(p.T("answer_international_origin", "Parcel", "tea set", "Code", "JP", "Country", p.Country("JP")))}, nil},
			"the parcel the question names": {asked("is the headphones parcel late?", subs),
				[]string{verdictLine(view{now: now, p: p}, ask.Verdict{Kind: ask.LateYes, ETA: now.AddDate(0, 0, -3)}), esc(p.N("answer_parcels", 1)), "headphones", esc(p.T("answer_late"))},
				[]string{ups, attention}},
		} {
			for _, w := range tc.want {
				if !strings.Contains(tc.text, w) {
					t.Errorf("%s, %s: answer lacks %q:\n%s", l, name, w, tc.text)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(tc.text, w) {
					t.Errorf("%s, %s: answer should not say %q:\n%s", l, name, w, tc.text)
				}
			}
			if l != locale.EN {
				for _, s := range englishSentences(withoutCarrierWords(tc.text, carrier)) {
					t.Errorf("%s, %s: English left: %q", l, name, s)
				}
			}
		}
	}
	if c := locale.For(locale.DE).Country("JP"); c != "Japan" {
		t.Errorf("JP in German: %q", c)
	}
	noTrouble(t, logs)
}

// TestEveryTopicHasAnAnswer: every topic a reply can carry has its own
// answer and button title in every language, as `trackbot ask` prints it
// (no parcels), with no placeholder left unfilled.
func TestEveryTopicHasAnAnswer(t *testing.T) {
	for _, l := range locale.All {
		p := locale.For(l)
		offTopic := p.T("answer_off_topic")
		for _, topic := range ask.Topics() {
			got := AnswerPlain(l, ask.Reply{Topic: topic, Lang: string(l), Confidence: 1})
			if topic == ask.TopicUnknown {
				if got != offTopic {
					t.Errorf("%s: unknown topic answered %q", l, got)
				}
				continue
			}
			if got == offTopic || len(got) < 60 || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
				t.Errorf("%s %s: answer %q", l, topic, got)
			}
			if title := topicTitle(p, topic); title == topic || title == "" {
				t.Errorf("%s %s: no button title", l, topic)
			}
		}
	}
}

// TestAnswersKeepTheSeedFacts: the facts the first English knowledge base
// was written around survive in the answers of their topics, and the
// waits the answers name are the ones the advice rules use.
func TestAnswersKeepTheSeedFacts(t *testing.T) {
	facts := map[string][]string{
		"activation_delay":       {"24 to 48 hours"},
		"delivered_not_received": {"48 hours", "contact customer service"},
		"find_tracking_number":   {"Your Orders → Track Package"},
		"status:customs":         {"customs", "duties"},
		"hub_locker":             {"Hub Locker", "3 calendar days"},
		"contact_support":        {"Amazon customer service", "seller"},
		"not_updating":           {"4 days", "10 days", "contact customer service"},
		"lost_parcel":            {"4 days", "48 hours", "claim"},
		"bot_help:carriers":      {"UPS", "Royal Mail", "phone number"},
		"status:exception":       {"Exception"},
		"status:order_placed":    {"Order placed", "24 to 48 hours"},
		"international":          {"customs", "10 days"},
	}
	for topic, want := range facts {
		text := AnswerPlain(locale.EN, ask.Reply{Topic: topic})
		for _, w := range want {
			if !strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
				t.Errorf("%s: answer lacks %q:\n%s", topic, w, text)
			}
		}
	}
	d := advice.Default
	waits := map[string][]time.Duration{
		"not_updating":           {d.DomesticStall, d.InternationalStall},
		"lost_parcel":            {d.DomesticStall, d.InternationalStall, d.NotReceivedWait},
		"delivered_not_received": {d.NotReceivedWait},
		"status:delivered":       {d.NotReceivedWait},
		"contact_support":        {d.DomesticStall, d.InternationalStall, d.NotReceivedWait},
	}
	for _, l := range locale.All {
		for topic, ds := range waits {
			text := AnswerPlain(l, ask.Reply{Topic: topic})
			for _, d := range ds {
				n := int(d.Hours())
				if d%(24*time.Hour) == 0 && d > 48*time.Hour {
					n /= 24
				}
				if !regexp.MustCompile(`\b` + strconv.Itoa(n) + `\b`).MatchString(text) {
					t.Errorf("%s %s: answer does not name the %v wait (%d):\n%s", l, topic, d, n, text)
				}
			}
		}
	}
}
