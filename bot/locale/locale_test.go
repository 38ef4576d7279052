package locale

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// catalog reads one message file as key → plural form → text ("other" for
// plain strings).
func catalog(t *testing.T, l Lang) map[string]map[string]string {
	t.Helper()
	raw, err := files.ReadFile("locales/" + string(l) + ".toml")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := toml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v", l, err)
	}
	out := map[string]map[string]string{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = map[string]string{"other": v}
		case map[string]any:
			forms := map[string]string{}
			for f, s := range v {
				forms[f], _ = s.(string)
			}
			out[k] = forms
		default:
			t.Fatalf("%s: %s: unexpected %T", l, k, v)
		}
	}
	return out
}

var placeholderRE = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func placeholders(forms map[string]string) []string {
	set := map[string]bool{}
	for _, s := range forms {
		for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
			set[m[1]] = true
		}
	}
	if len(forms) > 1 {
		delete(set, "Count") // a plural form may spell the number out ("this parcel")
	}
	return slices.Sorted(maps.Keys(set))
}

func TestEveryLanguageHasEveryKeyWithTheSamePlaceholders(t *testing.T) {
	en := catalog(t, EN)
	for _, l := range All[1:] {
		c := catalog(t, l)
		for k, forms := range en {
			got, ok := c[k]
			if !ok {
				t.Errorf("%s: key %q missing", l, k)
				continue
			}
			if a, b := placeholders(forms), placeholders(got); !slices.Equal(a, b) {
				t.Errorf("%s: %q: placeholders %v, English has %v", l, k, b, a)
			}
			if (len(forms) > 1) != (len(got) > 1) {
				t.Errorf("%s: %q: plural in one language and not the other", l, k)
			}
			for f, s := range got {
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s: %q: empty %s form", l, k, f)
				}
			}
		}
		for k := range c {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: key %q is not in English (typo or leftover?)", l, k)
			}
		}
	}
}

// Each plural text has the forms its language's CLDR rules need: rendering
// counts from every category must not fall back.
func TestPluralFormsFollowCLDR(t *testing.T) {
	loadOnce.Do(load)
	en := catalog(t, EN)
	for _, l := range All {
		loc := i18n.NewLocalizer(bundle, string(l))
		for k, forms := range en {
			if len(forms) == 1 {
				continue
			}
			for _, n := range []int{0, 1, 2, 3, 5, 11, 21, 101, 1000000} {
				if _, err := loc.Localize(&i18n.LocalizeConfig{MessageID: k, PluralCount: n, TemplateData: map[string]any{"Count": n}}); err != nil {
					t.Errorf("%s: %q with %d: %v", l, k, n, err)
				}
			}
		}
	}
	if got := For(FR).N("list_header", 0); !strings.Contains(got, "0 colis</b> suivi ici") {
		t.Errorf("French 0 takes the singular (CLDR one), got %q", got)
	}
	if got := For(DE).N("result_earlier", 1); got != "…und 1 früherer Scan" {
		t.Errorf("German one: %q", got)
	}
	if got := For(ES).N("summary_added", 1000000); !strings.Contains(got, "1.000.000 de paquetes") {
		t.Errorf("Spanish many: %q", got)
	}
}

// Every key the bot's code asks for by a literal exists in English.
func TestKeysUsedInCodeExist(t *testing.T) {
	en := catalog(t, EN)
	use := regexp.MustCompile(`\.(?:T|N)\("([a-z0-9_]+)"[,)]`)
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range use.FindAllStringSubmatch(string(src), -1) {
			n++
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s: key %q is not in locales/en.toml", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 50 {
		t.Errorf("found only %d key uses: is the scan broken?", n)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"de", DE, true}, {"pt-BR", PT, true}, {"pt-br", PT, true}, {"es-MX", ES, true}, {"en_US", EN, true},
		{"FR", FR, true}, {" it ", IT, true}, {"ru", EN, false}, {"", EN, false}, {"zh-hans", EN, false}, {"e", EN, false},
	} {
		got, ok := Parse(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Parse(%q) = %q, %t; want %q, %t", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// Counts are written with the language's digit grouping; small ones are
// plain digits everywhere.
func TestNumbersInTheLanguagesFormat(t *testing.T) {
	want := map[Lang]string{EN: "12,345", ES: "12.345", DE: "12.345", FR: "12\u00a0345", PT: "12.345", IT: "12.345"}
	for _, l := range All {
		p := For(l)
		if got := p.Num(12345); got != want[l] {
			t.Errorf("%s: Num(12345) = %q, want %q", l, got, want[l])
		}
		if got := p.Num(7); got != "7" {
			t.Errorf("%s: Num(7) = %q", l, got)
		}
	}
	if got := For(DE).N("list_header", 1500); !strings.Contains(got, "1.500 Sendungen") {
		t.Errorf("German count: %q", got)
	}
	if got := For(FR).N("list_header", 2000); !strings.Contains(got, "2\u00a0000 colis") {
		t.Errorf("French count: %q", got)
	}
}

func TestUnknownKeyShowsItself(t *testing.T) {
	if got := For(DE).T("no_such_key"); got != "no_such_key" {
		t.Errorf("got %q", got)
	}
}

func TestDates(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, berlin) // Wednesday
	at := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, berlin) }
	for _, tc := range []struct {
		lang      Lang
		when      string // When(today 08:14)
		dayDate   string // DayDate(tomorrow)
		far       string // Day(Tue 17 Mar)
		lastWeek  string // Ago(last Monday)
		ago       string // Ago(25 min ago)
		otherYear string // Day(5 Jan 2027)
	}{
		{EN, "today 08:14", "tomorrow (Thu 5 Mar)", "Tue 17 Mar", "last Mon", "25 min ago", "Tue 5 Jan 2027"},
		{DE, "heute, 08:14", "morgen (Do., 5. März)", "Di., 17. März", "letzten Montag", "vor 25 Min.", "Di., 5. Jan. 2027"},
		{ES, "hoy a las 08:14", "mañana (jue. 5 de mar.)", "mar. 17 de mar.", "el lunes pasado", "hace 25 min", "mar. 5 de ene. de 2027"},
		{FR, "aujourd’hui à 08:14", "demain (jeu. 5 mars)", "mar. 17 mars", "lundi dernier", "il y a 25 min", "mar. 5 janv. 2027"},
		{PT, "hoje às 08:14", "amanhã (qui., 5 de mar.)", "ter., 17 de mar.", "na segunda passada", "há 25 min", "ter., 5 de jan. de 2027"},
		{IT, "oggi alle 08:14", "domani (gio 5 mar)", "mar 17 mar", "lunedì scorso", "25 min fa", "mar 5 gen 2027"},
	} {
		p := For(tc.lang)
		check := func(what, got, want string) {
			if got != want {
				t.Errorf("%s %s = %q, want %q", tc.lang, what, got, want)
			}
		}
		check("When", p.When(at(4, 8, 14), now), tc.when)
		check("DayDate", p.DayDate(at(5, 9, 0), now), tc.dayDate)
		check("Day", p.Day(at(17, 9, 0), now), tc.far)
		check("Ago last week", p.Ago(at(2, 9, 0), now), tc.lastWeek)
		check("Ago minutes", p.Ago(now.Add(-25*time.Minute), now), tc.ago)
		check("Day other year", p.Day(time.Date(2027, 1, 5, 9, 0, 0, 0, berlin), now), tc.otherYear)
	}
	if got := For(DE).When(time.Date(2026, 3, 4, 8, 14, 0, 0, time.UTC), now); got != "heute, 08:14 UTC" {
		t.Errorf("UTC mark: %q", got)
	}
}
