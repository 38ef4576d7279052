package ask

import (
	"math"
	"math/rand/v2"
	"slices"
)

// The classifier is a multinomial logistic regression (softmax over topics)
// on the features of features.go, trained by stochastic gradient descent
// when a language is first used. With 2,700–4,200 questions and ~40 topics
// that takes under 200 ms (BenchmarkTrain), so the model is never out of
// step with its data file and there is no generated artefact to keep in
// sync. Its probabilities are calibrated by a temperature fitted on
// five-fold cross-validation of the training data (TestCalibration checks
// the constant still fits).

// params are the training settings; chosen on cross-validation of the
// training data only.
type params struct {
	epochs     int
	rate       float64 // initial learning rate
	l2         float64 // weight decay per update of a feature's row
	charWeight float32 // value of a character n-gram against a word's 1
	seed       uint64
}

// Eight epochs rather than six: in every language fewer ask-backs (−1 to
// −1.4 points of CV), top-1 +0.2–0.4 and a lower NLL, for a quarter more
// training time. Averaged weights, dropout, dropping features seen once,
// skip-bigrams, n-grams up to 4, other char weights and class-balanced
// weights did no better on CV; typo'd copies of the training questions
// no better than more epochs.
var defaultParams = params{epochs: 8, rate: 2, l2: 0, charWeight: 0.5, seed: 1}

// easyAt is the probability of the right topic above which a training
// question sits out the next epoch (see train).
const easyAt = 0.97

// temperature divides the scores before the softmax so that probabilities
// match how often the model is right (fitted on cross-validation folds).
const temperature = 0.85

type model struct {
	text   *textModel
	topics []string  // class order
	w      []float32 // len(index) × len(topics), row per feature
	b      []float32
}

func train(lang *language, ex []example, p params) *model {
	topicIdx := map[string]int{}
	var topics []string
	for _, e := range ex {
		if _, ok := topicIdx[e.topic]; !ok {
			topicIdx[e.topic] = len(topics)
			topics = append(topics, e.topic)
		}
	}
	t := newTextModel(lang, ex, p.charWeight)
	// Every feature hash seen in training gets a column.
	sc := new(scratch)
	xs := make([][]feature, len(ex))
	ys := make([]int, len(ex))
	for i, e := range ex {
		t.hashes(e.question, sc)
		for _, h := range sc.hashes {
			if _, ok := t.index[h]; !ok {
				t.index[h] = int32(len(t.index))
			}
		}
		xs[i] = slices.Clone(t.features(sc))
		ys[i] = topicIdx[e.topic]
	}
	k := len(topics)
	m := &model{text: t, topics: topics, w: make([]float32, len(t.index)*k), b: make([]float32, k)}
	rng := rand.New(rand.NewPCG(p.seed, 0x5eed))
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	z := make([]float64, k)
	g := make([]float32, k)
	active := make([]int, 0, k)
	easy := make([]bool, len(ex))
	for epoch := range p.epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		rate := p.rate / (1 + float64(epoch)*0.5)
		decay := float32(1 - rate*p.l2)
		for _, i := range order {
			// An example the model already gets right with p ≥ easyAt sits
			// out the next epoch: its gradient is near zero, and skipping it
			// saves a seventh of the passes (CV figures within ±0.1).
			if easy[i] {
				easy[i] = false
				continue
			}
			m.scores(xs[i], z, g)
			softmax(z, 1)
			easy[i] = z[ys[i]] >= easyAt
			z[ys[i]] -= 1 // gradient of the log loss: p - y
			// Classes the example barely touches are skipped: most of the
			// softmax is ~0 after the first epoch, and this halves the time.
			active = active[:0]
			for c := range z {
				g[c] = float32(rate * z[c])
				m.b[c] -= g[c]
				if g[c] > 1e-4 || g[c] < -1e-4 {
					active = append(active, c)
				}
			}
			for _, f := range xs[i] {
				row := m.w[int(f.idx)*k : int(f.idx)*k+k]
				if decay != 1 {
					for c := range row {
						row[c] *= decay
					}
				}
				for _, c := range active {
					row[c] -= f.val * g[c]
				}
			}
		}
	}
	return m
}

// scores puts the raw class scores of x in z, summed in acc (float32,
// len(z)): single precision keeps the inner loop cheap.
func (m *model) scores(x []feature, z []float64, acc []float32) {
	k := len(m.topics)
	acc = acc[:k]
	copy(acc, m.b)
	for _, f := range x {
		// Four classes a step, with the bounds checks hoisted: this loop is
		// most of the training time.
		row := m.w[int(f.idx)*k : int(f.idx)*k+k]
		row = row[:len(acc)]
		v := f.val
		c := 0
		for ; c+4 <= len(acc); c += 4 {
			a, r := acc[c:c+4:c+4], row[c:c+4:c+4]
			a[0] += r[0] * v
			a[1] += r[1] * v
			a[2] += r[2] * v
			a[3] += r[3] * v
		}
		for ; c < len(acc); c++ {
			acc[c] += row[c] * v
		}
	}
	for c, v := range acc {
		z[c] = float64(v)
	}
}

// softmax turns scores into probabilities in place, scores divided by temp.
func softmax(z []float64, temp float64) {
	hi := math.Inf(-1)
	for _, v := range z {
		hi = max(hi, v)
	}
	var sum float64
	for i, v := range z {
		z[i] = math.Exp((v - hi) / temp)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
}

// ranked is a topic and its probability.
type ranked struct {
	topic string
	p     float64
}

// predict returns the topics by falling probability (at most n).
func (m *model) predict(question string, n int, temp float64) []ranked {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	x := m.text.vector(question, sc)
	k := len(m.topics)
	if cap(sc.scores) < k {
		sc.scores = make([]float64, k)
		sc.acc = make([]float32, k)
		sc.order = make([]int, k)
	}
	z, order := sc.scores[:k], sc.order[:k]
	m.scores(x, z, sc.acc)
	softmax(z, temp)
	// The n best by selection: n is small, and sorting all would allocate.
	n = min(n, k)
	out := make([]ranked, n)
	for i := range order {
		order[i] = i
	}
	for i := range n {
		best := i
		for j := i + 1; j < k; j++ {
			if z[order[j]] > z[order[best]] {
				best = j
			}
		}
		order[i], order[best] = order[best], order[i]
		out[i] = ranked{m.topics[order[i]], z[order[i]]}
	}
	return out
}
