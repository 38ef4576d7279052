package tracker

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Test numbers are generated here with the check-digit algorithms, never
// copied from a list: a generator fills the free positions with seeded
// random digits and computes the check character.

type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b9))} }

func (g *gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}

func (g *gen) alnum(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet36[g.r.IntN(36)]
	}
	return string(b)
}

func itoa(d int) string { return string(rune('0' + d)) }

// builder makes one valid number of a format, and tells where its check
// character sits (for mutation).
type builder struct {
	format  string // format name, as in the table
	carrier string // what Detect should say for a bare paste
	make    func(g *gen) string
	checkAt func(n string) int // -1: no check digit
}

func last(n string) int { return len(n) - 1 }

var builders = []builder{
	{"UPS", "ups", func(g *gen) string {
		body := g.digits(6) + "03" + g.alnum(7)
		return "1Z" + body + itoa(checkMod10("", []byte(body), 1, 2, false))
	}, last},
	{"UPS Waybill", "ups", func(g *gen) string {
		s := g.digits(9)
		return "K" + s + itoa(checkMod10("", []byte(s), 1, 2, false))
	}, last},
	{"Amazon Logistics", "amazon", func(g *gen) string { return "TBA" + g.digits(9) + "000" }, nil},
	{"FedEx Express (12)", "fedex", func(g *gen) string {
		s := "7" + g.digits(10)
		return s + itoa(checkSumProduct([]byte(s), weights317))
	}, last},
	{"FedEx Ground", "fedex", func(g *gen) string {
		s := g.digits(14)
		return s + itoa(checkMod10("", []byte(s), 1, 3, false))
	}, last},
	{"FedEx Ground (SSCC-18)", "fedex", func(g *gen) string {
		s := g.digits(15)
		return "00" + s + itoa(checkMod10("", []byte(s), 3, 1, false))
	}, last},
	{"FedEx Ground 96 (22)", "fedex", func(g *gen) string {
		s := g.digits(14)
		return "9622001" + s + itoa(checkMod10("", []byte(s), 1, 3, false))
	}, last},
	{"FedEx Express (34)", "fedex", func(g *gen) string {
		s := "00" + g.digits(11)
		return "1" + g.digits(14) + g.digits(5) + s + itoa(checkSumProduct([]byte(s), weights173))
	}, last},
	{"FedEx ASTRA (32)", "fedex", func(g *gen) string {
		s := g.digits(11)
		return "3" + g.digits(15) + s + itoa(checkSumProduct([]byte(s), weights317)) + g.digits(4)
	}, func(string) int { return 27 }},
	{"FedEx Ground GSN", "fedex", func(g *gen) string {
		s := "00" + g.digits(11)
		return "9622" + g.digits(5) + g.digits(10) + "0" + s + itoa(checkSumProduct([]byte(s), weights173))
	}, last},
	{"USPS 20", "usps", func(g *gen) string {
		s := "01" + g.digits(17)
		return s + itoa(checkMod10("", []byte(s), 3, 1, false))
	}, last},
	{"USPS Legacy", "usps", func(g *gen) string {
		s := "9121" + g.digits(17)
		return s + itoa(checkMod10("", []byte(s), 3, 1, false))
	}, last},
	{"USPS IMpb", "usps", func(g *gen) string { // construct N, 9-digit Mailer ID
		s := "94001" + "9" + g.digits(8) + g.digits(7)
		return s + itoa(checkMod10("", []byte(s), 3, 1, true))
	}, last},
	{"USPS IMpb", "usps", func(g *gen) string { // construct C, 6-digit Mailer ID, 26 digits
		s := "93612" + "1" + g.digits(5) + g.digits(14)
		return s + itoa(checkMod10("", []byte(s), 3, 1, false))
	}, last},
	{"Canada Post (16)", "canada_post", func(g *gen) string {
		s := g.digits(15)
		return s + itoa(checkMod10("", []byte(s), 3, 1, false))
	}, last},
	{"DHL Express", "dhl", func(g *gen) string {
		s := g.digits(9)
		return s + itoa(checkMod7([]byte(s)))
	}, last},
	{"DHL Express", "dhl", func(g *gen) string {
		s := "1" + g.digits(9)
		return s + itoa(checkMod7([]byte(s)))
	}, last},
	{"DHL Express (Piece ID)", "dhl", func(g *gen) string { return "JVGL" + g.digits(10) }, nil},
	{"DHL eCommerce", "dhl_ecommerce", func(g *gen) string { return "GM" + g.digits(18) }, nil},
	{"DHL eCommerce (14)", "dhl_ecommerce", func(g *gen) string { return g.digits(14) }, nil},
	{"OnTrac", "ontrac", func(g *gen) string {
		s := g.digits(13)
		prefix := "4" // prepended unless the serial already starts with 4
		if s[0] == '4' {
			prefix = ""
		}
		return "C" + s + itoa(checkMod10(prefix, []byte(s), 1, 2, false))
	}, last},
	{"OnTrac", "ontrac", func(g *gen) string {
		s := "5" + g.digits(12)
		return "D" + s + itoa(checkMod10("", []byte(s), 1, 2, false))
	}, last},
	{"LaserShip LX", "lasership", func(g *gen) string { return "LX2" + g.digits(7) }, nil},
	{"LaserShip 1LS7 (15)", "lasership", func(g *gen) string { return "1LS71" + g.digits(10) }, nil},
	{"LaserShip 1LS7 (18)", "lasership", func(g *gen) string { return "1LS72" + g.digits(2) + "013" + g.digits(6) + "-1" }, nil},
	{"LaserShip 1LSCX (15)", "lasership", func(g *gen) string { return "1LSCX" + g.alnum(10) }, nil},
	{"S10", "royal_mail", func(g *gen) string {
		s := g.digits(8)
		return "RB" + s + itoa(checkS10([]byte(s))) + "GB"
	}, func(string) int { return 10 }},
	{"S10", "s10", func(g *gen) string {
		s := g.digits(8)
		return "CP" + s + itoa(checkS10([]byte(s))) + "DE"
	}, func(string) int { return 10 }},
	{"Purolator (12)", "purolator", func(g *gen) string {
		s := "3" + g.digits(10)
		return s + itoa(checkLuhn([]byte(s)))
	}, last},
	{"Purolator (alpha + 9)", "purolator", func(g *gen) string { return "QWZ" + g.digits(9) }, nil},
	{"Canpar (22)", "canpar", func(g *gen) string { return "D" + g.digits(21) }, nil},
	{"DPD (28)", "dpd", func(g *gen) string {
		s := g.digits(21) + "101" + "276"
		return s + string(checkMod3736([]byte(s)))
	}, last},
	{"DPD (14)", "dpd", func(g *gen) string {
		s := g.digits(14)
		return s + string(checkMod3736([]byte(s)))
	}, last},
	{"Yodel", "yodel", func(g *gen) string { return "JJD" + g.digits(16) }, nil},
	{"Yodel", "yodel", func(g *gen) string { return "JD" + g.digits(16) }, nil},
	{"YunExpress", "yunexpress", func(g *gen) string { return "YT" + g.digits(16) }, nil},
	{"Spee-Dee (20)", "speedee", func(g *gen) string { return "SP" + g.digits(18) }, nil},
	{"GOFO Express (US)", "gofo", func(g *gen) string { return "GFUS" + g.digits(14) }, nil},
	{"Landmark Global LTN", "landmark", func(g *gen) string { return "LTN" + g.digits(8) + "N1" }, nil},
	{"Old Dominion", "old_dominion", func(g *gen) string {
		s := "778" + g.digits(7)
		return s + itoa(checkLuhn([]byte(s)))
	}, last},
	{"Old Dominion", "old_dominion", func(g *gen) string {
		s := "80" + g.digits(8)
		return s + itoa(checkLuhn([]byte(s)))
	}, last},
}

func formatNamed(t *testing.T, name string) *format {
	t.Helper()
	f := lookupFormat(name)
	if f == nil {
		t.Fatalf("no format %q", name)
	}
	return f
}

func lookupFormat(name string) *format {
	for _, f := range formats {
		if f.name == name {
			return f
		}
	}
	return nil
}

// verdict runs one format's matcher on a number the way the scanner would
// see it as a single word (or two, for the LaserShip "-1").
func verdict(f *format, number string) (ok bool, m formatMatch) {
	compact := strings.ReplaceAll(number, "-", "")
	ws := []word{{n0: 0, n1: int32(len(compact))}}
	if strings.HasSuffix(number, "-1") {
		ws = []word{{n0: 0, n1: int32(len(compact) - 1)}, {n0: int32(len(compact) - 1), n1: int32(len(compact)), sep: '-', digits: true}}
	}
	for _, n := range f.lens {
		if n == len(compact) {
			ok = f.match([]byte(compact), &matchEnv{ws: ws}, &m)
			if ok && f.decode != nil {
				f.decode([]byte(compact), &m)
			}
			return ok, m
		}
	}
	return false, m
}

// mutate changes the check character by +3 (digits) or to another letter.
func mutate(n string, at int) string {
	b := []byte(n)
	if isDigit(b[at]) {
		b[at] = byte('0' + (int(b[at]-'0')+3)%10)
	} else {
		b[at] = byte('A' + (int(b[at]-'A')+3)%26)
	}
	return string(b)
}

// betterRival reports whether another format with a higher claim also
// accepts number — then Detect rightly picks it, and the generated number
// is not a clean test of this format.
func betterRival(f *format, number string) bool {
	compact := strings.ReplaceAll(number, "-", "")
	for _, o := range formatsByLen[len(compact)] {
		if o == f {
			continue
		}
		ok, m := verdict(o, number)
		if ok && m.valid && (m.checked || !f.isChecked(number)) && o.rank >= f.rank {
			return true
		}
		if ok && m.valid && m.checked && !f.isChecked(number) {
			return true
		}
	}
	return false
}

func (f *format) isChecked(number string) bool {
	_, m := verdict(f, number)
	return m.checked
}

func TestFormatsGenerated(t *testing.T) {
	g := newGen(7)
	for _, b := range builders {
		f := formatNamed(t, b.format)
		for k := 0; k < 20; k++ {
			n := b.make(g)
			t.Run(fmt.Sprintf("%s/%s", b.format, n), func(t *testing.T) {
				ok, m := verdict(f, n)
				if !ok || !m.valid {
					t.Fatalf("own format: ok=%v valid=%v, want a valid match", ok, m.valid)
				}
				if betterRival(f, n) {
					t.Logf("a higher-ranked format also accepts %s; Detect rightly prefers it", n)
				} else {
					got := Detect(n)
					if len(got) != 1 || got[0].Carrier != b.carrier || !got[0].Valid {
						t.Fatalf("Detect(%q) = %+v, want one valid %s", n, got, b.carrier)
					}
					if got[0].Format != b.format || got[0].Start != 0 || got[0].End != len(n) {
						t.Errorf("Detect(%q) format %q span %d-%d", n, got[0].Format, got[0].Start, got[0].End)
					}
				}
				if b.checkAt == nil {
					return
				}
				bad := mutate(n, b.checkAt(n))
				ok, m = verdict(f, bad)
				if !ok || !m.checked || m.valid {
					t.Fatalf("own format on %s: ok=%v checked=%v valid=%v, want shape match with failed check", bad, ok, m.checked, m.valid)
				}
				got := Detect(bad)
				for _, c := range got {
					if c.Carrier == b.carrier && c.Format == b.format && c.Valid {
						t.Errorf("Detect(%q) says valid %s", bad, b.format)
					}
				}
				if f.reportInvalid {
					if len(got) != 1 || got[0].Carrier != b.carrier || got[0].Valid {
						t.Errorf("Detect(%q) = %+v, want one invalid %s (a typo)", bad, got, b.carrier)
					}
				}
			})
		}
	}
}

func TestFormatDetails(t *testing.T) {
	g := newGen(11)
	s := g.digits(8)
	s10 := func(svc, cc string) string { return svc + s + itoa(checkS10([]byte(s))) + cc }
	ups := func(svc string) string {
		body := "4F7Q9X" + svc + "0000123"
		return "1Z" + body + itoa(checkMod10("", []byte(body), 1, 2, false))
	}
	impb := func(prefix string) string {
		t := "94001" + "9" + "12345678" + "7654321"
		return prefix + t + itoa(checkMod10("", []byte(t), 3, 1, true))
	}
	tests := []struct {
		in                                string
		number, carrier, service, country string
	}{
		{s10("RB", "GB"), s10("RB", "GB"), "royal_mail", "Registered letter post", "GB"},
		{s10("CP", "CA"), s10("CP", "CA"), "canada_post", "Parcel post", "CA"},
		{s10("EA", "US"), s10("EA", "US"), "usps", "EMS (international express)", "US"},
		{s10("LZ", "CN"), s10("LZ", "CN"), "s10", "Letter post express", "CN"},
		{ups("01"), ups("01"), "ups", "UPS Next Day Air", ""},
		{ups("YW"), ups("YW"), "ups", "UPS SurePost (delivered by USPS)", ""},
		{impb("42094103"), impb(""), "usps", "Online or vendor label", "US"},
		{impb("420941031234"), impb(""), "usps", "Online or vendor label", "US"},
		{"TBC" + "123456789000", "TBC123456789000", "amazon", "", "CA"},
	}
	for _, tt := range tests {
		got := Detect(tt.in)
		if len(got) != 1 {
			t.Errorf("Detect(%q) = %+v, want one", tt.in, got)
			continue
		}
		c := got[0]
		if c.Number != tt.number || c.Carrier != tt.carrier || c.Service != tt.service || c.Country != tt.country || !c.Valid {
			t.Errorf("Detect(%q) = %+v\nwant number %s carrier %s service %q country %s", tt.in, c, tt.number, tt.carrier, tt.service, tt.country)
		}
		if !strings.Contains(c.URL, c.Number) {
			t.Errorf("URL %q does not hold %s", c.URL, c.Number)
		}
	}
	// An S10 number from a code outside the UPU list is no S10 number.
	if got := Detect(s10("RB", "XX")); len(got) != 0 {
		t.Errorf("S10 ending XX: %+v", got)
	}
}

func TestFormatFirstRefuses(t *testing.T) {
	// A format's declared first characters are all it can start with: its
	// matcher refuses every span opened by any other, so the detector may
	// skip it there. Spans are real numbers of every format with the first
	// character replaced, and random ones.
	g := newGen(99)
	var samples []string
	for range 30 {
		for _, b := range builders {
			samples = append(samples, b.make(g))
		}
		samples = append(samples, formatMix()...)
	}
	for _, f := range formats {
		if f.first == "" {
			continue
		}
		for _, n := range f.lens {
			spans := [][]byte{}
			for _, smp := range samples {
				if len(strings.ReplaceAll(smp, "-", "")) == n {
					spans = append(spans, []byte(strings.ReplaceAll(smp, "-", "")))
				}
			}
			for range 300 {
				if g.r.IntN(2) == 0 {
					spans = append(spans, []byte(g.digits(n)))
				} else {
					spans = append(spans, []byte(g.alnum(n)))
				}
			}
			for _, sp := range spans {
				for k := range alphabet36 {
					c := alphabet36[k]
					if oneOf(c, f.first) {
						continue
					}
					s := append([]byte{c}, sp[1:]...)
					for _, ws := range [][]word{
						{{n0: 0, n1: int32(n), digits: allDigits(s)}},
						{{n0: 0, n1: 1, alpha: !isDigit(c)}, {n0: 1, n1: int32(n), sep: ' '}},
						{{n0: 0, n1: int32(n - 1)}, {n0: int32(n - 1), n1: int32(n), sep: '-', digits: true}},
					} {
						var m formatMatch
						for _, order := range []bool{false, true} {
							if f.match(s, &matchEnv{ws: ws, orderCtx: order}, &m) {
								t.Fatalf("%s matches %q, which starts with %q, not one of %q", f.name, s, c, f.first)
							}
						}
					}
				}
			}
		}
	}
}
