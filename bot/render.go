package bot

import (
	"html"
	"strings"
	"unicode/utf16"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/tracker"
)

// MaxMessage is Telegram's message length limit. Split keeps a margin because
// Telegram counts after entity parsing and we count the raw HTML, which is
// never shorter.
const (
	MaxMessage = 4096
	splitAt    = 4000
)

// Reply is one message the engine wants shown, in Telegram HTML.
type Reply struct {
	Text       string
	Buttons    [][]Button
	ForceReply bool   // ask the user to reply to this message (rename prompt)
	Hint       string // with ForceReply: the input field's placeholder
	Edit       bool   // replace the message whose button was pressed, instead of sending
	// DedupeKey, when set, replaces the per-update outbox key, so replies
	// to several updates (the photos of one album) go out once.
	DedupeKey string
}

// Button is an inline button: callback data, a link, or text to copy.
type Button struct {
	Text string
	Data string
	URL  string
	Copy string // copied to the clipboard when pressed (copy_text, Bot API 7.11)
}

// esc escapes user- or carrier-provided text for HTML parse mode.
func esc(s string) string { return html.EscapeString(s) }

// units is the length of s in UTF-16 code units, as Telegram counts.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Split cuts an HTML message into parts under Telegram's limit at line
// breaks. Lines are built balanced (every tag closed on its line), so a cut
// between lines never breaks markup. A single line longer than the limit is
// cut at rune boundaries after its tags are stripped.
func Split(text string) []string {
	if units(text) <= splitAt {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	curUnits := 0 // kept as we go: re-measuring cur each line is quadratic
	flush := func() {
		if s := strings.TrimRight(cur.String(), "\n"); strings.TrimSpace(s) != "" {
			parts = append(parts, s)
		}
		cur.Reset()
		curUnits = 0
	}
	for _, line := range strings.Split(text, "\n") {
		n := units(line)
		if n > splitAt {
			flush()
			parts = append(parts, cutPlain(stripTags(line))...)
			continue
		}
		if curUnits+n+1 > splitAt {
			flush()
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		curUnits += n + 1
	}
	flush()
	return parts
}

// cutPlain cuts plain text into escaped parts of at most splitAt units as
// shown. It cuts before escaping, so no cut falls inside an entity, and
// drops blank parts, which Telegram refuses.
func cutPlain(plain string) []string {
	var parts []string
	start, n := 0, 0
	emit := func(end int) {
		if s := plain[start:end]; strings.TrimSpace(s) != "" {
			parts = append(parts, esc(s))
		}
		start, n = end, 0
	}
	for i, r := range plain {
		u := utf16.RuneLen(r) // ranging a string never yields a surrogate: always 1 or 2
		if n+u > splitAt {
			emit(i)
		}
		n += u
	}
	emit(len(plain))
	return parts
}

// stripTags turns our own HTML into plain text (for the console and for
// over-long lines).
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}

func carrierName(p *locale.Printer, code string) string {
	if code == "s10" { // no brand: the generic name, in the chat's language
		return p.T("carrier_s10")
	}
	return tracker.Carrier(code).Name
}

// s10Services are the catalog keys of the UPU services an S10 number
// names (tracker describes them in English); other carriers' services are
// product names ("UPS Ground", "DHL Paket") or the carrier's own terms.
var s10Services = map[string]string{
	"EMS (international express)":  "service_s10_ems",
	"Letter post express":          "service_s10_express",
	"Letter post M-bag":            "service_s10_mbag",
	"International Business Reply": "service_s10_reply",
	"Registered letter post":       "service_s10_registered",
	"Letter post":                  "service_s10_letter",
	"Insured letter post":          "service_s10_insured",
	"Parcel post":                  "service_s10_parcel",
	"Parcel post (e-commerce)":     "service_s10_parcel_ecommerce",
	"Domestic mail":                "service_s10_domestic",
}

// usDescriptions are services tracker describes in English words rather
// than by a product name (USPS IMpb application identifiers).
var usDescriptions = map[string]bool{"Online or vendor label": true, "Commercial mailer": true, "Passive enroute scan": true}

// serviceName is a number's service as shown in the chat's language: an
// S10 service from the catalog (English too; tracker's English words stay
// for the detect contract's "service"); elsewhere, outside English, only
// the product's name ("UPS Ground", not "UPS Ground, signature required"),
// and nothing for a service that is only an English description.
func serviceName(p *locale.Printer, service string) string {
	if key, ok := s10Services[service]; ok {
		return p.T(key)
	}
	if p.Lang() == locale.EN {
		return service
	}
	if usDescriptions[service] {
		return ""
	}
	service, _, _ = strings.Cut(service, ", ")
	service, _, _ = strings.Cut(service, " (")
	return service
}

// parcelName is the label when there is one, else the number; escaped.
func parcelName(label, number string) string {
	if label != "" {
		return "<b>" + esc(label) + "</b>"
	}
	return "<code>" + esc(number) + "</code>"
}
