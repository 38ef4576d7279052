package ask

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared machine the
// wall-clock ns/op of a benchmark also counts time spent waiting for a core,
// so benchmarks here report CPU time per op as well.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTrain is the start-up cost of each language: its model is
// trained when the bot starts (target < 200 ms a language).
func BenchmarkTrain(b *testing.B) {
	for _, lang := range Langs() {
		b.Run(lang, func(b *testing.B) {
			ex := loadTraining(b, lang)
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				train(newLanguage(lang), ex, defaultParams)
			}
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// BenchmarkPrepare is the bot's start-up: every language's model trained,
// in parallel (run with -cpu 1,2 to see what cores buy). Each iteration
// trains afresh.
func BenchmarkPrepare(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		models.Clear()
		Prepare()
	}
}
