package bot

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/bot/locale"
)

// A chat with no zone gets, after its /start, a short question: which of a
// few clocks is yours? Telegram tells a bot neither the user's zone nor the
// local time of a message (its date is UTC), so the guess comes from the
// chat's language (and the client's region, "pt-br", when it names one)
// and the hour: zones where it is the middle of the night now are unlikely
// to be the user's. Each button shows the time there now, so the user
// recognises their own clock instead of having to know a zone's name.

// zoneGuess is a zone people writing a language often live in.
type zoneGuess struct {
	zone    string  // IANA name
	city    string  // as people there write it
	country string  // ISO 3166 code, matched against the client's region
	share   float64 // rough share of the language's users
}

// zoneGuesses per language; one zone stands for its neighbours with the
// same clock (Berlin for Vienna and Zurich).
var zoneGuesses = map[locale.Lang][]zoneGuess{
	locale.EN: {
		{"America/New_York", "New York", "us", .28}, {"Europe/London", "London", "gb", .2},
		{"America/Chicago", "Chicago", "us", .12}, {"America/Los_Angeles", "Los Angeles", "us", .12},
		{"Asia/Kolkata", "Delhi", "in", .1}, {"Australia/Sydney", "Sydney", "au", .06},
		{"America/Denver", "Denver", "us", .04}, {"Africa/Lagos", "Lagos", "ng", .04}, {"Asia/Manila", "Manila", "ph", .04},
	},
	locale.ES: {
		{"Europe/Madrid", "Madrid", "es", .3}, {"America/Mexico_City", "Ciudad de México", "mx", .25},
		{"America/Bogota", "Bogotá", "co", .12}, {"America/Argentina/Buenos_Aires", "Buenos Aires", "ar", .12},
		{"America/Lima", "Lima", "pe", .07}, {"America/Santiago", "Santiago", "cl", .07}, {"America/Caracas", "Caracas", "ve", .04},
	},
	locale.DE: {{"Europe/Berlin", "Berlin", "de", .9}},
	locale.FR: {
		{"Europe/Paris", "Paris", "fr", .65}, {"America/Toronto", "Montréal", "ca", .12},
		{"Africa/Casablanca", "Casablanca", "ma", .08}, {"Africa/Abidjan", "Abidjan", "ci", .08},
	},
	locale.PT: {
		{"America/Sao_Paulo", "São Paulo", "br", .6}, {"Europe/Lisbon", "Lisboa", "pt", .2},
		{"Africa/Luanda", "Luanda", "ao", .06}, {"Africa/Maputo", "Maputo", "mz", .05}, {"America/Manaus", "Manaus", "br", .05},
	},
	locale.IT: {{"Europe/Rome", "Roma", "it", .9}},
}

// maxZoneGuesses is how many clocks the question offers.
const maxZoneGuesses = 3

// awake is how likely someone writes to a bot at this local hour.
func awake(hour int) float64 {
	switch {
	case hour >= 8 && hour <= 22:
		return 1
	case hour == 7 || hour == 23:
		return .6
	case hour == 6 || hour == 0:
		return .25
	default:
		return .05
	}
}

// guessZones ranks the zones of lang for a message written at now by a
// client whose language code is clientLang: at most maxZoneGuesses, each
// with a clock of its own (two zones showing the same time now would be
// one choice to the user).
func guessZones(lang locale.Lang, clientLang string, now time.Time) []zoneGuess {
	_, region, _ := strings.Cut(strings.ToLower(clientLang), "-")
	type scored struct {
		g     zoneGuess
		score float64
		clock string
	}
	var all []scored
	for _, g := range zoneGuesses[lang] {
		loc, err := time.LoadLocation(g.zone)
		if err != nil {
			continue // tzdata is embedded: cannot happen
		}
		local := now.In(loc)
		s := g.share * awake(local.Hour())
		if region != "" && region == g.country {
			s *= 20 // the client says where it is set up: stronger than the hour
		}
		all = append(all, scored{g, s, local.Format("15:04")})
	}
	slices.SortStableFunc(all, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	var out []zoneGuess
	clocks := map[string]bool{}
	for _, s := range all {
		if len(out) == maxZoneGuesses {
			break
		}
		// Below a tenth of the best: more noise than help.
		if clocks[s.clock] || len(out) > 0 && s.score < all[0].score/10 {
			continue
		}
		clocks[s.clock] = true
		out = append(out, s.g)
	}
	return out
}

// zoneQuestion is the question after /start of a chat with no zone, or
// false when the chat has one. Its dedupe key makes it once per chat for
// as long as the outbox keeps sent messages.
func (e *Engine) zoneQuestion(ctx context.Context, m Message) (Reply, bool) {
	// The console starts with /start every time and keeps no outbox to
	// remember the question by; /timezone is there when wanted.
	if m.Chat.ID == ConsoleChatID {
		return Reply{}, false
	}
	if ct, _ := e.chatTime(ctx, m.Chat.ID); ct.TimeZone != "" {
		return Reply{}, false
	}
	p := pr(ctx)
	now := e.now()
	guesses := guessZones(p.Lang(), m.From.Lang, now)
	if len(guesses) == 0 {
		return Reply{}, false
	}
	row := make([]Button, 0, len(guesses))
	for _, g := range guesses {
		loc, _ := time.LoadLocation(g.zone)
		row = append(row, Button{Text: now.In(loc).Format("15:04") + " · " + g.city, Data: CallbackData(ActZone, 0, g.zone)})
	}
	return Reply{
		Text:      p.T("tz_question") + "\n" + p.T("tz_question_other"),
		Buttons:   [][]Button{row},
		DedupeKey: "tzq:" + strconv.FormatInt(m.Chat.ID, 10),
	}, true
}

// zoneClick sets the zone a button of the question names.
func (e *Engine) zoneClick(ctx context.Context, chatID int64, zone string) ClickResult {
	p := pr(ctx)
	loc, name, err := parseZone(zone)
	if err != nil {
		return ClickResult{Answer: p.T("button_dead")}
	}
	if err := e.store.SetChatTimeZone(ctx, chatID, name); err != nil {
		return ClickResult{Answer: p.T("toast_error"), Replies: e.fail(ctx, "set time zone", err)}
	}
	return ClickResult{Answer: p.T("tz_set_toast"), Replies: []Reply{{Text: zoneSetText(p, name, loc, e.now()), Edit: true}}}
}

// zoneSetText confirms a new zone with the time there now.
func zoneSetText(p *locale.Printer, name string, loc *time.Location, now time.Time) string {
	t := now.In(loc)
	return p.T("tz_set", "Zone", esc(name), "Weekday", p.Weekday(t.Weekday()), "Time", t.Format("15:04"))
}
