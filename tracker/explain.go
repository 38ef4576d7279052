package tracker

import (
	"fmt"
	"strings"
)

// Explanations are plain text: the bot escapes them for Telegram's HTML parse
// mode, and `trackbot ask` prints them as they are. Each one says what the
// state means and what usually happens next, in our own words.

// Explain says, in plain words, what the status means and what happens next.
func (s Status) Explain() string {
	switch s {
	case StatusInfoReceived:
		return "Label created: the sender has printed a shipping label and told the carrier a parcel is coming, " +
			"but the carrier has not scanned it yet. The first real scan usually follows within a day or two, " +
			"once the parcel is picked up or dropped off. If it stays like this for several days, the seller may not have handed it over."
	case StatusInTransit:
		return "In transit: the carrier has the parcel and it is moving between its depots and sorting centres. " +
			"Quiet spells of a day or two between scans are normal, longer ones across borders. " +
			"Next comes arrival at your local depot and then \"Out for delivery\"."
	case StatusOutForDelivery:
		return "Out for delivery: the parcel is on the vehicle that delivers to your area and should arrive today, " +
			"usually by the evening. If nobody can take it, the courier may leave a notice, try again or take it to a pickup point."
	case StatusDelivered:
		return "Delivered: the carrier records that the parcel was handed over or left at the address (door, mailbox, " +
			"parcel locker, reception or a neighbour). If you cannot find it, look around and ask neighbours first; " +
			"if it is still missing after two days, contact customer service so they can open an investigation."
	case StatusAttemptFailed:
		return "Delivery attempted: the courier came but could not deliver, for example because nobody was home, " +
			"a signature was needed or the address could not be reached. Usually there is another attempt on the next working day, " +
			"or the parcel goes to a pickup point; look for a notice and check the carrier's page to rebook delivery or pick it up."
	case StatusAvailableForPickup:
		return "Ready for pickup: the parcel is waiting for you at a post office, pickup point or parcel locker. " +
			"Bring the pickup code or notice and an ID. It is held only for a limited time (often 5 to 14 days), then sent back to the sender."
	case StatusException:
		return "Exception: something interrupted the normal route, such as bad weather, a damaged label, an address problem, " +
			"a missed connection or a customs question. Many exceptions clear on their own within a day or two; " +
			"if it asks for something from you (address, payment, documents) or does not move on within a few days, contact customer service."
	case StatusCustoms:
		return "In customs: the parcel is being checked by customs in the destination (or transit) country. " +
			"Most parcels pass in a day or a few days without any action. Sometimes customs or the carrier waits for the recipient " +
			"to pay import duties or taxes or to send documents; watch for a message, letter or email from the carrier, " +
			"because a parcel nobody acts on is eventually returned or destroyed."
	case StatusReturned:
		return "Returned to sender: the parcel is on its way back to the sender, or already there, for example because it " +
			"could not be delivered, was refused or was not picked up in time. Contact the seller about a new delivery or a refund."
	case StatusExpired:
		return "Tracking expired: the carrier has stopped updating this number, often because the parcel was delivered long ago " +
			"or the tracking record is too old. If you never got the parcel, contact the seller or the carrier with the number."
	case StatusNotFound:
		return "Not found yet: the carrier does not know this number yet. That is normal for a day or two after a shipping notice, " +
			"before the first scan. If it stays unknown after two days, check the number for typos and ask the seller whether it has shipped."
	default:
		return "Waiting for the first update: the bot has not had an answer from the carrier about this number yet. " +
			"It checks again on its own and tells you as soon as something changes."
	}
}

// NextStep is one short line for a push or a look-up: what this status
// means for you and what, if anything, to do now. Explain is the long form.
func (s Status) NextStep() string {
	switch s {
	case StatusInfoReceived:
		return "The sender has made the label; the carrier hasn't picked it up yet. Nothing to do: the first scan usually comes within 1–2 days."
	case StatusInTransit:
		return "On its way. Nothing to do: I'll tell you when it's out for delivery."
	case StatusOutForDelivery:
		return "Arriving today, usually by evening. Make sure someone can take it, or set a safe place on the carrier's page."
	case StatusDelivered:
		return "Not there? Check the door, mailbox and neighbours; if it's still missing after 2 days, contact the carrier or seller."
	case StatusAttemptFailed:
		return "The courier couldn't deliver. Look for a notice card; on the carrier's page you can rebook or pick a pickup point."
	case StatusAvailableForPickup:
		return "Collect it soon with the notice or pickup code and an ID: it's held only for a limited time, then sent back."
	case StatusException:
		return "Something held it up. Most delays clear in 1–2 days; if the carrier asks you for something, answer quickly. If it hasn't moved in 3 days, I'll tell you whom to contact."
	case StatusCustoms:
		return "Usually clears in a few days with nothing to do. Watch your email and texts for a request to pay duties or send documents."
	case StatusReturned:
		return "It's going back to the sender. Contact the seller for a new delivery or a refund."
	case StatusExpired:
		return "The carrier no longer updates this number. If you never got the parcel, contact the seller."
	case StatusNotFound:
		return "Normal for a day or two after the shipping notice. If it stays unknown after 2 days, check the number or ask the seller."
	default:
		return "I haven't heard from the carrier yet. I'll keep checking and tell you when it moves."
	}
}

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

// actionNeeded is NextStepFor's line when the carrier waits for the recipient.
const actionNeeded = "Action needed from you: do what the carrier asks (pay, send documents or fix the address) on its page or in its message soon, or the parcel may be sent back."

// NextStepFor is NextStep, sharpened by the carrier's own words: customs or
// an exception that asks for a payment, documents or an address correction
// needs the recipient, not patience.
func (s Status) NextStepFor(carrierText string) string {
	if NeedsRecipient(s, carrierText) {
		return actionNeeded
	}
	return s.NextStep()
}

// Order-side stages people see on a shop's order page (Amazon's "Ordered",
// "Shipping soon") before a carrier is involved. They are not carrier
// statuses, so they are not Status values.
const (
	StageOrderPlaced  = "order_placed"
	StageShippingSoon = "shipping_soon"
)

// ExplainStage explains an order-side stage or, failing that, a status code.
func ExplainStage(stage string) string {
	switch stage {
	case StageOrderPlaced:
		return "Order placed: the shop has your order, but nothing has been packed or shipped yet, so there is no tracking number. " +
			"The seller prepares it next; once it ships you get a shipping confirmation, usually with a tracking number you can send me."
	case StageShippingSoon, "label_created":
		return "Shipping soon: the order is being packed and a shipping label may already exist, but the carrier has not picked it up. " +
			"Tracking usually starts within 24 to 48 hours of the shipping notice; until then the carrier may not know the number at all."
	}
	return Status(stage).Explain()
}

// ExplainInternational explains an international hand-off. country is the
// ISO 3166 alpha-2 code of the origin post of an S10 number (the last two
// letters of the number), or empty when unknown.
func ExplainInternational(country string) string {
	var b strings.Builder
	b.WriteString("International parcel: ")
	if country = strings.ToUpper(strings.TrimSpace(country)); country != "" {
		if name, ok := countryNames[country]; ok {
			fmt.Fprintf(&b, "the number ends in %s, so it was posted with the postal service of %s. ", country, name)
		} else {
			fmt.Fprintf(&b, "the number ends in %s, the code of the country whose postal service took it in. ", country)
		}
	}
	b.WriteString("Updates get rarer once a parcel leaves the country: it waits for a flight or ship, and scans can stop " +
		"for a week or more before it reaches the destination. At the border it is handed to the destination country's post " +
		"or a local carrier, sometimes under a new tracking number, so check the carrier's page for a second number. " +
		"Customs may hold it until the recipient pays import duties or taxes or provides documents; watch for a message from " +
		"the carrier or customs, because parcels are lost when nobody acts.")
	return b.String()
}

// ExplainAmazonReference explains Amazon's own shipment reference (TBA…)
// against a carrier's tracking number, and which site takes which.
func ExplainAmazonReference() string {
	return "Amazon numbers: an Amazon order number (like 123-1234567-1234567) identifies your order, not a parcel, " +
		"and only works in Your Orders on Amazon. A reference starting with TBA (or TBC, TBM) is Amazon Logistics' own tracking number " +
		"for a parcel Amazon delivers itself; it works on Amazon's tracking page (track.amazon.com) and in the Amazon app. " +
		"When Amazon hands the parcel to another carrier (UPS, USPS, DHL, a national post…), that carrier's tracking number " +
		"is shown under \"Track package\" and works on the carrier's own website, not on Amazon's."
}

// countryNames names the origin posts most often seen on S10 numbers; other
// codes are shown as they are.
var countryNames = map[string]string{
	"AE": "the United Arab Emirates", "AT": "Austria", "AU": "Australia", "BE": "Belgium", "BR": "Brazil",
	"CA": "Canada", "CH": "Switzerland", "CN": "China", "CZ": "Czechia", "DE": "Germany", "DK": "Denmark",
	"ES": "Spain", "FI": "Finland", "FR": "France", "GB": "the United Kingdom", "GR": "Greece",
	"HK": "Hong Kong", "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland", "IL": "Israel", "IN": "India",
	"IT": "Italy", "JP": "Japan", "KR": "South Korea", "LT": "Lithuania", "LV": "Latvia", "MX": "Mexico",
	"MY": "Malaysia", "NL": "the Netherlands", "NO": "Norway", "NZ": "New Zealand", "PH": "the Philippines",
	"PL": "Poland", "PT": "Portugal", "RO": "Romania", "RU": "Russia", "SE": "Sweden", "SG": "Singapore",
	"TH": "Thailand", "TR": "Türkiye", "UA": "Ukraine", "US": "the United States", "VN": "Vietnam",
	"ZA": "South Africa",
}
