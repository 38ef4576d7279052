package ask

import (
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
	parcels []Parcel
	// named is what the question called them ("DHL", "headphones"), when it
	// named something; missing is set when nothing followed matches it.
	named   string
	missing bool
	// explicit is set when the question named the parcels (number, label
	// or carrier) rather than none, which selects them all.
	explicit bool
}

// selectParcels picks the parcels the question names.
func selectParcels(question string, parcels []Parcel) selection {
	if question == "" || len(parcels) == 0 {
		return selection{parcels: parcels}
	}
	lower := " " + strings.Join(strings.FieldsFunc(strings.ToLower(question), notAlnum), " ") + " "
	compact := strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, question))
	var byNumber, byLabel []Parcel
	for _, p := range parcels {
		if len(p.Number) >= 5 && strings.Contains(compact, strings.ToUpper(p.Number)) {
			byNumber = append(byNumber, p)
		}
		if labelMentioned(lower, p.Label) {
			byLabel = append(byLabel, p)
		}
	}
	if len(byNumber) > 0 {
		return selection{parcels: byNumber, explicit: true}
	}
	if len(byLabel) > 0 {
		return selection{parcels: byLabel, explicit: true}
	}
	for code, ws := range carrierWords {
		for _, w := range ws {
			if !strings.Contains(lower, " "+w+" ") {
				continue
			}
			var with []Parcel
			for _, p := range parcels {
				if carrierMatches(p.Carrier, w) {
					with = append(with, p)
				}
			}
			name := tracker.Carrier(code).Name
			if w == "dhl" {
				name = "DHL"
			}
			return selection{parcels: with, named: name, missing: len(with) == 0, explicit: len(with) > 0}
		}
	}
	return selection{parcels: parcels}
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

// onTrack answers "will it come by <day>?" for one parcel, or "".
func onTrack(p Parcel, question string, now time.Time) string {
	day, ok := askedDay(question, now)
	if !ok {
		return ""
	}
	name := day.Format("Monday")
	e := expectation(p, now)
	switch {
	case e.final:
		return ""
	case e.today:
		return "Yes: it is out for delivery today."
	case e.eta.IsZero():
		return "The carrier has not given a delivery date yet, so I can't promise " + name + "."
	case e.overdue:
		return "It was due " + tracker.DayDate(e.eta, now) + " and has not arrived, so " + name + " is not certain."
	case !localDay(e.eta, now).After(day):
		return "Yes, it is on track: expected " + tracker.DayDate(e.eta, now) + "."
	}
	return "Not by " + name + ": it is now expected " + tracker.DayDate(e.eta, now) + "."
}

// lateness answers "is it late?" for one parcel, or "" when there is no
// date to go by.
func lateness(p Parcel, now time.Time) string {
	e := expectation(p, now)
	switch {
	case e.final || e.eta.IsZero() && !e.today:
		return ""
	case e.today:
		return "Not late: it is out for delivery today."
	case e.overdue:
		return "Yes: it was due " + tracker.DayDate(e.eta, now) + "."
	}
	return "Not late: it is expected " + tracker.DayDate(e.eta, now) + "."
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

// Named returns the indices in parcels of the parcels the question names
// by number, label or carrier word ("is the dhl one late"), or nil when it
// names none of them.
func Named(question string, parcels []Parcel) []int {
	sel := selectParcels(question, parcels)
	if !sel.explicit {
		return nil
	}
	var out []int
	for i, p := range parcels {
		for _, q := range sel.parcels {
			if p.Number == q.Number && p.Carrier == q.Carrier {
				out = append(out, i)
				break
			}
		}
	}
	return out
}
