package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/bot/telegramtest"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
)

// shippingEmail is a shipping notice as a shop writes it in each language:
// a demo number to follow, an Amazon order number and a UPS number with a
// typo.
// questions asks "where is my parcel?" and "what does delivered mean?" as
// people type them in each language.
var questions = map[locale.Lang][2]string{
	locale.EN: {"where is my parcel?", "what does delivered mean?"},
	locale.ES: {"¿dónde está mi paquete?", "¿qué significa entregado?"},
	locale.DE: {"Wo ist mein Paket?", "Was bedeutet zugestellt?"},
	locale.FR: {"Où est mon colis ?", "Que veut dire livré ?"},
	locale.PT: {"Cadê minha encomenda?", "O que significa entregue?"},
	locale.IT: {"Dov'è il mio pacco?", "Cosa vuol dire consegnato?"},
}

// lateByCarrier asks whether the UPS parcel is late, naming it by its
// carrier as people do in each language.
var lateByCarrier = map[locale.Lang]string{
	locale.EN: "is the ups one late?",
	locale.ES: "¿el de ups llega tarde?",
	locale.DE: "Ist das UPS-Paket verspätet?",
	locale.FR: "Le colis UPS est-il en retard ?",
	locale.PT: "A encomenda da UPS está atrasada?",
	locale.IT: "Il pacco UPS è in ritardo?",
}

var shippingEmail = map[locale.Lang]string{
	locale.EN: "Hello Sam,\nyour order 113-1234567-1234567 has shipped.\nTracking number: DEMO1\nAlso: %s\nThanks!",
	locale.ES: "Hola Lucía:\ntu pedido 402-1234567-1234567 ha sido enviado.\nNúmero de seguimiento: DEMO1\nTambién: %s\n¡Gracias!",
	locale.DE: "Hallo Jonas,\nIhre Bestellung 302-1234567-1234567 wurde versandt.\nSendungsnummer: DEMO1\nAußerdem: %s\nViele Grüße",
	locale.FR: "Bonjour Camille,\nvotre commande 405-1234567-1234567 a été expédiée.\nNuméro de suivi : DEMO1\nAussi : %s\nMerci !",
	locale.PT: "Olá Ana,\nseu pedido 701-1234567-1234567 foi enviado.\nCódigo de rastreio: DEMO1\nTambém: %s\nObrigado!",
	locale.IT: "Ciao Marco,\nil tuo ordine 403-1234567-1234567 è stato spedito.\nNumero di tracking: DEMO1\nAnche: %s\nGrazie!",
}

// TestEveryLanguageEndToEnd walks a private chat of a user whose Telegram
// client is in each language through the Bot API fake: /start, a pasted
// shipping e-mail (a parcel, an order number, a typo), the parcel's buttons,
// /list, /status, /help, /language and the error replies. Every message,
// button and toast must be in that language: no English sentence may be
// left (the carrier's own event texts excepted, which stay as written).
func TestEveryLanguageEndToEnd(t *testing.T) {
	h := newHarness(t, 10)
	carrier := carrierWords(t)
	for i, l := range locale.All {
		t.Run(string(l), func(t *testing.T) {
			p := locale.For(l)
			code := string(l)
			if l == locale.PT {
				code = "pt-br"
			}
			u := telegramtest.User{ID: int64(9000 + i), FirstName: "Kim", LanguageCode: code}
			pc := telegramtest.Private(u)
			var seen []telegramtest.Sent
			var opensWith func(s telegramtest.Sent, key, text string)
			next := func(n int) []telegramtest.Sent {
				t.Helper()
				got := h.waitChat(pc.ID, len(seen)+n)
				out := got[len(seen):]
				seen = got
				return out
			}
			say := func(text string, n int) []telegramtest.Sent {
				t.Helper()
				h.srv.SendText(pc, u, text)
				return next(n)
			}
			click := func(on telegramtest.Sent, action string, n int) []telegramtest.Sent {
				t.Helper()
				if _, err := h.srv.Click(u, on, button(t, on, action)); err != nil {
					t.Fatal(err)
				}
				return next(n)
			}
			opens := func(s telegramtest.Sent, key string, args ...any) {
				t.Helper()
				opensWith(s, key, p.T(key, args...))
			}
			opensWith = func(s telegramtest.Sent, key, text string) {
				t.Helper()
				want := stripTags(text)
				if r := []rune(want); len(r) > 24 {
					want = string(r[:24])
				}
				if !strings.Contains(stripTags(s.Text), want) {
					t.Errorf("%s: message lacks %q (%s): %q", l, want, key, s.Text)
				}
			}

			opens(say("/start", 2)[0], "welcome") // then the time zone question
			bad := typo(upsNumber(7))
			email := strings.Replace(shippingEmail[l], "%s", bad, 1)
			pasted := say(email, 3)
			opens(pasted[0], "following", "Name", "<code>DEMO1</code>")
			order := email[strings.Index(email, "-")-3 : strings.Index(email, "-")+16]
			opens(pasted[1], "order_number", "Number", order)
			opens(pasted[2], "typo", "Number", bad, "Carrier", "UPS")
			follow := pasted[0]
			opens(click(follow, ActRename, 1)[0], "rename_prompt", "Name", "<code>DEMO1</code>")
			opens(click(follow, ActCarrier, 1)[0], "carrier_pick", "Number", "DEMO1")
			opensWith(say("/list", 1)[0], "list_header", p.N("list_header", 1))
			say("/status DEMO2", 1)
			opens(say("/help", 1)[0], "help")
			opens(say("/language", 1)[0], "language_pick")
			opens(say("/track", 1)[0], "track_which")
			opens(say("/track hallo", 1)[0], "track_not_number", "Number", "hallo")
			opens(say("/stop nichts", 1)[0], "find_none", "Query", "nichts")
			opens(say("/frobnicate", 1)[0], "cmd_unknown", "Command", "frobnicate")
			opens(say("/rename DEMO1 "+strings.Repeat("x", 80), 1)[0], "label_too_long", "Max", maxLabel)
			opens(say("/carrier DEMO1 pigeon", 1)[0], "carrier_unknown", "Code", "pigeon")
			say("/status", 1)
			click(follow, ActRefresh, 1)
			opens(click(follow, ActStop, 1)[0], "stopped", "Name", "<code>DEMO1</code>", "Carrier", "Demo Express")
			opens(say("/list", 1)[0], "list_empty")
			// A parcel asked about by its carrier ("is the ups one late?"),
			// two days past its expected day: the answer says so first.
			ups := upsNumber(700 + i)
			say("/track "+ups, 1)
			subs, err := h.store.ChatSubscriptions(context.Background(), pc.ID)
			if err != nil || len(subs) != 1 {
				t.Fatalf("subscriptions %v, %v", subs, err)
			}
			now := time.Now()
			due := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -2)
			if _, err := h.store.RecordPoll(context.Background(), storage.PollRecord{ShipmentID: subs[0].Shipment.ID, PolledAt: now,
				NextPollAt: now.Add(time.Hour), Result: tracker.Result{Number: ups, Carrier: "ups", Status: tracker.StatusInTransit, ETA: due,
					Events: []tracker.Event{{Time: now.Add(-time.Hour), Status: tracker.StatusInTransit, Description: "Departed from facility"}}}}); err != nil {
				t.Fatal(err)
			}
			late := say(lateByCarrier[l], 1)[0]
			if r := []rune(stripTags(late.Text)); len(r) < 40 || !strings.Contains(late.Text, ups) {
				t.Errorf("%s: %q not answered about the UPS parcel: %q", l, lateByCarrier[l], late.Text)
			}
			opens(late, "verdict_late_yes", "ETA", p.DayDate(due, now))
			say("/stop "+ups, 1)
			// Questions: about "my parcels" (none left now) and a status.
			// An unsure matcher asks back, in the same language.
			for i, key := range []string{"answer_my_packages_none", "answer_status_delivered"} {
				r := say(questions[l][i], 1)[0]
				if l != locale.EN && !strings.Contains(r.Text, esc(p.T("answer_ask_back"))) {
					opens(r, key)
				}
			}

			if l == locale.EN {
				// The scan must see English where there is English.
				n := 0
				for _, s := range seen {
					n += len(englishSentences(withoutCarrierWords(s.Text, carrier)))
				}
				if n < 15 {
					t.Errorf("the English chat shows only %d English sentences: is the scan blind?", n)
				}
				return
			}
			check := func(what, text string) {
				for _, s := range englishSentences(withoutCarrierWords(text, carrier)) {
					t.Errorf("%s: English left in %s: %q\nin: %q", l, what, s, text)
				}
			}
			for _, s := range seen {
				check("message", s.Text)
				for _, b := range s.Markup.Buttons() {
					check("button", b.Text)
				}
			}
			for _, a := range h.srv.Answers() {
				check("toast", a.Text)
			}
		})
	}
}

// TestQuestionInAnotherLanguage: a question clearly written in another
// language the bot speaks is answered in that language; the chat keeps its
// own for everything else.
func TestQuestionInAnotherLanguage(t *testing.T) {
	h := newHarness(t, 10)
	u := telegramtest.User{ID: 9100, FirstName: "Sam", LanguageCode: "en"}
	pc := telegramtest.Private(u)
	has(t, h.sayTo(pc, u, "/track DEMO1"), "Following")
	de := locale.For(locale.DE)
	got := h.sayTo(pc, u, "Wo ist mein Paket?")
	german := false
	for _, st := range tracker.Statuses {
		german = german || strings.Contains(got.Text, statusTitle(de, st))
	}
	if !german || !strings.Contains(got.Text, "DEMO1") || !strings.Contains(got.Text, "👉") || len(englishSentences(got.Text)) > 0 {
		t.Errorf("a German question in an English chat, not answered in German: %q", got.Text)
	}
	fr := h.sayTo(pc, u, "que veut dire livré ?")
	if !strings.Contains(fr.Text, esc(locale.For(locale.FR).T("answer_status_delivered"))[:40]) &&
		!strings.Contains(fr.Text, esc(locale.For(locale.FR).T("answer_ask_back"))) {
		t.Errorf("a French question: %q", fr.Text)
	}
	has(t, h.sayTo(pc, u, "/help"), "<b>How I work</b>") // the chat stays English
}

// waitChat waits until the bot has sent (or edited) n messages in a chat.
func (h *harness) waitChat(chatID int64, n int) []telegramtest.Sent {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := h.srv.SentTo(chatID)
		if len(got) >= n {
			return got[:n]
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("chat %d: %d messages, want %d: %+v", chatID, len(got), n, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
