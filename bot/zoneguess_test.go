package bot

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage/storagetest"
)

func TestGuessZones(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 12, 3, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name       string
		lang       locale.Lang
		clientLang string
		now        time.Time
		want       []string
	}{
		{"English in the European afternoon", locale.EN, "en", at(14, 0), []string{"America/New_York", "Europe/London", "America/Chicago"}},
		// 03:00 in London: the Americas are awake, Britain is not.
		{"English at night in Europe", locale.EN, "en", at(3, 0), []string{"America/New_York", "America/Chicago", "America/Los_Angeles"}},
		{"British client", locale.EN, "en-gb", at(3, 0), []string{"America/New_York", "Europe/London", "America/Chicago"}},
		{"Brazilian client", locale.PT, "pt-br", at(12, 0), []string{"America/Sao_Paulo"}},
		{"Portuguese", locale.PT, "pt", at(12, 0), []string{"America/Sao_Paulo", "Europe/Lisbon", "Africa/Luanda"}},
		// Lima has Bogotá's clock and Santiago Buenos Aires' (Chile's summer): one button each.
		{"Spanish in the evening", locale.ES, "es", at(20, 0), []string{"Europe/Madrid", "America/Mexico_City", "America/Bogota"}},
		{"Spanish from Argentina", locale.ES, "es-ar", at(20, 0), []string{"America/Argentina/Buenos_Aires", "Europe/Madrid", "America/Mexico_City"}},
		// One zone for the language: offered even at an unlikely hour.
		{"German at 03:00 Berlin", locale.DE, "de", at(2, 0), []string{"Europe/Berlin"}},
		{"Italian", locale.IT, "", at(9, 0), []string{"Europe/Rome"}},
	}
	for _, tc := range tests {
		var got []string
		for _, g := range guessZones(tc.lang, tc.clientLang, tc.now) {
			got = append(got, g.zone)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestZoneExamplesParse: every "/timezone X" a catalog suggests is one
// /timezone understands, in every language.
func TestZoneExamplesParse(t *testing.T) {
	example := regexp.MustCompile(`<code>/timezone ([^<]+)</code>`)
	for _, l := range locale.All {
		p := locale.For(l)
		text := p.T("tz_unset", "Now", "12:00", "Example", "14:00") + p.T("tz_question_other") + p.T("tz_unknown", "Zone", "x")
		found := 0
		for _, m := range example.FindAllStringSubmatch(text, -1) {
			if m[1] == "ZONE" || strings.ToUpper(m[1]) == m[1] && !strings.HasPrefix(m[1], "UTC") {
				continue // the placeholder: ZONE, ZONA, FUSO…
			}
			found++
			if mins, ok := parseClock(m[1]); ok && mins >= 0 {
				continue
			}
			if _, _, err := parseZone(m[1]); err != nil {
				t.Errorf("%s: the example /timezone %s is refused: %v", l, m[1], err)
			}
		}
		if found < 3 {
			t.Errorf("%s: %d examples found in %q", l, found, text)
		}
	}
}

// TestZoneQuestionEndToEnd: a new chat's /start (at 03:00 UTC, an English
// client) gets the welcome and then, once, a question with the clocks of
// three zones where people are awake; tapping one sets the zone (the
// question becomes the confirmation), /timezone shows it, and no later
// /start asks again. A chat that ignores the question is not asked twice.
func TestZoneQuestionEndToEnd(t *testing.T) {
	clk := &walkClock{t: time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)} // a Thursday
	h := newHarnessAt(t, 0, storagetest.SQLite, clk.Now)
	en := locale.For(locale.EN)
	u := telegramtest.User{ID: 8100, FirstName: "Sam", LanguageCode: "en"}
	pc := telegramtest.Private(u)

	got := h.say(pc, u, "/start", 2)
	if got[0].Text != en.T("welcome")+"\n\n"+en.T("welcome_demo") {
		t.Errorf("first answer to /start: %q, want the welcome", got[0].Text)
	}
	q := got[1]
	has(t, q, en.T("tz_question"))
	var labels, zones []string
	for _, b := range q.Markup.Buttons() {
		labels = append(labels, b.Text)
		cb, err := ParseCallback(b.CallbackData)
		if err != nil || cb.Action != ActZone {
			t.Fatalf("button %+v: %v", b, err)
		}
		zones = append(zones, cb.Arg)
	}
	if want := []string{"22:00 · New York", "21:00 · Chicago", "19:00 · Los Angeles"}; !slices.Equal(labels, want) {
		t.Fatalf("clocks offered %q, want %q", labels, want)
	}

	before := len(h.srv.Sent())
	id, err := h.srv.Click(u, q, CallbackData(ActZone, 0, "America/Chicago"))
	if err != nil {
		t.Fatal(err)
	}
	edited := h.wait(before, 1)[0]
	if edited.Method != "editMessageText" || edited.MessageID != q.MessageID {
		t.Errorf("the tap answered with %s of message %d, want the question (%d) edited", edited.Method, edited.MessageID, q.MessageID)
	}
	if want := en.T("tz_set", "Zone", "America/Chicago", "Weekday", en.Weekday(time.Wednesday), "Time", "21:00"); edited.Text != want {
		t.Errorf("after the tap: %q, want %q", edited.Text, want)
	}
	if a := h.answerTo(id); a.Text != en.T("tz_set_toast") {
		t.Errorf("toast %q, want %q", a.Text, en.T("tz_set_toast"))
	}
	ct, err := h.store.ChatTime(context.Background(), pc.ID)
	if err != nil || ct.TimeZone != "America/Chicago" {
		t.Fatalf("stored zone %q, %v", ct.TimeZone, err)
	}
	has(t, h.say(pc, u, "/timezone", 1)[0], "America/Chicago", "21:00")
	// Set: /start welcomes only. The /help behind it is the next message.
	again := h.say(pc, u, "/start", 1)
	if help := h.say(pc, u, "/help", 1); len(again) != 1 || strings.Contains(again[0].Text, en.T("tz_question")) ||
		strings.Contains(help[0].Text, en.T("tz_question")) {
		t.Errorf("/start with a zone set asked again: %q, then %q", again[0].Text, help[0].Text)
	}

	// Another chat ignores the question: a second /start does not repeat it.
	v := telegramtest.User{ID: 8101, FirstName: "Kai", LanguageCode: "de"}
	vc := telegramtest.Private(v)
	de := locale.For(locale.DE)
	first := h.say(vc, v, "/start", 2)
	if first[1].Markup.Buttons()[0].Text != "04:00 · Berlin" {
		t.Errorf("German question offers %+v, want Berlin's clock", first[1].Markup.Buttons())
	}
	h.say(vc, v, "/start", 1)
	if next := h.say(vc, v, "/help", 1)[0]; strings.Contains(next.Text, de.T("tz_question")) {
		t.Errorf("the question came twice: %q", next.Text)
	}
}
