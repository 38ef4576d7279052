package ask

import (
	"strconv"
	"strings"
	"unicode"
)

// Small talk: a message that is only a greeting, thanks, a goodbye or an
// "ok" is not off-topic — answering it with "Sorry, I can only help with
// parcels" is rude. Such messages are named by kind (Reply.SmallTalk), for
// the bot's friendly reply, under the bot_help topic (the contract's topics
// have no small-talk one, and pointing at what the bot does is the right
// follow-up anyway). A message that also asks something ("hi, where is my
// parcel?") is a question and goes to the matcher as usual.

type talkKind int

// Kinds in rising strength: in "ok thanks, bye" the goodbye is what to answer.
const (
	notTalk talkKind = iota
	talkOK
	talkGreeting
	talkHowAreYou
	talkWho
	talkThanks
	talkBye
)

// Kinds of small talk as Reply.SmallTalk names them.
const (
	TalkOK        = "ok"
	TalkGreeting  = "greeting"
	TalkHowAreYou = "how_are_you"
	TalkWho       = "who"
	TalkThanks    = "thanks"
	TalkBye       = "bye"
)

var talkNames = [...]string{notTalk: "", talkOK: TalkOK, talkGreeting: TalkGreeting, talkHowAreYou: TalkHowAreYou,
	talkWho: TalkWho, talkThanks: TalkThanks, talkBye: TalkBye}

// talkWords maps each word a small-talk message may consist of to what it
// signals; filler words (talkFiller) signal nothing on their own.
var talkWords = map[string]talkKind{
	"hi": talkGreeting, "hello": talkGreeting, "hey": talkGreeting, "heya": talkGreeting, "hiya": talkGreeting,
	"howdy": talkGreeting, "yo": talkGreeting, "hallo": talkGreeting, "helo": talkGreeting,
	"morning": talkGreeting, "afternoon": talkGreeting, "evening": talkGreeting, "greetings": talkGreeting, "sup": talkGreeting,
	"thanks": talkThanks, "thank": talkThanks, "thx": talkThanks, "thnx": talkThanks, "thanx": talkThanks, "ty": talkThanks,
	"tysm": talkThanks, "cheers": talkThanks, "appreciated": talkThanks, "appreciate": talkThanks, "grateful": talkThanks,
	"bye": talkBye, "goodbye": talkBye, "cya": talkBye, "farewell": talkBye, "goodnight": talkBye, "later": talkBye,
	"ok": talkOK, "okay": talkOK, "okey": talkOK, "k": talkOK, "kk": talkOK, "cool": talkOK, "great": talkOK, "nice": talkOK,
	"awesome": talkOK, "perfect": talkOK, "alright": talkOK, "fine": talkOK, "got": talkOK, "understood": talkOK, "sure": talkOK,
	"excellent": talkOK, "brilliant": talkOK, "lovely": talkOK, "wonderful": talkOK, "amazing": talkOK,
	// German (accents folded: "tschüss" → "tschuss")
	"moin": talkGreeting, "moinsen": talkGreeting, "servus": talkGreeting, "gruss": talkGreeting, "gruezi": talkGreeting,
	"huhu": talkGreeting, "tag": talkGreeting, "morgen": talkGreeting, "abend": talkGreeting,
	"danke": talkThanks, "dank": talkThanks, "dankeschon": talkThanks, "merci": talkThanks,
	"tschuss": talkBye, "tschus": talkBye, "tschau": talkBye, "ciao": talkBye, "ade": talkBye, "nacht": talkBye,
	"super": talkOK, "prima": talkOK, "toll": talkOK, "perfekt": talkOK, "gut": talkOK, "passt": talkOK,
	"verstanden": talkOK, "alles": talkOK, "klar": talkOK, "ja": talkOK, "jawohl": talkOK,
	// French
	"bonjour": talkGreeting, "salut": talkGreeting, "coucou": talkGreeting, "bonsoir": talkGreeting,
	"mercis": talkThanks, "remercie": talkThanks,
	"revoir": talkBye, "bientot": talkBye, "tchao": talkBye,
	"daccord": talkOK, "dac": talkOK, "parfait": talkOK, "genial": talkOK, "top": talkOK, "nickel": talkOK,
	"entendu": talkOK, "compris": talkOK, "oui": talkOK, "sympa": talkOK,
	// Spanish (Spain and Mexico)
	"hola": talkGreeting, "holaa": talkGreeting, "holis": talkGreeting, "buenas": talkGreeting, "buenos": talkGreeting,
	"saludos": talkGreeting, "gracias": talkThanks, "graciass": talkThanks, "grax": talkThanks, "agradecido": talkThanks,
	"agradecida": talkThanks, "agradezco": talkThanks, "adios": talkBye, "chao": talkBye, "chau": talkBye,
	"vale": talkOK, "perfecto": talkOK, "guay": talkOK, "listo": talkOK, "entendido": talkOK, "claro": talkOK,
	"si": talkOK, "sip": talkOK, "dale": talkOK, "chido": talkOK, "okis": talkOK, "estupendo": talkOK,
	// Portuguese (Brazil and Portugal)
	"oi": talkGreeting, "oie": talkGreeting, "oii": talkGreeting, "ola": talkGreeting, "opa": talkGreeting,
	"eai": talkGreeting, "salve": talkGreeting,
	"obrigado": talkThanks, "obrigada": talkThanks, "obg": talkThanks, "brigado": talkThanks, "brigada": talkThanks,
	"valeu": talkThanks, "vlw": talkThanks, "agradeco": talkThanks, "grato": talkThanks, "grata": talkThanks,
	"tchau": talkBye, "xau": talkBye, "falou": talkBye, "flw": talkBye,
	"beleza": talkOK, "blz": talkOK, "certo": talkOK, "perfeito": talkOK, "otimo": talkOK, "otima": talkOK,
	"entendi": talkOK, "combinado": talkOK, "show": talkOK, "massa": talkOK, "sim": talkOK, "joia": talkOK,
	// Italian ("ciao" greets in an Italian chat: talkWordsIn)
	"buongiorno": talkGreeting, "buonasera": talkGreeting, "buondi": talkGreeting, "ehi": talkGreeting,
	"grazie": talkThanks, "grazissime": talkThanks, "ringrazio": talkThanks,
	"arrivederci": talkBye, "arrivederla": talkBye, "buonanotte": talkBye,
	"perfetto": talkOK, "ottimo": talkOK, "capito": talkOK, "benissimo": talkOK,
	"bene": talkOK, "fantastico": talkOK, "daccordo": talkOK,
}

// talkFiller may appear around small talk without making it a question.
var talkFiller = strings.Fields(`a an the there you u all everyone everybody guys folks mate buddy friend dear sir
so much lot lots very really again bot trackbot good day night for that this it your help and oh well just
again too many once one job work my man i am is see soon thats its im
du sie dir ihnen dich euch ihr ich mir mich es das ist sehr vielen vielmals tausend herzlichen herzlich liebe lieber lieben
ihre deine eure schon auch noch nochmal mal und dann erstmal zusammen allerseits leute guten gute einen schonen fur die hilfe na
je tu toi vous te le la les tout tous monde beaucoup bien encore et madame monsieur mon ma ami cher chere alors
ben bah cest pour aide laide votre ton ta mille au un grand
muchas muchisimas mil por todo tu usted ayuda el los dias tardes noches amigo amiga de nuevo y pues bueno muy lo buen
dia tengas igualmente
muito muita muitissimo pela pelo ajuda voce vc tudo todos gente de novo pra para sua seu o os as um uma e ai ate
mille tante tanto per laiuto aiuto tutto tutti te lei molto davvero di nuovo buona buon giornata serata infinite`)

// talkPhrases are whole small-talk messages made of words that on their own
// could be a question.
var talkPhrases = map[string]talkKind{
	"how are you": talkHowAreYou, "how are u": talkHowAreYou, "how r u": talkHowAreYou, "how is it going": talkHowAreYou,
	"how are things": talkHowAreYou, "how you doing": talkHowAreYou, "whats up": talkHowAreYou, "what is up": talkHowAreYou,
	"who are you": talkWho, "what are you": talkWho, "who r u": talkWho, "are you a bot": talkWho, "what is this": talkWho,
	"see you": talkBye, "see you soon": talkBye, "good night": talkBye, "good day": talkGreeting, "got it": talkOK, "no problem": talkOK, "sounds good": talkOK,
	"wie gehts": talkHowAreYou, "wie geht es dir": talkHowAreYou, "wie geht es ihnen": talkHowAreYou, "wie gehts dir": talkHowAreYou,
	"wer bist du": talkWho, "was bist du": talkWho, "wer sind sie": talkWho, "bist du ein bot": talkWho, "sind sie ein bot": talkWho,
	"bis bald": talkBye, "bis spater": talkBye, "bis dann": talkBye, "auf wiedersehen": talkBye, "schonen tag noch": talkBye,
	"einen schonen tag": talkBye, "schonen abend": talkBye, "schones wochenende": talkBye, "kein problem": talkOK,
	"ca va": talkHowAreYou, "comment ca va": talkHowAreYou, "comment vas tu": talkHowAreYou, "comment allez vous": talkHowAreYou,
	"tu vas bien": talkHowAreYou, "vous allez bien": talkHowAreYou,
	"qui es tu": talkWho, "qui etes vous": talkWho, "tes qui": talkWho, "tu es qui": talkWho, "tes un bot": talkWho,
	"tu es un bot": talkWho, "vous etes un bot": talkWho,
	"a plus": talkBye, "a bientot": talkBye, "a demain": talkBye, "bonne journee": talkBye, "bonne soiree": talkBye,
	"bonne nuit": talkBye, "bon week end": talkBye, "ca marche": talkOK, "pas de souci": talkOK, "pas de probleme": talkOK,
	"que tal": talkHowAreYou, "como estas": talkHowAreYou, "como esta": talkHowAreYou, "como va": talkHowAreYou,
	"que onda": talkHowAreYou, "como andas": talkHowAreYou, "quien eres": talkWho, "que eres": talkWho,
	"eres un bot": talkWho, "eres un robot": talkWho, "hasta luego": talkBye, "hasta pronto": talkBye,
	"hasta manana": talkBye, "nos vemos": talkBye, "que tengas buen dia": talkBye, "buen fin de semana": talkBye,
	"de acuerdo": talkOK, "sin problema": talkOK, "no pasa nada": talkOK, "muy bien": talkOK,
	"tudo bem": talkHowAreYou, "tudo bom": talkHowAreYou, "como vai": talkHowAreYou, "como voce esta": talkHowAreYou,
	"como vai voce": talkHowAreYou, "e ai tudo bem": talkHowAreYou, "quem e voce": talkWho, "quem e vc": talkWho,
	"voce e um bot": talkWho, "vc e um bot": talkWho, "o que e voce": talkWho, "bom dia": talkGreeting,
	"boa tarde": talkGreeting, "boa noite": talkBye, "ate logo": talkBye, "ate mais": talkBye, "ate amanha": talkBye,
	"bom fim de semana": talkBye, "sem problema": talkOK, "tudo certo": talkOK, "de nada": talkOK,
	"come stai": talkHowAreYou, "come va": talkHowAreYou, "come sta": talkHowAreYou, "tutto bene": talkHowAreYou,
	"chi sei": talkWho, "chi e lei": talkWho, "sei un bot": talkWho, "cosa sei": talkWho,
	"a presto": talkBye, "a dopo": talkBye, "a domani": talkBye, "buona giornata": talkBye, "buona serata": talkBye,
	"buona notte": talkBye, "buon fine settimana": talkBye, "ciao ciao": talkBye, "nessun problema": talkOK,
	"va bene": talkOK, "tutto chiaro": talkOK,
}

// talkWordsIn are words whose kind depends on the chat's language: "ciao"
// greets in Italian and takes leave in German.
var talkWordsIn = map[string]map[string]talkKind{
	"it": {"ciao": talkGreeting},
}

// talkEmoji are emoji that stand for a whole reply.
var talkEmoji = map[rune]talkKind{
	'👍': talkOK, '👌': talkOK, '🆗': talkOK, '✅': talkOK, '🙏': talkThanks, '❤': talkThanks, '💙': talkThanks,
	'🥰': talkThanks, '😊': talkThanks, '🤗': talkThanks, '👋': talkGreeting,
}

var fillerSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range talkFiller {
		m[w] = true
	}
	return m
}()

// dropApostrophes makes "what's" and "whats" one word; built once, as
// smallTalk runs on every question.
var dropApostrophes = strings.NewReplacer("’", "", "'", "")

// smallTalkIn is smallTalk in the chat's language lang.
func smallTalkIn(lang, question string) talkKind { return smallTalk(question, talkWordsIn[lang]) }

// smallTalk says whether the whole message is small talk, and which kind.
// The strongest signal wins: thanks over a greeting ("hi, thanks!"), and a
// goodbye over both.
func smallTalk(question string, words map[string]talkKind) talkKind {
	s := foldAccents(strings.ToLower(dropApostrophes.Replace(question)))
	var b strings.Builder
	emoji := notTalk
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case talkEmoji[r] != notTalk:
			emoji = max(emoji, talkEmoji[r])
			b.WriteByte(' ')
		default:
			b.WriteByte(' ')
		}
	}
	ws := strings.Fields(b.String())
	phrase := strings.Join(ws, " ")
	if k, ok := talkPhrases[phrase]; ok {
		return k
	}
	for p, k := range talkPhrases { // "hi, how are you", "thanks, got it"
		if strings.HasPrefix(phrase, p+" ") || strings.HasSuffix(phrase, " "+p) {
			rest := strings.TrimSpace(strings.Replace(phrase, p, "", 1))
			if r := smallTalk(rest, words); r != notTalk || allFiller(rest) {
				return max(k, r)
			}
		}
	}
	kind := emoji
	for _, w := range ws {
		k, ok := words[w]
		if !ok {
			k, ok = talkWords[w]
		}
		switch {
		case ok:
			kind = max(kind, k)
		case fillerSet[w]:
		default:
			if _, err := strconv.Atoi(w); err == nil && len(w) <= 2 {
				continue // "thanks 2 u"
			}
			return notTalk // a real word: this is a question, not small talk
		}
	}
	return kind
}

func allFiller(s string) bool {
	for _, w := range strings.Fields(s) {
		if !fillerSet[w] {
			return false
		}
	}
	return true
}
