// Package ask understands questions about parcels in plain words: a
// classifier trained on paraphrases (model.go, features.go; data/<lang>.tsv)
// maps a question to a topic of a small knowledge base (topics.go), and
// says as data what the topic's answer draws on from the chat's own
// followed parcels (which ones it is about, the direct answer about one,
// those needing a contact…). The words are the bot's: bot/ renders every
// language, English too, from its catalogs. Unsure, it asks back with the
// likeliest topics. No I/O: it works without a token or network.
package ask

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/assess"
)

// Parcel is one parcel the asking chat follows, as far as questions about
// it need to know.
type Parcel struct {
	Carrier, Number, Label string
	Status                 tracker.Status
	ETA                    time.Time
	Advice                 []advice.Advice // advice.Evaluate for this parcel now, most urgent first
	// Assessment, when set (Step not empty), is the parcel's one assessment
	// (tracker/assess): answers then say what pushes, /status and /list say.
	Assessment assess.Assessment
}

// Reply is the answer to a question as data: its topic, how sure the
// matcher is, and what the answer draws on; the bot words it in the chat's
// language. (Named Reply because Go cannot have a type and a function both
// called Answer in one package; the function is what callers use.)
type Reply struct {
	Topic string
	Lang  string
	// Confidence is the calibrated probability that Topic is what was
	// asked (1 for small talk and empty messages, which are not guessed).
	Confidence float64
	// Alternatives is set when the matcher is unsure: the two or three
	// likeliest topics to offer as buttons ("Did you mean…?"), Topic being
	// the first: the reply asks back instead of answering.
	Alternatives []string
	// About holds the indices (into the parcels passed in) of the parcels
	// the question names by number, label or carrier word, so that a topic
	// picked from an ask-back can still be answered about them; nil when
	// it names none.
	About []int
	// SmallTalk is set when the message was only small talk ("Hallo!",
	// "merci beaucoup", "ok bye"): its kind (TalkGreeting…), answered
	// under TopicHelp.
	SmallTalk string
	// Verdict is the direct answer about the one parcel the question is
	// about ("is the ups one late?": yes, it was due Sun 29 Nov), for the
	// bot to put first.
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
	q := newQuery(question, parcels, now)
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
		reply.Topic = TopicHelp
		return reply
	}
	if k := smallTalkIn(lang, question); k != notTalk {
		reply.Topic, reply.SmallTalk = TopicHelp, talkNames[k]
		return reply
	}
	if len(m.text.lang.words(question, nil)) == 0 { // only emoji or punctuation: nothing to go on
		reply.Topic = TopicUnknown
		return reply
	}
	// A parcel's name in the question ("where are my headphones") is a
	// parcel to the classifier, which has never seen the name.
	top := m.predict(nameParcels(question, parcels), maxAlternatives+1, temperature)
	d := decide(top)
	reply.Topic, reply.Confidence, reply.Alternatives = d.topic, d.p, d.alternatives
	reply.About = q.sel.named()
	if d.kind == kindAskBack && (reply.About != nil || q.sel.carrier != "") {
		d = aboutParcel(d, top)
		reply.Topic, reply.Confidence, reply.Alternatives = d.topic, d.p, d.alternatives
	}
	if d.kind == kindAnswer {
		reply.Verdict = verdictFor(d.topic, q)
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
	sel := q.sel
	switch {
	case len(q.parcels) == 0:
	case r.Topic == "my_packages" && sel.missing:
		r.Parcels, r.Carrier, r.CarrierMissing = indices(len(q.parcels)), sel.carrier, true
	case r.Topic == "my_packages":
		r.Parcels, r.Carrier = sel.at, sel.carrier
	case progressTopics[r.Topic] && sel.missing:
		// "is the dhl one late" with no DHL parcel: say so, then show them all.
		r.Parcels, r.Carrier, r.CarrierMissing = indices(len(q.parcels)), sel.carrier, true
	case progressTopics[r.Topic] && len(sel.at) > 0 && (sel.explicit || len(q.parcels) == 1):
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

// aboutParcel decides an unsure question that names a parcel (by number,
// label or carrier word): when the likeliest topics are all about how that
// parcel is getting on ("is the ups one late": late or my_packages), each
// answer starts with the parcel's state, so it is answered with the first
// rather than asked back.
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
// A topic not in Topics draws on nothing; callers check it first.
func AnswerTopic(lang, topic string, parcels []Parcel, now time.Time) Reply {
	if _, err := modelFor(lang); err != nil {
		lang = DefaultLang
	}
	q := newQuery("", parcels, now)
	r := Reply{Topic: topic, Lang: lang, Confidence: 1, Verdict: verdictFor(topic, q)}
	r.draw(q)
	return r
}

// Topics lists every topic a reply can carry.
func Topics() []string { return append([]string{TopicUnknown}, topics...) }

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

var s10 = regexp.MustCompile(`^[A-Z]{2}[0-9]{9}[A-Z]{2}$`)

// s10Country is the origin country code of a UPU S10 number, or "".
func s10Country(p Parcel) string {
	if s10.MatchString(p.Number) {
		return p.Number[11:]
	}
	return ""
}
