package tracker

// Context words: what the text says just before a run of digits decides
// whether it is a tracking number, an order id or a phone number.

const (
	ctxNone = iota
	ctxTrack
	ctxOrder
	ctxPhone // a phone number, postal code: not a tracking number
)

// lookback is how far before a number context words count.
const lookback = 40

var contextWords = []struct {
	word string
	ctx  int
}{
	{"track", ctxTrack}, {"awb", ctxTrack}, {"waybill", ctxTrack}, {"shipment", ctxTrack},
	{"parcel", ctxTrack}, {"package", ctxTrack}, {"sendung", ctxTrack}, {"paket", ctxTrack},
	{"colis", ctxTrack}, {"suivi", ctxTrack}, {"envío", ctxTrack}, {"envio", ctxTrack},
	{"seguimiento", ctxTrack}, {"rastreo", ctxTrack}, {"paquete", ctxTrack},
	{"rastreio", ctxTrack}, {"encomenda", ctxTrack}, {"spedizione", ctxTrack},
	{"tracciamento", ctxTrack}, {"pacco", ctxTrack}, {"单号", ctxTrack}, {"运单", ctxTrack},
	{"快递", ctxTrack},
	{"order", ctxOrder}, {"bestell", ctxOrder}, {"commande", ctxOrder}, {"pedido", ctxOrder},
	{"ordine", ctxOrder}, {"auftrag", ctxOrder}, {"注文", ctxOrder}, {"订单", ctxOrder},
	{"invoice", ctxOrder}, {"rechnung", ctxOrder}, {"factura", ctxOrder}, {"facture", ctxOrder},
	{"fattura", ctxOrder}, {"fatura", ctxOrder}, {"发票", ctxOrder},
	{"receipt", ctxOrder}, {"account", ctxOrder}, {"acct", ctxOrder}, {"konto", ctxOrder},
	{"kunden", ctxOrder}, {"cuenta", ctxOrder}, {"compte", ctxOrder}, {"conto", ctxOrder},
	{"iban", ctxOrder}, {"confirmation", ctxOrder},
	// Marketplace listing ids (eBay's 12-digit item numbers pass FedEx's
	// check one time in ten). A bare "item" stays neutral: Canada Post
	// writes "Item 7023… has been delivered".
	{"item number", ctxOrder}, {"item no", ctxOrder}, {"item #", ctxOrder}, {"item id", ctxOrder},
	{"listing", ctxOrder}, {"sku", ctxOrder},
	{"call", ctxPhone}, {"phone", ctxPhone}, {"tel", ctxPhone}, {"tél", ctxPhone}, {"mobile", ctxPhone},
	{"móvil", ctxPhone}, {"movil", ctxPhone}, {"handy", ctxPhone}, {"portable", ctxPhone},
	{"cellulare", ctxPhone}, {"celular", ctxPhone}, {"电话", ctxPhone}, {"手机", ctxPhone},
	{"cell", ctxPhone}, {"fax", ctxPhone}, {"sms", ctxPhone}, {"whatsapp", ctxPhone},
	{"text me", ctxPhone}, {"contact", ctxPhone}, {"hotline", ctxPhone},
	// Postal codes: "ZIP 94103 1234", "PLZ 10115".
	{"zip", ctxPhone}, {"plz", ctxPhone}, {"postcode", ctxPhone}, {"postal code", ctxPhone},
	{"código postal", ctxPhone}, {"code postal", ctxPhone}, {"邮编", ctxPhone},
}

// contextByFirst indexes contextWords by first byte: nearestContext looks
// at every byte of a 40-byte window.
var contextByFirst = func() (t [256][]int8) {
	for k, cw := range contextWords {
		t[cw.word[0]] = append(t[cw.word[0]], int8(k))
	}
	return
}()

// contextBefore returns the kind of the context word nearest before byte
// offset end (within lookback bytes); ctxNone when there is none.
func (sc *scanner) contextBefore(end int) int {
	if end == sc.ctxAt {
		return sc.ctxVal
	}
	v := nearestContext(sc.text[max(end-lookback, 0):end])
	sc.ctxAt, sc.ctxVal = end, v
	return v
}

// nearestContext scans window from the right for the start of a context
// word; whole-word starts only ("hotel" is not "tel", "recall" not "call").
func nearestContext(window string) int {
	for at := len(window) - 1; at >= 0; at-- {
		if at > 0 && isASCIILetter(window[at-1]) {
			continue
		}
		for _, k := range contextByFirst[lowerASCII(window[at])] {
			if cw := &contextWords[k]; hasFoldAt(window, at, cw.word) {
				return widerContext(window, at, cw.ctx, k)
			}
		}
	}
	return ctxNone
}

// widerContext: a context word found at may be the tail of a longer one
// that starts before it ("订单号", order number, ends in "单号", number):
// the longer word decides. Only the words that can overlap the one found
// are tried (widerWords), nearest start first.
func widerContext(window string, at, ctx int, k int8) int {
	for _, w := range widerWords[k] {
		if b := at - int(w.back); b >= 0 && hasFoldAt(window, b, contextWords[w.k].word) {
			return contextWords[w.k].ctx
		}
	}
	return ctx
}

// widerRef is a context word that can start back bytes before another and
// run over it.
type widerRef struct{ k, back int8 }

// widerWords lists, for each context word, the words that can start 1–12
// bytes before it and overlap it with the same characters, in the order
// the bytes before it are searched (nearest first, then table order). A
// word found starts after a byte that is no ASCII letter (nearestContext),
// so a wider word has no letter there either.
var widerWords = func() (t [][]widerRef) {
	t = make([][]widerRef, len(contextWords))
	for k, cw := range contextWords {
		for back := 1; back <= 12; back++ {
			for o, w := range contextWords {
				if back >= len(w.word) || isASCIILetter(w.word[back-1]) {
					continue
				}
				tail := w.word[back:]
				n := min(len(tail), len(cw.word))
				if tail[:n] == cw.word[:n] {
					t[k] = append(t[k], widerRef{int8(o), int8(back)})
				}
			}
		}
	}
	return t
}()

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// hasFoldAt: s[i:] starts with word, ASCII case-insensitively (word is lower case).
func hasFoldAt(s string, i int, word string) bool {
	if i+len(word) > len(s) {
		return false
	}
	for k := 0; k < len(word); k++ {
		if lowerASCII(s[i+k]) != word[k] {
			return false
		}
	}
	return true
}

// indexFold is strings.Index, ASCII case-insensitive, without allocating.
func indexFold(s, word string) int {
	for i := 0; i+len(word) <= len(s); i++ {
		if hasFoldAt(s, i, word) {
			return i
		}
	}
	return -1
}
