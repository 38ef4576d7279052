package tracker

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

// The held-out typo evaluation (testdata/typo-eval.jsonl) is written by
// this generator, once, before detection was changed for it, and never
// tuned on. Regenerate only to extend it, and say so in the commit:
//
//	go test ./tracker/ -run TestGenerateTypoEval -update-typo-eval
//
// Typo items: a number generated with its format's check-digit algorithm,
// two neighbouring characters of its body swapped (so the check fails),
// written beside the carrier's name in one of the supported languages.
// Noise items: phones, prices, dates, ZIP codes, IBANs and order ids, many
// of them beside a carrier's name, that must not be flagged at all.

var updateTypoEval = flag.Bool("update-typo-eval", false, "rewrite testdata/typo-eval.jsonl")

const typoEvalFile = "testdata/typo-eval.jsonl"

// evalItem is one line of the evaluation file.
type evalItem struct {
	Kind    string `json:"kind"` // "typo" or "noise"
	Text    string `json:"text"`
	Carrier string `json:"carrier,omitempty"` // typo: the carrier the number belongs to
	Number  string `json:"number,omitempty"`  // typo: the mistyped number, compact
	Orig    string `json:"orig,omitempty"`    // typo: the number before the swap
	// Fix is Orig when exactly one swap of two neighbouring characters
	// makes Number valid in its format again; empty when several do.
	Fix string `json:"fix,omitempty"`
}

// evalFormat makes valid numbers of one format; body is the range of
// positions a typist may swap (letter prefixes and suffixes stay).
type evalFormat struct {
	format  string
	carrier string
	names   []string // how people name the carrier
	make    func(g *gen) string
	body    func(n string) (int, int)
}

func whole(n string) (int, int) { return 0, len(n) }

var evalFormats = []evalFormat{
	{"FedEx Express (12)", "fedex", []string{"FedEx", "Fedex", "FEDEX", "联邦快递"}, func(g *gen) string {
		s := g.digits(11)
		return s + itoa(checkSumProduct([]byte(s), weights317))
	}, whole},
	{"FedEx Ground", "fedex", []string{"FedEx Ground", "FedEx"}, func(g *gen) string {
		s := g.digits(14)
		return s + itoa(checkMod10("", []byte(s), 1, 3, false))
	}, whole},
	{"DHL Express", "dhl", []string{"DHL Express", "DHL", "dhl express"}, func(g *gen) string {
		s := g.digits(9)
		return s + itoa(checkMod7([]byte(s)))
	}, whole},
	{"UPS", "ups", []string{"UPS"}, func(g *gen) string {
		body := g.digits(6) + "0" + string("123"[g.r.IntN(3)]) + g.alnum(7)
		return "1Z" + body + itoa(checkMod10("", []byte(body), 1, 2, false))
	}, func(n string) (int, int) { return 2, len(n) }},
	{"USPS IMpb", "usps", []string{"USPS"}, func(g *gen) string {
		s := "9400" + g.digits(1) + "9" + g.digits(8) + g.digits(7)
		return s + itoa(checkMod10("", []byte(s), 3, 1, true))
	}, whole},
	{"Canada Post (16)", "canada_post", []string{"Canada Post", "Postes Canada"}, func(g *gen) string {
		s := g.digits(15)
		return s + itoa(checkMod10("", []byte(s), 3, 1, false))
	}, whole},
	{"Purolator (12)", "purolator", []string{"Purolator"}, func(g *gen) string {
		s := string("12345"[g.r.IntN(5)]) + g.digits(10)
		return s + itoa(checkLuhn([]byte(s)))
	}, whole},
	{"OnTrac", "ontrac", []string{"OnTrac"}, func(g *gen) string {
		s := g.digits(13)
		prefix := "4"
		if s[0] == '4' {
			prefix = ""
		}
		return "C" + s + itoa(checkMod10(prefix, []byte(s), 1, 2, false))
	}, func(n string) (int, int) { return 1, len(n) }},
	{"S10", "royal_mail", []string{"Royal Mail"}, func(g *gen) string {
		s := g.digits(8)
		return "RB" + s + itoa(checkS10([]byte(s))) + "GB"
	}, func(n string) (int, int) { return 2, 11 }},
	{"DPD (14)", "dpd", []string{"DPD"}, func(g *gen) string {
		s := "0" + g.digits(13)
		return s + string(checkMod3736([]byte(s)))
	}, whole},
}

// evalTemplates name the carrier ({C}) beside the number ({N}).
var evalTemplates = []string{
	"my {C} number is {N}",
	"{C} tracking: {N}",
	"hey can you check {C} {N} for me?",
	"The {C} no. {N} hasn't moved since Monday",
	"mi número de {C} es {N}",
	"envío {C} {N}, ¿dónde está?",
	"Meine {C} Nummer: {N}",
	"{C} Sendung {N} ist noch nicht da",
	"mon numéro {C} est le {N}",
	"colis {C} n° {N} toujours pas livré",
	"meu código {C} é {N}",
	"encomenda {C}: {N}",
	"il mio numero {C} è {N}",
	"spedizione {C} {N} in ritardo",
	"{C}单号{N}",
	"{C} 单号：{N}",
	"单号 {N}（{C}）",
}

// swapTypo swaps two neighbouring, different characters inside [lo, hi)
// so that the format's check fails; ok is false when no position does.
func swapTypo(g *gen, f *format, n string, lo, hi int) (string, bool) {
	for range 50 {
		k := lo + g.r.IntN(hi-lo-1)
		if n[k] == n[k+1] {
			continue
		}
		b := []byte(n)
		b[k], b[k+1] = b[k+1], b[k]
		if ok, m := verdict(f, string(b)); ok && m.checked && !m.valid {
			return string(b), true
		}
	}
	return "", false
}

// singleFix is the one valid number one neighbouring swap away from n in
// format f, or "" when there are none or several.
func singleFix(f *format, n string) string {
	fix := ""
	for k := 0; k+1 < len(n); k++ {
		if n[k] == n[k+1] {
			continue
		}
		b := []byte(n)
		b[k], b[k+1] = b[k+1], b[k]
		if ok, m := verdict(f, string(b)); ok && m.valid && m.checked {
			if fix != "" && fix != string(b) {
				return ""
			}
			fix = string(b)
		}
	}
	return fix
}

func writeSpaced(n string, g *gen) string {
	switch g.r.IntN(5) {
	case 0:
		return spaced(n, 4, " ")
	case 1:
		if strings.HasPrefix(n, "1Z") {
			return "1Z " + spaced(n[2:], 3, " ")
		}
	}
	return n
}

func genTypoEval() []evalItem {
	g := newGen(20261202)
	var items []evalItem
	for _, ef := range evalFormats {
		f := lookupFormat(ef.format)
		for k := 0; k < 17; k++ {
			n := ef.make(g)
			lo, hi := ef.body(n)
			typo, ok := swapTypo(g, f, n, lo, hi)
			if !ok {
				continue
			}
			name := ef.names[g.r.IntN(len(ef.names))]
			tpl := evalTemplates[(k+len(items))%len(evalTemplates)]
			text := strings.ReplaceAll(strings.ReplaceAll(tpl, "{C}", name), "{N}", writeSpaced(typo, g))
			items = append(items, evalItem{Kind: "typo", Text: text, Carrier: ef.carrier, Number: typo, Orig: n, Fix: singleFix(f, typo)})
		}
	}
	for _, text := range genNoise(g) {
		items = append(items, evalItem{Kind: "noise", Text: text})
	}
	return items
}

// iban builds a valid IBAN (ISO 13616, ISO 7064 mod 97-10) for country cc
// with a numeric BBAN of n digits.
func iban(g *gen, cc string, n int) string {
	bban := g.digits(n)
	num := bban + fmt.Sprint(int(cc[0]-'A'+10)) + fmt.Sprint(int(cc[1]-'A'+10)) + "00"
	r := 0
	for _, c := range num {
		r = (r*10 + int(c-'0')) % 97
	}
	return fmt.Sprintf("%s%02d%s", cc, 98-r, bban)
}

func genNoise(g *gen) []string {
	carriers := []string{"FedEx", "DHL", "DHL Express", "UPS", "USPS", "Purolator", "Canada Post", "DPD", "OnTrac", "Royal Mail", "联邦快递"}
	c := func() string { return carriers[g.r.IntN(len(carriers))] }
	d := g.digits
	tpls := []func() string{
		// phones
		func() string { return "call me at " + d(3) + " " + d(3) + " " + d(4) },
		func() string { return c() + " customer service: 1 800 " + d(3) + " " + d(4) },
		func() string { return c() + " hotline " + d(4) + " " + d(7) },
		func() string { return "Tel. +49 " + d(2) + " " + d(8) + " (" + c() + " Kundenservice)" },
		func() string {
			return "mi móvil es 6" + d(2) + " " + d(3) + " " + d(3) + ", el repartidor de " + c() + " no llamó"
		},
		func() string { return "WhatsApp +34 6" + d(8) + " per " + c() },
		func() string { return "mon numéro: 06 " + d(2) + " " + d(2) + " " + d(2) + " " + d(2) },
		func() string { return "il corriere " + c() + " mi ha chiamato dal " + "3" + d(2) + " " + d(7) },
		func() string { return c() + " phone (" + d(3) + ") " + d(3) + "-" + d(4) },
		func() string { return "电话 1" + d(10) + " " + c() + "快递员" },
		// prices
		func() string { return c() + " charged me $" + d(2) + "." + d(2) + " for shipping" },
		func() string { return "Total: " + d(1) + "," + d(3) + ".00 EUR incl. " + c() + " Versand" },
		func() string { return "el envío con " + c() + " cuesta " + d(2) + ",99 €" },
		// dates
		func() string { return c() + " delivered it on 2024-" + "0" + d(1)[:1] + "-1" + d(1) },
		func() string { return "Zustellung am 1" + d(1) + ".0" + d(1) + ".2025 per " + c() },
		func() string { return "2025" + "0" + d(1) + "1" + d(1) + " " + c() + " pickup" },
		// ZIPs
		func() string { return "ZIP " + d(5) + "-" + d(4) },
		func() string { return "ZIP " + d(9) },
		func() string { return c() + " delivers to " + d(5) + " only" },
		func() string { return "PLZ " + d(5) + " Berlin, " + c() + " Paketshop" },
		func() string { return "CP " + d(5) + " Madrid (" + c() + ")" },
		// IBANs
		func() string { return "IBAN: " + spaced(iban(g, "DE", 18), 4, " ") },
		func() string { return "refund to " + iban(g, "DE", 18) + " please, " + c() + " lost it" },
		func() string { return "IBAN " + spaced(iban(g, "ES", 20), 4, " ") + " — reembolso " + c() },
		func() string { return "IBAN " + iban(g, "NL", 10) },
		func() string { return "IBAN " + spaced(iban(g, "FR", 23), 4, " ") },
		// order ids and other ids named beside a carrier
		func() string { return "order #" + d(10) + " shipped with " + c() },
		func() string { return c() + " invoice " + d(12) },
		func() string { return "Bestellnummer " + d(12) + ", Versand mit " + c() },
		func() string { return "número de pedido " + d(11) + " (" + c() + ")" },
		func() string { return "commande n° " + d(9) + " expédiée par " + c() },
		func() string { return c() + " account " + d(9) },
		func() string { return "ordine " + d(15) + " con " + c() },
		func() string { return "订单号 " + d(16) + " " + c() },
		func() string { return c() + " item number " + d(12) },
	}
	var out []string
	for k := 0; k < 6; k++ {
		for _, t := range tpls {
			out = append(out, t())
		}
	}
	return out
}

func TestGenerateTypoEval(t *testing.T) {
	if !*updateTypoEval {
		t.Skip("run with -update-typo-eval to rewrite " + typoEvalFile)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, it := range genTypoEval() {
		if err := enc.Encode(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(typoEvalFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
