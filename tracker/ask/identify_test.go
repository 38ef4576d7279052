package ask

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestIdentifyOnEvaluationSets: the identifier learns from data/ only, so
// the evaluation sets measure it. Each language's questions are named
// right at least 95 % of the time (undecided counts as English).
func TestIdentifyOnEvaluationSets(t *testing.T) {
	sets, _ := filepath.Glob("testdata/*")
	for _, set := range sets {
		for _, lang := range Langs() {
			b, err := os.ReadFile(filepath.Join(set, lang+".tsv"))
			if err != nil {
				continue // a set without this language
			}
			n, right := 0, 0
			for _, line := range strings.Split(string(b), "\n") {
				_, q, ok := strings.Cut(line, "\t")
				if !ok || strings.HasPrefix(line, "#") {
					continue
				}
				n++
				if got, _ := Identify(q); got == lang {
					right++
				}
			}
			pct := 100 * float64(right) / float64(n)
			t.Logf("%-22s %s: %d questions, named right %.1f%%", set, lang, n, pct)
			if pct < 95 {
				t.Errorf("%s %s: %.1f%% named right, want ≥ 95%%", set, lang, pct)
			}
		}
	}
}

func TestIdentify(t *testing.T) {
	for q, want := range map[string]struct {
		lang string
		ok   bool
	}{
		"":                              {DefaultLang, false},
		"1Z999AA10123456784 ???":        {DefaultLang, false},
		"🙂🙂":                            {DefaultLang, false},
		"my parcel never came":          {"en", true},
		"etiqueta creada significado":   {"es", true},
		"Sendungsverfolgung geht nicht": {"de", true},
		"colis bloqué en douane":        {"fr", true},
		"pacco fermo in dogana":         {"it", true},
		"encomenda parada na alfândega": {"pt", true},
	} {
		if got, ok := Identify(q); got != want.lang || ok != want.ok {
			t.Errorf("Identify(%q) = %s, %v; want %s, %v", q, got, ok, want.lang, want.ok)
		}
	}
}

func BenchmarkIdentify(b *testing.B) {
	Identify("warm-up: the profiles are built on first use")
	b.ReportAllocs()
	for b.Loop() {
		Identify("hola, mi paquete lleva una semana en aduanas, qué hago?")
	}
}

// FuzzIdentify: any text gets a language the matcher has, and a decided
// one only when the text has letters.
func FuzzIdentify(f *testing.F) {
	for _, s := range []string{"", "where is my parcel", "etiqueta creada", "1Z999AA10123456784", "🙂 ' -- '", "\xff\xfe"} {
		f.Add(s)
	}
	langs := Langs()
	f.Fuzz(func(t *testing.T, s string) {
		lang, ok := Identify(s)
		if !slices.Contains(langs, lang) {
			t.Fatalf("Identify(%q) = %q, not a language with data", s, lang)
		}
		if ok && len(identifyGrams(s)) == 0 {
			t.Fatalf("Identify(%q) decided %s on no letters", s, lang)
		}
	})
}
