package tracker

// European carriers' formats, researched from the carriers' and GS1's own
// material; docs/tracking-formats-europe.md gives each rule its source.
// DHL Paket numbers are DHL's ("dhl": the DHL API tracks them); the rest
// have codes of their own and go to the aggregator.

var formats = append(coreFormats, europeFormats...)

var europeFormats = []*format{
	// An SSCC (GS1 logistic unit) printed with its application identifier
	// 00: 20 digits, the GS1 mod-10 check over the 17 digits after the
	// extension digit. DHL Paket prints its parcel numbers this way; the
	// same digits pass USPS 20's check (the weights line up), and "00" is
	// no USPS service code, so SSCC ranks above it.
	{name: "DHL Paket (SSCC)", carrier: "dhl", lens: []int{20}, rank: 74,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "00") || !env.digitsOnly(s) {
				return false
			}
			return m.check(checkMod10("", s[2:19], 3, 1, false) == digitAt(s, 19))
		},
		decode: dhlPaket},
	// JJD + digits: DHL Paket's international and Express-network parcel
	// numbers (13, 18 or 21 digits after JJD; Yodel's JJD + 16 is Yodel's).
	{name: "DHL Paket (JJD)", carrier: "dhl", lens: []int{16, 21, 24}, rank: 86,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "JJD") || !allDigits(s[3:]) {
				return false
			}
			return m.formatOnly()
		},
		decode: dhlPaket},
	// DHL Paket's 12-digit Identcode: mod 10 with weights 4 and 9. The same
	// shape is FedEx Express's, so it counts only where the text names DHL.
	{name: "DHL Paket (12)", carrier: "dhl", lens: []int{12}, rank: 20, weak: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			m.needName = true
			return m.check(checkMod10("", s[:11], 4, 9, false) == digitAt(s, 11))
		},
		decode: dhlPaket},
	// Hermes Germany: 14 digits, mod 10 with weights 3 and 1.
	{name: "Hermes (14)", carrier: "hermes", lens: []int{14}, rank: 15, weak: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			m.country = "DE"
			return m.check(checkMod10("", s[:13], 3, 1, false) == digitAt(s, 13))
		}},
	// Evri (Hermes UK): H + 15 digits, no published check digit; 16 bare
	// digits only where the text names Evri or Hermes.
	{name: "Evri (16)", carrier: "hermes", lens: []int{16}, rank: 60,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if s[0] == 'H' && allDigits(s[1:]) {
				m.country = "GB"
				m.needName = apart(env, 1)
				return m.formatOnly()
			}
			if !env.digitsOnly(s) {
				return false
			}
			m.country, m.needName, m.weak = "GB", true, true
			return m.formatOnly()
		}},
	// GLS: the 11- or 12-digit parcel number (depot, product, serial, check)
	// and the 8-character Track-ID. Both are too shapeless to claim text
	// on their own: only where the text names GLS.
	{name: "GLS", carrier: "gls", lens: []int{8, 11, 12}, rank: 12, weak: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			m.needName = true
			if len(s) == 8 {
				digits := 0
				for _, c := range s {
					if isDigit(c) {
						digits++
					}
				}
				if digits == 0 || digits == 8 {
					return false
				}
				return m.formatOnly()
			}
			if !env.digitsOnly(s) {
				return false
			}
			return m.formatOnly()
		}},
	// PostNL: 3S + the sender's 4-letter customer code + a 7–9 digit serial
	// (DHL Parcel Benelux uses 3S with a 3-letter code).
	{name: "PostNL (3S)", carrier: "postnl", lens: []int{12, 13, 14, 15}, rank: 87,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !hasPrefix(s, "3S") {
				return false
			}
			for letters := 3; letters <= 4; letters++ {
				body := s[2+letters:]
				if allUpper(s[2:2+letters]) && allDigits(body) && len(body) >= 7 && len(body) <= 9 {
					if letters == 3 {
						m.carrier = overDHL
					} else {
						m.country = "NL"
					}
					return m.formatOnly()
				}
			}
			return false
		},
		decode: func(_ []byte, m *formatMatch) {
			if m.carrier == overDHL {
				m.service = "DHL Parcel"
			}
		}},
	// InPost: 24 digits, no published check digit.
	{name: "InPost (24)", carrier: "inpost", lens: []int{24}, rank: 20, weak: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !env.digitsOnly(s) {
				return false
			}
			m.country = "PL"
			return m.formatOnly()
		}},
	// Colissimo and La Poste's tracked letters: a digit, a letter, 11 digits.
	{name: "Colissimo / La Poste", carrier: "colissimo", lens: []int{13}, rank: 84,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !isDigit(s[0]) || !isUpper(s[1]) || !allDigits(s[2:]) {
				return false
			}
			m.country = "FR"
			return m.formatOnly()
		}},
	// Correos: 23 characters, two letters, four letters or digits, 16
	// digits and a closing letter ("PQ…").
	{name: "Correos (23)", carrier: "correos", lens: []int{23}, rank: 84,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !allUpper(s[:2]) || !allDigits(s[6:22]) || !isUpper(s[22]) {
				return false
			}
			m.country = "ES"
			return m.formatOnly()
		}},
	// Poste Italiane's domestic parcels: a letter, 3 digits, a letter and
	// 8 digits, or 6 digits, a letter and 6 digits. Loose: only where the
	// text names Poste Italiane.
	{name: "Poste Italiane", carrier: "poste_italiane", lens: []int{13}, rank: 30, weak: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			a := isUpper(s[0]) && allDigits(s[1:4]) && isUpper(s[4]) && allDigits(s[5:])
			b := allDigits(s[:6]) && isUpper(s[6]) && allDigits(s[7:])
			if !a && !b {
				return false
			}
			m.country, m.needName = "IT", true
			return m.formatOnly()
		}},
	// Amazon's international numbers: A, F or C and ten digits, no check
	// digit (weakly evidenced, see the reference): a bare paste, after a
	// tracking word, or where the text names Amazon.
	{name: "Amazon International", carrier: "amazon", lens: []int{11}, rank: 25, weak: true,
		match: func(s []byte, env *matchEnv, m *formatMatch) bool {
			if !oneOf(s[0], "AFC") || !allDigits(s[1:]) {
				return false
			}
			m.needName = apart(env, 1) && len(env.ws) > 1
			return m.formatOnly()
		}},
}

func dhlPaket(_ []byte, m *formatMatch) { m.service = "DHL Paket" }

// apart: the span's first word is exactly the n-letter prefix, standing
// apart from the digits.
func apart(env *matchEnv, n int) bool {
	w := env.ws[0]
	return len(env.ws) > 1 && int(w.n1-w.n0) == n
}
