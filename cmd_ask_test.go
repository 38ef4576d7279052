package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot/locale"
)

func TestRunAsk(t *testing.T) {
	tests := map[string]struct {
		args  []string
		topic string
		has   string
	}{
		"words as separate args": {[]string{"it", "says", "delivered", "but", "I", "never", "got", "it"}, "delivered_not_received", "48 hours"},
		"one quoted arg":         {[]string{"what does exception mean"}, "status:exception", "Exception"},
		"my parcels, none here":  {[]string{"where's my stuff"}, "my_packages", "tracking number"},
		"off topic":              {[]string{"tell", "me", "a", "joke"}, "unknown", "/help"},
		"no question":            {nil, "bot_help", "/help"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := runAsk(tc.args, &out); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(strings.TrimSpace(out.String()), "\n"); n != 0 {
				t.Errorf("want one JSON line, got %d extra lines", n)
			}
			var got askOutput
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("not JSON: %v: %s", err, out.String())
			}
			if got.Topic != tc.topic || !strings.Contains(got.Answer, tc.has) || got.Lang != "en" || len(got.Alternatives) != 0 {
				t.Errorf("got %+v, want topic %s and an answer mentioning %q", got, tc.topic, tc.has)
			}
		})
	}
}

// TestRunAskUnsure: a question the matcher is unsure of prints the
// likeliest topic, its probability and the alternatives it would offer.
func TestRunAskUnsure(t *testing.T) {
	var out bytes.Buffer
	if err := runAsk([]string{"parcel"}, &out); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, out.String())
	}
	alts, _ := got["alternatives"].([]any)
	c, _ := got["confidence"].(float64)
	if len(alts) < 2 || len(alts) > 3 || alts[0] != got["topic"] || c <= 0 || c >= 0.85 {
		t.Errorf("got %v, want a topic with 2–3 alternatives (the topic first) and a low confidence", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRunAskWriteError(t *testing.T) {
	err := runAsk([]string{"help"}, failWriter{})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the write error", err)
	}
}

// TestQuestionLang: without a chat, a question is answered in the language
// it is written in, even with none of the common words that name one, and
// in English when nothing tells.
func TestQuestionLang(t *testing.T) {
	for q, want := range map[string]locale.Lang{
		"where is my parcel":                    locale.EN,
		"pls stop spamming me":                  locale.EN, // "me" is a Spanish common word too
		"help me":                               locale.EN,
		"thanks a lot":                          locale.EN,
		"1Z999AA10123456784":                    locale.EN,
		"":                                      locale.EN,
		"wo ist mein Paket":                     locale.DE,
		"Sendungsverfolgung funktioniert nicht": locale.DE,
		"Danke":                                 locale.DE,
		"Hallo":                                 locale.DE,
		"envío devuelto significado":            locale.ES,
		"hola":                                  locale.ES,
		"gracias":                               locale.ES,
		"colis bloqué en douane":                locale.FR,
		"merci":                                 locale.FR,
		"bonjour":                               locale.FR,
		"etichetta creata significato":          locale.IT,
		"rastreio parado faz dias":              locale.PT,
	} {
		if got := questionLang(q); got != want {
			t.Errorf("questionLang(%q) = %s, want %s", q, got, want)
		}
	}
}
