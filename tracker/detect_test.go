package tracker

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// numbers generated once for the message tests
var (
	tg      = newGen(42)
	upsNum  = builders[0].make(tg)
	uspsNum = func() string {
		s := "94001" + "9" + tg.digits(8) + tg.digits(7)
		return s + itoa(checkMod10("", []byte(s), 3, 1, true))
	}()
	fedexNum = func() string {
		for {
			s := "7" + tg.digits(10)
			n := s + itoa(checkSumProduct([]byte(s), weights317))
			if ok, m := verdict(lookupFormat("Purolator (12)"), n); !ok || !m.valid {
				return n
			}
		}
	}()
	tbaNum = "TBA" + tg.digits(9) + "000"
	s10Num = func() string {
		s := tg.digits(8)
		return "RR" + s + itoa(checkS10([]byte(s))) + "DE"
	}()
	dhlNum = func() string {
		s := "3" + tg.digits(8)
		return s + itoa(checkMod7([]byte(s)))
	}()
)

// spaced writes n in chunks of k separated by sep.
func spaced(n string, k int, sep string) string {
	var b strings.Builder
	for i := 0; i < len(n); i += k {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(n[i:min(i+k, len(n))])
	}
	return b.String()
}

type want struct{ number, carrier string }

func numbersOf(cs []Candidate) []want {
	var r []want
	for _, c := range cs {
		r = append(r, want{c.Number, c.Carrier})
	}
	return r
}

func TestDetectMessages(t *testing.T) {
	// A phone number chunked 3-3-4 whose digits pass DHL's mod 7.
	phone := func() string {
		for i := 5550000000; ; i++ {
			n := fmt.Sprint(i)
			if checkMod7([]byte(n[:9])) == int(n[9]-'0') {
				return n
			}
		}
	}()
	tests := []struct {
		name string
		in   string
		want []want
	}{
		{"bare UPS", upsNum, []want{{upsNum, "ups"}}},
		{"lower case", strings.ToLower(upsNum), []want{{upsNum, "ups"}}},
		{"UPS in groups", "1Z " + spaced(upsNum[2:], 3, " "), []want{{upsNum, "ups"}}},
		{"USPS in fours", "USPS: " + spaced(uspsNum, 4, " "), []want{{uspsNum, "usps"}}},
		{"USPS with NBSP", spaced(uspsNum, 4, "\u00a0"), []want{{uspsNum, "usps"}}},
		{"TBA with dash", "Amazon TBA-" + tbaNum[3:], []want{{tbaNum, "amazon"}}},
		{"zero-width and bidi marks", "\u200e\u202a" + upsNum[:5] + "\u200b" + upsNum[5:] + "\ufeff", []want{{upsNum, "ups"}}},
		{"full-width digits", "ＴＢＡ" + strings.Map(func(r rune) rune { return r - '0' + '０' }, tbaNum[3:]), []want{{tbaNum, "amazon"}}},
		{"shipping e-mail",
			"Hi Sam,\nyour order #112-4455667-8899001 has shipped!\nCarrier: UPS, tracking number " + upsNum +
				"\nTotal: $129.99 (3 items) on 2024-03-12.\nQuestions? Call us at (555) 201-3344 or 1-800-555-0199.\nShip to: 94103-1234 San Francisco",
			[]want{{"112-4455667-8899001", "amazon"}, {upsNum, "ups"}}},
		{"chat with two numbers", "ok so the first box is " + fedexNum + " and the second one " + s10Num + " thanks!!",
			[]want{{fedexNum, "fedex"}, {s10Num, "s10"}}},
		{"two numbers on one line, spaced", upsNum + " " + tbaNum, []want{{upsNum, "ups"}, {tbaNum, "amazon"}}},
		{"UPS URL", "https://www.ups.com/track?loc=en_US&tracknum=" + upsNum + "&requester=ST", []want{{upsNum, "ups"}}},
		{"USPS URL with two", "https://tools.usps.com/go/TrackConfirmAction?tLabels=" + uspsNum + "%2C" + upsNum, []want{{uspsNum, "usps"}, {upsNum, "ups"}}},
		{"FedEx URL", "https://www.fedex.com/fedextrack/?trknbr=" + fedexNum, []want{{fedexNum, "fedex"}}},
		{"DHL URL", "https://www.dhl.com/global-en/home/tracking/tracking-express.html?submit=1&tracking-id=" + dhlNum, []want{{dhlNum, "dhl"}}},
		{"Amazon URL", "https://track.amazon.com/tracking/" + tbaNum, []want{{tbaNum, "amazon"}}},
		{"DHL bare", dhlNum, []want{{dhlNum, "dhl"}}},
		{"number then a count", "Tracking: " + dhlNum + " 2 boxes", []want{{dhlNum, "dhl"}}},
		{"S10 in groups", "Registered: " + s10Num[:2] + " " + spaced(s10Num[2:11], 3, " ") + " " + s10Num[11:], []want{{s10Num, "s10"}}},
		{"LaserShip with -1", "laser 1LS7213012123456-1 done", []want{{"1LS7213012123456-1", "lasership"}}},
		{"phone 3-3-4", "call me " + phone[:3] + "-" + phone[3:6] + "-" + phone[6:], nil},
		{"phone bare digits after phone word", "my cell is " + phone, nil},
		{"phone with +1", "+1 " + phone, nil},
		{"phone in parens", "(" + phone[:3] + ") " + phone[3:6] + "-" + phone[6:], nil},
		{"card-like run of fours", "4111 1111 1111 1111", nil},
		{"order id digits", "Order #" + fedexNum, nil},
		{"amazon order bare 17 after order", "Order ID: 11244556678899001", []want{{"112-4455667-8899001", "amazon"}}},
		{"amazon order 17 digits without context", "ref 11244556678899001", nil},
		{"digital order", "d01-1234567-7654321", []want{{"D01-1234567-7654321", "amazon"}}},
		{"prices dates zips", "$1,299.00 on 12/03/2024 or 2024-03-12, zip 94103-1234, qty 12", nil},
		{"14 digits in prose is weak", "Reference 20240312103000 ok", nil},
		{"14 digits bare", "20240312103000", []want{{"20240312103000", "dhl_ecommerce"}}},
		{"14 digits with DHL named", "DHL parcel 20240312103000", []want{{"20240312103000", "dhl_ecommerce"}}},
		{"prose with letter words", "SHIPPED IN THE MORNING BY GM", nil},
		{"invoice word not DHL eCommerce", "INVOICE123456789", nil},
		{"no glue of two numbers", fedexNum + " " + fedexNum, []want{{fedexNum, "fedex"}, {fedexNum, "fedex"}}},
		{"empty", "", nil},
		{"emoji and RTL", "📦 رقم التتبع " + upsNum + " 🚚", []want{{upsNum, "ups"}}},
		{"invalid UTF-8", "\xff\xfe" + upsNum + "\xc3", []want{{upsNum, "ups"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Detect(tt.in)
			if fmt.Sprint(numbersOf(got)) != fmt.Sprint(tt.want) {
				t.Errorf("Detect(%q)\n got %v\nwant %v", tt.in, numbersOf(got), tt.want)
			}
			for _, c := range got {
				if c.Start < 0 || c.End > len(tt.in) || c.Start >= c.End {
					t.Errorf("bad span %d-%d", c.Start, c.End)
				}
			}
		})
	}
}

func TestDetectOrderKind(t *testing.T) {
	got := Detect("Your Amazon order 113-9876543-2345678 shipped with " + tbaNum)
	if len(got) != 2 {
		t.Fatalf("got %+v", got)
	}
	if o := got[0]; o.Kind != KindOrder || o.Carrier != "amazon" || o.Valid || o.URL != "" {
		t.Errorf("order candidate = %+v", o)
	}
	if tr := got[1]; tr.Kind != KindTracking || !tr.Valid || tr.URL == "" {
		t.Errorf("tracking candidate = %+v", tr)
	}
}

func TestDetectDemo(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"demo 3", "DEMO3"},
		{"DEMO-03", "DEMO3"},
		{"track Demo12 please", "DEMO12"},
		{"DEMO123", ""},
	}
	for _, tt := range tests {
		got := DetectWith(tt.in, DetectOptions{Demo: true})
		switch {
		case tt.want == "" && len(got) != 0:
			t.Errorf("DetectWith(%q) = %+v, want none", tt.in, got)
		case tt.want != "" && (len(got) != 1 || got[0].Number != tt.want || got[0].Carrier != "demo" || !got[0].Valid || got[0].Format != "Demo"):
			t.Errorf("DetectWith(%q) = %+v, want %s", tt.in, got, tt.want)
		}
		if plain := Detect(tt.in); len(plain) != 0 {
			t.Errorf("Detect(%q) without Demo = %+v", tt.in, plain)
		}
	}
}

func TestDetectSuggestion(t *testing.T) {
	// A UPS number with two neighbouring characters swapped: exactly one
	// swap repairs it when no other swap happens to pass too.
	var typo, orig string
	g := newGen(99)
	for orig == "" {
		n := builders[0].make(g)
		for k := 2; k+1 < len(n); k++ {
			if n[k] == n[k+1] {
				continue
			}
			b := []byte(n)
			b[k], b[k+1] = b[k+1], b[k]
			f := formatNamed(t, "UPS")
			if ok, m := verdict(f, string(b)); ok && !m.valid && suggest(f, b, &matchEnv{ws: []word{{n1: int32(len(b))}}}) == n {
				typo, orig = string(b), n
				break
			}
		}
	}
	got := Detect(typo)
	if len(got) != 1 || got[0].Valid || got[0].Carrier != "ups" || got[0].Suggestion != orig {
		t.Errorf("Detect(%q) = %+v, want invalid UPS suggesting %s", typo, got, orig)
	}

	// Ambiguous: search a number with a bad check digit that two different
	// swaps would repair; then no suggestion may be given.
	f := formatNamed(t, "USPS 20")
	for i := 0; i < 2000; i++ {
		n := []byte("01" + g.digits(18))
		if ok, m := verdict(f, string(n)); !ok || m.valid {
			continue
		}
		fixes := map[string]bool{}
		for k := 0; k+1 < len(n); k++ {
			b := append([]byte(nil), n...)
			b[k], b[k+1] = b[k+1], b[k]
			if _, m := verdict(f, string(b)); m.valid {
				fixes[string(b)] = true
			}
		}
		if s := suggest(f, n, &matchEnv{ws: []word{{n1: int32(len(n))}}}); (len(fixes) == 1) != (s != "") {
			t.Fatalf("%s: %d fixes, suggestion %q", n, len(fixes), s)
		}
	}
}

func TestDetectHugeInput(t *testing.T) {
	var b strings.Builder
	for b.Len() < 1<<20 {
		b.WriteString("lorem 1234 5678 ipsum ")
	}
	b.WriteString(upsNum)
	got := Detect(b.String())
	if len(got) != 1 || got[0].Number != upsNum {
		t.Fatalf("got %v", numbersOf(got))
	}
	// One giant group of digit chunks and one giant word.
	for _, in := range []string{strings.Repeat("1 ", 1<<19), strings.Repeat("9", 1<<20)} {
		if got := Detect(in); len(got) != 0 {
			t.Errorf("huge input gave %d candidates", len(got))
		}
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{upsNum, "1Z " + spaced(upsNum[2:], 3, " "), spaced(uspsNum, 4, " "), tbaNum,
		"order 113-1234567-1234567", "\u200b" + s10Num, "demo 3", "1LS7201312345678-1", "📦 " + dhlNum, "\xff"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, in string, demo bool) {
		got := DetectWith(in, DetectOptions{Demo: demo})
		prevEnd := 0
		for _, c := range got {
			if c.Start < prevEnd || c.End > len(in) || c.Start >= c.End {
				t.Fatalf("span %d-%d outside input or overlapping (len %d, prev end %d)", c.Start, c.End, len(in), prevEnd)
			}
			prevEnd = c.End
			if c.Number == "" || c.Carrier == "" {
				t.Fatalf("empty candidate %+v", c)
			}
			for i := 0; i < len(c.Number); i++ {
				if ch := c.Number[i]; !isDigit(ch) && !isUpper(ch) && ch != '-' {
					t.Fatalf("number %q has %q", c.Number, ch)
				}
			}
			if !utf8.ValidString(c.URL) {
				t.Fatalf("URL %q", c.URL)
			}
		}
	})
}
