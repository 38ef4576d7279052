package ask

import (
	"slices"
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/assess"
)

func TestAnswersAboutOneParcel(t *testing.T) {
	// now is Thu 12 Mar 2026.
	dhl := Parcel{Carrier: "dhl", Number: "1234567890", Status: tracker.StatusInTransit, ETA: now.AddDate(0, 0, 1)}
	ups := Parcel{Carrier: "ups", Number: "1Z999AA10123456784", Label: "New headphones", Status: tracker.StatusInTransit, ETA: now.AddDate(0, 0, 3)}
	usps := Parcel{Carrier: "usps", Number: "9400111899223397546587", Status: tracker.StatusDelivered}
	all := []Parcel{dhl, ups, usps}
	tests := map[string]struct {
		question string
		parcels  []Parcel
		at       []int  // the parcels the answer is about
		carrier  string // named by a word
		missing  bool   // … and none is with it
		verdict  VerdictKind
	}{
		"by carrier, on track":               {"is the dhl one still on track for friday", all, []int{0}, "dhl", false, ByDayOnTrack},
		"by carrier, late for the day asked": {"will the ups one come by friday?", all, []int{1}, "ups", false, ByDayNotBy},
		"by label":                           {"where are my headphones", all, []int{1}, "", false, ""},
		"by number":                          {"what about 1Z999AA10123456784?", all, []int{1}, "", false, ""},
		"carrier not followed":               {"where is my fedex parcel", all, []int{0, 1, 2}, "fedex", true, ""},
		"the only parcel":                    {"when is my delivery expected", []Parcel{ups}, []int{0}, "", false, ""},
		"all of them":                        {"any news on my parcels", all, []int{0, 1, 2}, "", false, ""},
		"no date yet":                        {"is it coming tomorrow", []Parcel{{Carrier: "ups", Number: "1Z", Status: tracker.StatusInfoReceived}}, []int{0}, "", false, ByDayNoDate},
		"delivered, no verdict":              {"did the usps one come today", all, []int{2}, "usps", false, ""},
		"assessed: out for delivery": {"will the dhl one come by saturday", []Parcel{{Carrier: "dhl", Number: "1234567890", Status: tracker.StatusOutForDelivery,
			ETA: now.AddDate(0, 0, 3), Assessment: assess.Parcel(assess.Input{Input: advice.Input{Carrier: "dhl", Number: "1234567890", Valid: true, Polled: true,
				Status: tracker.StatusOutForDelivery, ETA: now.AddDate(0, 0, 3), AddedAt: now.AddDate(0, 0, -2)}, Checkable: true}, now)}},
			[]int{0}, "dhl", false, ByDayToday},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q := newQuery(tc.question, tc.parcels, now)
			got := Reply{Topic: "my_packages"}
			got.draw(q)
			if v := verdictFor("my_packages", q); v.Kind != tc.verdict {
				t.Errorf("verdict %+v, want %q", v, tc.verdict)
			}
			if !slices.Equal(got.Parcels, tc.at) || got.Carrier != tc.carrier || got.CarrierMissing != tc.missing {
				t.Errorf("about %v, carrier %q (missing %v); want %v, %q (%v)", got.Parcels, got.Carrier, got.CarrierMissing, tc.at, tc.carrier, tc.missing)
			}
		})
	}
}

func TestAskedDay(t *testing.T) {
	tests := map[string]string{
		"by thursday?":        "2026-03-12", // today is Thursday
		"will it be here FRI": "2026-03-13",
		"tomorrow maybe":      "2026-03-13",
		"on monday":           "2026-03-16",
	}
	for q, want := range tests {
		d, ok := askedDay(q, now)
		if !ok || d.Format(time.DateOnly) != want {
			t.Errorf("askedDay(%q) = %v %v, want %s", q, d, ok, want)
		}
	}
	if _, ok := askedDay("where is it", now); ok {
		t.Error("a question without a day named one")
	}
}

// TestQuestionsAboutANamedParcel goes through the matcher: a question that
// names a parcel by carrier word or label (or asks about the only one) is
// answered from that parcel's assessment, whichever topic it is matched to.
func TestQuestionsAboutANamedParcel(t *testing.T) {
	// now is Thu 12 Mar 2026.
	assessed := func(p Parcel, in advice.Input) Parcel {
		in.Carrier, in.Number, in.Valid, in.Polled, in.Status = p.Carrier, p.Number, true, true, p.Status
		p.Assessment = assess.Parcel(assess.Input{Input: in, Checkable: true}, now)
		return p
	}
	late := assessed(Parcel{Carrier: "ups", Number: "1Z999AA10123456784", Status: tracker.StatusInTransit, ETA: now.AddDate(0, 0, -2)},
		advice.Input{ETA: now.AddDate(0, 0, -2), AddedAt: now.AddDate(0, 0, -6), LastEventAt: now.AddDate(0, 0, -1)})
	onTime := assessed(Parcel{Carrier: "dhl", Number: "1234567890", Label: "Garden chairs", Status: tracker.StatusInTransit, ETA: now.AddDate(0, 0, 1)},
		advice.Input{ETA: now.AddDate(0, 0, 1), AddedAt: now.AddDate(0, 0, -2), LastEventAt: now.Add(-5 * time.Hour)})
	all := []Parcel{late, onTime}
	tests := map[string]struct {
		question string
		parcels  []Parcel
		at       []int // the parcels the answer starts with
		about    []int
		verdict  Verdict
	}{
		"late, by carrier":     {"is the ups one late", all, []int{0}, []int{0}, Verdict{Kind: LateYes, ETA: late.Assessment.ETA}},
		"not late, by carrier": {"is the dhl one late?", all, []int{1}, []int{1}, Verdict{Kind: LateNo, ETA: onTime.Assessment.ETA}},
		"on track, by carrier": {"is the dhl one still on track for friday", all, []int{1}, []int{1},
			Verdict{Kind: ByDayOnTrack, ETA: onTime.Assessment.ETA, Day: time.Date(2026, 3, 13, 0, 0, 0, 0, now.Location())}},
		"by label":              {"are the garden chairs late?", all, []int{1}, []int{1}, Verdict{Kind: LateNo, ETA: onTime.Assessment.ETA}},
		"the only parcel":       {"when is my delivery expected", []Parcel{onTime}, []int{0}, nil, Verdict{}},
		"the only parcel, late": {"my parcel is late", []Parcel{late}, []int{0}, nil, Verdict{Kind: LateYes, ETA: late.Assessment.ETA}},
		"none named, several":   {"my order is late", all, nil, nil, Verdict{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Answer(tc.question, tc.parcels, now)
			if len(got.Alternatives) > 0 {
				t.Fatalf("asked back %v (%.2f)", got.Alternatives, got.Confidence)
			}
			if !slices.Equal(got.Parcels, tc.at) {
				t.Errorf("topic %s: answer about %v, want %v", got.Topic, got.Parcels, tc.at)
			}
			if got.Verdict != tc.verdict {
				t.Errorf("Verdict = %+v, want %+v", got.Verdict, tc.verdict)
			}
			if !slices.Equal(got.About, tc.about) {
				t.Errorf("About = %v, want %v", got.About, tc.about)
			}
		})
	}
}

// TestEveryCarrierHasAWord: "is the gls one late" works for every carrier
// trackbot recognises, the European ones and the demo included.
func TestEveryCarrierHasAWord(t *testing.T) {
	for _, code := range tracker.CarrierCodes() {
		if len(carrierWords[code]) == 0 {
			t.Errorf("carrier %s has no word people would call it by", code)
		}
	}
	gls := Parcel{Carrier: "gls", Number: "12345678901", Label: "", Status: tracker.StatusInTransit}
	ups := Parcel{Carrier: "ups", Number: "1Z999AA10123456784", Label: "New headphones", Status: tracker.StatusInTransit}
	for _, q := range []string{"is the gls one late", "where is my GLS parcel"} {
		sel := selectParcels(q, []Parcel{ups, gls})
		if !slices.Equal(sel.at, []int{1}) || !sel.explicit { // the GLS parcel
			t.Errorf("%q selected %+v, want the GLS parcel", q, sel)
		}
	}
}

// TestProgressQuestionNamingACarrier: "is the dhl one late" is answered
// from the parcels, not asked back, whether or not a parcel is with that
// carrier; with none, the reply says so and covers them all.
func TestProgressQuestionNamingACarrier(t *testing.T) {
	ups := Parcel{Carrier: "ups", Number: "1Z999AA10123456784", Status: tracker.StatusInTransit, ETA: now.AddDate(0, 0, -1)}
	demo := Parcel{Carrier: "demo", Number: "DEMO2", Status: tracker.StatusInTransit}
	tests := map[string]struct {
		question string
		at       []int
		carrier  string
		missing  bool
	}{
		"late, none with it":  {"is the dhl one late?", []int{0, 1}, "dhl", true},
		"stuck, none with it": {"has my fedex parcel been stuck for days", []int{0, 1}, "fedex", true},
		"late, one with it":   {"is the ups one late?", []int{0}, "ups", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Answer(tc.question, []Parcel{ups, demo}, now)
			if len(got.Alternatives) > 0 || got.Topic != "my_packages" && !IsProgress(got.Topic) {
				t.Fatalf("topic %s (alternatives %v): want an answer about the parcels", got.Topic, got.Alternatives)
			}
			if !slices.Equal(got.Parcels, tc.at) || got.Carrier != tc.carrier || got.CarrierMissing != tc.missing {
				t.Errorf("about %v, carrier %q (missing %v); want %v, %q (%v)", got.Parcels, got.Carrier, got.CarrierMissing, tc.at, tc.carrier, tc.missing)
			}
		})
	}
}

// TestCarrierWords: the longest carrier name in the question wins, every
// time ("canada post" is not "post"), and a word that names a place or a
// shop as often as a carrier ("post office", "my amazon order") selects
// parcels only when one is with that carrier.
func TestCarrierWords(t *testing.T) {
	ca := Parcel{Carrier: "canada_post", Number: "1234567890123456", Status: tracker.StatusInTransit}
	ups := Parcel{Carrier: "ups", Number: "1Z999AA10123456784", Status: tracker.StatusInTransit}
	usps := Parcel{Carrier: "usps", Number: "9400111899223397546587", Status: tracker.StatusInTransit}
	s10 := Parcel{Carrier: "s10", Number: s10Number("RR", "30571846", "JP"), Status: tracker.StatusInTransit}
	tests := map[string]struct {
		question string
		parcels  []Parcel
		at       []int
		carrier  string
		missing  bool
	}{
		"two-word name over its last word": {"my canada post parcel is late", []Parcel{ups, ca}, []int{1}, "canada_post", false},
		"post office is a place":           {"is my parcel stuck at the post office?", []Parcel{ups, usps}, []int{0, 1}, "", false},
		"post names a posted parcel":       {"where is the post one", []Parcel{ups, s10}, []int{1}, "s10", false},
		"amazon order is a shop":           {"my amazon package is late", []Parcel{ups, usps}, []int{0, 1}, "", false},
		"brand none is with":               {"is my fedex parcel late", []Parcel{ups, usps}, nil, "fedex", true}, // draw then shows them all
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for range 20 { // map order must not matter
				sel := selectParcels(tc.question, tc.parcels)
				if !slices.Equal(sel.at, tc.at) || sel.carrier != tc.carrier || sel.missing != tc.missing {
					t.Fatalf("about %v, carrier %q (missing %v); want %v, %q (%v)", sel.at, sel.carrier, sel.missing, tc.at, tc.carrier, tc.missing)
				}
			}
		})
	}
}
