package tracker

import "strconv"

// The format table: one entry per tracking-number format of the reference
// (tracking_number_data v2), written as plain Go over the compact number
// (upper-case [0-9A-Z], separators removed) instead of the data's PCRE
// patterns, three of which RE2 cannot run. Each matcher reports whether the
// shape fits and, for formats with a check digit, whether it holds.

// format describes one tracking-number format.
type format struct {
	name    string
	carrier string
	lens    []int // the compact lengths the format can have
	// rank orders formats that fit the same span equally well: specificity
	// first (letter prefixes, fixed digit prefixes), then how likely a
	// shopper is to hold that carrier's number.
	rank int
	// weak formats are digit-only or nearly shapeless with no check digit
	// worth the name; they are reported only for a bare paste or when the
	// text names the carrier.
	weak bool
	// reportInvalid: the shape alone is specific enough that a failed check
	// digit is worth calling a typo rather than "not a number".
	reportInvalid bool
	demo          bool
	match         func(s []byte, env *matchEnv, m *formatMatch) bool
	// decode fills in the strings a matched number tells beyond its
	// verdict (service, S10 country, rewritten number), from the span and
	// the verdict match set: the detector calls it only for the chosen
	// matches, without running the checks again. Nil: nothing to decode.
	decode func(s []byte, m *formatMatch)

	// Filled in at start-up, for the detector's hot path.
	idx   uint16  // index in formats
	bit   uint64  // carrierBit[carrier]
	url   urlPart // urlParts(carrier)
	shape shape   // formatShapes[name]
	named bool    // namedOnly[name]
	first string  // formatFirst[name]
}

// shape says what characters a format's numbers are made of, so the
// detector skips (without calling it) a matcher that would refuse a span
// at its first test.
type shape uint8

const (
	anyShape   shape = iota
	digitsOnly       // matches only spans of digits
	hasLetter        // matches only spans with a letter (prefix, country, …)
)

// formatShapes: every format whose matcher starts with allDigits(s), or
// with a letter test, says so here. A format left out is tried on every
// span of its lengths, which is always right, only slower.
var formatShapes = map[string]shape{
	"FedEx Express (12)": digitsOnly, "FedEx Ground": digitsOnly, "FedEx Ground (SSCC-18)": digitsOnly,
	"FedEx Ground 96 (22)": digitsOnly, "FedEx Express (34)": digitsOnly, "FedEx ASTRA (32)": digitsOnly,
	"FedEx Ground GSN": digitsOnly, "USPS 20": digitsOnly, "USPS Legacy": digitsOnly, "USPS IMpb": digitsOnly,
	"Canada Post (16)": digitsOnly, "DHL Express": digitsOnly, "DHL eCommerce (14)": digitsOnly,
	"Purolator (12)": digitsOnly, "Old Dominion": digitsOnly, "DHL Paket (SSCC)": digitsOnly,
	"DHL Paket (12)": digitsOnly, "Hermes (14)": digitsOnly, "InPost (24)": digitsOnly,

	"UPS": hasLetter, "UPS Waybill": hasLetter, "Amazon Logistics": hasLetter, "DHL Express (Piece ID)": hasLetter,
	"DHL eCommerce": hasLetter, "OnTrac": hasLetter, "LaserShip LX": hasLetter, "LaserShip 1LS7 (15)": hasLetter,
	"LaserShip 1LS7 (18)": hasLetter, "LaserShip 1LSCX (15)": hasLetter, "S10": hasLetter,
	"Purolator (alpha + 9)": hasLetter, "Canpar (22)": hasLetter, "Yodel": hasLetter, "YunExpress": hasLetter,
	"Spee-Dee (20)": hasLetter, "GOFO Express (US)": hasLetter, "Landmark Global LTN": hasLetter, "Demo": hasLetter,
	"DHL Paket (JJD)": hasLetter, "PostNL (3S)": hasLetter, "Colissimo / La Poste": hasLetter,
	"Correos (23)": hasLetter, "Poste Italiane": hasLetter, "Amazon International": hasLetter,
}

// formatFirst: the characters a format's numbers can start with, where
// they are fewer than its shape allows (a prefix, a leading digit). The
// detector tries a span only against the formats its first character
// admits (formatsByFirst). A format left out is tried on every span of its
// lengths and shape, which is always right, only slower.
var formatFirst = map[string]string{
	"UPS": "1", "UPS Waybill": "AHJKTV", "Amazon Logistics": "T", "Amazon order": "0123456789D",
	"FedEx Ground 96 (22)": "9", "FedEx Express (34)": "012345678", "FedEx ASTRA (32)": "3", "FedEx Ground GSN": "9",
	"USPS IMpb": "49", "DHL Express (Piece ID)": "J", "DHL eCommerce": "CGHILMRSTU", "OnTrac": "CD",
	"LaserShip LX": "L", "LaserShip 1LS7 (15)": "1", "LaserShip 1LS7 (18)": "1", "LaserShip 1LSCX (15)": "1",
	"Purolator (12)": "012345", "Canpar (22)": "CDKLSUXZ", "Yodel": "J", "YunExpress": "Y", "Spee-Dee (20)": "S",
	"GOFO Express (US)": "G", "Landmark Global LTN": "L", "Old Dominion": "078", "Demo": "D",
	"DHL Paket (SSCC)": "0", "DHL Paket (JJD)": "J", "PostNL (3S)": "3", "Amazon International": "AFC",
}

// namedOnly are the formats whose matcher always asks for the carrier's
// name (formatMatch.needName): where the text does not name it they are not
// tried at all.
var namedOnly = map[string]bool{"DHL Paket (12)": true, "GLS": true, "Poste Italiane": true}

func init() {
	for k, f := range formats {
		f.idx, f.bit, f.url = uint16(k), carrierBit[f.carrier], urlParts(f.carrier)
		f.shape, f.named, f.first = formatShapes[f.name], namedOnly[f.name], formatFirst[f.name]
	}
	for n, fs := range formatsByLen {
		for k := range alphabet36 {
			c := alphabet36[k]
			for _, f := range fs {
				if f.first != "" && !oneOf(c, f.first) || f.shape == digitsOnly && !isDigit(c) {
					continue
				}
				formatsByFirst[n][k] = append(formatsByFirst[n][k], f)
			}
		}
	}
}

// formatsByFirst indexes formatsByLen further by the span's first
// character (its code36 value): the formats that can match there.
var formatsByFirst [maxCompact + 1][36][]*format

// matchEnv is what a matcher may know beyond the compact characters.
type matchEnv struct {
	ws       []word // the words the span is made of
	orderCtx bool   // an order-ish word comes just before the span
	// digits: the span is known to be all digits (the detector looked), so
	// a matcher need not look again.
	digits bool
}

// digitsOnly reports whether the span s is all digits.
func (env *matchEnv) digitsOnly(s []byte) bool { return env.digits || allDigits(s) }

// formatMatch is a matcher's verdict. The verdict proper is free of
// pointers, so the detector resets it for every format it tries without
// write barriers; the strings are filled in by the format's decode, only
// for chosen matches (country may be set by the matcher: a constant).
type formatMatch struct {
	matchVerdict
	service string
	country string
	number  string // replaces the number outright (order numbers, demo, LaserShip -1)
}

type matchVerdict struct {
	checked bool // the format has a check digit (or other rule) that was tested
	valid   bool
	order   bool // an Amazon order number (KindOrder), not a tracking number
	weak    bool // this match is weak evidence even if the format is not
	// needName: taken only when the text names the carrier.
	needName bool
	carrier  carrierOverride // overrides format.carrier (S10 by country)
	numFrom  uint8           // leading characters to drop from the number (USPS routing prefix)
}

// carrierOverride names the carrier of a match when it is not its format's.
type carrierOverride uint8

const (
	sameCarrier carrierOverride = iota
	overRoyalMail
	overCanadaPost
	overUSPS
	overDHL
)

var overrideCodes = [...]string{overRoyalMail: "royal_mail", overCanadaPost: "canada_post", overUSPS: "usps", overDHL: "dhl"}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func allDigits[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func allUpper(s []byte) bool {
	for _, c := range s {
		if !isUpper(c) {
			return false
		}
	}
	return len(s) > 0
}

func hasPrefix(s []byte, p string) bool {
	return len(s) >= len(p) && string(s[:len(p)]) == p
}

func oneOf(c byte, set string) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}

// checked sets the verdict of a format with a check digit.
func (m *formatMatch) check(ok bool) bool {
	m.checked, m.valid = true, ok
	return true
}

// formatOnly sets the verdict of a format without a check digit.
func (m *formatMatch) formatOnly() bool {
	m.valid = true
	return true
}

var coreFormats = []*format{
	{name: "UPS", carrier: "ups", lens: []int{18}, rank: 95, reportInvalid: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "1Z") || !isDigit(s[17]) {
				return false
			}
			return m.check(checkMod10("", s[2:17], 1, 2, false) == digitAt(s, 17))
		},
		decode: func(s []byte, m *formatMatch) { m.service = upsServiceCodes[code36(s[8])*36+code36(s[9])] }},
	{name: "UPS Waybill", carrier: "ups", lens: []int{11}, rank: 60,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !oneOf(s[0], "AHJKTV") || !allDigits(s[1:]) {
				return false
			}
			return m.check(checkMod10("", s[1:10], 1, 2, false) == digitAt(s, 10))
		},
		decode: func(s []byte, m *formatMatch) { m.service = upsWaybillServices[s[0]] }},
	{name: "Amazon Logistics", carrier: "amazon", lens: []int{15}, rank: 96,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "TB") || !oneOf(s[2], "ACM") || !allDigits(s[3:]) {
				return false
			}
			switch s[2] {
			case 'A':
				m.country = "US"
			case 'C':
				m.country = "CA"
			case 'M':
				m.country = "MX"
			}
			return m.formatOnly()
		}},
	{name: "Amazon order", carrier: "amazon", lens: []int{17}, rank: 97, match: matchAmazonOrder},
	{name: "FedEx Express (12)", carrier: "fedex", lens: []int{12}, rank: 50,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			return m.check(checkSumProduct(s[:11], weights317) == digitAt(s, 11))
		}},
	{name: "FedEx Ground", carrier: "fedex", lens: []int{15}, rank: 50,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			return m.check(checkMod10("", s[:14], 1, 3, false) == digitAt(s, 14))
		}},
	{name: "FedEx Ground (SSCC-18)", carrier: "fedex", lens: []int{18}, rank: 50,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			return m.check(checkMod10("", s[2:17], 3, 1, false) == digitAt(s, 17))
		}},
	{name: "FedEx Ground 96 (22)", carrier: "fedex", lens: []int{22}, rank: 70, reportInvalid: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "96") || !env.digitsOnly(s) {
				return false
			}
			return m.check(checkMod10("", s[7:21], 1, 3, false) == digitAt(s, 21))
		}},
	{name: "FedEx Express (34)", carrier: "fedex", lens: []int{34}, rank: 55,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if s[0] == '9' || !env.digitsOnly(s) {
				return false
			}
			// 420 + ZIP+4 + a USPS application identifier is a USPS routing
			// barcode even when its check digit fails (a typo): FedEx's own
			// check passes one such number in ten and must not claim it.
			if hasPrefix(s, "420") && s[12] == '9' && oneOf(s[13], "12345") {
				return false
			}
			return m.check(checkSumProduct(s[20:33], weights173) == digitAt(s, 33))
		}},
	{name: "FedEx ASTRA (32)", carrier: "fedex", lens: []int{32}, rank: 55,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if s[0] != '3' || !env.digitsOnly(s) {
				return false
			}
			return m.check(checkSumProduct(s[16:27], weights317) == digitAt(s, 27))
		}},
	{name: "FedEx Ground GSN", carrier: "fedex", lens: []int{34}, rank: 70,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "96") || !env.digitsOnly(s) {
				return false
			}
			return m.check(checkSumProduct(s[20:33], weights173) == digitAt(s, 33))
		}},
	{name: "USPS 20", carrier: "usps", lens: []int{20}, rank: 72,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			m.country = "US"
			return m.check(checkMod10("", s[:19], 3, 1, false) == digitAt(s, 19))
		},
		decode: func(s []byte, m *formatMatch) { m.service = uspsServiceCodes[digits2(s)] }},
	{name: "USPS Legacy", carrier: "usps", lens: []int{20, 22, 28, 30, 32, 34}, rank: 71, match: matchUSPSLegacy,
		decode: decodeUSPSLegacy},
	{name: "USPS IMpb", carrier: "usps", lens: []int{22, 26, 30, 34}, rank: 90, reportInvalid: true, match: matchIMpb,
		decode: decodeIMpb},
	{name: "Canada Post (16)", carrier: "canada_post", lens: []int{16}, rank: 50,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			m.country = "CA"
			return m.check(checkMod10("", s[:15], 3, 1, false) == digitAt(s, 15))
		}},
	{name: "DHL Express", carrier: "dhl", lens: []int{10, 11}, rank: 52,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			return m.check(checkMod7(s[:len(s)-1]) == digitAt(s, len(s)-1))
		}},
	{name: "DHL Express (Piece ID)", carrier: "dhl", lens: []int{12, 13, 14}, rank: 80,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if s[0] != 'J' {
				return false
			}
			// Split off as its own word the prefix must be a known one,
			// not any J-word ("JAN 123456789").
			if w := env.ws[0]; len(env.ws) > 1 && w.alpha {
				if p := string(s[:w.n1-w.n0]); p != "JJD" && p != "JVGL" {
					return false
				}
			}
			for letters := 2; letters <= 3; letters++ {
				body := s[1+letters:]
				if allUpper(s[1:1+letters]) && allDigits(body) && len(body) >= 9 && len(body) <= 10 {
					return m.formatOnly()
				}
			}
			return false
		}},
	{name: "DHL eCommerce", carrier: "dhl_ecommerce", lens: rangeInts(12, maxCompact), rank: 40, match: matchDHLeCommerce},
	{name: "DHL eCommerce (14)", carrier: "dhl_ecommerce", lens: []int{14}, rank: 10, weak: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			return m.formatOnly()
		}},
	{name: "OnTrac", carrier: "ontrac", lens: []int{15}, rank: 85, reportInvalid: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if (s[0] != 'C' && s[0] != 'D') || !allDigits(s[1:]) {
				return false
			}
			prefix := "4"
			if s[0] == 'D' {
				prefix = "5"
			}
			if s[1] == prefix[0] {
				prefix = ""
			}
			return m.check(checkMod10(prefix, s[1:14], 1, 2, false) == digitAt(s, 14))
		}},
	{name: "LaserShip LX", carrier: "lasership", lens: []int{10}, rank: 80,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if s[0] != 'L' || !oneOf(s[1], "AIEHNX") || !oneOf(s[2], "123") || !allDigits(s[3:]) {
				return false
			}
			return m.formatOnly()
		}},
	{name: "LaserShip 1LS7 (15)", carrier: "lasership", lens: []int{15}, rank: 80,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "1LS7") || !oneOf(s[4], "12") || !allDigits(s[5:]) {
				return false
			}
			return m.formatOnly()
		}},
	{name: "LaserShip 1LS7 (18)", carrier: "lasership", lens: []int{17}, rank: 81,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			// The printed form ends in a literal "-1": it must be there.
			last := env.ws[len(env.ws)-1]
			if len(env.ws) < 2 || last.sep != '-' || last.n1-last.n0 != 1 || s[16] != '1' {
				return false
			}
			if !hasPrefix(s, "1LS7") || !oneOf(s[4], "12") || !allDigits(s[5:]) ||
				string(s[7:9]) != "01" || !oneOf(s[9], "1234") {
				return false
			}
			return m.formatOnly()
		},
		decode: func(s []byte, m *formatMatch) { m.number = string(s[:16]) + "-1" }},
	{name: "LaserShip 1LSCX (15)", carrier: "lasership", lens: []int{15}, rank: 80,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "1LSCX") {
				return false
			}
			return m.formatOnly()
		}},
	{name: "S10", carrier: "s10", lens: []int{13}, rank: 88, reportInvalid: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !allUpper(s[:2]) || !allDigits(s[2:11]) || !allUpper(s[11:]) {
				return false
			}
			if !upuMember(s[11], s[12]) {
				return false
			}
			switch string(s[11:13]) {
			case "GB":
				m.carrier = overRoyalMail
			case "CA":
				m.carrier = overCanadaPost
			case "US":
				m.carrier = overUSPS
			}
			return m.check(checkS10(s[2:10]) == digitAt(s, 10))
		},
		decode: func(s []byte, m *formatMatch) {
			m.country, m.service = countryCode(s[11], s[12]), s10Service(s[0], s[1])
		}},
	{name: "Purolator (12)", carrier: "purolator", lens: []int{12}, rank: 30, weak: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if s[0] > '5' || !env.digitsOnly(s) {
				return false
			}
			m.country = "CA"
			return m.check(checkLuhn(s[:11]) == digitAt(s, 11))
		}},
	{name: "Purolator (alpha + 9)", carrier: "purolator", lens: []int{12}, rank: 30, weak: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !allUpper(s[:3]) || !allDigits(s[3:]) {
				return false
			}
			// Three letters standing apart are most likely a word ("ZIP
			// 627041234", "REF …"): only the carrier's name makes them a number.
			m.needName = env.ws[0].n1-env.ws[0].n0 == 3 && len(env.ws) > 1
			m.country = "CA"
			return m.formatOnly()
		}},
	{name: "Canpar (22)", carrier: "canpar", lens: []int{22}, rank: 75,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !oneOf(s[0], "CDKLSUXZ") || !allDigits(s[1:]) {
				return false
			}
			m.country = "CA"
			return m.formatOnly()
		}},
	{name: "DPD (28)", carrier: "dpd", lens: []int{28}, rank: 45,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !allDigits(s[:27]) {
				return false
			}
			return m.check(checkMod3736(s[:27]) == s[27])
		},
		decode: func(s []byte, m *formatMatch) { m.service = dpdServiceCodes[digits2(s[21:])*10+int(s[23]-'0')] }},
	{name: "DPD (14)", carrier: "dpd", lens: []int{15}, rank: 45,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !allDigits(s[:14]) {
				return false
			}
			return m.check(checkMod3736(s[:14]) == s[14])
		}},
	{name: "Yodel", carrier: "yodel", lens: []int{18, 19}, rank: 86,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			p := "JD"
			if len(s) == 19 {
				p = "JJD"
			}
			if !hasPrefix(s, p) || !allDigits(s[len(p):]) {
				return false
			}
			m.country = "GB"
			return m.formatOnly()
		}},
	{name: "YunExpress", carrier: "yunexpress", lens: []int{18}, rank: 86,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "YT") || !allDigits(s[2:]) {
				return false
			}
			return m.formatOnly()
		}},
	{name: "Spee-Dee (20)", carrier: "speedee", lens: []int{20}, rank: 86,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "SP") || !allDigits(s[2:]) {
				return false
			}
			return m.formatOnly()
		}},
	{name: "GOFO Express (US)", carrier: "gofo", lens: []int{18}, rank: 86,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "GFUS") || !allDigits(s[4:]) {
				return false
			}
			return m.formatOnly()
		}},
	{name: "Landmark Global LTN", carrier: "landmark", lens: []int{13}, rank: 86,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "LTN") || !allDigits(s[3:11]) || string(s[11:]) != "N1" {
				return false
			}
			return m.formatOnly()
		}},
	// Above DHL Express (52): an 11-digit number that passes both is far
	// likelier a PRO number (fixed prefix and Luhn: about 1 in 2,500 random
	// numbers) than an 11-digit waybill that hit that prefix (mod 7: 1 in 7).
	{name: "Old Dominion", carrier: "old_dominion", lens: []int{11}, rank: 53,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			if !hasPrefix(s, "777") && !hasPrefix(s, "778") && !hasPrefix(s, "072") &&
				!hasPrefix(s, "780") && !hasPrefix(s, "80") {
				return false
			}
			return m.check(checkLuhn(s[:10]) == digitAt(s, 10))
		}},
	{name: "Demo", carrier: "demo", lens: []int{5, 6}, rank: 99, demo: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "DEMO") || !allDigits(s[4:]) {
				return false
			}
			return m.formatOnly()
		},
		decode: func(s []byte, m *formatMatch) {
			n, _ := strconv.Atoi(string(s[4:]))
			m.number = "DEMO" + strconv.Itoa(n)
		}},
}

// maxCompact is the longest compact number any format takes.
const maxCompact = 41

// minCompact is the shortest real (non-demo) format.
const minCompact = 10

func rangeInts(lo, hi int) []int {
	var r []int
	for i := lo; i <= hi; i++ {
		r = append(r, i)
	}
	return r
}

// formatsByLen indexes formats by the compact lengths they accept.
var formatsByLen = func() (t [maxCompact + 1][]*format) {
	for _, f := range formats {
		for _, n := range f.lens {
			t[n] = append(t[n], f)
		}
	}
	return t
}()

// matchAmazonOrder recognises Amazon order ids: 3-7-7 digits (or D01-7-7)
// written with dashes, or 17 bare digits right after an order-ish word.
// They are not trackable, so they are never Valid.
func matchAmazonOrder(s []byte, env *matchEnv, m *formatMatch) bool {
	digital := hasPrefix(s, "D01")
	if !digital && !isDigit(s[0]) || !allDigits(s[1:]) {
		return false
	}
	ws := env.ws
	dashed := len(ws) == 3 && ws[1].sep == '-' && ws[2].sep == '-' &&
		ws[0].n1-ws[0].n0 == 3 && ws[1].n1-ws[1].n0 == 7 && ws[2].n1-ws[2].n0 == 7
	if !dashed && !env.orderCtx {
		return false
	}
	m.order = true // the number is written 3-7-7 with dashes (see candidate)
	return true    // Valid stays false: an order number is not a tracking number
}

// matchUSPSLegacy: optional 420+ZIP5(+4) routing, optional 91 application
// identifier, then 2+9+8 digits and a check digit; the check runs as if 91
// were always present.
func matchUSPSLegacy(s []byte, env *matchEnv, m *formatMatch) bool {
	if !env.digitsOnly(s) {
		return false
	}
	body := s
	switch len(s) {
	case 28, 30:
		if !hasPrefix(s, "420") {
			return false
		}
		body = s[8:]
	case 32, 34:
		if !hasPrefix(s, "420") {
			return false
		}
		body = s[12:]
	}
	if len(body) == 22 && !hasPrefix(body, "91") {
		return false
	}
	m.numFrom = uint8(len(s) - len(body))
	serial := body[:len(body)-1]
	prefix := "91"
	if hasPrefix(serial, "91") {
		prefix = ""
	}
	m.country = "US"
	return m.check(checkMod10(prefix, serial, 3, 1, false) == digitAt(body, len(body)-1))
}

// decodeUSPSLegacy reads the service code after the routing prefix (and
// the 91 application identifier, when written).
func decodeUSPSLegacy(s []byte, m *formatMatch) {
	body := s[m.numFrom:]
	svc := body[:2]
	if len(body) == 22 {
		svc = body[2:4]
	}
	m.service = uspsServiceCodes[digits2(svc)]
}

// matchIMpb covers USPS IMpb constructs N (AI 94) and C (AI 92, 93, 95):
// an optional 420+ZIP routing prefix, then a 22-, 26- or 30-digit tracking
// part whose Mailer ID length (9 digits when it starts with 9, else 6) must
// agree with the package-ID length. RE2 cannot say this; Go can.
func matchIMpb(s []byte, env *matchEnv, m *formatMatch) bool {
	if !env.digitsOnly(s) {
		return false
	}
	// Try the bare tracking part first, then 420+ZIP5, then 420+ZIP5+4.
	for _, skip := range [...]int{0, 8, 12} {
		if skip > 0 && !hasPrefix(s, "420") {
			break
		}
		if len(s)-skip < 22 {
			break
		}
		t := s[skip:]
		if !impbShape(t) {
			continue
		}
		if skip == 8 && len(t) != 22 && len(t) != 26 {
			continue
		}
		if skip == 12 && len(t) != 22 {
			continue
		}
		m.numFrom = uint8(skip)
		m.country = "US"
		reverse := t[1] == '4' // construct N is specified right to left
		return m.check(checkMod10("", t[:len(t)-1], 3, 1, reverse) == digitAt(t, len(t)-1))
	}
	return false
}

// decodeIMpb reads the application identifier after the routing prefix.
func decodeIMpb(s []byte, m *formatMatch) {
	t := s[m.numFrom:]
	m.service = uspsIMpbServiceCodes[digits2(t)]
	if string(t[2:5]) == "612" && t[1] != '4' { // construct C's one service code
		m.service = "Parcel Select"
	}
}

// impbShape checks an IMpb tracking part: AI, 3-digit service type,
// Mailer ID and package ID of matching lengths, check digit.
func impbShape(t []byte) bool {
	if t[0] != '9' || !oneOf(t[1], "2345") {
		return false
	}
	mid9 := t[5] == '9'
	switch t[1] {
	case '2':
		if !mid9 {
			return false
		}
	case '3':
		if mid9 {
			return false
		}
	}
	switch len(t) {
	case 22, 26:
		return true
	case 30:
		return t[1] == '4' && mid9 // only construct N has a 15-digit package ID
	}
	return false
}

// matchDHLeCommerce: a DHL eCommerce prefix and 10–39 more characters.
// The data only asks for one digit among them, which lets words like
// "INVOICE1" through; we ask for at least 8 digits and at most 2 letters.
func matchDHLeCommerce(s []byte, env *matchEnv, m *formatMatch) bool {
	p := string(s[:2])
	switch p {
	case "GM", "LX", "RX", "UV", "CN", "SG", "TH", "IN", "HK", "MY":
	default:
		return false
	}
	// These prefixes are English words or common abbreviations: when the
	// prefix stands apart from the digits it is most likely just a word.
	if len(env.ws) > 1 && env.ws[0].n1-env.ws[0].n0 == 2 && p != "GM" {
		return false
	}
	// An S10 shape belongs to S10, which has a check digit to judge it by.
	if len(s) == 13 && allUpper(s[11:]) && allDigits(s[2:11]) {
		return false
	}
	// Only GM numbers are common enough to report on shape alone.
	m.weak = p != "GM"
	digits, letters := 0, 0
	for _, c := range s[2:] {
		if isDigit(c) {
			digits++
		} else {
			letters++
		}
	}
	// GM numbers carry letters inside ("GM…ABC"): up to six after a digit.
	maxLetters := 2
	if p == "GM" && isDigit(s[2]) {
		maxLetters = 6
	}
	if digits < 8 || letters > maxLetters {
		return false
	}
	return m.formatOnly()
}

// FormatNames lists the number formats detected as carrier's, for
// `trackbot carriers`.
func FormatNames(carrier string) []string {
	var out []string
	for _, f := range formats {
		if f.carrier == carrier && !f.demo {
			out = append(out, f.name)
		}
	}
	return out
}
