package locale

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countries are the CLDR region names in each language.
var countries = map[Lang]*display.Dictionary{
	EN: display.English, ES: display.Spanish, DE: display.German, FR: display.French,
	PT: display.BrazilianPortuguese, IT: display.Italian,
}

// Country is the name of the country with ISO 3166 code code ("JP") in
// the printer's language ("Japan", "Japón"); "" for a code that names no
// country.
func (p *Printer) Country(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return ""
	}
	return countries[p.lang].Regions().Name(r)
}
