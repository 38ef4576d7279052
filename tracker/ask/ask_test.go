package ask

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
)

var now = time.Date(2026, 3, 12, 10, 0, 0, 0, time.UTC)

// s10Number is a generated UPU S10 number (the serial given as digits).
func s10Number(service, serial, country string) string {
	return service + serial + strconv.Itoa(seventeentest.S10CheckDigit(serial)) + country
}

func TestS10Number(t *testing.T) {
	// 4·8+7·6+1·4+0·2+3·3+9·5+2·9+6·7 = 192; 192 mod 11 = 5; check 6.
	if got := s10Number("LX", "47103926", "CN"); got != "LX471039266CN" {
		t.Fatalf("s10Number = %s", got)
	}
}

// TestAnswerUsesTheChatsParcels: what an answer draws on from the chat's
// parcels, as data (the bot words it; bot/answers_test.go checks the
// words in every language).
func TestAnswerUsesTheChatsParcels(t *testing.T) {
	stalled := advice.Input{Carrier: "fedex", Number: "x", Valid: true, Polled: true, Status: tracker.StatusInTransit,
		AddedAt: now.AddDate(0, 0, -9), LastEventAt: now.AddDate(0, 0, -6)}
	fresh := advice.Input{Carrier: "ups", Number: "y", Valid: true, Polled: true, Status: tracker.StatusInTransit,
		AddedAt: now.AddDate(0, 0, -1), LastEventAt: now.Add(-3 * time.Hour)}
	parcels := []Parcel{
		{Carrier: "fedex", Number: "x", Label: "Headphones", Status: tracker.StatusInTransit,
			ETA: now.AddDate(0, 0, -2), Advice: advice.Evaluate(stalled, now)},
		{Carrier: "ups", Number: "y", Status: tracker.StatusInTransit, ETA: now.AddDate(0, 0, 2), Advice: advice.Evaluate(fresh, now)},
		{Carrier: "s10", Number: s10Number("RR", "30571846", "JP"), Label: "Tea set", Status: tracker.StatusCustoms},
	}
	tests := map[string]struct {
		question string
		parcels  []Parcel
		want     Reply
	}{
		"where is it": {"where's my stuff??", parcels, Reply{Topic: "my_packages", Parcels: []int{0, 1, 2}}},
		"should I call, nothing wrong": {"Should I contact support now?", parcels[1:2],
			Reply{Topic: "contact_support", Contacts: []string{"ups"}}},
		"no parcels": {"when will my parcel arrive", nil, Reply{Topic: "my_packages"}},
		// "What should I do?" is about the chat's parcels (each one's next
		// step); with none, the bot says so and how to start.
		"what to do, no parcels": {"what should I do?", nil, Reply{Topic: "my_packages"}},
		"general answer names parcels in trouble": {"tracking hasnt updated in days", parcels,
			Reply{Topic: "not_updating", Attention: []int{0}}},
		"origin country of an S10 number": {"what country is my parcel from", parcels,
			Reply{Topic: "international", Origins: []Origin{{Parcel: 2, Country: "JP"}}}},
		"carrier contacts": {"how do i contact customer service", parcels,
			Reply{Topic: "contact_support", Attention: []int{0}, Contacts: []string{"fedex", "ups"}}},
		"a carrier none is with": {"where is my dhl parcel", parcels,
			Reply{Topic: "my_packages", Parcels: []int{0, 1, 2}, Carrier: "dhl", CarrierMissing: true}},
		"status explained": {"WHAT does 'Exception' mean?!", nil, Reply{Topic: "status:exception"}},
		"order stage":      {"what does order placed mean", nil, Reply{Topic: "status:order_placed"}},
		"off topic":        {"what's the capital of france", parcels, Reply{Topic: "unknown"}},
		"empty question":   {"  ", nil, Reply{Topic: "bot_help"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Answer(tc.question, tc.parcels, now)
			if got.Topic != tc.want.Topic || len(got.Alternatives) > 0 {
				t.Fatalf("topic = %s (alternatives %v), want %s", got.Topic, got.Alternatives, tc.want.Topic)
			}
			if !slices.Equal(got.Parcels, tc.want.Parcels) || got.Carrier != tc.want.Carrier || got.CarrierMissing != tc.want.CarrierMissing ||
				!slices.Equal(got.Attention, tc.want.Attention) || !slices.Equal(got.Origins, tc.want.Origins) || !slices.Equal(got.Contacts, tc.want.Contacts) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestUnrecognisedNumber: "number not recognised" with no other clue may be
// a typo, a number the carrier does not know or one too new to show: the
// bot may answer one of them or ask back, but only among them.
func TestUnrecognisedNumber(t *testing.T) {
	clues := []string{"invalid_number", "status:not_found", "activation_delay"}
	for _, q := range []string{"number not recognised", "not recognised", "tracking number not recognized?"} {
		got := Answer(q, nil, now)
		if !slices.Contains(clues, got.Topic) {
			t.Errorf("%q: topic %s, want one of %v", q, got.Topic, clues)
		}
		for _, alt := range got.Alternatives {
			if !slices.Contains(clues, alt) {
				t.Errorf("%q: asked back with %s among %v, want only %v", q, alt, got.Alternatives, clues)
			}
		}
	}
}

// TestEveryTopicOnce: each topic is listed once, and every status has one.
func TestEveryTopicOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, topic := range Topics() {
		if seen[topic] {
			t.Errorf("topic %s twice", topic)
		}
		seen[topic] = true
	}
	for _, s := range tracker.Statuses {
		if !seen["status:"+string(s)] {
			t.Errorf("no topic for status %s", s)
		}
	}
}

func TestTypoFixing(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"dropped letter":       {"instrutions", "instructions"},
		"swapped letters":      {"lokcer", "locker"},
		"two edits, long word": {"notficatons", "notifications"},
		"short word untouched": {"teh", "teh"},
		"unrelated long word":  {"xylophone", "xylophone"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := modelFor(DefaultLang)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := m.text.speller.fixDist(tc.in); got != tc.want {
				t.Errorf("fix(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// BenchmarkAnswer answers the held-out questions of each language (target
// < 100 µs and < 200 allocations a question), for a chat with two parcels,
// one named, so that the parcel-naming paths run too.
func BenchmarkAnswer(b *testing.B) {
	parcels := []Parcel{
		{Carrier: "ups", Number: "1Z999AA10123456784", Label: "New headphones", Status: tracker.StatusInTransit, ETA: now.AddDate(0, 0, 1)},
		{Carrier: "dhl", Number: "1234567890", Status: tracker.StatusOutForDelivery},
	}
	for _, lang := range []string{"en", "es"} {
		b.Run(lang, func(b *testing.B) {
			qs := loadHeldOut(b, lang)
			if _, err := modelFor(lang); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			start := cpuTime()
			n := 0
			for i := 0; b.Loop(); i++ {
				AnswerIn(lang, qs[i%len(qs)].question, parcels, now)
				n++
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(n)/1e3, "cpu-µs/op")
		})
	}
}

func TestSmallTalk(t *testing.T) {
	one := []Parcel{{Carrier: "ups", Number: "y", Status: tracker.StatusInTransit}}
	tests := map[string]struct {
		question string
		parcels  []Parcel
		topic    string
		kind     string
	}{
		"greeting, nothing followed":    {"Hi!", nil, "bot_help", TalkGreeting},
		"greeting with parcels":         {"hello there", one, "bot_help", TalkGreeting},
		"thanks":                        {"thank you so much!!", one, "bot_help", TalkThanks},
		"thanks with a curly quote":     {"that’s great, thanks", nil, "bot_help", TalkThanks},
		"thanks beats hello":            {"hey, thanks", nil, "bot_help", TalkThanks},
		"goodbye":                       {"ok bye", one, "bot_help", TalkBye},
		"how are you":                   {"hi, how are you?", nil, "bot_help", TalkHowAreYou},
		"who are you":                   {"who are you", nil, "bot_help", TalkWho},
		"thumbs up":                     {"👍", one, "bot_help", TalkOK},
		"greeting with a real question": {"hi, where is my parcel?", one, "my_packages", ""},
		"thanks with a real question":   {"thanks! what does exception mean", nil, "status:exception", ""},
		"greeting with off-topic":       {"hello, tell me a joke", nil, "unknown", ""},
		"just an emoji":                 {"📦", nil, "unknown", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Answer(tc.question, tc.parcels, now)
			if got.Topic != tc.topic || got.SmallTalk != tc.kind {
				t.Errorf("Answer(%q) = %s %q, want %s %q", tc.question, got.Topic, got.SmallTalk, tc.topic, tc.kind)
			}
		})
	}
}

// TestSmallTalkInGermanAndFrench: greetings, thanks and goodbyes in German,
// French, Spanish, Portuguese and Italian are small talk too, named by kind so the bot answers in the
// chat's language; a message that also asks something is a question.
func TestSmallTalkInGermanAndFrench(t *testing.T) {
	tests := []struct{ lang, question, kind string }{
		{"de", "Hallo!", TalkGreeting},
		{"de", "Guten Morgen zusammen", TalkGreeting},
		{"de", "Moin", TalkGreeting},
		{"de", "Vielen Dank für Ihre Hilfe!", TalkThanks},
		{"de", "danke schön 🙏", TalkThanks},
		{"de", "Tschüss!", TalkBye},
		{"de", "ok, schönen Tag noch", TalkBye},
		{"de", "Hallo, wie geht's?", TalkHowAreYou},
		{"de", "Wer bist du?", TalkWho},
		{"de", "Alles klar, super", TalkOK},
		{"fr", "Bonjour !", TalkGreeting},
		{"fr", "coucou", TalkGreeting},
		{"fr", "Merci beaucoup !", TalkThanks},
		{"fr", "un grand merci pour l'aide", TalkThanks},
		{"fr", "Au revoir", TalkBye},
		{"fr", "ok merci, bonne journée", TalkBye},
		{"fr", "Salut, ça va ?", TalkHowAreYou},
		{"fr", "t'es qui ?", TalkWho},
		{"fr", "d'accord, parfait", TalkOK},
		{"es", "¡Hola!", TalkGreeting},
		{"es", "buenos días", TalkGreeting},
		{"es", "muchas gracias por tu ayuda", TalkThanks},
		{"es", "ok gracias 🙏", TalkThanks},
		{"es", "vale, hasta luego", TalkBye},
		{"es", "adiós", TalkBye},
		{"es", "hola, ¿qué tal?", TalkHowAreYou},
		{"es", "¿quién eres?", TalkWho},
		{"es", "vale, perfecto", TalkOK},
		{"es", "Hola, ¿dónde está mi paquete?", ""},
		{"es", "gracias, ¿qué significa incidencia?", ""},
		{"de", "Hallo, wo ist mein Paket?", ""},
		{"de", "Danke! Was bedeutet Zustellproblem?", ""},
		{"de", "Kommt das Paket morgen?", ""},
		{"fr", "Bonjour, où est mon colis ?", ""},
		{"fr", "merci, ça veut dire quoi livré ?", ""},
		{"pt", "oi", TalkGreeting},
		{"pt", "Olá!", TalkGreeting},
		{"pt", "bom dia", TalkGreeting},
		{"pt", "obrigado!", TalkThanks},
		{"pt", "muito obrigada pela ajuda", TalkThanks},
		{"pt", "valeu 🙏", TalkThanks},
		{"pt", "tchau, até logo", TalkBye},
		{"pt", "oi, tudo bem?", TalkHowAreYou},
		{"pt", "quem é você?", TalkWho},
		{"pt", "beleza, entendi", TalkOK},
		{"pt", "oi, cadê minha encomenda?", ""},
		{"pt", "obrigado, o que significa aguardando retirada?", ""},
		{"it", "ciao", TalkGreeting},
		{"it", "Ciao!", TalkGreeting},
		{"it", "buongiorno", TalkGreeting},
		{"it", "grazie mille!", TalkThanks},
		{"it", "grazie per l'aiuto", TalkThanks},
		{"it", "arrivederci", TalkBye},
		{"it", "ok grazie, buona giornata", TalkBye},
		{"it", "ciao, come stai?", TalkHowAreYou},
		{"it", "chi sei?", TalkWho},
		{"it", "va bene, perfetto", TalkOK},
		{"it", "ciao, dov'è il mio pacco?", ""},
		{"it", "grazie, cosa vuol dire in giacenza?", ""},
		{"de", "ciao", TalkBye},
	}
	for _, tc := range tests {
		got := AnswerIn(tc.lang, tc.question, nil, now)
		if got.SmallTalk != tc.kind {
			t.Errorf("AnswerIn(%s, %q).SmallTalk = %q, want %q (topic %s)", tc.lang, tc.question, got.SmallTalk, tc.kind, got.Topic)
		}
		if tc.kind != "" && got.Topic != TopicHelp {
			t.Errorf("AnswerIn(%s, %q).Topic = %s, want %s", tc.lang, tc.question, got.Topic, TopicHelp)
		}
	}
	if got := Answer("thanks!", nil, now); got.SmallTalk != TalkThanks {
		t.Errorf("English thanks: SmallTalk %q", got.SmallTalk)
	}
}

// TestWhatShouldIDoInEveryLanguage: "what should I do?" is about the
// chat's parcels in every language (each one's next step), not asked back.
func TestWhatShouldIDoInEveryLanguage(t *testing.T) {
	for lang, q := range map[string]string{
		"en": "what should I do now?", "de": "Was soll ich jetzt tun?", "fr": "qu'est-ce que je dois faire ?",
		"es": "¿qué debo hacer?", "pt": "o que devo fazer agora?", "it": "cosa devo fare adesso?",
	} {
		if got := AnswerIn(lang, q, nil, now); got.Topic != "my_packages" || len(got.Alternatives) > 0 {
			t.Errorf("%s %q: topic %s (%.2f), alternatives %v; want my_packages answered", lang, q, got.Topic, got.Confidence, got.Alternatives)
		}
	}
}
