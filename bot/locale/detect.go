package locale

import (
	"strings"
	"unicode"
)

// cueWords are frequent words of questions about parcels in each language,
// function words first, then (en, es, de, fr) the words of greetings and thanks. A word several languages share counts for each,
// divided among them.
var cueWords = map[Lang]string{
	EN: `the is are my where what does do did it i you how when why mean means parcel package says said delivered not can of to and
		this that with has have was still yet got get order tracking number arrived
		hello hi thanks thank bye please lot`,
	ES: `el los las mi mis dónde donde qué que es está esta están por para cómo como un una paquete pedido envío no me significa pone
		llegado llega cuándo cuando y del lo ha he hay sigue seguimiento número quiere decir entregado recibido todavía aún ya q
		hola gracias muchas buenos buenas días adiós vale tal`,
	DE: `der die das ist mein meine meinen wo was wie warum nicht ich es paket sendung bestellung bedeutet heißt heisst steht und zu noch
		kein keine hat habe schon wann zugestellt bei den dem ein eine sendungsnummer angekommen bekommen immer seit mir
		hallo danke dank vielen tschüss tschüs guten morgen moin servus wiedersehen schönen geht's gehts`,
	FR: `le la les mon ma mes où ou que quoi est colis commande pas je il veut dire comment pourquoi quand un une des du de et à ça
		c'est livré suivi numéro toujours reçu arrivé j'ai n'est qu'est-ce ce
		bonjour merci beaucoup salut coucou bonsoir revoir bonne journée soirée va`,
	PT: `o a os as meu minha minhas meus onde cadê que é está não encomenda pedido pacote rastreio significa quer dizer como por
		quando um uma de do da e tá chegou entregue eu recebi ainda código rastreamento já`,
	IT: `il lo la i gli le mio mia miei mie dov'è dove cosa che è non pacco ordine spedizione significa vuol dire come perché quando
		un una di del della e ho arrivato consegnato ancora tracking numero ricevuto`,
}

// cueLetters are letters only some of the languages write.
var cueLetters = map[rune][]Lang{
	'ñ': {ES}, '¿': {ES}, '¡': {ES},
	'ß': {DE}, 'ä': {DE}, 'ö': {DE}, 'ü': {DE},
	'ã': {PT}, 'õ': {PT},
	'ç': {FR, PT}, 'ê': {FR, PT}, 'â': {FR, PT}, 'ô': {FR, PT},
	'è': {FR, IT}, 'ù': {FR, IT}, 'à': {FR, IT, PT},
	'œ': {FR}, 'ë': {FR}, 'î': {FR}, 'û': {FR},
}

var cueIndex = func() map[string][]Lang {
	idx := map[string][]Lang{}
	for _, l := range All {
		for _, w := range strings.Fields(cueWords[l]) {
			idx[w] = append(idx[w], l)
		}
	}
	return idx
}()

// Detect says which supported language a question is clearly written in.
// ok is false when the text is too short or too mixed to tell. Only cue
// words count, so tracking numbers, names and emoji change nothing.
func Detect(text string) (l Lang, ok bool) {
	return decide(scores(text))
}

func decide(score map[Lang]float64) (Lang, bool) {
	l, best, second := ranked(score)
	if best < 1.5 || best < 2*second {
		return EN, false
	}
	return l, true
}

// scores counts each language's cue words and letters in text.
func scores(text string) map[Lang]float64 {
	score := map[Lang]float64{}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\'' && r != '’' && r != '-'
	})
	for _, w := range words {
		w = strings.ReplaceAll(strings.Trim(w, "'’-"), "’", "'")
		langs := cueIndex[w]
		if len(langs) == 0 {
			if i := strings.IndexByte(w, '\''); i > 0 { // "dov'è", "c'est", "j'ai": try the parts too
				langs = append(cueIndex[w[:i+1]], cueIndex[w[i+1:]]...)
			}
		}
		for _, x := range langs {
			score[x] += 1 / float64(len(langs))
		}
	}
	for _, r := range strings.ToLower(text) {
		for _, x := range cueLetters[r] {
			score[x] += 0.5 / float64(len(cueLetters[r]))
		}
	}
	return score
}

// Lean is the language text's cue words lean to, however weakly: the
// best-scoring one, ok false on a tie or no cue at all. For a question
// asked without a chat, where there is no chat language to fall back on.
func Lean(text string) (Lang, bool) {
	if l, ok := Detect(text); ok {
		return l, true
	}
	l, best, second := ranked(scores(text))
	if best == 0 || best == second {
		return EN, false
	}
	return l, true
}

func ranked(score map[Lang]float64) (l Lang, best, second float64) {
	l = EN
	for _, x := range All {
		switch s := score[x]; {
		case s > best:
			best, second, l = s, best, x
		case s > second:
			second = s
		}
	}
	return l, best, second
}
