// Package ask answers questions about parcels in plain words: it maps a
// question to a topic of a small curated knowledge base (see match.go for
// how and why) and answers it, using the chat's own followed parcels when
// the question is about "my parcel". No I/O: it works without a token or
// network.
package ask

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/assess"
)

// Parcel is one parcel the asking chat follows.
type Parcel struct {
	Carrier, Number, Label string
	Status                 tracker.Status
	StatusText             string
	ETA, LastEventAt       time.Time
	AddedAt                time.Time
	LastLocation           string
	Advice                 []advice.Advice // advice.Evaluate for this parcel now, most urgent first
	// Assessment, when set (Step not empty), is the parcel's one assessment
	// (tracker/assess): answers then say what pushes, /status and /list say.
	Assessment assess.Assessment
}

// Reply is a topic and the plain-text answer (the bot escapes it for HTML).
// (Named Reply because Go cannot have a type and a function both called
// Answer in one package; the function is what callers use.)
type Reply struct {
	Topic, Text string
}

// Topics that are not knowledge-base entries.
const (
	TopicUnknown = "unknown"
	TopicHelp    = "bot_help"
)

type compiledCue struct {
	terms  []string
	weight float64
}

type compiledEntry struct {
	entry
	cues []compiledCue
}

var (
	an      = newAnalyzer()
	entries []compiledEntry
	// meaning words make a question about a status name a question about its meaning.
	strongIntent = []string{term("mean"), term("explain")}
	weakIntent   = []string{term("what"), term("status")}
)

func init() {
	for _, w := range commonWords {
		an.learn(w)
	}
	// Synonyms are words people write, so typos of them are fixed too.
	for _, w := range slices.Sorted(maps.Keys(synonyms)) {
		an.learn(w)
	}
	for _, e := range kb {
		ce := compiledEntry{entry: e}
		for _, raw := range strings.Split(e.cues, ";") {
			raw = strings.TrimSpace(raw)
			if raw == "" {
				continue
			}
			i := strings.LastIndexByte(raw, ':')
			w, err := strconv.ParseFloat(raw[i+1:], 64)
			if i < 0 || err != nil {
				panic(fmt.Sprintf("ask: topic %s: bad cue %q", e.topic, raw))
			}
			an.learn(raw[:i])
			var c compiledCue
			for _, x := range words(raw[:i]) {
				c.terms = append(c.terms, term(x))
			}
			c.weight = w
			for _, o := range ce.cues {
				if strings.Join(o.terms, " ") == strings.Join(c.terms, " ") {
					panic(fmt.Sprintf("ask: topic %s: cue %q repeats another", e.topic, raw))
				}
			}
			ce.cues = append(ce.cues, c)
		}
		entries = append(entries, ce)
	}
}

// smallTalkScore is Classify's score for small talk: certain, it is a
// whole-message match.
const smallTalkScore = 10

// Classify returns the question's topic and its score (0 for unknown).
func Classify(question string) (string, float64) {
	if smallTalk(question) != notTalk {
		return TopicHelp, smallTalkScore
	}
	return classify(question)
}

// classify scores the knowledge-base topics for a question that is not
// small talk.
func classify(question string) (string, float64) {
	terms := an.terms(question)
	intent := 0.0
	if hasAny(terms, strongIntent) {
		intent = 3
	} else if hasAny(terms, weakIntent) {
		intent = 1.5
	}
	best, bestScore := TopicUnknown, 0.0
	for _, e := range entries {
		score, matched := 0.0, false
		for _, c := range e.cues {
			if hasAll(terms, c.terms) {
				score += c.weight
				matched = true
			}
		}
		if e.status && matched {
			score += intent
		}
		if score > bestScore {
			best, bestScore = e.topic, score
		}
	}
	if bestScore < minScore {
		return TopicUnknown, 0
	}
	return best, bestScore
}

// Answer maps the question to a topic and answers it; answers about "my
// parcel" draw on parcels, the asking chat's followed parcels.
func Answer(question string, parcels []Parcel, now time.Time) Reply {
	q := query{parcels, now}
	if strings.TrimSpace(question) == "" {
		return Reply{Topic: TopicHelp, Text: answerFor(TopicHelp, q)}
	}
	if k := smallTalk(question); k != notTalk {
		return Reply{Topic: TopicHelp, Text: talkAnswer(k, q)}
	}
	topic, _ := classify(question) // small talk is ruled out already
	return Reply{Topic: topic, Text: answerFor(topic, q)}
}

func answerFor(topic string, q query) string {
	for _, e := range kb {
		if e.topic == topic {
			return e.answer(q)
		}
	}
	return unknownAnswer
}

func hasAll(set map[string]bool, terms []string) bool {
	for _, t := range terms {
		if !set[t] {
			return false
		}
	}
	return true
}

func hasAny(set map[string]bool, terms []string) bool {
	for _, t := range terms {
		if set[t] {
			return true
		}
	}
	return false
}

// myPackagesAnswer lists the chat's parcels: where each is, when it should
// arrive, and whether to wait or contact someone.
func myPackagesAnswer(q query) string {
	if len(q.parcels) == 0 {
		return "You are not following any parcels here yet. Send me a tracking number (or paste the shipping email) " +
			"and I will tell you where it is, when it should arrive and when to contact customer service."
	}
	var b strings.Builder
	if len(q.parcels) == 1 {
		b.WriteString("Your parcel:")
	} else {
		fmt.Fprintf(&b, "Your %d parcels:", len(q.parcels))
	}
	for _, p := range q.parcels {
		b.WriteString("\n\n" + parcelLine(p, q.now))
	}
	return b.String()
}

// parcelLine is two lines: label (carrier), status, last location and scan,
// ETA; then what to do.
func parcelLine(p Parcel, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s — %s", p.Status.Emoji(), labelOf(p), tracker.StatusLine(p.Status, p.StatusText))
	if p.LastLocation != "" {
		fmt.Fprintf(&b, ", last seen in %s", tracker.PlainText(p.LastLocation))
	}
	if !p.LastEventAt.IsZero() {
		fmt.Fprintf(&b, " %s", tracker.Ago(p.LastEventAt, now))
	}
	day := func(t time.Time) string { return tracker.DayDate(t, now) }
	switch {
	case p.Assessment.Step != "":
		if words := p.Assessment.Expected(day); words != "" {
			fmt.Fprintf(&b, "; expected %s", words)
		}
	case p.Status == tracker.StatusDelivered || p.Status.Final():
	case !p.ETA.IsZero() && !p.ETA.Before(now.Truncate(24*time.Hour)):
		fmt.Fprintf(&b, "; expected %s", tracker.DayDate(p.ETA, now))
	case !p.ETA.IsZero():
		fmt.Fprintf(&b, "; was expected %s", tracker.DayDate(p.ETA, now))
	default:
		b.WriteString("; no delivery date yet")
	}
	b.WriteString(".\n→ " + verdict(p, day))
	return b.String()
}

// verdict turns a parcel's advice into one instruction.
func verdict(p Parcel, day func(time.Time) string) string {
	if p.Assessment.Step != "" {
		return p.Assessment.NextStep(day, false)
	}
	for _, a := range p.Advice {
		if a.Action == advice.Contact {
			s := "Contact " + a.ContactName + " now: " + a.Title + "."
			if a.ContactURL != "" {
				s += " " + a.ContactURL
			}
			return s
		}
	}
	if step := p.Status.NextStepFor(p.StatusText); strings.HasPrefix(step, "Action needed") {
		return step
	}
	if len(p.Advice) > 0 {
		return "Nothing to do yet (" + lowerFirst(p.Advice[0].Title) + ")."
	}
	switch p.Status {
	case tracker.StatusDelivered:
		return "Nothing to do. Not there? Look around and ask neighbours, then press “Not received” under its message."
	case tracker.StatusExpired:
		return "No more updates will come for this number."
	}
	return "Nothing to do: wait, I will tell you when it changes."
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[1]) {
		return s // an acronym
	}
	return string(unicode.ToLower(r[0])) + string(r[1:])
}

// parcelsNeedingAttention appends the chat's parcels that need a contact now,
// so a general answer also speaks to the asker's own situation.
func parcelsNeedingAttention(q query) string {
	var lines []string
	for _, p := range q.parcels {
		if p.Assessment.Step != "" {
			if p.Assessment.Attention {
				lines = append(lines, parcelLine(p, q.now))
			}
			continue
		}
		for _, a := range p.Advice {
			if a.Action == advice.Contact {
				lines = append(lines, parcelLine(p, q.now))
				break
			}
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return "\n\nOf your parcels, these need attention now:\n\n" + strings.Join(lines, "\n\n")
}

func labelOf(p Parcel) string {
	name := tracker.Carrier(p.Carrier).Name
	if p.Label != "" {
		return p.Label + " (" + name + ")"
	}
	return name + " " + p.Number
}

var s10 = regexp.MustCompile(`^[A-Z]{2}[0-9]{9}[A-Z]{2}$`)

// s10Country is the origin country code of a UPU S10 number, or "".
func s10Country(p Parcel) string {
	if s10.MatchString(p.Number) {
		return p.Number[11:]
	}
	return ""
}
