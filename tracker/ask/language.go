package ask

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/spanish"
)

// Training data lives in data/<lang>.tsv, one "topic TAB question" a line;
// a new language is a new file (and its answers), no code change: it gets
// its own model, trained the first time a question in it is asked.
//
//go:embed data/*.tsv
var dataFS embed.FS

// DefaultLang is the language of questions whose language is not given.
const DefaultLang = "en"

// language is what normalisation and features need to know of a language.
type language struct {
	code     string
	folds    bool // English phrase folds and synonyms
	synonyms map[string]string
	stem     func(string) string
	common   []string
}

// stemmers are the Snowball stemmers kljensen/snowball has; a language
// without one uses words as they are (character n-grams still catch
// inflections).
var stemmers = map[string]func(string) string{
	"en": func(w string) string { return english.Stem(w, false) },
	"es": func(w string) string { return spanish.Stem(w, false) },
	"fr": func(w string) string { return french.Stem(w, false) },
}

func newLanguage(code string) *language {
	l := &language{code: code, stem: stemmers[code]}
	if l.stem == nil {
		l.stem = func(w string) string { return w }
	}
	switch code {
	case "en":
		l.folds, l.synonyms, l.common = true, synonyms, commonWords
	case "es":
		l.synonyms, l.common = esSynonyms, esCommon
	}
	return l
}

// Langs lists the languages that have training data.
func Langs() []string {
	files, _ := fs.Glob(dataFS, "data/*.tsv")
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, strings.TrimSuffix(path.Base(f), ".tsv"))
	}
	return out
}

// example is one labelled question.
type example struct{ topic, question string }

// parseExamples reads "topic TAB question" lines; # starts a comment.
func parseExamples(name, text string) ([]example, error) {
	var out []example
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		topic, q, ok := strings.Cut(line, "\t")
		if !ok || topic == "" || strings.TrimSpace(q) == "" {
			return nil, fmt.Errorf("ask: %s line %d: want topic TAB question", name, i+1)
		}
		out = append(out, example{topic, q})
	}
	return out, nil
}

func trainingData(lang string) ([]example, error) {
	b, err := dataFS.ReadFile("data/" + lang + ".tsv")
	if err != nil {
		return nil, fmt.Errorf("ask: no training data for %q: %w", lang, err)
	}
	return parseExamples(lang+".tsv", string(b))
}

// models holds, per language, the training of its model: done once, on
// first use, while other languages train alongside.
var models sync.Map // lang → func() (*model, error)

// modelFor trains the language's model on first use; later calls share it.
func modelFor(lang string) (*model, error) {
	f, ok := models.Load(lang)
	if !ok {
		if _, err := fs.Stat(dataFS, "data/"+lang+".tsv"); err != nil {
			return nil, fmt.Errorf("ask: no training data for %q: %w", lang, err) // not kept: any string may come here
		}
		f, _ = models.LoadOrStore(lang, sync.OnceValues(func() (*model, error) {
			ex, err := trainingData(lang)
			if err != nil {
				return nil, err
			}
			return train(newLanguage(lang), ex, defaultParams), nil
		}))
	}
	return f.(func() (*model, error))()
}

// Prepare trains the model of every language with data (normally done on
// first use), so that a bot can do it at start-up rather than while a user
// waits. Languages train in parallel: start-up takes about as long as the
// slowest one on a machine with a core per language.
func Prepare() {
	var wg sync.WaitGroup
	for _, lang := range Langs() {
		wg.Go(func() {
			if _, err := modelFor(lang); err != nil {
				panic(err) // embedded data that does not parse is a build error
			}
		})
	}
	wg.Wait()
}
