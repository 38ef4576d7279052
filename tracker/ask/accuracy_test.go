package ask

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// How the matcher is measured (go test -v -run 'TestAccuracy|TestCalibration' ./tracker/ask):
//
//   - training set: the data file itself (what the model saw);
//   - cross-validation (TestCrossValidation): five folds of the training
//     data, each fold answered by a model trained on the other four (the
//     thresholds, parameters and temperature are chosen on these figures);
//   - held-out sets: testdata/heldout/<lang>.tsv, written before the model
//     and never used to train or tune it, and testdata/heldout2/<lang>.tsv,
//     a second set written later by another hand before that session's
//     tuning (en, es), and testdata/heldout3/<lang>.tsv, written blind
//     from the topic list by two more writers before the next round of
//     tuning (en) — the figures that matter, reported apart. Their
//     items are never printed: only aggregate figures, so that nobody
//     tunes on them by reading the misses.
//   - independent set: testdata/independent/<lang>.tsv, by a second person
//     who never saw the training data (TestIndependent, reported only).
//
// For each: top-1 accuracy overall and per topic, how often the bot
// answers / asks back / says off-topic, the precision of confident answers
// (an off-topic reply to off-topic text counts as a right answer) and how
// often an ask-back offers the right topic.

func loadHeldOut(t testing.TB, lang string) []example {
	t.Helper()
	ex, err := readHeldOut("heldout", lang)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// readHeldOut reads testdata/<set>/<lang>.tsv; the error wraps
// fs.ErrNotExist when the language has no such set.
func readHeldOut(set, lang string) ([]example, error) {
	b, err := os.ReadFile("testdata/" + set + "/" + lang + ".tsv")
	if err != nil {
		return nil, err
	}
	return parseExamples(set+"/"+lang+".tsv", string(b))
}

func loadTraining(t testing.TB, lang string) []example {
	t.Helper()
	ex, err := trainingData(lang)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

type tally struct{ ok, n int }

func (x tally) pct() float64 {
	if x.n == 0 {
		return 0
	}
	return 100 * float64(x.ok) / float64(x.n)
}

// report is the measurement of one set of questions.
type report struct {
	top1                      tally
	perTopic                  map[string]*tally
	answered, asked, offTopic int
	confident                 tally // answers and off-topic replies that were right
	askOffersRight            tally
	misses                    []string
	nll                       float64 // mean negative log-likelihood of the true topic
}

func newReport() *report { return &report{perTopic: map[string]*tally{}} }

func (r *report) add(m *model, e example, temp float64) {
	top := m.predict(e.question, len(m.topics), temp)
	if r.perTopic[e.topic] == nil {
		r.perTopic[e.topic] = &tally{}
	}
	pt := r.perTopic[e.topic]
	pt.n++
	r.top1.n++
	if top[0].topic == e.topic {
		pt.ok++
		r.top1.ok++
	}
	for _, x := range top {
		if x.topic == e.topic {
			r.nll -= math.Log(max(x.p, 1e-12))
		}
	}
	d := decide(top)
	switch d.kind {
	case kindAnswer, kindOffTopic:
		if d.kind == kindAnswer {
			r.answered++
		} else {
			r.offTopic++
		}
		r.confident.n++
		if d.topic == e.topic {
			r.confident.ok++
		} else {
			r.misses = append(r.misses, fmt.Sprintf("WRONG %q: want %s, said %s (%.2f)", e.question, e.topic, d.topic, d.p))
		}
	case kindAskBack:
		r.asked++
		r.askOffersRight.n++
		if slices.Contains(d.alternatives, e.topic) {
			r.askOffersRight.ok++
		} else {
			r.misses = append(r.misses, fmt.Sprintf("ask   %q: want %s, offered %v", e.question, e.topic, d.alternatives))
		}
	}
}

func (r *report) log(t *testing.T, name string, perTopic bool) {
	t.Helper()
	if perTopic {
		topics := make([]string, 0, len(r.perTopic))
		for k := range r.perTopic {
			topics = append(topics, k)
		}
		sort.Strings(topics)
		for _, k := range topics {
			x := *r.perTopic[k]
			t.Logf("  %-36s %3d/%-3d %6.1f%%", k, x.ok, x.n, x.pct())
		}
	}
	n := float64(r.top1.n)
	t.Logf("%s: top-1 %d/%d = %.1f%%; answered %.1f%%, asked back %.1f%%, off-topic %.1f%%; "+
		"confident replies right %d/%d = %.1f%%; ask-backs offering the right topic %d/%d = %.1f%%; mean NLL %.3f",
		name, r.top1.ok, r.top1.n, r.top1.pct(), 100*float64(r.answered)/n, 100*float64(r.asked)/n, 100*float64(r.offTopic)/n,
		r.confident.ok, r.confident.n, r.confident.pct(), r.askOffersRight.ok, r.askOffersRight.n, r.askOffersRight.pct(), r.nll/n)
}

// crossValidate answers each training question with a model trained on the
// other four fifths. Folds are taken round-robin within each topic. The
// noisy report answers the same held-out questions as typed in a hurry
// (noise_test.go): typos, no punctuation, fillers, ALL CAPS.
func crossValidate(lang string, ex []example, p params, temp float64) (clean, noisy *report) {
	const k = 5
	fold := make([]int, len(ex))
	seen := map[string]int{}
	for i, e := range ex {
		fold[i] = seen[e.topic] % k
		seen[e.topic]++
	}
	clean, noisy = newReport(), newReport()
	for f := range k {
		var tr, te []example
		for i, e := range ex {
			if fold[i] == f {
				te = append(te, e)
			} else {
				tr = append(tr, e)
			}
		}
		m := train(newLanguage(lang), tr, p)
		for _, e := range te {
			clean.add(m, e, temp)
			noisy.add(m, example{e.topic, noisyQuestion(lang, e.question)}, temp)
		}
	}
	return clean, noisy
}

func TestAccuracy(t *testing.T) {
	for _, lang := range Langs() {
		t.Run(lang, func(t *testing.T) {
			m, err := modelFor(lang)
			if err != nil {
				t.Fatal(err)
			}
			training := loadTraining(t, lang)
			trainRep := newReport()
			for _, e := range training {
				trainRep.add(m, e, temperature)
			}
			trainRep.log(t, "training set", false)

			held := loadHeldOut(t, lang)
			h := newReport()
			for _, e := range held {
				h.add(m, e, temperature)
			}
			h.log(t, "HELD-OUT", true)
			checkTargets(t, lang, "held-out", h)
			for _, topic := range Topics() {
				if h.perTopic[topic] == nil {
					t.Errorf("no held-out question for topic %s", topic)
				}
			}

			for _, set := range []struct{ dir, name string }{{"heldout2", "held-out 2"}, {"heldout3", "held-out 3"}} {
				held, err := readHeldOut(set.dir, lang)
				if errors.Is(err, fs.ErrNotExist) {
					t.Logf("no %s set (testdata/%s) for this language", set.name, set.dir)
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				h := newReport()
				for _, e := range held {
					h.add(m, e, temperature)
				}
				h.log(t, strings.ToUpper(set.name), true)
				checkTargets(t, lang, set.name, h)
			}
		})
	}
}

// TestCrossValidation reports five-fold cross-validation of each
// language's training data (go test -v -run TestCrossValidation/en
// ./tracker/ask). It is the figure to tune on: it never touches the
// held-out sets.
func TestCrossValidation(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("trains five models per language")
	}
	for _, lang := range Langs() {
		t.Run(lang, func(t *testing.T) {
			cv, noisy := crossValidate(lang, loadTraining(t, lang), defaultParams, temperature)
			cv.log(t, "5-fold cross-validation", true)
			noisy.log(t, "noisy 5-fold cross-validation", false)
			if cv.confident.pct() < 95 {
				t.Errorf("cross-validation: precision of confident replies %.1f%% < 95%%", cv.confident.pct())
			}
		})
	}
}

// checkTargets holds a held-out report to the targets of the question
// issues: top-1 ≥ 92 % (English) or 90 % (issue 14, other languages), every
// topic ≥ 80 %, confident replies right ≥ 97 %. A topic under target is
// reported (a set has 10–20 questions a topic: one miss is 5–10 points);
// under topicFail fails.
//
// The other languages do not all reach 90 % yet (see README): their floor
// guards what is there, and the precision of confident replies is held to
// the same 97 %, since a wrong confident answer is what hurts; unsure
// questions are asked back.
func checkTargets(t *testing.T, lang, set string, r *report) {
	t.Helper()
	top1Min, top1Target, topicFail, topicWarn := 92.0, 92.0, 70.0, 80.0
	if floor, ok := top1Floor[lang]; ok {
		top1Min, top1Target, topicFail = floor, 90, 50
	}
	if set != "held-out" {
		// A newer set is reported against the targets; it gets floors of its
		// own once the matcher has been improved without looking at it.
		// A set without a floor of its own yet is held to the first set's.
		if floor, ok := laterFloors[set][lang]; ok {
			top1Min = min(top1Min, floor)
		}
		topicFail = 0
	}
	if r.top1.pct() < top1Target {
		t.Logf("BELOW TARGET: %s top-1 %.1f%% < %.0f%%", set, r.top1.pct(), top1Target)
	}
	if r.top1.pct() < top1Min {
		t.Errorf("%s top-1 %.1f%% < %.0f%%", set, r.top1.pct(), top1Min)
	}
	for topic, x := range r.perTopic {
		switch {
		case x.pct() < topicFail:
			t.Errorf("%s topic %s: top-1 %.1f%% < %.0f%%", set, topic, x.pct(), topicFail)
		case x.pct() < topicWarn:
			t.Logf("BELOW TARGET: %s topic %s: top-1 %.1f%% < %.0f%%", set, topic, x.pct(), topicWarn)
		}
	}
	if r.confident.pct() < 97 {
		t.Errorf("%s precision of confident replies %.1f%% < 97%%", set, r.confident.pct())
	}
}

// top1Floor is the held-out top-1 each non-English language must keep
// (target 90 %); a language reaching the target has its floor raised to it.
var top1Floor = map[string]float64{"es": 90, "de": 90, "fr": 90, "it": 90, "pt": 90}

// laterFloors are the top-1 floors on the later held-out sets: what the
// matcher scored there when the set was written, before tuning (rounded
// down), or the target once met.
var laterFloors = map[string]map[string]float64{
	"held-out 2": {"en": 92, "es": 90, "it": 90, "pt": 90, "de": 90, "fr": 90},
	"held-out 3": {"en": 92}, // 90.8 % at b5a95bf before tuning; 93.4 % at ff2c864
}

// TestCalibration fits the softmax temperature on cross-validation folds
// (minimum mean negative log-likelihood) and checks that the committed
// constant is still close to it.
func TestCalibration(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("trains five models per temperature")
	}
	training := loadTraining(t, DefaultLang)
	best, bestNLL := 0.0, math.Inf(1)
	var b strings.Builder
	for _, temp := range []float64{0.7, 0.85, 1} {
		r, _ := crossValidate(DefaultLang, training, defaultParams, temp)
		nll := r.nll / float64(r.top1.n)
		fmt.Fprintf(&b, " T=%.2f NLL %.3f confident %.1f%% answered %d asked %d;", temp, nll, r.confident.pct(), r.answered, r.asked)
		if nll < bestNLL {
			best, bestNLL = temp, nll
		}
	}
	t.Logf("temperature fit on CV:%s best %.2f (committed %.2f)", b.String(), best, temperature)
	if math.Abs(best-temperature)/best > 0.3 {
		t.Errorf("committed temperature %.2f is far from the cross-validated best %.2f", temperature, best)
	}
}

// TestIndependent reports the matcher on testdata/independent/<lang>.tsv
// (go test -v -run TestIndependent ./tracker/ask): questions written by a
// second person from the topic names and answers alone, without seeing the
// training data or the other held-out sets, and committed before they were
// first measured. It is the "second person's phrasing" of issues 11 and 14,
// so its figures are reported against the targets but it fails only under a
// sanity floor: a set that has to pass a tight bar becomes a tuning target.
// Like the other held-out sets, its questions are never printed.
func TestIndependent(t *testing.T) {
	const top1Sanity = 70.0
	known := map[string]bool{}
	for _, topic := range Topics() {
		known[topic] = true
	}
	for _, lang := range Langs() {
		t.Run(lang, func(t *testing.T) {
			ex, err := readHeldOut("independent", lang)
			if err != nil {
				t.Fatal(err)
			}
			m, err := modelFor(lang)
			if err != nil {
				t.Fatal(err)
			}
			r := newReport()
			var endToEnd tally // through AnswerIn, small talk and all
			for _, e := range ex {
				if !known[e.topic] {
					t.Fatalf("independent/%s.tsv: unknown topic %q", lang, e.topic)
				}
				r.add(m, e, temperature)
				endToEnd.n++
				if AnswerIn(lang, e.question, nil, time.Time{}).Topic == e.topic {
					endToEnd.ok++
				}
			}
			r.log(t, "INDEPENDENT", true)
			t.Logf("INDEPENDENT through AnswerIn (small talk included): top-1 %d/%d = %.1f%%", endToEnd.ok, endToEnd.n, endToEnd.pct())
			for _, topic := range Topics() {
				if r.perTopic[topic] == nil {
					t.Errorf("no independent question for topic %s", topic)
				}
			}
			target := 92.0
			if lang != DefaultLang {
				target = 90
			}
			if r.top1.pct() < target {
				t.Logf("BELOW TARGET: independent top-1 %.1f%% < %.0f%%", r.top1.pct(), target)
			}
			for _, topic := range slices.Sorted(maps.Keys(r.perTopic)) {
				if x := r.perTopic[topic]; x.pct() < 80 {
					t.Logf("BELOW TARGET: independent topic %s: top-1 %.1f%% < 80%%", topic, x.pct())
				}
			}
			if r.confident.pct() < 97 {
				t.Logf("BELOW TARGET: independent precision of confident replies %.1f%% < 97%%", r.confident.pct())
			}
			if r.top1.pct() < top1Sanity {
				t.Errorf("independent top-1 %.1f%% < sanity floor %.0f%%", r.top1.pct(), top1Sanity)
			}
		})
	}
}

// TestTrainingHoldsNoHeldOutQuestion keeps the evaluation sets unseen: no
// training question may read the same as an evaluation question once
// normalised (case, accents, punctuation, contractions). It names only the
// training line, never the evaluation item.
func TestTrainingHoldsNoHeldOutQuestion(t *testing.T) {
	for _, lang := range Langs() {
		l := newLanguage(lang)
		norm := func(q string) string { return strings.Join(l.words(q, nil), " ") }
		held := map[string]bool{}
		for _, set := range []string{"heldout", "heldout2", "heldout3", "independent"} {
			ex, err := readHeldOut(set, lang)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ex {
				held[norm(e.question)] = true
			}
		}
		for i, line := range strings.Split(string(must(dataFS.ReadFile("data/"+lang+".tsv"))), "\n") {
			if _, q, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") && held[norm(q)] {
				t.Errorf("data/%s.tsv line %d reads the same as an evaluation question: drop it", lang, i+1)
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
