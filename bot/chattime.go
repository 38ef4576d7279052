package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone names work on images without /usr/share/zoneinfo

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
)

// zoneAreas are the IANA areas a bare city name is tried in.
var zoneAreas = []string{"Europe", "America", "Asia", "Africa", "Australia", "Pacific", "Atlantic", "Indian",
	"America/Argentina", "America/Indiana"}

// cityZones are cities as their people write them that are no IANA zone
// name ("Wien", "Roma", "Montréal"), folded (see foldCity); IANA cities and
// the cities of the zone question (zoneguess.go) need no entry.
var cityZones = map[string]string{
	"wien": "Europe/Vienna", "munchen": "Europe/Berlin", "munich": "Europe/Berlin", "hamburg": "Europe/Berlin",
	"koln": "Europe/Berlin", "cologne": "Europe/Berlin", "frankfurt": "Europe/Berlin", "geneve": "Europe/Zurich",
	"geneva": "Europe/Zurich", "genf": "Europe/Zurich", "zurigo": "Europe/Zurich", "bruxelles": "Europe/Brussels",
	"brussel": "Europe/Brussels", "milano": "Europe/Rome", "milan": "Europe/Rome", "napoli": "Europe/Rome",
	"torino": "Europe/Rome", "lyon": "Europe/Paris", "marseille": "Europe/Paris", "barcelona": "Europe/Madrid",
	"sevilla": "Europe/Madrid", "valencia": "Europe/Madrid", "porto": "Europe/Lisbon", "rio de janeiro": "America/Sao_Paulo",
	"rio": "America/Sao_Paulo", "brasilia": "America/Sao_Paulo", "montreal": "America/Toronto", "quebec": "America/Toronto",
	"cdmx": "America/Mexico_City", "mexico": "America/Mexico_City", "san francisco": "America/Los_Angeles",
	"seattle": "America/Los_Angeles", "boston": "America/New_York", "miami": "America/New_York",
	"washington": "America/New_York", "houston": "America/Chicago", "dallas": "America/Chicago",
	"delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "mumbai": "Asia/Kolkata", "bangalore": "Asia/Kolkata",
}

// foldCity lower-cases a city and drops its accents ("São Paulo" → "sao
// paulo"), so people need not type them.
func foldCity(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.Join(strings.Fields(s), " ")) {
		switch {
		case strings.ContainsRune("áàâãäå", r):
			r = 'a'
		case strings.ContainsRune("éèêë", r):
			r = 'e'
		case strings.ContainsRune("íìîï", r):
			r = 'i'
		case strings.ContainsRune("óòôõö", r):
			r = 'o'
		case strings.ContainsRune("úùûü", r):
			r = 'u'
		case r == 'ç':
			r = 'c'
		case r == 'ñ':
			r = 'n'
		case r == '_':
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// parseZone reads a time zone as people write it: an IANA name
// ("Europe/Berlin"), a city of one ("berlin", "new york", "São Paulo") or
// a city people know it by ("Wien", "Roma"), or an offset from UTC ("UTC+2",
// "utc-5:30", "GMT+1", "UTC"). It returns the location and the name to
// store.
func parseZone(s string) (*time.Location, string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, "", errors.New("empty")
	}
	up := strings.ToUpper(s)
	for _, pre := range []string{"UTC", "GMT"} {
		if rest, ok := strings.CutPrefix(up, pre); ok {
			if rest == "" {
				return time.UTC, "UTC", nil
			}
			off, err := parseOffset(rest)
			if err != nil {
				return nil, "", err
			}
			name := "UTC" + formatOffset(off)
			return time.FixedZone(name, off), name, nil
		}
	}
	if strings.Contains(s, "/") {
		if loc, err := time.LoadLocation(s); err == nil && s != "Local" {
			return loc, loc.String(), nil
		}
	}
	folded := foldCity(s)
	if zone, ok := cityZones[folded]; ok {
		loc, err := time.LoadLocation(zone)
		return loc, zone, err
	}
	for _, gs := range zoneGuesses {
		for _, g := range gs {
			if foldCity(g.city) == folded {
				loc, err := time.LoadLocation(g.zone)
				return loc, g.zone, err
			}
		}
	}
	parts := strings.Fields(folded)
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
	}
	city := strings.Join(parts, "_")
	for _, area := range zoneAreas {
		if loc, err := time.LoadLocation(area + "/" + city); err == nil {
			return loc, loc.String(), nil
		}
	}
	return nil, "", fmt.Errorf("unknown zone %q", s)
}

// parseOffset reads "+2", "-5:30", "+0530" as seconds east of UTC.
func parseOffset(s string) (int, error) {
	sign := 1
	switch {
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "−"):
		sign = -1
		s = strings.TrimLeft(s, "-−")
	default:
		return 0, fmt.Errorf("offset %q needs + or -", s)
	}
	h, m := s, "0"
	if a, b, ok := strings.Cut(s, ":"); ok {
		h, m = a, b
	} else if len(s) == 4 {
		h, m = s[:2], s[2:]
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh > 14 || mm >= 60 || hh < 0 || mm < 0 {
		return 0, fmt.Errorf("offset %q", s)
	}
	return sign * (hh*3600 + mm*60), nil
}

func formatOffset(off int) string {
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if m == 0 {
		return sign + strconv.Itoa(h)
	}
	return fmt.Sprintf("%s%d:%02d", sign, h, m)
}

// parseClock reads "22:00", "7", "7:30" as minutes after midnight.
func parseClock(s string) (int, bool) {
	h, m, _ := strings.Cut(strings.TrimSpace(s), ":")
	if m == "" {
		m = "0"
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// parseQuiet reads "22:00-07:00" (also "22-7", "22:00 to 07:00").
func parseQuiet(s string) (start, end int, ok bool) {
	s = strings.ReplaceAll(strings.ToLower(s), " to ", "-")
	s = strings.ReplaceAll(s, "–", "-")
	a, b, found := strings.Cut(s, "-")
	if !found {
		return 0, 0, false
	}
	start, ok1 := parseClock(a)
	end, ok2 := parseClock(b)
	if !ok1 || !ok2 || start == end {
		return 0, 0, false
	}
	return start, end, true
}

func clockText(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// quietUntil: when now falls in the chat's quiet hours, the moment they end.
func quietUntil(ct storage.ChatTime, loc *time.Location, now time.Time) (time.Time, bool) {
	if !ct.Quiet() {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	n := now.In(loc)
	mins := n.Hour()*60 + n.Minute()
	in := false
	if ct.QuietStart < ct.QuietEnd {
		in = mins >= ct.QuietStart && mins < ct.QuietEnd
	} else { // over midnight: 22:00-07:00
		in = mins >= ct.QuietStart || mins < ct.QuietEnd
	}
	if !in {
		return time.Time{}, false
	}
	end := time.Date(n.Year(), n.Month(), n.Day(), ct.QuietEnd/60, ct.QuietEnd%60, 0, 0, loc)
	if !end.After(n) {
		end = end.AddDate(0, 0, 1)
	}
	return end, true
}

// chatTime reads a chat's time settings and zone; a store error or a zone
// that no longer loads falls back to none (logged): times are then shown in
// each place's own zone.
func (e *Engine) chatTime(ctx context.Context, chatID int64) (storage.ChatTime, *time.Location) {
	ct, err := e.store.ChatTime(ctx, chatID)
	if err != nil {
		e.log.WarnContext(ctx, "bot: chat time", slog.Int64("chat", chatID), slog.Any("error", err))
		return storage.ChatTime{QuietStart: -1, QuietEnd: -1}, nil
	}
	if ct.TimeZone == "" {
		return ct, nil
	}
	loc, _, err := parseZone(ct.TimeZone)
	if err != nil {
		e.log.WarnContext(ctx, "bot: chat zone", slog.Int64("chat", chatID), slog.String("zone", ct.TimeZone), slog.Any("error", err))
		return ct, nil
	}
	return ct, loc
}

// timezone is /timezone [zone|HH:MM]: shows or sets the chat's zone. A
// local time ("16:05") sets the offset that makes it so.
func (e *Engine) timezone(ctx context.Context, m Message, args string) []Reply {
	p := pr(ctx)
	now := e.now()
	args = strings.TrimSpace(args)
	if args == "" {
		ct, loc := e.chatTime(ctx, m.Chat.ID)
		if loc == nil {
			return []Reply{{Text: p.T("tz_unset", "Now", now.UTC().Format("15:04"), "Example", now.UTC().Add(2*time.Hour).Format("15:04"))}}
		}
		return []Reply{{Text: p.T("tz_current", "Zone", esc(ct.TimeZone), "Now", now.In(loc).Format("15:04"))}}
	}
	var loc *time.Location
	var name string
	if mins, ok := parseClock(args); ok && strings.Contains(args, ":") {
		// The user's clock: the offset from UTC, to the quarter hour.
		utc := now.UTC()
		diff := mins - (utc.Hour()*60 + utc.Minute())
		for diff > 14*60 {
			diff -= 24 * 60
		}
		for diff < -12*60 {
			diff += 24 * 60
		}
		diff = (diff + 7*sign(diff)) / 15 * 15
		name = "UTC" + formatOffset(diff*60)
		loc = time.FixedZone(name, diff*60)
	} else {
		var err error
		if loc, name, err = parseZone(args); err != nil {
			return []Reply{{Text: p.T("tz_unknown", "Zone", esc(truncate(args, 40)))}}
		}
	}
	if err := e.store.SetChatTimeZone(ctx, m.Chat.ID, name); err != nil {
		return e.fail(ctx, "set time zone", err)
	}
	return []Reply{{Text: zoneSetText(p, name, loc, now)}}
}

func sign(n int) int {
	if n < 0 {
		return -1
	}
	return 1
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// quiet is /quiet HH:MM-HH:MM or /quiet off: pushes that are not urgent
// wait until quiet hours end.
func (e *Engine) quiet(ctx context.Context, m Message, args string) []Reply {
	p := pr(ctx)
	args = strings.TrimSpace(strings.ToLower(args))
	ct, loc := e.chatTime(ctx, m.Chat.ID)
	switch args {
	case "":
		if !ct.Quiet() {
			return []Reply{{Text: p.T("quiet_none")}}
		}
		return []Reply{{Text: p.T("quiet_current", "Start", clockText(ct.QuietStart), "End", clockText(ct.QuietEnd), "Zone", zoneNote(p, ct, loc))}}
	case "off", "none", "no", "aus", "desactivar", "apagado", "désactiver", "desligar", "spento":
		if err := e.store.SetChatQuiet(ctx, m.Chat.ID, -1, -1); err != nil {
			return e.fail(ctx, "quiet off", err)
		}
		return []Reply{{Text: p.T("quiet_off")}}
	}
	start, end, ok := parseQuiet(args)
	if !ok {
		return []Reply{{Text: p.T("quiet_usage")}}
	}
	if err := e.store.SetChatQuiet(ctx, m.Chat.ID, start, end); err != nil {
		return e.fail(ctx, "set quiet hours", err)
	}
	return []Reply{{Text: p.T("quiet_set", "Start", clockText(start), "End", clockText(end), "Zone", zoneNote(p, ct, loc))}}
}

// zoneNote names the zone quiet hours are read in, or says how to set one.
func zoneNote(p *locale.Printer, ct storage.ChatTime, loc *time.Location) string {
	if loc == nil {
		return p.T("quiet_zone_utc")
	}
	return esc(ct.TimeZone)
}
