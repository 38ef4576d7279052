package tracker

import "strings"

// actionWords in a carrier's text mean the carrier waits for the recipient.
var actionWords = []string{"pay", "duty", "duties", "tax", "fee", "charge", "document", "invoice", "id required",
	"address", "contact us", "call us", "action required", "respond"}

// NeedsRecipient reports whether customs, an exception or a failed attempt
// whose carrier text asks for a payment, documents or an address needs the
// recipient rather than patience. Text saying it was done ("duties paid,
// released") does not count.
func NeedsRecipient(s Status, carrierText string) bool {
	if s != StatusCustoms && s != StatusException && s != StatusAttemptFailed {
		return false
	}
	t := strings.ToLower(carrierText)
	if strings.Contains(t, "paid") || strings.Contains(t, "released") {
		return false
	}
	for _, w := range actionWords {
		if strings.Contains(t, w) {
			return true
		}
	}
	return false
}
