// Package ask answers questions about parcels in plain words: a classifier
// trained on paraphrases (model.go, features.go; data/<lang>.tsv) maps a
// question to a topic of a small curated knowledge base (kb.go) and the
// topic's answer is given, drawn from the chat's own followed parcels when
// the question is about them. Unsure, it asks back with the likeliest
// topics. No I/O: it works without a token or network.
package ask

import (
	"fmt"
	"regexp"
	"slices"
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

// Reply is the answer to a question: its topic, the plain text to send (the
// bot escapes it for HTML) and how sure the matcher is.
// (Named Reply because Go cannot have a type and a function both called
// Answer in one package; the function is what callers use.)
type Reply struct {
	Topic, Text string
	Lang        string
	// Confidence is the calibrated probability that Topic is what was
	// asked (1 for small talk and empty messages, which are not guessed).
	Confidence float64
	// Alternatives is set when the matcher is unsure: the two or three
	// likeliest topics to offer as buttons ("Did you mean…?"), Topic being
	// the first. Text then asks back instead of answering.
	Alternatives []string
	// About holds the indices (into the parcels passed in) of the parcels
	// the question names by number, label or carrier word, so that a topic
	// picked from an ask-back can still be answered about them; nil when
	// it names none.
	About []int
	// SmallTalk is set when the message was only small talk ("Hallo!",
	// "merci beaucoup", "ok bye"): its kind (TalkGreeting…), so that a
	// reader in another language answers in its own words; Text is the
	// English reply.
	SmallTalk string
	// Verdict is the direct answer about the one parcel the question is
	// about ("is the ups one late?": yes, it was due Sun 29 Nov), for the
	// bot to put first in the chat's language; not part of Text.
	Verdict Verdict

	// What the answer draws on from the chat's parcels (indices into the
	// parcels passed in), for the bot to word in the chat's language.

	// Parcels are the parcels the answer starts with, their state first:
	// for my_packages the ones the question names, or all; for a question
	// on a parcel's progress (IsProgress) the ones it names, or the only
	// one. Nil when the answer is not about particular parcels.
	Parcels []int
	// Carrier is the code of the carrier the question named by a word
	// ("is the dhl one late"); CarrierMissing is set when none of the
	// parcels is with it, and Parcels then holds them all.
	Carrier        string
	CarrierMissing bool
	// Attention are the chat's parcels that need a contact now, which a
	// general answer (late, not updating, whom to contact…) speaks to too;
	// nil when none does or the answer already starts with the parcels.
	Attention []int
	// Origins are, for the international answer, the parcels whose UPU S10
	// number names the country they were posted in, one per country.
	Origins []Origin
	// Contacts are, for contact_support, the codes of the chat's parcels'
	// carriers that have a customer-service page, each once.
	Contacts []string
}

// Origin is a parcel posted abroad: its index and the ISO 3166 country
// code its S10 number ends in.
type Origin struct {
	Parcel  int
	Country string
}

// Topics that are not knowledge-base entries.
const (
	TopicUnknown = "unknown"
	TopicHelp    = "bot_help"
)

// thresholds on calibrated probabilities decide between answering, asking
// back and calling text off-topic.
type thresholds struct {
	answerAt      float64 // a topic this likely is answered outright
	offTopicAt    float64 // text this likely off-topic gets the "I help with parcels" reply
	alternativeAt float64 // a topic this likely is offered when asking back (after the first two)
}

// policy was chosen on five-fold cross-validation of the training data
// (never the held-out set) so that confident replies are right at least
// 97 % of the time there; see TestThresholds.
var policy = thresholds{answerAt: 0.85, offTopicAt: 0.9, alternativeAt: 0.05}

const maxAlternatives = 3

// Classify returns the question's likeliest topic and its probability.
func Classify(question string) (string, float64) {
	r := AnswerIn(DefaultLang, question, nil, time.Time{})
	return r.Topic, r.Confidence
}

// Answer answers an English question; see AnswerIn.
func Answer(question string, parcels []Parcel, now time.Time) Reply {
	return AnswerIn(DefaultLang, question, parcels, now)
}

// AnswerIn maps a question in language lang to a topic and answers it;
// answers about "my parcel" draw on parcels, the asking chat's followed
// parcels. Unsure, it asks back with the likeliest topics; off-topic text
// gets a friendly pointer to what the bot does. A language without
// training data falls back to English.
func AnswerIn(lang, question string, parcels []Parcel, now time.Time) Reply {
	q := query{parcels: parcels, now: now, question: question}
	m, err := modelFor(lang)
	if err != nil {
		lang = DefaultLang
		m, err = modelFor(lang)
		if err != nil {
			panic(err) // the embedded English data is part of the build
		}
	}
	reply := Reply{Lang: lang, Confidence: 1}
	if strings.TrimSpace(question) == "" {
		reply.Topic, reply.Text = TopicHelp, answerFor(TopicHelp, q)
		return reply
	}
	if k := smallTalkIn(lang, question); k != notTalk {
		reply.Topic, reply.Text, reply.SmallTalk = TopicHelp, talkAnswer(k, q), talkNames[k]
		return reply
	}
	if len(m.text.lang.words(question, nil)) == 0 { // only emoji or punctuation: nothing to go on
		reply.Topic, reply.Text = TopicUnknown, offTopicAnswer
		return reply
	}
	// A parcel's name in the question ("where are my headphones") is a
	// parcel to the classifier, which has never seen the name.
	top := m.predict(nameParcels(question, parcels), maxAlternatives+1, temperature)
	d := decide(top)
	reply.Topic, reply.Confidence, reply.Alternatives = d.topic, d.p, d.alternatives
	reply.About = Named(question, parcels)
	if d.kind == kindAskBack && reply.About != nil {
		d = aboutParcel(d, top)
		reply.Topic, reply.Confidence, reply.Alternatives = d.topic, d.p, d.alternatives
	}
	switch {
	case d.kind == kindOffTopic:
		reply.Text = offTopicAnswer
	case d.kind == kindAskBack:
		reply.Text = askBackText
	default:
		reply.Text, reply.Verdict = answerFor(d.topic, q), verdictFor(d.topic, q)
		reply.draw(q)
	}
	return reply
}

// attentionTopics are the general answers that also say which of the
// chat's parcels need a contact now.
var attentionTopics = map[string]bool{
	"activation_delay": true, "not_updating": true, "late": true, "delivered_not_received": true,
	"lost_parcel": true, "contact_support": true,
}

// draw sets what the reply's topic draws on from the chat's parcels.
func (r *Reply) draw(q query) {
	sel := selectParcels(q.question, q.parcels)
	switch {
	case len(q.parcels) == 0:
	case r.Topic == "my_packages" && sel.missing:
		r.Parcels, r.Carrier, r.CarrierMissing = indices(len(q.parcels)), sel.carrier, true
	case r.Topic == "my_packages":
		r.Parcels, r.Carrier = sel.at, sel.carrier
	case progressTopics[r.Topic] && !sel.missing && len(sel.at) > 0 && (sel.explicit || len(q.parcels) == 1):
		r.Parcels, r.Carrier = sel.at, sel.carrier
	}
	if r.Parcels == nil && attentionTopics[r.Topic] {
		r.Attention = needingAttention(q.parcels)
	}
	switch r.Topic {
	case "international":
		seen := map[string]bool{}
		for i, p := range q.parcels {
			if c := s10Country(p); c != "" && !seen[c] {
				seen[c] = true
				r.Origins = append(r.Origins, Origin{Parcel: i, Country: c})
			}
		}
	case "contact_support":
		for _, p := range q.parcels {
			if c := tracker.Carrier(p.Carrier); c.Contact != "" && !slices.Contains(r.Contacts, c.Code) {
				r.Contacts = append(r.Contacts, c.Code)
			}
		}
	}
}

// needingAttention are the indices of the parcels that need a contact now.
func needingAttention(parcels []Parcel) []int {
	var out []int
	for i, p := range parcels {
		if p.Assessment.Step != "" {
			if p.Assessment.Attention {
				out = append(out, i)
			}
			continue
		}
		if slices.ContainsFunc(p.Advice, func(a advice.Advice) bool { return a.Action == advice.Contact }) {
			out = append(out, i)
		}
	}
	return out
}

// progressTopics are questions about how a parcel is getting on ("is the
// ups one late?"): when the question names parcels, or the chat has only
// one, the answer starts with their state from the assessment and the
// general advice follows.
var progressTopics = map[string]bool{
	"late": true, "not_updating": true, "activation_delay": true, "delivered_not_received": true, "lost_parcel": true,
}

// aboutParcel decides an unsure question that names a parcel: when the
// likeliest topics are all about how that parcel is getting on ("is the
// ups one late": late or my_packages), each answer starts with the
// parcel's state, so it is answered with the first rather than asked back.
// The confidence is then the probability that the question is about the
// parcel's progress at all.
func aboutParcel(d decision, top []ranked) decision {
	var p float64
	for _, r := range top {
		if r.topic != "my_packages" && !progressTopics[r.topic] {
			break
		}
		p += r.p
	}
	if p < policy.answerAt {
		return d
	}
	return decision{kind: kindAnswer, topic: d.topic, p: min(p, 1)}
}

// IsProgress reports whether topic is one of the questions about how a
// parcel is getting on, answered with the named parcel's state first.
func IsProgress(topic string) bool { return progressTopics[topic] }

// AnswerTopic answers a topic chosen from an ask-back ("Did you mean…?"):
// the user picked it, so it is answered as if matched with certainty.
// An unknown topic gets the off-topic reply.
func AnswerTopic(lang, topic string, parcels []Parcel, now time.Time) Reply {
	if _, err := modelFor(lang); err != nil {
		lang = DefaultLang
	}
	q := query{parcels: parcels, now: now}
	r := Reply{Topic: topic, Lang: lang, Confidence: 1, Text: answerFor(topic, q), Verdict: verdictFor(topic, q)}
	r.draw(q)
	return r
}

// Title is a topic's short title, for the button that offers it.
func Title(lang, topic string) string {
	for _, e := range kb {
		if e.topic == topic {
			return e.title
		}
	}
	return topic
}

// Topics lists every topic a reply can carry.
func Topics() []string {
	out := []string{TopicUnknown}
	for _, e := range kb {
		out = append(out, e.topic)
	}
	return out
}

type kind int

const (
	kindAnswer kind = iota
	kindAskBack
	kindOffTopic
)

type decision struct {
	kind         kind
	topic        string
	p            float64
	alternatives []string
}

// decide turns ranked probabilities into answer, ask-back or off-topic.
func decide(top []ranked) decision { return policy.decide(top) }

func (th thresholds) decide(top []ranked) decision {
	answerAt, offTopicAt, alternativeAt := th.answerAt, th.offTopicAt, th.alternativeAt
	best := top[0]
	if best.topic == TopicUnknown && best.p >= offTopicAt {
		return decision{kind: kindOffTopic, topic: TopicUnknown, p: best.p}
	}
	if best.topic != TopicUnknown && best.p >= answerAt {
		return decision{kind: kindAnswer, topic: best.topic, p: best.p}
	}
	var alts []string
	var p float64
	for _, r := range top {
		if r.topic == TopicUnknown {
			continue
		}
		if len(alts) >= 2 && r.p < alternativeAt || len(alts) == maxAlternatives {
			break
		}
		if len(alts) == 0 {
			p = r.p
		}
		alts = append(alts, r.topic)
	}
	if best.topic == TopicUnknown && p < alternativeAt {
		return decision{kind: kindOffTopic, topic: TopicUnknown, p: best.p}
	}
	return decision{kind: kindAskBack, topic: alts[0], p: p, alternatives: alts}
}

func answerFor(topic string, q query) string {
	for _, e := range kb {
		if e.topic != topic {
			continue
		}
		if progressTopics[topic] {
			sel := selectParcels(q.question, q.parcels)
			if !sel.missing && len(sel.parcels) > 0 && (sel.explicit || len(q.parcels) == 1) {
				q.parcels, q.named, q.topic = sel.parcels, true, topic
				return myPackagesAnswer(q) + "\n\n" + e.answer(q)
			}
		}
		return e.answer(q)
	}
	return offTopicAnswer
}

// myPackagesAnswer is about the chat's parcels: the ones the question names
// (number, label, carrier) or all of them; where each is, when it should
// arrive, and whether to wait or contact someone.
func myPackagesAnswer(q query) string {
	if len(q.parcels) == 0 {
		return "You are not following any parcels here yet. Send me a tracking number (or paste the shipping email) " +
			"and I will tell you where it is, when it should arrive and when to contact customer service."
	}
	sel := selectParcels(q.question, q.parcels)
	var b strings.Builder
	switch {
	case sel.missing:
		fmt.Fprintf(&b, "None of the parcels I follow here is with %s. ", sel.named)
		sel.parcels = q.parcels
		fallthrough
	case len(sel.parcels) == len(q.parcels) && len(q.parcels) > 1:
		fmt.Fprintf(&b, "Your %d parcels:", len(sel.parcels))
	case len(sel.parcels) == 1:
		b.WriteString("Your parcel:")
	case sel.named != "":
		fmt.Fprintf(&b, "Your %d %s parcels:", len(sel.parcels), sel.named)
	default:
		fmt.Fprintf(&b, "Your %d parcels:", len(sel.parcels))
	}
	for _, p := range sel.parcels {
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
	if q.named { // the answer already starts with them
		return ""
	}
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
