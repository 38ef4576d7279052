package ask

import (
	"cmp"
	"os"
	"testing"
)

// TestSweep prints cross-validation figures for a grid of training
// settings (ASK_SWEEP=1); tuning looks at these, never at the held-out set.
func TestSweep(t *testing.T) {
	if os.Getenv("ASK_SWEEP") == "" {
		t.Skip("set ASK_SWEEP=1")
	}
	ex := loadTraining(t, DefaultLang)
	for _, p := range []params{
		{epochs: 6, rate: 2, l2: 0, charWeight: 0.5, seed: 1},
		{epochs: 5, rate: 3, l2: 0, charWeight: 0.5, seed: 1},
		{epochs: 8, rate: 2, l2: 0, charWeight: 0.5, seed: 1},
		{epochs: 6, rate: 2, l2: 1e-4, charWeight: 0.5, seed: 1},
		{epochs: 6, rate: 2, l2: 0, charWeight: 0.7, seed: 1},
	} {
		r, n := crossValidate(DefaultLang, ex, p, temperature)
		t.Logf("%+v", p)
		r.log(t, "  cv", false)
		n.log(t, "  noisy cv", false)
	}
}

// TestCVMisses prints the cross-validation misses (ASK_SWEEP=1) of one
// language (ASK_LANG, English by default).
func TestCVMisses(t *testing.T) {
	if os.Getenv("ASK_SWEEP") == "" {
		t.Skip("set ASK_SWEEP=1")
	}
	lang := cmp.Or(os.Getenv("ASK_LANG"), DefaultLang)
	r, _ := crossValidate(lang, loadTraining(t, lang), defaultParams, temperature)
	for _, m := range r.misses {
		t.Log(m)
	}
}

// TestThresholds shows, on cross-validation folds, how the decision
// thresholds trade confident answers against asking back (ASK_SWEEP=1).
func TestThresholds(t *testing.T) {
	if os.Getenv("ASK_SWEEP") == "" {
		t.Skip("set ASK_SWEEP=1")
	}
	ex := loadTraining(t, DefaultLang)
	saved := policy
	defer func() { policy = saved }()
	for _, a := range []float64{0.85, 0.9} {
		for _, o := range []float64{0.6, 0.8, 0.9} {
			policy = thresholds{answerAt: a, offTopicAt: o, alternativeAt: 0.05}
			r, n := crossValidate(DefaultLang, ex, defaultParams, temperature)
			t.Logf("answerAt %.2f offTopicAt %.2f", a, o)
			r.log(t, "  cv", false)
			n.log(t, "  noisy cv", false)
		}
	}
}
