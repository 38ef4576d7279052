package ask

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/trackbot/trackbot/tracker"
)

// Questions about the chat's own parcels name one by its number, its label
// ("the headphones"), its carrier ("the dhl one") or not at all (then the
// only parcel, or all of them).

// carrierWords are words people use for a carrier, by carrier code.
var carrierWords = map[string][]string{
	"ups": {"ups"}, "usps": {"usps"}, "fedex": {"fedex"}, "dhl": {"dhl"}, "dhl_ecommerce": {"dhl"},
	"amazon": {"amazon", "amzl"}, "ontrac": {"ontrac"}, "lasership": {"lasership", "ontrac"},
	"canada_post": {"canada post"}, "royal_mail": {"royal mail"}, "purolator": {"purolator"},
	"canpar": {"canpar"}, "dpd": {"dpd"}, "yodel": {"yodel"}, "yunexpress": {"yunexpress", "yun"},
	"speedee": {"speedee", "spee dee"}, "gofo": {"gofo"}, "landmark": {"landmark"}, "old_dominion": {"old dominion", "odfl"},
	"s10":    {"post", "postal"},
	"hermes": {"hermes", "evri"}, "gls": {"gls"}, "postnl": {"postnl"}, "inpost": {"inpost"},
	"colissimo": {"colissimo", "la poste"}, "correos": {"correos"}, "poste_italiane": {"poste italiane"},
	"demo": {"demo"},
}

// selection is which parcels a question is about.
type selection struct {
	at []int // the parcels' indices in the chat's parcels
	// carrier is the code of the carrier the question named by a word
	// ("the dhl one"), when it named one; missing is set when none of the
	// parcels is with it.
	carrier string
	missing bool
	// explicit is set when the question named the parcels (number, label
	// or carrier) rather than none, which selects them all.
	explicit bool
}

// selectParcels picks the parcels the question names.
func selectParcels(question string, parcels []Parcel) selection {
	all := selection{at: indices(len(parcels))}
	if question == "" || len(parcels) == 0 {
		return all
	}
	lower := " " + strings.Join(strings.FieldsFunc(strings.ToLower(question), notAlnum), " ") + " "
	compact := strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, question))
	var byNumber, byLabel []int
	for i, p := range parcels {
		if len(p.Number) >= 5 && strings.Contains(compact, strings.ToUpper(p.Number)) {
			byNumber = append(byNumber, i)
		}
		if labelMentioned(lower, p.Label) {
			byLabel = append(byLabel, i)
		}
	}
	if len(byNumber) > 0 {
		return pick(byNumber)
	}
	if len(byLabel) > 0 {
		return pick(byLabel)
	}
	for _, cw := range carrierWordList {
		if !strings.Contains(lower, " "+cw.word+" ") {
			continue
		}
		var with []int
		for i, p := range parcels {
			if carrierMatches(p.Carrier, cw.word) {
				with = append(with, i)
			}
		}
		if len(with) == 0 && vagueCarrierWords[cw.word] {
			// "stuck at the post office", "my amazon order": a place or a
			// shop as often as a carrier, so no "none is with …".
			return all
		}
		sel := pick(with)
		sel.carrier, sel.missing = cw.code, len(with) == 0
		return sel
	}
	return all
}

// vagueCarrierWords name a carrier only when one of the parcels is with it.
var vagueCarrierWords = map[string]bool{"post": true, "postal": true, "amazon": true}

// carrierWordList is every word of carrierWords once, with the carrier it
// stands for, longest first so that "canada post" wins over "post" (and
// the same question always picks the same carrier).
var carrierWordList = func() []struct{ word, code string } {
	var out []struct{ word, code string }
	seen := map[string]bool{}
	for code, ws := range carrierWords {
		for _, w := range ws {
			if seen[w] {
				continue
			}
			seen[w] = true
			if c, ok := wordCarrier[w]; ok {
				code = c
			}
			out = append(out, struct{ word, code string }{w, code})
		}
	}
	slices.SortFunc(out, func(a, b struct{ word, code string }) int {
		return cmp.Or(cmp.Compare(len(b.word), len(a.word)), strings.Compare(a.word, b.word))
	})
	return out
}()

// wordCarrier is the carrier a word shared by several names ("dhl" for
// DHL and DHL eCommerce) stands for.
var wordCarrier = map[string]string{"dhl": "dhl", "ontrac": "ontrac"}

// pick selects the parcels at the indices at, named by the question.
func pick(at []int) selection {
	return selection{at: at, explicit: len(at) > 0}
}

// indices is 0, 1, … n-1.
func indices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func carrierMatches(code, word string) bool {
	for _, w := range carrierWords[code] {
		if w == word {
			return true
		}
	}
	return false
}

// labelMentioned: a label word of four letters or more that is not a
// common word occurs in the question ("headphones" in "where are my
// headphones"); lower is the question's words, space-framed.
func labelMentioned(lower, label string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(label), notAlnum) {
		if len(w) >= 4 && !common[w] && strings.Contains(lower, " "+w+" ") {
			return true
		}
	}
	return false
}

var common = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range commonWords {
		m[w] = true
	}
	for _, w := range strings.Fields("parcel package order delivery shipment thing gift from with") {
		m[w] = true
	}
	return m
}()

func notAlnum(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// askedDay is the day a question asks about ("… by thursday", "tomorrow",
// "today"), as a date in now's zone; ok is false when it names none.
func askedDay(question string, now time.Time) (time.Time, bool) {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	for _, w := range strings.FieldsFunc(strings.ToLower(question), notAlnum) {
		switch w {
		case "today", "tonight":
			return today, true
		case "tomorrow", "tmrw", "tmr":
			return today.AddDate(0, 0, 1), true
		}
		if wd, ok := weekdays[w]; ok {
			return today.AddDate(0, 0, (int(wd)-int(today.Weekday())+7)%7), true
		}
	}
	return time.Time{}, false
}

// expected is what the parcel's one assessment (or, unassessed, its ETA)
// says of its delivery: final (nothing more to promise), out for delivery
// today, or the expected time (zero: no date yet) and whether its day is
// already past.
type expected struct {
	final, today bool
	eta          time.Time
	overdue      bool
}

func expectation(p Parcel, now time.Time) expected {
	if p.Status == tracker.StatusDelivered || p.Status.Final() {
		return expected{final: true}
	}
	eta := p.ETA
	if a := p.Assessment; a.Step != "" { // the one assessment decides, as everywhere else
		if a.Status.Final() {
			return expected{final: true}
		}
		if a.Today {
			return expected{today: true}
		}
		eta = a.ETA
	}
	if eta.IsZero() {
		return expected{}
	}
	return expected{eta: eta, overdue: localDay(eta, now).Before(localDay(now, now))}
}

// localDay is t's calendar day in now's zone, at midnight.
func localDay(t, now time.Time) time.Time {
	t = t.In(now.Location())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, now.Location())
}

// Verdict is the direct answer about one parcel to "will it come by
// Friday?" or "is it late?", as data: the bot words it in the chat's
// language. Kind "" is no verdict (no such question, or nothing to go by).
type Verdict struct {
	Kind VerdictKind
	ETA  time.Time // the day it is (or was) expected, for the kinds that name it
	Day  time.Time // the day asked about, for the by-day kinds
}

// VerdictKind says which answer a Verdict is.
type VerdictKind string

// The verdicts: "will it come by <day>?" …
const (
	ByDayToday   VerdictKind = "by_day_today"    // out for delivery today: yes
	ByDayNoDate  VerdictKind = "by_day_no_date"  // no delivery date to promise
	ByDayOverdue VerdictKind = "by_day_overdue"  // its day has passed: not certain
	ByDayOnTrack VerdictKind = "by_day_on_track" // expected by then: yes
	ByDayNotBy   VerdictKind = "by_day_not_by"   // expected later: no
	// … and "is it late?"
	LateToday VerdictKind = "late_today" // out for delivery today: not late
	LateYes   VerdictKind = "late_yes"   // its day has passed
	LateNo    VerdictKind = "late_no"    // expected later: not late
)

// onTrack answers "will it come by <day>?" for one parcel (Kind "" when
// the question names no day or the parcel's journey is over).
func onTrack(p Parcel, question string, now time.Time) Verdict {
	day, ok := askedDay(question, now)
	if !ok {
		return Verdict{}
	}
	e := expectation(p, now)
	v := Verdict{ETA: e.eta, Day: day}
	switch {
	case e.final:
		return Verdict{}
	case e.today:
		v.Kind = ByDayToday
	case e.eta.IsZero():
		v.Kind = ByDayNoDate
	case e.overdue:
		v.Kind = ByDayOverdue
	case !localDay(e.eta, now).After(day):
		v.Kind = ByDayOnTrack
	default:
		v.Kind = ByDayNotBy
	}
	return v
}

// lateness answers "is it late?" for one parcel (Kind "" when there is no
// date to go by).
func lateness(p Parcel, now time.Time) Verdict {
	e := expectation(p, now)
	v := Verdict{ETA: e.eta}
	switch {
	case e.final || e.eta.IsZero() && !e.today:
		return Verdict{}
	case e.today:
		v.Kind = LateToday
	case e.overdue:
		v.Kind = LateYes
	default:
		v.Kind = LateNo
	}
	return v
}

// verdictFor is the direct answer a topic gives about the one parcel the
// question is about, if it is about one.
func verdictFor(topic string, q query) Verdict {
	if topic != "my_packages" && !progressTopics[topic] {
		return Verdict{}
	}
	sel := q.sel
	if progressTopics[topic] && (sel.missing || !sel.explicit && len(q.parcels) != 1) {
		return Verdict{}
	}
	at := sel.at
	if sel.missing {
		at = indices(len(q.parcels))
	}
	if len(at) != 1 {
		return Verdict{}
	}
	p := q.parcels[at[0]]
	if v := onTrack(p, q.question, q.now); v.Kind != "" || topic != "late" {
		return v
	}
	return lateness(p, q.now)
}

// nameParcels replaces the words of the chat's parcel labels and their
// numbers in question by "parcel" (the label is the parcel's name; a
// number is noise to the classifier); other text is unchanged.
func nameParcels(question string, parcels []Parcel) string {
	var names map[string]bool
	for _, p := range parcels {
		if len(p.Number) >= 5 {
			if names == nil {
				names = map[string]bool{}
			}
			names[strings.ToLower(p.Number)] = true
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(p.Label), notAlnum) {
			if len(w) >= 4 && !common[w] {
				if names == nil {
					names = map[string]bool{}
				}
				names[w] = true
			}
		}
	}
	if names == nil {
		return question
	}
	words := strings.FieldsFunc(question, notAlnum)
	changed := false
	for i, w := range words {
		if names[strings.ToLower(w)] {
			words[i], changed = "parcel", true
		}
	}
	if !changed {
		return question
	}
	return strings.Join(words, " ")
}

// named returns the indices of the parcels the question named by number,
// label or carrier word ("is the dhl one late"), or nil when it named none
// of them.
func (sel selection) named() []int {
	if !sel.explicit {
		return nil
	}
	return sel.at
}
