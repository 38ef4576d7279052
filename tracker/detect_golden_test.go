package tracker

import (
	"bufio"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"testing"
)

var updateDetectGolden = flag.Bool("update-detect-golden", false, "rewrite testdata/detect-golden.txt")

// goldenCorpus is a large generated corpus of every format the detector
// knows: bare, mistyped, spaced and dashed, and inside text with carrier,
// tracking, order and phone words around it, and digits in prose. Its detections
// were recorded before the detector was optimised (testdata/
// detect-golden.txt): speed work must not change a single verdict.
func goldenCorpus() []struct {
	text string
	opt  DetectOptions
} {
	g := newGen(777)
	type in = struct {
		text string
		opt  DetectOptions
	}
	var out []in
	add := func(s string) { out = append(out, in{text: s}) }
	ctxs := []string{"", "tracking ", "order # ", "call ", "my FedEx number is ", "DHL ", "Purolator ", "GLS parcel ",
		"Poste Italiane ", "Evri ", "Amazon ", "USPS ", "UPS: ", "单号 ", "Sendungsnummer ", "> "}
	nums := formatMix()
	for _, m := range evalFormats {
		for range 3 {
			nums = append(nums, m.make(g))
		}
	}
	for k, n := range nums {
		add(n)
		add(strings.ToLower(n))
		// one character changed, two neighbours swapped
		p := g.r.IntN(len(n))
		b := []byte(n)
		if isDigit(b[p]) {
			b[p] = '0' + (b[p]-'0'+1+byte(g.r.IntN(9)))%10
		}
		add(string(b))
		if p+1 < len(n) {
			b = []byte(n)
			b[p], b[p+1] = b[p+1], b[p]
			add(string(b))
		}
		add(spaced(n, 4, " "))
		add(spaced(n, 3+k%3, "-"))
		c := ctxs[k%len(ctxs)]
		add(c + n + " thanks")
		add(ctxs[(k+5)%len(ctxs)] + spaced(n, 4, " ") + ".")
		add("Hi,\nyour parcel " + spaced(n, 5, " ")[:min(len(n), 14)] + "\n" + spaced(n, 5, " ")[min(len(n), 14):] + "\nbye")
		add(n + " " + nums[(k+7)%len(nums)])
		add(n + g.digits(1+k%3))
		add(g.alnum(1+k%2) + n)
	}
	for l := 5; l <= 36; l++ {
		for range 20 {
			add(g.digits(l))
			add(g.alnum(l))
			add(ctxs[g.r.IntN(len(ctxs))] + g.digits(l))
		}
		out = append(out, in{text: "DEMO" + g.digits(l%3), opt: DetectOptions{Demo: true}})
	}
	// digits in prose beside phone, price, date and order words (not the
	// typo evaluation's held-out texts)
	for k := range 200 {
		add(ctxs[k%len(ctxs)] + g.digits(3) + " " + g.digits(3) + " " + g.digits(4) + ", $" + g.digits(2) + ".99 on 2024-0" +
			g.digits(1)[:1] + "-1" + g.digits(1) + ", ref " + g.digits(8+k%20) + " " + ctxs[(k+3)%len(ctxs)] + spaced(g.digits(10+k%25), 4, " "))
	}
	add(benchMessage)
	add(benchEmail)
	add("Ｔｒａｃｋｉｎｇ： " + nums[0] + "\u200b" + nums[1] + " ＦｅｄＥｘ")
	return out
}

// goldenLine is one input's hash and its detections' hash.
func goldenLine(text string, opt DetectOptions, got []Candidate) string {
	h1, h2 := fnv.New64a(), fnv.New64a()
	fmt.Fprintf(h1, "%q %v", text, opt.Demo)
	fmt.Fprintf(h2, "%+v", got)
	return fmt.Sprintf("%016x %016x", h1.Sum64(), h2.Sum64())
}

func TestDetectGolden(t *testing.T) {
	corpus := goldenCorpus()
	const path = "testdata/detect-golden.txt"
	if *updateDetectGolden {
		var b strings.Builder
		for _, c := range corpus {
			b.WriteString(goldenLine(c.text, c.opt, DetectWith(c.text, c.opt)) + "\n")
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	k, bad := 0, 0
	for ; sc.Scan(); k++ {
		if k >= len(corpus) {
			t.Fatalf("golden has more lines than the corpus (%d)", len(corpus))
		}
		c := corpus[k]
		got := DetectWith(c.text, c.opt)
		if line := goldenLine(c.text, c.opt, got); line != sc.Text() {
			if line[:16] != sc.Text()[:16] {
				t.Fatalf("corpus item %d is not the one recorded: the generator changed (%q)", k, c.text)
			}
			if bad++; bad <= 20 {
				t.Errorf("Detect(%q) = %+v, not what it was", c.text, got)
			}
		}
	}
	if k != len(corpus) {
		t.Fatalf("golden has %d lines, corpus %d", k, len(corpus))
	}
	if bad > 0 {
		t.Errorf("%d of %d detections changed", bad, k)
	}
}

func TestDetectGoldenCorpusFinds(t *testing.T) {
	// The differential corpus exercises the detector: most inputs find a
	// number, some with a suggested fix, some order numbers.
	found, fixes, orders := 0, 0, 0
	corpus := goldenCorpus()
	for _, c := range corpus {
		got := DetectWith(c.text, c.opt)
		if len(got) > 0 {
			found++
		}
		for _, x := range got {
			if x.Suggestion != "" {
				fixes++
			}
			if x.Kind == KindOrder {
				orders++
			}
		}
	}
	t.Logf("%d inputs, %d with a candidate, %d suggestions, %d order numbers", len(corpus), found, fixes, orders)
	if found < len(corpus)/2 || fixes < 50 || orders < 20 {
		t.Errorf("corpus too thin: %d of %d found, %d suggestions, %d orders", found, len(corpus), fixes, orders)
	}
}

func TestLoneFits(t *testing.T) {
	// A lone candidate's strings always fit its arena, so build skips
	// counting them (the fast path for a bare number); a longer tracking
	// URL template would need a larger oneArena.
	if !loneFits {
		t.Error("the longest tracking URL template no longer fits oneArena with the longest number")
	}
}

func TestDetectConcurrent(t *testing.T) {
	// Scanners are shared through the spare slot and the pool: detections
	// running at once, on short texts and long ones (which grow a scanner's
	// buffers past the spare's limit), give what they give one at a time.
	corpus := goldenCorpus()
	long := repeatTo(benchEmail+"\n", 1<<17)
	want := make([]string, len(corpus))
	for k, c := range corpus {
		want[k] = fmt.Sprintf("%+v", DetectWith(c.text, c.opt))
	}
	wantLong := fmt.Sprintf("%+v", Detect(long))
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			for k := w; k < len(corpus); k += 8 {
				if k%500 == 0 {
					if got := fmt.Sprintf("%+v", Detect(long)); got != wantLong {
						errs <- fmt.Errorf("long text: %.200s…, alone %.200s…", got, wantLong)
						return
					}
				}
				if got := fmt.Sprintf("%+v", DetectWith(corpus[k].text, corpus[k].opt)); got != want[k] {
					errs <- fmt.Errorf("Detect(%q) = %s, alone %s", corpus[k].text, got, want[k])
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
