package tracker

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuClock measures the process's CPU time (user + system). On a shared
// machine wall-clock ns/op counts time spent waiting for a core; the
// benchmarks also report cpu-ns/op, the CPU the detector itself used.
func cpuClock() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchCPU runs f b.N times and reports CPU ns per call beside ns/op; it
// returns them.
func benchCPU(b *testing.B, f func()) (cpuNs float64) {
	b.ReportAllocs()
	start := cpuClock()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	if n > 0 {
		cpuNs = float64(cpuClock()-start) / float64(n)
		b.ReportMetric(cpuNs, "cpu-ns/op")
	}
	return cpuNs
}

// formatMix is one generated number of every format the detector knows,
// several times over with different digits.
func formatMix() []string {
	g := newGen(1234)
	var out []string
	for range 20 {
		for _, bl := range builders {
			out = append(out, bl.make(g))
		}
		s := g.digits(17)
		out = append(out,
			"00"+s+itoa(checkMod10("", []byte(s), 3, 1, false)), // SSCC
			"JJD"+g.digits(18),
			"3SABCD"+g.digits(9),
			"6"+g.digits(23),
			"6A"+g.digits(11),
			"PQ"+g.digits(2)+"F6"+g.digits(16)+"T",
			"H"+g.digits(15),
			"F"+g.digits(10),
			"113-"+g.digits(7)+"-"+g.digits(7),
		)
	}
	return out
}

// BenchmarkDetectFormats detects numbers of every format, one per call,
// and reports numbers per second (wall clock, and by the CPU the detector
// used, which a loaded machine does not distort as much).
func BenchmarkDetectFormats(b *testing.B) {
	nums := formatMix()
	k := 0
	start := time.Now()
	cpuNs := benchCPU(b, func() {
		Detect(nums[k])
		k++
		if k == len(nums) {
			k = 0
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "numbers/s")
	if cpuNs > 0 {
		b.ReportMetric(1e9/cpuNs, "cpu-numbers/s")
	}
}

func TestFormatMixIsDetected(t *testing.T) {
	// The benchmark measures real detections: every number of the mix is found.
	for _, n := range formatMix() {
		if got := Detect(n); len(got) != 1 || got[0].Number != strings.ReplaceAll(n, "-", "") && got[0].Number != n {
			t.Errorf("Detect(%q) = %v", n, numbersOf(got))
		}
	}
}

var benchMessage = "Hi! Your package is on its way. Order 112-4455667-8899001.\n" +
	"UPS tracking: 1Z " + spaced(upsNum[2:], 4, " ") + " — expected Thursday.\n" +
	"Second box ships with USPS " + uspsNum + ". Questions? Call (555) 201-3344.\n" +
	"Total $84.20, paid 2024-03-12. Thanks for shopping with us!"

// benchEmail is a 300-byte store e-mail with a USPS number wrapped onto
// the next line, an order number, a price, a date and a phone number.
var benchEmail = func() string {
	n := spaced(uspsNum, 4, " ")
	s := "Hi Jamie, good news: order #1045 from Paper Goods Co. has shipped.\n" +
		"Carrier: USPS. Your tracking number is " + n[:14] + "\n" + n[15:] +
		"\nEstimated delivery: Fri 03/15/2024.\nSubtotal $58.00, shipping $6.50.\n" +
		"Questions? Call (555) 201-3344 or reply to this e-mail."
	return s + strings.Repeat(" ", max(0, 300-len(s)))
}()

// BenchmarkDetect: a chat message with three numbers, a 300-byte store
// e-mail, and a bare UPS number (the common paste).
func BenchmarkDetect(b *testing.B) {
	for _, bm := range []struct{ name, in string }{
		{"message", benchMessage},
		{"email300", benchEmail},
		{"bare", upsNum},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.in)))
			benchCPU(b, func() { Detect(bm.in) })
		})
	}
}

// BenchmarkDetectHuge detects in 1 MB texts made of the message and the
// e-mail above: MB/s here against BenchmarkDetect's tells whether a long
// text costs more per byte than a short one.
func BenchmarkDetectHuge(b *testing.B) {
	for _, bm := range []struct{ name, in string }{
		{"message", benchMessage},
		{"email", benchEmail},
	} {
		b.Run(bm.name, func(b *testing.B) {
			in := repeatTo(bm.in+"\n", 1<<20)
			b.SetBytes(int64(len(in)))
			benchCPU(b, func() { Detect(in) })
		})
	}
}

// repeatTo repeats s until the result is at least n bytes long.
func repeatTo(s string, n int) string {
	return strings.Repeat(s, (n+len(s)-1)/len(s))
}

func TestBenchInputs(t *testing.T) {
	// The benchmarks measure what they claim: the e-mail is 300 bytes and
	// its wrapped number is found.
	if len(benchEmail) != 300 {
		t.Errorf("benchEmail is %d bytes", len(benchEmail))
	}
	if got := Detect(benchEmail); len(got) != 1 || got[0].Number != uspsNum {
		t.Errorf("Detect(benchEmail) = %v", numbersOf(got))
	}
	if got := Detect(benchMessage); len(got) != 3 {
		t.Errorf("Detect(benchMessage) = %v", numbersOf(got))
	}
}
