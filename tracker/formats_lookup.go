package tracker

// Decoding tables for the service and country fields that some formats
// carry (from the tracking-formats reference).

var upsServices = map[string]string{
	"01": "UPS Next Day Air",
	"02": "UPS 2nd Day Air",
	"03": "UPS Ground",
	"12": "UPS 3 Day Select",
	"13": "UPS Next Day Air Saver",
	"15": "UPS Next Day Air Early",
	"22": "UPS Ground, Returns Plus (three pickup attempts)",
	"32": "UPS Next Day Air Early, COD",
	"33": "UPS Next Day Air Early, Saturday delivery, COD",
	"41": "UPS Next Day Air Early, Saturday delivery",
	"42": "UPS Ground, signature required",
	"44": "UPS Next Day Air, Saturday delivery",
	"66": "UPS Worldwide Express",
	"72": "UPS Ground, collect on delivery",
	"78": "UPS Ground, Returns Plus (one pickup attempt)",
	"90": "UPS Ground, returns label",
	"A0": "UPS Next Day Air Early, adult signature",
	"A1": "UPS Next Day Air Early, Saturday delivery, adult signature",
	"A2": "UPS Next Day Air, adult signature",
	"A8": "UPS Ground, adult signature",
	"A9": "UPS Next Day Air Early, adult signature, COD",
	"AA": "UPS Next Day Air Early, Saturday delivery, adult signature, COD",
	"YW": "UPS SurePost (delivered by USPS)",
}

var upsWaybillServices = map[byte]string{
	'J': "UPS Next Day Express",
	'K': "UPS Ground",
	'V': "UPS Worldwide Express Saver",
}

// uspsServices decodes the 2-digit service code of USPS 20 and legacy numbers.
var uspsServices = map[string]string{
	"01": "Delivery Confirmation (Priority Mail or First-Class parcel)",
	"02": "Delivery Confirmation (Package Services, Parcel Select or Standard Mail)",
	"03": "Delivery Confirmation (retail)",
	"04": "Delivery Confirmation (retail)",
	"05": "Delivery Confirmation (Priority Mail or First-Class, insured over $50)",
	"06": "Delivery Confirmation (Package Services, insured over $50)",
	"07": "Delivery Confirmation (Priority Mail, insured $50 or under)",
	"08": "Delivery Confirmation (Package Services, insured $50 or under)",
	"14": "Delivery Confirmation (software vendor)",
	"21": "Signature Confirmation (Priority Mail or First-Class parcel)",
	"22": "Signature Confirmation (Package Services, Parcel Select or Standard Mail)",
	"23": "Signature Confirmation (retail)",
	"24": "Signature Confirmation (retail)",
	"25": "Signature Confirmation (Priority Mail or First-Class, insured)",
	"26": "Signature Confirmation (Package Services, insured)",
	"34": "Signature Confirmation (software vendor)",
	"56": "Passive enroute scan",
	"73": "Insured Mail (over $50)",
	"82": "Merchandise Return (Delivery Confirmation)",
	"83": "Merchandise Return (insured $50 or under)",
	"85": "Merchandise Return (insured over $50)",
}

// uspsIMpbServices decodes the IMpb application identifier (and the one
// service type code the reference lists).
var uspsIMpbServices = map[string]string{
	"92": "Commercial mailer",
	"93": "Commercial mailer",
	"94": "Online or vendor label",
	"95": "USPS Retail",
}

var dpdServices = map[string]string{
	"101": "DPD Classic",
	"102": "DPD Classic, hazardous goods",
	"105": "DPD Classic, ex works",
	"106": "DPD Classic, ex works, hazardous goods",
	"109": "DPD Classic, cash on delivery",
	"110": "DPD Classic, cash on delivery, hazardous goods",
	"113": "DPD Classic, exchange",
	"136": "DPD small parcel",
	"154": "DPD PARCELLetter",
	"155": "DPD Guarantee",
	"161": "DPD Guarantee, cash on delivery",
	"179": "DPD 10:00",
	"191": "DPD 10:00, cash on delivery",
	"225": "DPD 12:00",
	"237": "DPD 12:00, cash on delivery",
	"350": "DPD 8:30",
}

// s10Service decodes the two-letter S10 service indicator; first rule wins.
func s10Service(a, b byte) string {
	switch a {
	case 'E':
		return "EMS (international express)"
	case 'L':
		return "Letter post express"
	case 'M':
		return "Letter post M-bag"
	case 'Q':
		if b <= 'M' {
			return "International Business Reply"
		}
	case 'R':
		return "Registered letter post"
	case 'U':
		return "Letter post"
	case 'V':
		return "Insured letter post"
	case 'C':
		return "Parcel post"
	case 'H':
		return "Parcel post (e-commerce)"
	}
	switch {
	case a == 'B' || a == 'D' || a == 'N' || a == 'P' || a == 'Z',
		a == 'A' && b >= 'V',
		a == 'G' && (b == 'A' || b == 'D'):
		return "Domestic mail"
	}
	return ""
}

// upuMembers are the country codes the S10 courier lookup knows; an S10
// number from any other code is not valid. Indexed by the two letters, so
// the check is one load.
var upuMembers = func() (t [26][26]bool) {
	const list = "AE AF AG AL AM AO AR AT AU AZ BA BB BD BE BF BG BH BI BJ BN BO BR BS BT BW BY BZ " +
		"CA CD CF CG CH CI CL CM CN CO CR CU CV CY CZ DE DJ DK DM DO DZ EC EE EG ER ES ET FI FJ FR " +
		"GA GB GD GE GH GM GN GQ GR GT GW GY HK HN HR HT HU ID IE IL IN IQ IR IS IT JM JO JP KE KG " +
		"KH KI KM KN KP KR KW KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MG MK ML MM MN MR MT " +
		"MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OM PA PE PG PH PK PL PT PY QA RO RS RU RW SA " +
		"SB SC SD SE SG SI SK SL SM SN SO SR SS ST SV SY SZ TD TG TH TJ TL TM TN TO TR TT TV TZ UA " +
		"UG US UY UZ VA VC VE VN VU WS YE ZA ZM ZW"
	for i := 0; i+2 <= len(list); i += 3 {
		t[list[i]-'A'][list[i+1]-'A'] = true
	}
	return t
}()

// upuMember reports whether the upper-case letters a, b are a UPU member's code.
func upuMember(a, b byte) bool {
	return isUpper(a) && isUpper(b) && upuMembers[a-'A'][b-'A']
}

// countryCodes holds every pair of capital letters, so a country code read
// from a number is a string without allocating.
var countryCodes = func() string {
	b := make([]byte, 0, 26*26*2)
	for a := byte('A'); a <= 'Z'; a++ {
		for c := byte('A'); c <= 'Z'; c++ {
			b = append(b, a, c)
		}
	}
	return string(b)
}()

// countryCode returns the upper-case letters a, b as a string.
func countryCode(a, b byte) string {
	k := (int(a-'A')*26 + int(b-'A')) * 2
	return countryCodes[k : k+2]
}

// The service tables above, indexed by the code's characters: the look-up
// runs for every detected number, a map's hashing costs more than the
// check digit.
var (
	upsServiceCodes      = codeTable[[36 * 36]string](upsServices, func(k string) int { return code36(k[0])*36 + code36(k[1]) })
	uspsServiceCodes     = codeTable[[100]string](uspsServices, func(k string) int { return digits2([]byte(k)) })
	uspsIMpbServiceCodes = codeTable[[100]string](uspsIMpbServices, func(k string) int { return digits2([]byte(k)) })
	dpdServiceCodes      = codeTable[[1000]string](dpdServices, func(k string) int { return digits2([]byte(k))*10 + int(k[2]-'0') })
)

func codeTable[T [36 * 36]string | [100]string | [1000]string](m map[string]string, index func(string) int) (t T) {
	for k, v := range m {
		t[index(k)] = v
	}
	return t
}

// code36 is the value of a digit or upper-case letter, 0–35.
func code36(c byte) int {
	if isDigit(c) {
		return int(c - '0')
	}
	return int(c-'A') + 10
}

// digits2 is the number the first two digits of s write.
func digits2(s []byte) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
