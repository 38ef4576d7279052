package tracker

// Kind tells a tracking number from an order number.
type Kind string

const (
	KindTracking Kind = "tracking"
	KindOrder    Kind = "order" // an Amazon order number: not trackable, but worth explaining
)

// Candidate is one tracking-number (or order-number) candidate found in text.
type Candidate struct {
	Number  string // normalised: upper case, no spaces or dashes
	Carrier string // carrier code (contract list in shared/design.md)
	Service string // service decoded from the number, when the format tells it
	Valid   bool   // the check digit (and any other rule) holds
	Country string // ISO 3166 alpha-2 origin country (S10), or empty
	URL     string // the carrier's public tracking page, or empty
	Kind    Kind
	Format  string // format name, e.g. "UPS", "FedEx Express (12)", "S10"
	// Suggestion is the one number, one swap of two neighbouring characters
	// away, that would be valid; empty when there is none or several.
	Suggestion string
	Start, End int // byte span in the input text
}
