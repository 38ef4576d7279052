package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/trackbot/trackbot/bot"
	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/tracker/ask"
)

// askOutput is the `trackbot ask` contract: one JSON object.
type askOutput struct {
	Topic      string  `json:"topic"`
	Answer     string  `json:"answer"`
	Lang       string  `json:"lang"`
	Confidence float64 `json:"confidence"`
	// Alternatives are the topics the bot would offer ("Did you mean…?")
	// when unsure; then Answer is the question it asks back.
	Alternatives []string `json:"alternatives,omitempty"`
}

// runAsk answers the question made of args joined with spaces, in the
// language --lang names or, without it, the one the question is written in
// (English when that is unclear). It needs no token, database or network:
// there are no followed parcels here, so "my parcel" questions are answered
// with how to add one.
func runAsk(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	code := fs.String("lang", "", "")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("ask: %w (usage: trackbot ask [--lang CODE] QUESTION…)", err)
	}
	question := strings.Join(fs.Args(), " ")
	lang := questionLang(question)
	if *code != "" {
		l, ok := locale.Parse(*code)
		if !ok {
			return fmt.Errorf("ask: --lang %q: not a language I speak (%s)", *code, locale.Codes())
		}
		lang = l
	}
	a := ask.AnswerIn(string(lang), question, nil, time.Now())
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false) // plain text for a terminal, not for a web page
	out := askOutput{Topic: a.Topic, Answer: bot.AnswerPlain(lang, a), Lang: string(lang), Confidence: math.Round(a.Confidence*1000) / 1000, Alternatives: a.Alternatives}
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("ask: write answer: %w", err)
	}
	return nil
}

// questionLang is the language a question comes in, with no chat language
// to fall back on: the one its common words name (locale.Detect, as the
// bot decides), else the one whose questions its letters read like
// (ask.Identify: "etiqueta creada significado" has no common word; the
// common words alone had answered 10–19 % of other languages' held-out
// questions in English), else English.
func questionLang(question string) locale.Lang {
	if l, ok := locale.Detect(question); ok {
		return l
	}
	// One word gives letter statistics too little to go on ("merci" reads
	// as Italian): a word a language lists as its own says more.
	if len(strings.Fields(question)) == 1 {
		if l, ok := locale.Lean(question); ok {
			return l
		}
	}
	if code, ok := ask.Identify(question); ok {
		if l, ok := locale.Parse(code); ok {
			return l
		}
	}
	return locale.EN
}
