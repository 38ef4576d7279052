package ask

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"
)

type labelled struct{ topic, set, question string }

func loadQuestions(t testing.TB) []labelled {
	t.Helper()
	f, err := os.Open("testdata/questions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var qs []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("bad line %q", line)
		}
		qs = append(qs, labelled{parts[0], parts[1], parts[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return qs
}

// TestAccuracy reports top-1 accuracy per topic, for the tuning questions and
// for the held-out ones (written before the matcher and never tuned on).
// Run with -v to see the table.
func TestAccuracy(t *testing.T) {
	qs := loadQuestions(t)
	if len(qs) < 200 {
		t.Fatalf("only %d questions, want at least 200", len(qs))
	}
	type tally struct{ ok, n int }
	perTopic := map[string]*tally{}
	perSet := map[string]*tally{}
	total := tally{}
	for _, q := range qs {
		got, _ := Classify(q.question)
		if perTopic[q.topic] == nil {
			perTopic[q.topic] = &tally{}
		}
		if perSet[q.set] == nil {
			perSet[q.set] = &tally{}
		}
		perTopic[q.topic].n++
		perSet[q.set].n++
		total.n++
		if got == q.topic {
			perTopic[q.topic].ok++
			perSet[q.set].ok++
			total.ok++
		} else {
			t.Logf("miss [%s] %q: want %s, got %s", q.set, q.question, q.topic, got)
		}
	}
	topics := make([]string, 0, len(perTopic))
	for k := range perTopic {
		topics = append(topics, k)
	}
	sort.Strings(topics)
	pct := func(x tally) float64 { return 100 * float64(x.ok) / float64(x.n) }
	for _, k := range topics {
		x := *perTopic[k]
		t.Logf("%-30s %3d/%-3d %6.1f%%", k, x.ok, x.n, pct(x))
		if pct(x) < 80 {
			t.Errorf("topic %s: top-1 accuracy %.1f%% < 80%%", k, pct(x))
		}
	}
	t.Logf("tuning set   %3d/%-3d %6.1f%%", perSet["t"].ok, perSet["t"].n, pct(*perSet["t"]))
	t.Logf("held-out set %3d/%-3d %6.1f%%", perSet["h"].ok, perSet["h"].n, pct(*perSet["h"]))
	t.Logf("overall      %3d/%-3d %6.1f%%", total.ok, total.n, pct(total))
	if pct(total) < 95 {
		t.Errorf("overall top-1 accuracy %.1f%% < 95%%", pct(total))
	}
	if len(topics) < 31 {
		t.Errorf("question set covers %d topics, want every topic", len(topics))
	}
}
