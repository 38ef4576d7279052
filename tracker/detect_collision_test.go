package tracker

import (
	"strings"
	"testing"
)

// The reference's collisions (tracking-formats.md, Caveats) and the
// tie-break Detect applies to each. Numbers that pass two formats at once
// are searched for with the generator, so each case really collides.

// both searches numbers from mk until one matches the shapes of formats a
// and b with the given check-digit verdicts.
func both(t *testing.T, mk func() string, a, b string, wantA, wantB bool) string {
	t.Helper()
	fa, fb := formatNamed(t, a), formatNamed(t, b)
	for range 20000 {
		n := mk()
		oka, ma := verdict(fa, n)
		okb, mb := verdict(fb, n)
		if oka && okb && ma.valid == wantA && mb.valid == wantB {
			return n
		}
	}
	t.Fatalf("no number with %s valid=%v and %s valid=%v", a, wantA, b, wantB)
	return ""
}

func TestDetectCollisions(t *testing.T) {
	g := newGen(314)
	od := both(t, func() string {
		s := "778" + g.digits(7)
		return s + itoa(checkLuhn([]byte(s)))
	}, "Old Dominion", "DHL Express", true, true)
	puroFedex := both(t, func() string {
		s := "4" + g.digits(10)
		return s + itoa(checkLuhn([]byte(s)))
	}, "Purolator (12)", "FedEx Express (12)", true, true)
	puroAlpha := "JFV" + g.digits(9) // Purolator alpha shape that DHL Piece ID also takes
	impb := func() string {
		s := "92612" + "9" + g.digits(8) + g.digits(7)
		return "420" + g.digits(9) + s + itoa(checkMod10("", []byte(s), 3, 1, false))
	}
	// FedEx Express (34) now refuses the 420 routing shape outright, so its
	// check is computed here to find numbers where it would have held.
	fedex34 := func(n string) bool {
		return checkSumProduct([]byte(n[20:33]), weights173) == int(n[33]-'0')
	}
	var uspsFedex, uspsTypo string
	for uspsFedex == "" || uspsTypo == "" {
		n := impb()
		if fedex34(n) {
			uspsFedex = n
		}
		// A typo in the USPS check digit that FedEx's check happens to accept.
		b := []byte(n)
		b[33] = byte('0' + (int(b[33]-'0')+1)%10)
		if fedex34(string(b)) {
			uspsTypo = string(b)
		}
	}
	dpdFedex := both(t, func() string {
		s := g.digits(14)
		return s + itoa(checkMod10("", []byte(s), 1, 3, false))
	}, "DPD (14)", "FedEx Ground", true, true)

	tests := []struct {
		name, in        string
		number, carrier string
		valid           bool
		format          string
	}{
		// Old Dominion vs DHL Express: the fixed PRO prefix plus Luhn is the
		// more specific claim; naming DHL turns it round.
		{"OD vs DHL, bare", od, od, "old_dominion", true, "Old Dominion"},
		{"OD vs DHL, DHL named", "DHL Express waybill " + od, od, "dhl", true, "DHL Express"},
		// Purolator (12) vs FedEx Express (12): FedEx is the likelier holder,
		// unless the text names Purolator.
		{"Purolator vs FedEx, bare", puroFedex, puroFedex, "fedex", true, "FedEx Express (12)"},
		{"Purolator vs FedEx, Purolator named", "Purolator shipment " + puroFedex, puroFedex, "purolator", true, "Purolator (12)"},
		// Purolator alpha vs DHL Express Piece ID: both format-only; DHL's J
		// prefix is the more specific, unless Purolator is named.
		{"Purolator alpha vs DHL piece, bare", puroAlpha, puroAlpha, "dhl", true, "DHL Express (Piece ID)"},
		{"Purolator alpha vs DHL piece, named", "purolator: " + puroAlpha, puroAlpha, "purolator", true, "Purolator (alpha + 9)"},
		// USPS IMpb behind 420+ZIP+4 vs FedEx Express (34): USPS, whose
		// routing prefix is specific, even when only FedEx's check holds.
		{"IMpb 420 vs FedEx 34", uspsFedex, uspsFedex[12:], "usps", true, "USPS IMpb"},
		{"IMpb 420 typo vs FedEx 34", uspsTypo, uspsTypo[12:], "usps", false, "USPS IMpb"},
		// DPD (14) with a digit check character vs FedEx Ground (15 digits).
		{"DPD vs FedEx Ground, bare", dpdFedex, dpdFedex, "fedex", true, "FedEx Ground"},
		{"DPD vs FedEx Ground, DPD named", "DPD Paket " + dpdFedex, dpdFedex, "dpd", true, "DPD (14)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Detect(tt.in)
			if len(got) != 1 {
				t.Fatalf("Detect(%q) = %+v, want one candidate", tt.in, got)
			}
			c := got[0]
			if c.Number != tt.number || c.Carrier != tt.carrier || c.Valid != tt.valid || c.Format != tt.format {
				t.Errorf("Detect(%q) = %s %s valid=%v %q, want %s %s valid=%v %q",
					tt.in, c.Number, c.Carrier, c.Valid, c.Format, tt.number, tt.carrier, tt.valid, tt.format)
			}
		})
	}
}

// USPS 20 and USPS Legacy read the same 20 digits with and without an
// implied "91"; the implied digits add 9·3+1 = 28 to the sum, so no number
// passes both and the check digit alone says which one it is.
func TestUSPS20VersusLegacy(t *testing.T) {
	g := newGen(20)
	f20, fl := formatNamed(t, "USPS 20"), formatNamed(t, "USPS Legacy")
	seen20, seenLegacy := 0, 0
	for range 2000 {
		n := g.digits(20)
		if strings.HasPrefix(n, "00") {
			continue // an SSCC with AI 00 (DHL Paket), tested in formats_europe_test.go
		}
		_, a := verdict(f20, n)
		_, b := verdict(fl, n)
		if a.valid && b.valid {
			t.Fatalf("%s passes both USPS 20 and Legacy", n)
		}
		if a.valid || b.valid {
			want := "USPS 20"
			if b.valid {
				want = "USPS Legacy"
				seenLegacy++
			} else {
				seen20++
			}
			if got := Detect(n); len(got) != 1 || got[0].Format != want || got[0].Carrier != "usps" || got[0].Country != "US" {
				t.Fatalf("Detect(%s) = %+v, want %s", n, got, want)
			}
		}
	}
	if seen20 == 0 || seenLegacy == 0 {
		t.Fatalf("generator never hit both formats (%d, %d)", seen20, seenLegacy)
	}
}

// An S10 shape with an LX/RX/CN… service indicator is S10's to judge, even
// when its check digit fails: DHL eCommerce may not claim the typo.
func TestS10VersusDHLeCommerce(t *testing.T) {
	g := newGen(10)
	s := g.digits(8)
	good := "LX" + s + itoa(checkS10([]byte(s))) + "NL"
	bad := mutate(good, 10)
	for _, tc := range []struct {
		in    string
		valid bool
	}{{good, true}, {bad, false}} {
		got := Detect(tc.in)
		if len(got) != 1 || got[0].Format != "S10" || got[0].Valid != tc.valid || got[0].Country != "NL" {
			t.Errorf("Detect(%s) = %+v, want S10 valid=%v NL", tc.in, got, tc.valid)
		}
	}
}
