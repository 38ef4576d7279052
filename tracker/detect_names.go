package tracker

// Carrier names in text. A text that names a carrier decides collisions
// ("Purolator 3…" is Purolator's, not FedEx's), lets a weak format through,
// and lifts a digit-only shape of that carrier with a failed check digit to
// a typo worth flagging ("my FedEx number is" + 12 digits).

// carrierNames are how people write each carrier's name, lower case, in the
// languages trackbot speaks (en es de fr pt it) and in Chinese, which
// shoppers paste from marketplace apps. ASCII names match as whole words
// only ("ups" is not in "groups"); the rest match anywhere.
var carrierNames = []struct {
	carrier string
	names   []string
}{
	{"fedex", []string{"fedex", "fed ex", "联邦快递", "联邦"}},
	{"dhl", []string{"dhl", "敦豪"}},
	{"dhl_ecommerce", []string{"dhl"}},
	{"ups", []string{"ups", "联合包裹"}},
	{"usps", []string{"usps", "us postal", "u.s. postal", "美国邮政"}},
	{"canada_post", []string{"canada post", "canadapost", "postes canada", "加拿大邮政"}},
	{"purolator", []string{"purolator"}},
	{"ontrac", []string{"ontrac"}},
	{"lasership", []string{"lasership"}},
	{"royal_mail", []string{"royal mail", "royalmail", "皇家邮政"}},
	{"dpd", []string{"dpd"}},
	{"old_dominion", []string{"odfl", "old dominion"}},
	{"amazon", []string{"amazon", "亚马逊"}},
	{"canpar", []string{"canpar"}},
	{"yodel", []string{"yodel"}},
	{"yunexpress", []string{"yunexpress", "yun express", "云途"}},
	{"hermes", []string{"hermes", "evri"}},
	{"gls", []string{"gls"}},
	{"postnl", []string{"postnl", "post nl"}},
	{"inpost", []string{"inpost"}},
	{"colissimo", []string{"colissimo", "la poste"}},
	{"correos", []string{"correos"}},
	{"poste_italiane", []string{"poste italiane", "posteitaliane"}},
}

// carrierBit numbers the carriers of carrierNames for a bit set.
var carrierBit = func() map[string]uint64 {
	m := map[string]uint64{}
	for k, cn := range carrierNames {
		m[cn.carrier] = 1 << k
	}
	return m
}()

// nameByFirst indexes every name by its first byte: (carrier index, name).
var nameByFirst = func() (t [256][]nameRef) {
	for k, cn := range carrierNames {
		for _, n := range cn.names {
			t[n[0]] = append(t[n[0]], nameRef{int8(k), n})
		}
	}
	return
}()

type nameRef struct {
	carrier int8
	name    string
}

// nameStart marks the bytes a name can start with (either case), so the
// pass below skips every other byte with one look-up.
var nameStart = func() (t [256]bool) {
	for c := range 256 {
		t[c] = len(nameByFirst[lowerASCII(byte(c))]) > 0
	}
	return
}()

// namePairs has, for each byte a name can start with (either case), a bit
// (the low six bits of the lower-cased byte) for each byte that can follow
// it: most words are ruled out by one look-up.
var namePairs = func() (t [256]uint64) {
	for c := range 256 {
		for _, r := range nameByFirst[lowerASCII(byte(c))] {
			t[c] |= 1 << (r.name[1] & 63)
		}
	}
	return
}()

// namedCarriers returns the bit set of carriers named in text, in one pass.
func namedCarriers(text string) uint64 {
	var set uint64
	for at := 0; at < len(text); at++ {
		if !nameStart[text[at]] || at > 0 && isASCIILetter(text[at-1]) {
			continue
		}
		refs := nameByFirst[lowerASCII(text[at])]
		for _, r := range refs {
			if !hasFoldAt(text, at, r.name) {
				continue
			}
			if end := at + len(r.name); r.name[0] < 0x80 && end < len(text) && isASCIILetter(text[end]) {
				continue // "upset" is not UPS
			}
			set |= 1 << r.carrier
		}
	}
	return set
}

// names is the set of carriers the text names, computed once per text:
// ASCII names are looked for only where the scanner's words start, and the
// text's bytes are walked only when it has non-ASCII characters (Chinese
// names).
func (sc *scanner) names() uint64 {
	if sc.namesDone {
		return sc.named
	}
	var set uint64
	if sc.nonASCII {
		set = namedCarriers(sc.text)
	} else {
		text := sc.text
		for k := range sc.words {
			at := int(sc.words[k].s0)
			if at+1 >= len(text) || namePairs[text[at]]&(1<<(lowerASCII(text[at+1])&63)) == 0 {
				continue // no name starts with these two letters
			}
			if at > 0 && isASCIILetter(text[at-1]) {
				continue // the word starts after a non-ASCII letter... or inside one
			}
			refs := nameByFirst[lowerASCII(text[at])]
			second := lowerASCII(text[at+1])
			for _, r := range refs {
				if r.name[1] != second || !hasFoldAt(text, at, r.name) {
					continue
				}
				if end := at + len(r.name); end < len(text) && isASCIILetter(text[end]) {
					continue
				}
				set |= 1 << r.carrier
			}
		}
	}
	sc.named, sc.namesDone = set, true
	return set
}

var glsBit = carrierBit["gls"]

// mentions reports whether the text names the carrier whose bit is b.
func (sc *scanner) mentions(b uint64) bool {
	return b != 0 && sc.names()&b != 0
}

// mentionsOther reports whether the text names some carrier and not this
// one (DHL's two codes count as one name).
func (sc *scanner) mentionsOther(b uint64) bool {
	return sc.names()&^b != 0 && !sc.mentions(b)
}
