package label

import (
	"cmp"
	"slices"
	"strings"

	"github.com/trackbot/trackbot/tracker"
)

// gs is ASCII 29, the group separator a reader puts where a GS1 barcode
// has an FNC1 after a variable-length field.
const gs = "\x1d"

// Candidates turns one decoded barcode payload into tracking-number
// candidates. Each reading of the payload goes through tracker.DetectWith,
// the same detection as pasted text, so check digits, carriers and typo rules
// are the ones the chat uses. Readings, in order:
//   - GS1 element strings (symbology identifier "]C1"/"]d2"/"]Q3", or a
//     payload that starts with an AI we know): SSCC (AI 00) and the USPS
//     IMpb routing field (AI 420 + ZIP or ZIP+4, then the number itself);
//   - the payload with separators replaced by spaces (FedEx 34-digit
//     barcodes, UPS 1Z, Amazon TBA, QR codes holding a URL or text).
//
// Only tracking and order candidates come back, valid ones first; a routing
// barcode ("420" + ZIP alone) yields none.
func Candidates(payload string, opt tracker.DetectOptions) []tracker.Candidate {
	var out []tracker.Candidate
	seen := map[string]bool{}
	fromGS1 := map[string]bool{}
	add := func(text string, gs1 bool) {
		for _, c := range tracker.DetectWith(text, opt) {
			if seen[c.Number] {
				continue
			}
			seen[c.Number] = true
			fromGS1[c.Number] = gs1
			out = append(out, c)
		}
	}
	body, gs1 := stripSymbology(payload)
	if gs1 || startsWithAI(body) {
		for _, r := range gs1Readings(body) {
			add(r, true)
		}
	}
	add(plain(body), false)
	// Valid numbers first, the strongest of them first: a payload of
	// several fields (a Royal Mail or USPS 2-D code) can hold a run of
	// digits whose one check digit holds by chance (1 in 10), while a
	// number with letters and a check digit (S10, 1Z, TBA) rarely does.
	// A field the GS1 structure names (SSCC, the number after 420) beats
	// a reading of the same digits as plain text.
	slices.SortStableFunc(out, func(a, b tracker.Candidate) int {
		return cmp.Compare(strength(b, fromGS1[b.Number]), strength(a, fromGS1[a.Number]))
	})
	return out
}

func strength(c tracker.Candidate, gs1 bool) int {
	s := 0
	if c.Valid {
		s += 2000
	}
	if c.Kind == tracker.KindTracking {
		s += 1000
	}
	if gs1 {
		s += 500
	}
	if strings.IndexFunc(c.Number, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		s += 100
	}
	return s + len(c.Number)
}

// stripSymbology removes a leading symbology identifier ("]C1", "]d2",
// "]Q3", "]e0") and reports whether it announced GS1 data.
func stripSymbology(p string) (string, bool) {
	if len(p) >= 3 && p[0] == ']' {
		id := p[1:3]
		switch id {
		case "C1", "d2", "Q3", "e0", "J1":
			return p[3:], true
		}
		return p[3:], false
	}
	return p, false
}

func startsWithAI(s string) bool {
	return strings.HasPrefix(s, "420") && allDigitsOrGS(s) || strings.HasPrefix(s, "00") && len(s) == 20 && allDigitsOrGS(s)
}

func allDigitsOrGS(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != 0x1d {
			return false
		}
	}
	return s != ""
}

// gs1Readings reads the AIs a shipping label carries. 00 is a fixed 18-digit
// SSCC; 420 (ship-to postal code, 5 or 9 digits) runs to the next
// separator; what follows 420 on an IMpb is the tracking number, not
// another AI.
func gs1Readings(s string) []string {
	var out []string
	switch {
	case strings.HasPrefix(s, "00") && len(s) >= 20:
		out = append(out, s[2:20])
		if rest := strings.TrimPrefix(s[20:], gs); rest != "" {
			out = append(out, gs1Readings(rest)...)
		}
	case strings.HasPrefix(s, "420"):
		field := s[3:]
		// Without the separator the plain reading serves: the detector
		// knows "420" + ZIP in front of an IMpb number.
		if zip, rest, ok := strings.Cut(field, gs); ok && (len(zip) == 5 || len(zip) == 9) {
			out = append(out, rest)
		}
	}
	return out
}

// plain makes a payload readable as text: separators and control
// characters become spaces.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
