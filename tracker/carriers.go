package tracker

import (
	"net/url"
	"slices"
	"strings"
)

// CarrierInfo is what the bot shows about a carrier.
type CarrierInfo struct {
	Code string
	Name string
	// URL is the public tracking page; %s is replaced by the number
	// (query-escaped). Empty when the carrier has no page we can link.
	URL string
	// Contact is the carrier's customer-service page.
	Contact string
}

// carriers by detection code. URLs are the carriers' current public pages.
var carriers = map[string]CarrierInfo{
	"amazon":         {"amazon", "Amazon Logistics", "https://track.amazon.com/tracking/%s", "https://www.amazon.com/gp/help/customer/contact-us"},
	"ups":            {"ups", "UPS", "https://www.ups.com/track?loc=en_US&tracknum=%s", "https://www.ups.com/us/en/support/contact-us.page"},
	"usps":           {"usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels=%s", "https://www.usps.com/help/contact-us.htm"},
	"fedex":          {"fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr=%s", "https://www.fedex.com/en-us/customer-support.html"},
	"dhl":            {"dhl", "DHL", "https://www.dhl.com/global-en/home/tracking.html?tracking-id=%s&submit=1", "https://www.dhl.com/global-en/home/customer-service.html"},
	"dhl_ecommerce":  {"dhl_ecommerce", "DHL eCommerce", "https://www.dhl.com/global-en/home/tracking/tracking-ecommerce.html?submit=1&tracking-id=%s", "https://www.dhl.com/global-en/home/customer-service.html"},
	"ontrac":         {"ontrac", "OnTrac", "https://www.ontrac.com/tracking/?number=%s", "https://www.ontrac.com/contact-us/"},
	"lasership":      {"lasership", "LaserShip (OnTrac)", "https://www.ontrac.com/tracking/?number=%s", "https://www.ontrac.com/contact-us/"},
	"canada_post":    {"canada_post", "Canada Post", "https://www.canadapost-postescanada.ca/track-reperage/en#/search?searchFor=%s", "https://www.canadapost-postescanada.ca/cpc/en/support.page"},
	"royal_mail":     {"royal_mail", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/%s", "https://www.royalmail.com/contact-us"},
	"s10":            {"s10", "International post", "https://t.17track.net/en#nums=%s", ""},
	"purolator":      {"purolator", "Purolator", "https://www.purolator.com/en/shipping/tracker?searchValue=%s", "https://www.purolator.com/en/support"},
	"canpar":         {"canpar", "Canpar", "https://www.canpar.com/en/track/tracking.jsp?reference=%s&locale=en", "https://www.canpar.com/en/contact-us"},
	"dpd":            {"dpd", "DPD", "https://www.dpdgroup.com/nl/mydpd/my-parcels/track?lang=en&parcelNumber=%s", "https://www.dpd.com/"},
	"yodel":          {"yodel", "Yodel", "https://www.yodel.co.uk/tracking/%s", "https://www.yodel.co.uk/help-centre"},
	"yunexpress":     {"yunexpress", "YunExpress", "https://www.yuntrack.com/parcelTracking?id=%s", "https://www.yunexpress.com/"},
	"speedee":        {"speedee", "Spee-Dee Delivery", "https://www.speedeedelivery.com/track/?tracking=%s", "https://www.speedeedelivery.com/contact/"},
	"gofo":           {"gofo", "GOFO Express", "https://www.gofoexpress.com/tracking.html?searchID=%s", "https://www.gofoexpress.com/"},
	"landmark":       {"landmark", "Landmark Global", "https://track.landmarkglobal.com/?search=%s", "https://landmarkglobal.com/contact/"},
	"old_dominion":   {"old_dominion", "Old Dominion Freight Line", "https://www.odfl.com/us/en/tools/trace-track-ltl-freight/trace.html?proNumbers=%s", "https://www.odfl.com/us/en/contact-us.html"},
	"hermes":         {"hermes", "Hermes / Evri", "https://www.myhermes.de/empfangen/sendungsverfolgung/sendungsinformation#%s", "https://www.myhermes.de/service/kontakt/"},
	"gls":            {"gls", "GLS", "https://gls-group.com/track/%s", "https://gls-group.com/"},
	"postnl":         {"postnl", "PostNL", "https://jouw.postnl.nl/track-and-trace/%s", "https://www.postnl.nl/klantenservice/"},
	"inpost":         {"inpost", "InPost", "https://inpost.pl/sledzenie-przesylek?number=%s", "https://inpost.pl/pomoc"},
	"colissimo":      {"colissimo", "Colissimo / La Poste", "https://www.laposte.fr/outils/suivre-vos-envois?code=%s", "https://www.laposte.fr/aide"},
	"correos":        {"correos", "Correos", "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number=%s", "https://www.correos.es/es/es/atencion-al-cliente"},
	"poste_italiane": {"poste_italiane", "Poste Italiane", "https://www.poste.it/cerca/index.html#/risultati-spedizioni/%s", "https://www.poste.it/assistenza.html"},
	"demo":           {"demo", "Demo Express", "", ""},
}

// Carrier returns what is known of a carrier code; unknown codes get the code as name.
func Carrier(code string) CarrierInfo {
	if c, ok := carriers[code]; ok {
		return c
	}
	return CarrierInfo{Code: code, Name: strings.ToUpper(code)}
}

// CarrierCodes lists every carrier code trackbot knows, for /carrier.
func CarrierCodes() []string {
	codes := make([]string, 0, len(carriers))
	for c := range carriers {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes
}

// TrackingURL is the carrier's public tracking page for number, or "".
func TrackingURL(carrier, number string) string {
	c := Carrier(carrier)
	if c.URL == "" || number == "" {
		return ""
	}
	return strings.Replace(c.URL, "%s", url.QueryEscape(TrackableNumber(carrier, number)), 1)
}

// urlPart is a carrier's tracking-page template split at its %s.
type urlPart struct {
	pre, post string
	ok        bool
}

// urlPartsByCarrier lets Detect build URLs by concatenation: a detected
// number is [0-9A-Z-], which query escaping leaves as it is.
var urlPartsByCarrier = func() map[string]urlPart {
	m := map[string]urlPart{}
	for code, c := range carriers {
		if pre, post, ok := strings.Cut(c.URL, "%s"); ok {
			m[code] = urlPart{pre, post, true}
		}
	}
	return m
}()

func urlParts(carrier string) urlPart { return urlPartsByCarrier[carrier] }
