// Package locale holds every text the bot shows, in each language it
// speaks, and formats dates for them. Texts live in message files embedded
// in the binary (locales/*.toml, one key per text, CLDR plural forms), read
// by go-i18n. Other packages ask for a text by key through a Printer; they
// never build sentences out of pieces.
package locale

import (
	"embed"
	"fmt"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Lang is a language the bot speaks: an ISO 639-1 code.
type Lang string

// The supported languages. Portuguese is Brazilian Portuguese.
const (
	EN Lang = "en"
	ES Lang = "es"
	DE Lang = "de"
	FR Lang = "fr"
	PT Lang = "pt"
	IT Lang = "it"
)

// All lists the supported languages, English (the default) first.
var All = []Lang{EN, ES, DE, FR, PT, IT}

// Codes lists the supported codes for messages: "en, es, de, fr, pt, it".
func Codes() string {
	s := make([]string, len(All))
	for i, l := range All {
		s[i] = string(l)
	}
	return strings.Join(s, ", ")
}

// Parse reads a language tag as Telegram's clients send it ("de",
// "pt-br", "es-MX", "en_US"): the region is ignored. ok is false for a
// language the bot does not speak.
func Parse(code string) (Lang, bool) {
	code = strings.ToLower(strings.TrimSpace(code))
	base, _, _ := strings.Cut(strings.ReplaceAll(code, "_", "-"), "-")
	for _, l := range All {
		if string(l) == base {
			return l, true
		}
	}
	return EN, false
}

// Of is Parse with English for anything unsupported or empty.
func Of(code string) Lang {
	l, _ := Parse(code)
	return l
}

// Name is the language's own name for itself, for the /language buttons.
func (l Lang) Name() string { return For(l).T("language_name") }

// Flag is a flag emoji for the language's buttons.
func (l Lang) Flag() string {
	switch l {
	case ES:
		return "🇪🇸"
	case DE:
		return "🇩🇪"
	case FR:
		return "🇫🇷"
	case PT:
		return "🇧🇷"
	case IT:
		return "🇮🇹"
	}
	return "🇬🇧"
}

//go:embed locales/*.toml
var files embed.FS

var (
	loadOnce sync.Once
	bundle   *i18n.Bundle
	printers map[Lang]*Printer
)

func load() {
	bundle = i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	printers = map[Lang]*Printer{}
	for _, l := range All {
		// The files are ours and tested: a broken one is a build bug.
		if _, err := bundle.LoadMessageFileFS(files, "locales/"+string(l)+".toml"); err != nil {
			panic(fmt.Sprintf("locale: %s: %v", l, err))
		}
		tag := language.Make(string(l))
		if l == PT {
			tag = language.BrazilianPortuguese
		}
		printers[l] = &Printer{lang: l, loc: i18n.NewLocalizer(bundle, string(l)), num: message.NewPrinter(tag)}
	}
}

// Printer renders texts in one language. Safe for concurrent use.
type Printer struct {
	lang Lang
	loc  *i18n.Localizer
	num  *message.Printer // CLDR number formats of the language
}

// For is the printer of a language (English for an unknown one).
func For(l Lang) *Printer {
	loadOnce.Do(load)
	if p, ok := printers[l]; ok {
		return p
	}
	return printers[EN]
}

// Lang is the printer's language.
func (p *Printer) Lang() Lang { return p.lang }

// T renders the text key with its placeholders given as name, value pairs:
// T("stopped", "Name", name). A key missing from this language falls back
// to English (the tests keep every language complete); an unknown key shows
// as itself, so a slip is visible rather than silent.
func (p *Printer) T(key string, args ...any) string {
	return p.render(key, nil, args)
}

// N renders a text with plural forms for count n (CLDR rules of the
// language); the template sees n as {{.Count}}, written as Num writes it.
func (p *Printer) N(key string, n int, args ...any) string {
	return p.render(key, n, append([]any{"Count", p.Num(n)}, args...))
}

// Num writes a count as the language does: digit groups of 1,000 (en),
// 1.000 (de, es, it, pt) and 1 000 (fr). For counts and limits shown to
// users, not identifiers or years.
func (p *Printer) Num(n int) string { return p.num.Sprint(number.Decimal(n)) }

func (p *Printer) render(key string, count any, args []any) string {
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			name, _ := args[i].(string)
			data[name] = args[i+1]
		}
	}
	s, err := p.loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return key
	}
	return s
}
