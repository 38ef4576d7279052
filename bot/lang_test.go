package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/tracker"
)

// en renders the helpers' English, as the tests written before languages expect.
var en = locale.For(locale.EN)

func TestChatLanguageFromTheClient(t *testing.T) {
	h := newHarness(t, 10)
	for i, tc := range []struct {
		code, want string
	}{
		{"de", "Hallo! Ich verfolge Ihre Sendungen."},
		{"pt-br", "Oi! Eu acompanho suas encomendas."},
		{"es-MX", "¡Hola! Sigo tus paquetes por ti."},
		{"fr", "Bonjour ! Je suis vos colis pour vous."},
		{"it-IT", "Ciao! Seguo i tuoi pacchi al posto tuo."},
		{"ru", "Hi! I follow parcels for you."},
		{"", "Hi! I follow parcels for you."},
	} {
		u := telegramtest.User{ID: int64(500 + i), FirstName: "U", LanguageCode: tc.code}
		has(t, h.sayTo(telegramtest.Private(u), u, "/start"), tc.want)
		h.waitChat(u.ID, 2) // the time zone question follows the welcome
	}
	// Stored: the same chat keeps German even if the client's language changes.
	u := telegramtest.User{ID: 500, FirstName: "U", LanguageCode: "fr"}
	has(t, h.sayTo(telegramtest.Private(u), u, "/list"), "Ich verfolge hier noch nichts.")
}

func TestLanguageCommandChoiceSticks(t *testing.T) {
	h := newHarness(t, 10)
	u := telegramtest.User{ID: 600, FirstName: "Lu", LanguageCode: "en"}
	pc := telegramtest.Private(u)
	pick := h.say(pc, u, "/language", 1)[0]
	has(t, pick, "Which language", "Now: English.")
	if n := len(pick.Markup.Buttons()); n != len(locale.All) {
		t.Fatalf("%d buttons, want one per language: %+v", n, pick.Markup)
	}
	var it string
	for _, b := range pick.Markup.Buttons() {
		if strings.Contains(b.Text, "Italiano") {
			it = b.CallbackData
		}
	}
	answered := len(h.srv.Answers())
	done := h.click(u, pick, it, 1)[0]
	has(t, done, "d'ora in poi qui ti scrivo in italiano")
	if a := h.waitAnswers(answered); !strings.Contains(a.Text, "italiano") {
		t.Errorf("toast: %+v", a)
	}
	has(t, h.say(pc, u, "/help", 1)[0], "<b>Come funziono</b>", "/language — cambia lingua")
	has(t, h.say(pc, u, "/frobnicate", 1)[0], "Non conosco il comando <code>/frobnicate</code>")
	if l, _ := h.store.ChatLanguage(context.Background(), pc.ID); l != "it" {
		t.Errorf("stored %q", l)
	}
	// A forged language button changes nothing.
	res := h.app.Engine().HandleClick(context.Background(), Click{Chat: Chat{ID: pc.ID, Type: "private"}, From: User{ID: u.ID}, Data: "lang:0:xx"})
	if res.Answer != "Questo pulsante non funziona più." {
		t.Errorf("forged button: %+v", res)
	}
	if l, _ := h.store.ChatLanguage(context.Background(), pc.ID); l != "it" {
		t.Errorf("after a bad button: %q", l)
	}
}

func TestGroupTakesTheLanguageOfWhoAddedTheBot(t *testing.T) {
	h := newHarness(t, 10)
	g := telegramtest.Group(-4242, "WG Küche")
	by := telegramtest.User{ID: 700, FirstName: "Jonas", LanguageCode: "de"}
	before := len(h.srv.Sent())
	h.srv.AddToGroup(g, by)
	has(t, h.wait(before, 1)[0], "Hallo zusammen!")
	// Someone else with an English client writes: the group stays German.
	other := telegramtest.User{ID: 701, FirstName: "Sam", LanguageCode: "en"}
	has(t, h.sayTo(g, other, "/list"), "Ich verfolge hier noch nichts.")
}

func TestProfileRegisteredPerLanguage(t *testing.T) {
	h := newHarness(t, 10)
	h.say(telegramtest.Private(ann), ann, "/start", 2) // Run has registered by now
	for _, l := range locale.All {
		code := string(l)
		if l == locale.EN {
			code = ""
		}
		p := locale.For(l)
		cmds, ok := h.srv.Profile("setMyCommands", code)
		if !ok || !strings.Contains(cmds, `"language"`) || !strings.Contains(cmds, p.T("menu_list")) {
			t.Errorf("%s: commands %q", l, cmds)
		}
		if d, _ := h.srv.Profile("setMyDescription", code); d != p.T("bot_description") {
			t.Errorf("%s: description %q", l, d)
		}
		if d, _ := h.srv.Profile("setMyShortDescription", code); d != p.T("bot_short_description") {
			t.Errorf("%s: short description %q", l, d)
		}
	}
}

// sayTo sends text and returns the next message the bot sends to that chat
// (replies to several chats may go out in any order).
func (h *harness) sayTo(chat telegramtest.Chat, from telegramtest.User, text string) telegramtest.Sent {
	h.t.Helper()
	before := len(h.srv.SentTo(chat.ID))
	h.srv.SendText(chat, from, text)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if got := h.srv.SentTo(chat.ID); len(got) > before {
			return got[before]
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("no reply in chat %d to %q", chat.ID, text)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestStatusLine: the status's title in the chat's language (en.toml for
// English, as every language's), with the carrier's words after it when
// they add something, cleaned and on one line.
func TestStatusLine(t *testing.T) {
	tests := map[string]struct {
		lang locale.Lang
		st   tracker.Status
		text string
		want string
	}{
		"no carrier text":                {locale.EN, tracker.StatusInTransit, "", "In transit"},
		"blank carrier text":             {locale.EN, tracker.StatusInTransit, " \t\n", "In transit"},
		"same words, other case":         {locale.EN, tracker.StatusDelivered, "DELIVERED", "Delivered"},
		"carrier text says it already":   {locale.EN, tracker.StatusDelivered, "Delivered, left in the parcel box", "Delivered, left in the parcel box"},
		"prefix in another case":         {locale.EN, tracker.StatusOutForDelivery, "out for delivery today", "out for delivery today"},
		"prefix ends inside a word":      {locale.EN, tracker.StatusInTransit, "In transitional hub", "In transit: In transitional hub"},
		"carrier text adds something":    {locale.EN, tracker.StatusInTransit, "Departed from facility", "In transit: Departed from facility"},
		"kept on one line":               {locale.EN, tracker.StatusException, "Held at depot\r\n  call   us", "Exception: Held at depot call us"},
		"unknown status":                 {locale.EN, tracker.StatusUnknown, "Shipment information sent", "Waiting for first update: Shipment information sent"},
		"a status not in the contract":   {locale.EN, tracker.Status("lost"), "", "Waiting for first update"},
		"shorter than the title":         {locale.EN, tracker.StatusCustoms, "In", "In customs: In"},
		"multi-byte text against title":  {locale.EN, tracker.StatusReturned, "Retour à l'expéditeur", "Returned to sender: Retour à l'expéditeur"},
		"title followed by a digit only": {locale.EN, tracker.StatusInTransit, "In transit2", "In transit: In transit2"},
		"controls and an override":       {locale.EN, tracker.StatusException, "Held\x00 at \u202Edepot\x1b[31m", "Exception: Held at depot [31m"},
		"German, no carrier text":        {locale.DE, tracker.StatusDelivered, "", "Zugestellt"},
		"German, English title repeated": {locale.DE, tracker.StatusDelivered, "DELIVERED", "Zugestellt"},
		"German, own title repeated":     {locale.DE, tracker.StatusDelivered, "zugestellt", "Zugestellt"},
		"German, English words added":    {locale.DE, tracker.StatusDelivered, "Delivered, left at door", "Zugestellt: Delivered, left at door"},
		"German, German words say it":    {locale.DE, tracker.StatusDelivered, "Zugestellt, an der Haustür", "Zugestellt, an der Haustür"},
		"French, its own separator":      {locale.FR, tracker.StatusInTransit, "Departed from facility", "En transit : Departed from facility"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := statusLine(locale.For(tc.lang), tc.st, tc.text); got != tc.want {
				t.Errorf("statusLine(%s, %s, %q) = %q, want %q", tc.lang, tc.st, tc.text, got, tc.want)
			}
		})
	}
}
