package tracker

import (
	"fmt"
	"testing"
)

// typoOf swaps the first pair of different neighbouring characters in
// [lo, hi) whose swap fails format f's check, and returns it with its
// single fix ("" when several swaps repair it).
func typoOf(t *testing.T, f *format, n string, lo, hi int) (typo, fix string) {
	t.Helper()
	for k := lo; k+1 < hi; k++ {
		if n[k] == n[k+1] {
			continue
		}
		b := []byte(n)
		b[k], b[k+1] = b[k+1], b[k]
		if ok, m := verdict(f, string(b)); ok && m.checked && !m.valid {
			return string(b), singleFix(f, string(b))
		}
	}
	t.Fatalf("no typo of %s", n)
	return "", ""
}

func TestDetectNamedTypos(t *testing.T) {
	p := pasteGen{t, newGen(4242)}
	tests := []struct {
		format, carrier string
		text            string // %s is the mistyped number
	}{
		{"FedEx Express (12)", "fedex", "my FedEx number is %s"},
		{"FedEx Ground", "fedex", "FedEx: %s"},
		{"DHL Express", "dhl", "Mein DHL Express Paket %s kommt nicht"},
		{"Canada Post (16)", "canada_post", "Postes Canada, colis %s"},
		{"Purolator (12)", "purolator", "Purolator %s"},
		{"DHL Express", "dhl", "DHL单号%s"},
		{"FedEx Express (12)", "fedex", "联邦快递 单号 %s"},
	}
	for _, tt := range tests {
		f := formatNamed(t, tt.format)
		for k := range 5 {
			n := p.num(tt.format)
			typo, fix := typoOf(t, f, n, k%3, len(n))
			in := fmt.Sprintf(tt.text, typo)
			got := Detect(in)
			if len(got) != 1 || got[0].Number != typo || got[0].Carrier != tt.carrier || got[0].Valid {
				t.Errorf("Detect(%q) = %+v, want a %s typo", in, got, tt.carrier)
				continue
			}
			if got[0].Suggestion != fix {
				t.Errorf("Detect(%q) suggests %q, want %q", in, got[0].Suggestion, fix)
			}
			// Without the carrier's name the same digits are not flagged.
			if got := Detect("see " + typo + " there"); len(got) != 0 && !got[0].Valid && got[0].Carrier == tt.carrier {
				t.Errorf("unnamed %s flagged: %+v", typo, got)
			}
		}
	}
}

func TestDetectNamedNoise(t *testing.T) {
	g := newGen(777)
	f := formatNamed(t, "FedEx Express (12)")
	bad := func() string { // 12 digits failing FedEx's check
		for {
			n := g.digits(12)
			if _, m := verdict(f, n); !m.valid {
				return n
			}
		}
	}
	for _, in := range []string{
		"FedEx invoice " + bad(),
		"FedEx Rechnung " + bad(),
		"fattura FedEx " + bad(),
		"联邦快递 订单号 " + bad(),
		"FedEx hotline " + bad(),
		"FedEx tel. " + bad(),
		"FedEx Kundennummer " + bad(),
		"appelle le 06 12 34 56 78, DHL",
		"ZIP " + g.digits(9),
		"PLZ " + g.digits(5) + " DHL Paketshop",
	} {
		if got := Detect(in); len(got) != 0 {
			t.Errorf("Detect(%q) = %+v, want nothing", in, got)
		}
	}
	// "ZIP" is no Purolator prefix, unless the text says Purolator.
	n := "ZIP " + g.digits(9)
	if got := Detect("Purolator " + n); len(got) != 1 || got[0].Carrier != "purolator" {
		t.Errorf("Detect(Purolator %s) = %+v", n, got)
	}
}

func TestDetectIBAN(t *testing.T) {
	g := newGen(31)
	// Numeric BBANs whose digits alone pass a tracking format's check.
	for _, cc := range []string{"DE", "ES"} {
		n := map[string]int{"DE": 18, "ES": 20}[cc]
		var found bool
		for range 300 {
			i := iban(g, cc, n)
			if len(Detect(i[4:])) == 0 {
				continue
			}
			found = true
			for _, in := range []string{i, "IBAN: " + spaced(i, 4, " "), "refund to " + spaced(i, 4, " ") + " thanks"} {
				if got := Detect(in); len(got) != 0 {
					t.Errorf("Detect(%q) = %+v, want nothing", in, got)
				}
			}
			break
		}
		if !found {
			t.Errorf("%s: no IBAN whose digits look like a tracking number", cc)
		}
	}
}

func TestNamedCarriers(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"sent with UPS today", []string{"ups"}},
		{"the groups are upset", nil},
		{"DHL's van", []string{"dhl", "dhl_ecommerce"}},
		{"Postes Canada et FedEx", []string{"fedex", "canada_post"}},
		{"联邦快递单号", []string{"fedex"}},
		{"Evri parcel", []string{"hermes"}},
	}
	for _, tt := range tests {
		set := namedCarriers(tt.in)
		var want uint64
		for _, c := range tt.want {
			want |= carrierBit[c]
		}
		if set != want {
			t.Errorf("namedCarriers(%q) = %b, want %b", tt.in, set, want)
		}
	}
}

func TestNewHandoff(t *testing.T) {
	g := newGen(8)
	s := "94001" + "9" + g.digits(8) + g.digits(7)
	usps := s + itoa(checkMod10("", []byte(s), 3, 1, true))
	tests := []struct {
		from, number, name string
		want               Handoff
		ok                 bool
	}{
		{"LX123456785CN", usps, "USPS", Handoff{"usps", usps}, true},
		{"LX123456785CN", usps, "", Handoff{"usps", usps}, true},
		{"LX123456785CN", " " + spaced(usps, 4, " "), "USPS", Handoff{"usps", usps}, true},
		{"TBA123456789000", "3SABCD123456789", "PostNL", Handoff{"postnl", "3SABCD123456789"}, true},
		// A shapeless number takes its carrier from the name.
		{"LX123456785CN", "12345678901234", "GLS", Handoff{"gls", "12345678901234"}, true},
		{usps, usps, "USPS", Handoff{}, false},             // not a new number
		{"LX123456785CN", "n/a", "USPS", Handoff{}, false}, // not a number
	}
	for _, tt := range tests {
		got, ok := NewHandoff(tt.from, tt.number, tt.name)
		if ok != tt.ok || got != tt.want {
			t.Errorf("NewHandoff(%q, %q, %q) = %+v, %v; want %+v, %v", tt.from, tt.number, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
