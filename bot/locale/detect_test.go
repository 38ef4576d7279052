package locale

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Lang
		ok   bool
	}{
		{"where is my parcel?", EN, true},
		{"it says delivered but I never got it", EN, true},
		{"¿dónde está mi paquete?", ES, true},
		{"pone entregado pero no lo tengo", ES, true},
		{"wo ist mein Paket?", DE, true},
		{"da steht zugestellt, aber ich habe nichts bekommen", DE, true},
		{"où est mon colis ?", FR, true},
		{"c'est marqué livré mais je l'ai pas", FR, true},
		{"cadê minha encomenda?", PT, true},
		{"diz entregue mas não recebi", PT, true},
		{"dov'è il mio pacco?", IT, true},
		{"risulta consegnato ma non l'ho ricevuto", IT, true},
		{"DEMO1", EN, false},
		{"📦📦📦", EN, false},
		{"ok", EN, false},
		{"merci beaucoup", FR, true},
		{"Vielen Dank!", DE, true},
		{"¡muchas gracias!", ES, true},
		{"q significa entregado", ES, true},
		{"Danke", EN, false}, // one word: the chat's language answers
	} {
		got, ok := Detect(tc.text)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("Detect(%q) = %s, %t; want %s, %t", tc.text, got, ok, tc.want, tc.ok)
		}
	}
}

// TestDetectOnQuestionData measures language identification on the
// question matcher's files (training and held-out questions of every
// language, en included), as the share detected right and the share
// detected wrong (undecided is neither: the chat's language answers then).
func TestDetectOnQuestionData(t *testing.T) {
	for _, set := range []string{"data", "testdata/heldout"} {
		for _, l := range All {
			b, err := os.ReadFile(filepath.Join("..", "..", "tracker", "ask", set, string(l)+".tsv"))
			if err != nil {
				continue // a language without that file yet
			}
			right, wrong, n := 0, 0, 0
			for _, line := range strings.Split(string(b), "\n") {
				_, q, ok := strings.Cut(line, "\t")
				if !ok || strings.HasPrefix(line, "#") {
					continue
				}
				n++
				switch got, ok := Detect(q); {
				case ok && got == l:
					right++
				case ok:
					wrong++
				}
			}
			t.Logf("%-16s %s: %d questions, detected right %.1f%%, wrong %.1f%%", set, l, n, 100*float64(right)/float64(n), 100*float64(wrong)/float64(n))
			if float64(wrong) > 0.03*float64(n) {
				t.Errorf("%s %s: %d of %d questions taken for another language", set, l, wrong, n)
			}
		}
	}
}
