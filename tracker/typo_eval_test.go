package tracker

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// TestTypoEval measures detection on the held-out typo set
// (testdata/typo-eval.jsonl, see typo_eval_gen_test.go):
//   - flagged: a typo item yields a candidate with the mistyped number and
//     its carrier, not valid (a typo to show, not a number to follow);
//   - fixed: of the typo items with a single fix, the share whose
//     candidate suggests exactly that fix;
//   - false flags: tracking candidates found in noise items.
func TestTypoEval(t *testing.T) {
	f, err := os.Open(typoEvalFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var typos, flagged, fixable, fixed, noise, falseFlags int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var it evalItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatal(err)
		}
		got := Detect(it.Text)
		switch it.Kind {
		case "typo":
			typos++
			if it.Fix != "" {
				fixable++
			}
			hit := false
			for _, c := range got {
				if c.Number == it.Number && c.Carrier == it.Carrier && !c.Valid {
					hit = true
					if it.Fix != "" && c.Suggestion == it.Fix {
						fixed++
					}
				}
			}
			if hit {
				flagged++
			} else {
				t.Logf("missed typo: %q → %v", it.Text, numbersOf(got))
			}
		case "noise":
			noise++
			for _, c := range got {
				if c.Kind == KindTracking {
					falseFlags++
					t.Logf("false flag: %q → %s %s valid=%v", it.Text, c.Carrier, c.Number, c.Valid)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(max(b, 1)) }
	t.Logf("typos flagged %d/%d (%.1f %%), fixed %d/%d (%.1f %%), false flags %d in %d noise messages",
		flagged, typos, pct(flagged, typos), fixed, fixable, pct(fixed, fixable), falseFlags, noise)
	// The targets of issue 12.
	if pct(flagged, typos) < 90 || pct(fixed, fixable) < 80 || falseFlags > 0 {
		t.Errorf("below target: flagged ≥ 90 %%, fixed ≥ 80 %%, no false flags")
	}
}
