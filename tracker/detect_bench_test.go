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

// benchCPU runs f b.N times and reports CPU ns per call beside ns/op.
func benchCPU(b *testing.B, f func()) {
	b.ReportAllocs()
	start := cpuClock()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(cpuClock()-start)/float64(n), "cpu-ns/op")
	}
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
// and reports numbers per second.
func BenchmarkDetectFormats(b *testing.B) {
	nums := formatMix()
	k := 0
	start := time.Now()
	benchCPU(b, func() {
		Detect(nums[k])
		k++
		if k == len(nums) {
			k = 0
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "numbers/s")
}

func TestFormatMixIsDetected(t *testing.T) {
	// The benchmark measures real detections: every number of the mix is found.
	for _, n := range formatMix() {
		if got := Detect(n); len(got) != 1 || got[0].Number != strings.ReplaceAll(n, "-", "") && got[0].Number != n {
			t.Errorf("Detect(%q) = %v", n, numbersOf(got))
		}
	}
}
