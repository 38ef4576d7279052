package locale

import (
	"regexp"
	"strings"
	"testing"
)

// TestAnswersKeepTheSeedFacts: every language's answers say what the
// English ones say where it matters — tracking starts within 24–48 h, a
// parcel marked delivered is chased after 48 h, where Amazon shows the
// tracking number (in that market's own menu names), customs duties, and
// how long a Hub Locker keeps a parcel.
func TestAnswersKeepTheSeedFacts(t *testing.T) {
	amazonPath := map[Lang][]string{
		EN: {"Your Orders", "Track Package"}, ES: {"Mis pedidos", "Seguir paquete"}, DE: {"Meine Bestellungen", "Lieferung verfolgen"},
		FR: {"Vos commandes", "Suivre votre colis"}, PT: {"Seus pedidos", "Rastrear pacote"}, IT: {"I miei ordini", "Traccia il pacco"},
	}
	customs := map[Lang]string{EN: "duties", ES: "aranceles", DE: "Einfuhrabgaben", FR: "droits", PT: "impostos", IT: "dazi"}
	for _, l := range All {
		p := For(l)
		check := func(key string, want ...string) {
			t.Helper()
			got := p.T(key)
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s %s lacks %q: %q", l, key, w, got)
				}
			}
		}
		check("answer_activation_delay", "24", "48")
		check("answer_status_order_placed", "24", "48")
		check("answer_delivered_not_received", "48")
		check("answer_status_delivered", "48")
		check("answer_find_tracking_number", amazonPath[l]...)
		check("order_number", amazonPath[l][0])
		check("answer_status_customs", customs[l])
		check("answer_hub_locker", "Amazon Hub", "3")
		check("answer_not_updating", "4", "10")
		check("answer_contact_support", "48", "72")
		check("advice_no_tracking", "48")
		check("answer_bot_help", "/language")
	}
}

// TestTranslationsKeepTheNumbers: every number an English answer, piece
// of advice or next step gives (hours, days, examples like 1Z…) is in
// each translation too. Translations once summed answers up and dropped
// facts such as "the post's search opens about 7 days after sending".
// An Amazon order number's example keeps its market's prefix.
func TestTranslationsKeepTheNumbers(t *testing.T) {
	digits := regexp.MustCompile(`\d+`)
	orderNumber := regexp.MustCompile(`\d{3}-\d{7}-\d{7}`)
	numbers := func(s string) []string {
		return digits.FindAllString(orderNumber.ReplaceAllString(s, "123-1234567-1234567"), -1)
	}
	en := catalog(t, EN)
	for _, l := range All[1:] {
		c := catalog(t, l)
		for key, forms := range en {
			if !strings.HasPrefix(key, "answer_") && !strings.HasPrefix(key, "advice_") && !strings.HasPrefix(key, "step_") {
				continue
			}
			for form, text := range forms {
				got := orderNumber.ReplaceAllString(c[key][form], "123-1234567-1234567")
				for _, n := range numbers(text) {
					if !strings.Contains(got, n) {
						t.Errorf("%s %s (%s) lacks %s, which English gives: %q", l, key, form, n, c[key][form])
					}
				}
			}
		}
	}
}
