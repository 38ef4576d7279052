package locale

// Country is the name of the country with ISO 3166 code code ("JP") in
// the printer's language ("Japan", "Japón"), as CLDR writes it; "" for a
// code that names no country.
func (p *Printer) Country(code string) string {
	names, ok := countryNames[code]
	if !ok {
		return ""
	}
	for i, l := range All {
		if l == p.lang {
			return names[i]
		}
	}
	return names[0]
}
