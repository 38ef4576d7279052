package ask

import (
	"slices"
	"testing"
)

func TestWords(t *testing.T) {
	en := newLanguage("en")
	tests := map[string]struct {
		in   string
		want []string
	}{
		"contractions":         {"It didn't come, it’s late", []string{"it", "did", "not", "come", "it", "late"}},
		"pairs joined":         {"Can I pick up? Need to log in", []string{"can", "i", "pickup", "need", "to", "login"}},
		"hyphen pair":          {"pick-up point, e-mail", []string{"pickup", "point", "email"}},
		"abbreviation":         {"Tracking no. please", []string{"tracking", "number", "please"}},
		"caps and punctuation": {"WHERE IS IT?!?", []string{"where", "is", "it"}},
		"quotes around words":  {"what does 'label created' mean", []string{"what", "does", "label", "created", "mean"}},
		"accents dropped":      {"¿Dónde ESTÁ mi envío? Straße", []string{"donde", "esta", "mi", "envio", "strasse"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := en.words(tc.in, nil); !slices.Equal(got, tc.want) {
				t.Errorf("words(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	if got := newLanguage("xx").words("didn't", nil); !slices.Equal(got, []string{"didn", "t"}) {
		t.Errorf("a language without folds split %q", got)
	}
}
