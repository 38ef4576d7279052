package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// BotUser is the bot the fake server pretends to be (getMe).
var BotUser = User{ID: 700000001, IsBot: true, FirstName: "Trackbot", Username: "trackbot_test_bot"}

// Sent is one message-producing call the bot made: sendMessage,
// editMessageText or editMessageReplyMarkup. Text is as sent (HTML when
// ParseMode is "HTML").
type Sent struct {
	Method    string
	ChatID    int64
	MessageID int // the message created or edited
	Text      string
	ParseMode string
	Markup    Markup
	ReplyTo   int // reply_parameters.message_id / reply_to_message_id
	At        time.Time
}

// Answer is one answerCallbackQuery call.
type Answer struct {
	QueryID   string
	Text      string
	ShowAlert bool
}

// Limits are Telegram's sending limits, enforced when set with EnforceLimits.
type Limits struct {
	PerSecond         int // all chats together
	PerChatPerSecond  int // one private chat
	PerGroupPerMinute int // one group or supergroup (negative chat id)
	// Speedup makes time run that many times faster for the limits (the
	// windows shrink, the counts stay), so a test can play minutes of
	// Telegram's pacing in seconds. 0 or 1: real time.
	Speedup float64
}

// Stats counts sends accepted and refused with 429.
type Stats struct {
	Sends   int
	TooMany int
	// TooManyOverall and TooManyChat split the 429s of EnforceLimits by
	// the limit exceeded: the bot's overall rate, or one chat's.
	TooManyOverall, TooManyChat int
	Forbidden                   int
	Migrated                    int
	BadRequests                 int
	// Refused are the sends EnforceLimits refused, for a test to show
	// what went before each.
	Refused []Refusal
}

// Refusal is one send refused with 429 by EnforceLimits.
type Refusal struct {
	ChatID  int64
	At      time.Time
	Overall bool // the overall limit, not the chat's
}

// Server is the fake Bot API. Safe for concurrent use.
type Server struct {
	*httptest.Server
	token string

	mu        sync.Mutex
	wake      chan struct{} // closed and replaced whenever updates are queued
	updates   []Update
	nextUpd   int64
	nextMsgID int
	nextQuery int
	messages  map[int64]map[int]*Message // chat → message id → bot's message
	sent      []Sent
	answers   []Answer
	queries   map[string]bool // callback query ids not answered yet
	calls     map[string]int
	commands  json.RawMessage
	profile   map[string]map[string]string // language_code → method → value
	webhook   struct{ url, secret string }
	blocked   map[int64]bool
	migrated  map[int64]int64
	members   map[int64]map[int64]string // chat → user → status
	rateNext  int
	rateAfter int
	conflict  bool
	limits    *Limits
	files     map[string]storedFile // file_id → content (files.go)
	downloads []string
	sendLog   []sendStamp
	stats     Stats
}

type sendStamp struct {
	chat int64
	at   time.Time
}

// NewServer starts a fake Bot API that accepts token. Close it when done.
func NewServer(token string) *Server {
	s := &Server{
		token:    token,
		wake:     make(chan struct{}),
		nextUpd:  1,
		messages: map[int64]map[int]*Message{},
		queries:  map[string]bool{},
		calls:    map[string]int{},
		blocked:  map[int64]bool{},
		migrated: map[int64]int64{},
		members:  map[int64]map[int64]string{},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// ---------------------------------------------------------------- scripting

// Block makes every send to chatID fail with 403, as when the user blocked the bot.
func (s *Server) Block(chatID int64) { s.mu.Lock(); s.blocked[chatID] = true; s.mu.Unlock() }

// Unblock undoes Block.
func (s *Server) Unblock(chatID int64) { s.mu.Lock(); delete(s.blocked, chatID); s.mu.Unlock() }

// Migrate makes sends to oldID fail with 400 and parameters.migrate_to_chat_id=newID.
func (s *Server) Migrate(oldID, newID int64) {
	s.mu.Lock()
	s.migrated[oldID] = newID
	s.mu.Unlock()
}

// RateLimitNext makes the next n sends answer 429 with retry_after seconds.
func (s *Server) RateLimitNext(n, retryAfter int) {
	s.mu.Lock()
	s.rateNext, s.rateAfter = n, retryAfter
	s.mu.Unlock()
}

// Conflict makes every getUpdates answer 409, as when a second instance polls the same token.
func (s *Server) Conflict() { s.mu.Lock(); s.conflict = true; s.mu.Unlock(); s.notify() }

// EnforceLimits turns on Telegram's sending limits: a send that would exceed
// one is refused with 429 and the retry_after that would make it pass.
func (s *Server) EnforceLimits(l Limits) { s.mu.Lock(); s.limits = &l; s.mu.Unlock() }

// SetMember sets a user's status in a chat ("creator", "administrator", "member", …)
// for getChatMember and getChatAdministrators.
func (s *Server) SetMember(chatID int64, u User, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members[chatID] == nil {
		s.members[chatID] = map[int64]string{}
	}
	s.members[chatID][u.ID] = status
}

// ---------------------------------------------------------------- updates

// Private returns the private chat with u.
func Private(u User) Chat {
	return Chat{ID: u.ID, Type: "private", FirstName: u.FirstName, Username: u.Username}
}

// Group returns a basic group chat (negative id).
func Group(id int64, title string) Chat { return Chat{ID: id, Type: "group", Title: title} }

// Supergroup returns a supergroup chat (id like -100…).
func Supergroup(id int64, title string) Chat { return Chat{ID: id, Type: "supergroup", Title: title} }

// Push queues a raw update (its UpdateID is assigned) and returns its id.
func (s *Server) Push(u Update) int64 {
	s.mu.Lock()
	u.UpdateID = s.nextUpd
	s.nextUpd++
	s.updates = append(s.updates, u)
	s.mu.Unlock()
	s.notify()
	return u.UpdateID
}

// SendText queues a text message from a user, with bot_command and mention
// entities computed like Telegram does (UTF-16 offsets).
func (s *Server) SendText(chat Chat, from User, text string) Message {
	return s.send(chat, from, text, nil)
}

// SendTexts queues text messages from a user all at once: a getUpdates
// sees none of them or as many as its limit takes, never a part cut by
// timing.
func (s *Server) SendTexts(chat Chat, from User, texts ...string) {
	s.mu.Lock()
	for _, text := range texts {
		s.nextMsgID++
		m := Message{MessageID: s.nextMsgID, From: &from, Chat: chat, Date: time.Now().Unix(), Text: text,
			Entities: Entities(text)}
		s.updates = append(s.updates, Update{UpdateID: s.nextUpd, Message: &m})
		s.nextUpd++
	}
	s.mu.Unlock()
	s.notify()
}

// ReplyText queues a message replying to one of the bot's messages.
func (s *Server) ReplyText(chat Chat, from User, text string, to Sent) Message {
	s.mu.Lock()
	orig := s.messages[to.ChatID][to.MessageID]
	s.mu.Unlock()
	if orig == nil {
		orig = &Message{MessageID: to.MessageID, From: &BotUser, Chat: chat, Text: to.Text}
	}
	return s.send(chat, from, text, orig)
}

func (s *Server) send(chat Chat, from User, text string, replyTo *Message) Message {
	s.mu.Lock()
	s.nextMsgID++
	m := Message{MessageID: s.nextMsgID, From: &from, Chat: chat, Date: time.Now().Unix(), Text: text,
		Entities: Entities(text), ReplyToMessage: replyTo}
	s.mu.Unlock()
	s.Push(Update{Message: &m})
	return m
}

// Click queues a press on a button of a message the bot sent and returns the
// callback query id. It fails if the message has no button with that data,
// since Telegram only delivers data the bot put on a button.
func (s *Server) Click(from User, on Sent, data string) (string, error) {
	s.mu.Lock()
	msg := s.messages[on.ChatID][on.MessageID]
	if msg == nil {
		s.mu.Unlock()
		return "", fmt.Errorf("telegramtest: no bot message %d in chat %d", on.MessageID, on.ChatID)
	}
	var mk Markup
	_ = json.Unmarshal(msg.ReplyMarkup, &mk)
	found := false
	for _, b := range mk.Buttons() {
		found = found || b.CallbackData == data
	}
	if !found {
		s.mu.Unlock()
		return "", fmt.Errorf("telegramtest: message %d has no button with data %q", on.MessageID, data)
	}
	s.nextQuery++
	id := strconv.Itoa(900000 + s.nextQuery)
	s.queries[id] = true
	cp := *msg
	s.mu.Unlock()
	s.Push(Update{CallbackQuery: &CallbackQuery{ID: id, From: from, Message: &cp, ChatInstance: "ci" + strconv.FormatInt(on.ChatID, 10), Data: data}})
	return id, nil
}

// AddToGroup queues the my_chat_member update of the bot joining chat.
func (s *Server) AddToGroup(chat Chat, by User) {
	s.memberChange(chat, by, "left", "member")
}

// RemoveFromGroup queues the bot being removed from chat; sends to it then answer 403.
func (s *Server) RemoveFromGroup(chat Chat, by User) {
	s.mu.Lock()
	s.blocked[chat.ID] = true
	s.mu.Unlock()
	s.memberChange(chat, by, "member", "left")
}

// BlockedBy queues the my_chat_member update of u blocking the bot, and blocks sends.
func (s *Server) BlockedBy(u User) {
	s.Block(u.ID)
	s.memberChange(Private(u), u, "member", "kicked")
}

func (s *Server) memberChange(chat Chat, by User, from, to string) {
	s.Push(Update{MyChatMember: &ChatMemberUpdated{Chat: chat, From: by, Date: time.Now().Unix(),
		OldChatMember: ChatMember{Status: from, User: BotUser}, NewChatMember: ChatMember{Status: to, User: BotUser}}})
}

// AnnounceMigration queues the service message Telegram posts in a group
// upgraded to a supergroup, and scripts sends to the old id to fail.
func (s *Server) AnnounceMigration(old Chat, newID int64, by User) {
	s.Migrate(old.ID, newID)
	s.mu.Lock()
	s.nextMsgID++
	m := Message{MessageID: s.nextMsgID, From: &by, Chat: old, Date: time.Now().Unix(), MigrateToChatID: newID}
	s.mu.Unlock()
	s.Push(Update{Message: &m})
}

// Entities finds bot_command and mention entities in text, offsets in UTF-16 units.
func Entities(text string) []Entity {
	var out []Entity
	units := 0
	rs := []rune(text)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		prevSpace := i == 0 || rs[i-1] == ' ' || rs[i-1] == '\n'
		if (r == '/' || r == '@') && prevSpace {
			j := i + 1
			for j < len(rs) && (rs[j] == '_' || rs[j] == '@' && r == '/' || isWord(rs[j])) {
				j++
			}
			if j > i+1 {
				typ := "bot_command"
				if r == '@' {
					typ = "mention"
				}
				out = append(out, Entity{Type: typ, Offset: units, Length: utf16Len(string(rs[i:j]))})
				for _, x := range rs[i:j] {
					units += utf16Len(string(x))
				}
				i = j - 1
				continue
			}
		}
		units += utf16Len(string(r))
	}
	return out
}

func isWord(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// ---------------------------------------------------------------- inspection

// Sent returns every message the bot sent or edited, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// SentTo returns what was sent or edited in one chat.
func (s *Server) SentTo(chatID int64) []Sent {
	var out []Sent
	for _, m := range s.Sent() {
		if m.ChatID == chatID {
			out = append(out, m)
		}
	}
	return out
}

// WaitSent waits until at least n messages were sent (or edited) and returns all of them.
func (s *Server) WaitSent(ctx context.Context, n int) ([]Sent, error) {
	for {
		if got := s.Sent(); len(got) >= n {
			return got, nil
		}
		select {
		case <-ctx.Done():
			return s.Sent(), fmt.Errorf("telegramtest: waiting for %d sent messages, have %d: %w", n, len(s.Sent()), ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Answers returns every answerCallbackQuery call.
func (s *Server) Answers() []Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Answer(nil), s.answers...)
}

// Calls returns how many times method was called.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[strings.ToLower(method)]
}

// Commands returns the JSON of the last setMyCommands.
func (s *Server) Commands() json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands
}

// Profile returns what the last setMyCommands (the commands' JSON),
// setMyDescription or setMyShortDescription set for a language_code ("" is
// the default for all languages), and whether it was set.
func (s *Server) Profile(method, languageCode string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.profile[languageCode][strings.ToLower(method)]
	return v, ok
}

// setProfile checks and records setMyCommands, setMyDescription and
// setMyShortDescription as the Bot API does: language_code is empty or a
// two-letter ISO 639-1 code, descriptions are at most 512 (short: 120)
// characters, commands 1–100 with 1–256-character descriptions.
func (s *Server) setProfile(method string, p map[string]string) (any, *apiError) {
	lang := p["language_code"]
	if lang != "" && (len(lang) != 2 || strings.ToLower(lang) != lang) {
		return nil, &apiError{code: 400, desc: "Bad Request: invalid language code specified"}
	}
	var val string
	switch method {
	case "setmycommands":
		var cmds []struct{ Command, Description string }
		if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil || len(cmds) == 0 || len(cmds) > 100 {
			return nil, &apiError{code: 400, desc: "Bad Request: can't parse commands"}
		}
		for _, c := range cmds {
			if n := utf16Len(c.Description); n < 1 || n > 256 {
				return nil, &apiError{code: 400, desc: "Bad Request: command description must be 1-256 characters"}
			}
		}
		val = p["commands"]
	case "setmydescription":
		if val = p["description"]; utf16Len(val) > 512 {
			return nil, &apiError{code: 400, desc: "Bad Request: description is too long"}
		}
	default:
		if val = p["short_description"]; utf16Len(val) > 120 {
			return nil, &apiError{code: 400, desc: "Bad Request: short description is too long"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.profile == nil {
		s.profile = map[string]map[string]string{}
	}
	if s.profile[lang] == nil {
		s.profile[lang] = map[string]string{}
	}
	s.profile[lang][method] = val
	if method == "setmycommands" && lang == "" {
		s.commands = json.RawMessage(val)
	}
	return true, nil
}

// Webhook returns the url and secret of the last setWebhook.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook.url, s.webhook.secret
}

// Pending reports how many queued updates the bot has not confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Stats returns the send counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Refused = slices.Clone(st.Refused)
	return st
}

// ---------------------------------------------------------------- HTTP

type apiError struct {
	code   int
	desc   string
	params *responseParams
}

func (s *Server) notify() {
	s.mu.Lock()
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/file/") {
		s.serveFile(w, r)
		return
	}
	prefix := "/bot" + s.token + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		writeJSON(w, envelope{OK: false, ErrorCode: 401, Description: "Unauthorized"}, 401)
		return
	}
	method := strings.ToLower(strings.TrimPrefix(r.URL.Path, prefix))
	p, err := params(r)
	if err != nil {
		writeJSON(w, envelope{ErrorCode: 400, Description: "Bad Request: " + err.Error()}, 400)
		return
	}
	s.mu.Lock()
	s.calls[method]++
	s.mu.Unlock()

	var res any
	var aerr *apiError
	switch method {
	case "getme":
		res = BotUser
	case "getupdates":
		res, aerr = s.getUpdates(r.Context(), p)
	case "sendmessage":
		res, aerr = s.sendMessage(p)
	case "editmessagetext":
		res, aerr = s.editMessage(p, true)
	case "editmessagereplymarkup":
		res, aerr = s.editMessage(p, false)
	case "answercallbackquery":
		res, aerr = s.answerCallback(p)
	case "setmycommands", "setmydescription", "setmyshortdescription":
		res, aerr = s.setProfile(method, p)
	case "deletewebhook":
		s.mu.Lock()
		s.webhook.url, s.webhook.secret = "", ""
		s.mu.Unlock()
		res = true
	case "setwebhook":
		s.mu.Lock()
		s.webhook.url, s.webhook.secret = p["url"], p["secret_token"]
		s.mu.Unlock()
		res = true
	case "getwebhookinfo":
		s.mu.Lock()
		res = map[string]any{"url": s.webhook.url, "has_custom_certificate": false, "pending_update_count": len(s.updates)}
		s.mu.Unlock()
	case "getfile":
		res, aerr = s.getFile(p)
	case "getchatmember":
		res, aerr = s.getChatMember(p)
	case "getchatadministrators":
		res, aerr = s.getChatAdministrators(p)
	default:
		aerr = &apiError{code: 404, desc: "Not Found"}
	}
	if aerr != nil {
		writeJSON(w, envelope{ErrorCode: aerr.code, Description: aerr.desc, Parameters: aerr.params}, aerr.code)
		return
	}
	writeJSON(w, envelope{OK: true, Result: res}, 200)
}

func writeJSON(w http.ResponseWriter, e envelope, code int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(e)
}

// params reads a request's parameters from the query string and a JSON,
// urlencoded or multipart body. Non-string JSON values are kept as their JSON
// text, which is how they arrive in form bodies too.
func params(r *http.Request) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range r.URL.Query() {
		out[k] = v[0]
	}
	if r.Body == nil {
		return out, nil
	}
	ct, ps, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil && err != io.EOF {
			return nil, fmt.Errorf("can't parse JSON: %w", err)
		}
		for k, v := range m {
			var s string
			if json.Unmarshal(v, &s) == nil {
				out[k] = s
			} else {
				out[k] = string(v)
			}
		}
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		v, err := url.ParseQuery(string(b))
		if err != nil {
			return nil, err
		}
		for k, x := range v {
			out[k] = x[0]
		}
	case "multipart/form-data":
		body, err := io.ReadAll(r.Body)
		if err != nil || len(body) == 0 {
			return out, err // the client sends an empty multipart body for methods without parameters
		}
		mr := multipart.NewReader(bytes.NewReader(body), ps["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(part)
			if err != nil {
				return nil, err
			}
			out[part.FormName()] = string(b)
		}
	}
	return out, nil
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) (any, *apiError) {
	offset, _ := strconv.ParseInt(p["offset"], 10, 64)
	timeout, _ := strconv.Atoi(p["timeout"])
	limit, _ := strconv.Atoi(p["limit"])
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		if s.conflict {
			s.mu.Unlock()
			return nil, &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
		}
		// An offset confirms every update below it: they are gone for good.
		if offset > 0 {
			i := 0
			for i < len(s.updates) && s.updates[i].UpdateID < offset {
				i++
			}
			s.updates = s.updates[i:]
		}
		if len(s.updates) > 0 {
			n := min(limit, len(s.updates))
			out := append([]Update(nil), s.updates[:n]...)
			s.mu.Unlock()
			return out, nil
		}
		wake := s.wake
		s.mu.Unlock()
		select {
		case <-wake:
		case <-deadline:
			return []Update{}, nil
		case <-ctx.Done():
			return []Update{}, nil
		}
	}
}

// refuse applies the scripted failures and limits to a send to chatID.
// Called with s.mu held.
func (s *Server) refuse(chatID int64) *apiError {
	if to, ok := s.migrated[chatID]; ok {
		s.stats.Migrated++
		return &apiError{code: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat", params: &responseParams{MigrateToChatID: to}}
	}
	if s.blocked[chatID] {
		s.stats.Forbidden++
		desc := "Forbidden: bot was blocked by the user"
		if chatID < 0 {
			desc = "Forbidden: bot was kicked from the group chat"
		}
		return &apiError{code: 403, desc: desc}
	}
	if s.rateNext > 0 {
		s.rateNext--
		s.stats.TooMany++
		return tooMany(s.rateAfter)
	}
	if s.limits != nil {
		now := time.Now()
		if wait, overall := s.limitWait(chatID, now); wait > 0 {
			s.stats.TooMany++
			s.stats.Refused = append(s.stats.Refused, Refusal{ChatID: chatID, At: now, Overall: overall})
			if overall {
				s.stats.TooManyOverall++
			} else {
				s.stats.TooManyChat++
			}
			return tooMany(int(math.Ceil(wait.Seconds())))
		}
	}
	return nil
}

func tooMany(after int) *apiError {
	return &apiError{code: 429, desc: fmt.Sprintf("Too Many Requests: retry after %d", after), params: &responseParams{RetryAfter: after}}
}

// limitWait returns how long until a send to chat fits the limits (0: now),
// and whether the overall limit is the one exceeded.
func (s *Server) limitWait(chat int64, now time.Time) (wait time.Duration, overall bool) {
	check := func(window time.Duration, max int, match func(sendStamp) bool) bool {
		if max <= 0 {
			return false
		}
		var in []time.Time
		for _, st := range s.sendLog {
			if now.Sub(st.at) < window && match(st) {
				in = append(in, st.at)
			}
		}
		if len(in) >= max {
			// The oldest send that must leave the window before this one fits.
			if w := in[len(in)-max].Add(window).Sub(now); w > wait {
				wait = w
			}
			return true
		}
		return false
	}
	sec, min := time.Second, time.Minute
	if f := s.limits.Speedup; f > 1 {
		sec, min = time.Duration(float64(sec)/f), time.Duration(float64(min)/f)
	}
	overall = check(sec, s.limits.PerSecond, func(sendStamp) bool { return true })
	if chat > 0 {
		check(sec, s.limits.PerChatPerSecond, func(st sendStamp) bool { return st.chat == chat })
	} else {
		check(min, s.limits.PerGroupPerMinute, func(st sendStamp) bool { return st.chat == chat })
	}
	return wait, overall
}

func (s *Server) sendMessage(p map[string]string) (any, *apiError) {
	chatID, err := strconv.ParseInt(p["chat_id"], 10, 64)
	if err != nil {
		return nil, &apiError{code: 400, desc: "Bad Request: chat not found"}
	}
	plain, mk, aerr := validate(p)
	if aerr != nil {
		s.mu.Lock()
		s.stats.BadRequests++
		s.mu.Unlock()
		return nil, aerr
	}
	replyTo := replyToID(p)
	s.mu.Lock()
	defer s.mu.Unlock()
	if aerr := s.refuse(chatID); aerr != nil {
		return nil, aerr
	}
	now := time.Now()
	s.sendLog = append(s.sendLog, sendStamp{chatID, now})
	if len(s.sendLog) > 10000 {
		s.sendLog = s.sendLog[5000:]
	}
	s.stats.Sends++
	s.nextMsgID++
	m := &Message{MessageID: s.nextMsgID, From: &BotUser, Chat: chatOf(chatID), Date: now.Unix(), Text: plain,
		ReplyMarkup: json.RawMessage(p["reply_markup"])}
	if p["reply_markup"] == "" {
		m.ReplyMarkup = nil
	}
	if s.messages[chatID] == nil {
		s.messages[chatID] = map[int]*Message{}
	}
	s.messages[chatID][m.MessageID] = m
	s.sent = append(s.sent, Sent{Method: "sendMessage", ChatID: chatID, MessageID: m.MessageID, Text: p["text"],
		ParseMode: p["parse_mode"], Markup: mk, ReplyTo: replyTo, At: now})
	return m, nil
}

func replyToID(p map[string]string) int {
	if id, err := strconv.Atoi(p["reply_to_message_id"]); err == nil {
		return id
	}
	var rp struct {
		MessageID int `json:"message_id"`
	}
	if json.Unmarshal([]byte(p["reply_parameters"]), &rp) == nil {
		return rp.MessageID
	}
	return 0
}

func chatOf(id int64) Chat {
	if id < 0 {
		if id < -1000000000000 {
			return Chat{ID: id, Type: "supergroup"}
		}
		return Chat{ID: id, Type: "group"}
	}
	return Chat{ID: id, Type: "private"}
}

// validate checks text, parse mode and markup like Telegram and returns the
// text as the user would see it.
func validate(p map[string]string) (string, Markup, *apiError) {
	var mk Markup
	if raw := p["reply_markup"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &mk); err != nil {
			return "", mk, &apiError{code: 400, desc: "Bad Request: can't parse reply keyboard markup JSON object"}
		}
		var fields struct {
			Rows [][]map[string]json.RawMessage `json:"inline_keyboard"`
		}
		_ = json.Unmarshal([]byte(raw), &fields) // it parsed as a Markup
		for _, row := range fields.Rows {
			for _, b := range row {
				if aerr := buttonType(b); aerr != nil {
					return "", mk, aerr
				}
			}
		}
		for _, b := range mk.Buttons() {
			if b.URL == "" && len(b.CallbackData) > 64 {
				return "", mk, &apiError{code: 400, desc: "Bad Request: BUTTON_DATA_INVALID"}
			}
			if b.Text == "" {
				return "", mk, &apiError{code: 400, desc: "Bad Request: BUTTON_TEXT_EMPTY"}
			}
		}
	}
	text := p["text"]
	if _, ok := p["text"]; !ok && p["message_id"] != "" {
		return "", mk, nil // editMessageReplyMarkup
	}
	plain := text
	if strings.EqualFold(p["parse_mode"], "HTML") {
		var err error
		plain, err = ParseHTML(text)
		if err != nil {
			return "", mk, &apiError{code: 400, desc: "Bad Request: can't parse entities: " + err.Error()}
		}
	}
	if strings.TrimSpace(plain) == "" {
		return "", mk, &apiError{code: 400, desc: "Bad Request: message text is empty"}
	}
	if utf16Len(plain) > 4096 {
		return "", mk, &apiError{code: 400, desc: "Bad Request: message is too long"}
	}
	return plain, mk, nil
}

// buttonActions are the fields that make an inline button what it is;
// Telegram wants exactly one per button.
var buttonActions = []string{"url", "callback_data", "web_app", "login_url", "switch_inline_query",
	"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay"}

// buttonType refuses a button that is not exactly one kind, as Telegram does:
// a copy_text beside another action, or with nothing to copy (which is what
// go-telegram's own keyboard type sends with every button, PR #167), is
// BUTTON_COPY_TEXT_INVALID.
func buttonType(b map[string]json.RawMessage) *apiError {
	n := 0
	for _, f := range buttonActions {
		if _, ok := b[f]; ok {
			n++
		}
	}
	if raw, ok := b["copy_text"]; ok {
		var ct CopyText
		if json.Unmarshal(raw, &ct) != nil || ct.Text == "" || utf8.RuneCountInString(ct.Text) > 256 || n > 1 {
			return &apiError{code: 400, desc: "Bad Request: BUTTON_COPY_TEXT_INVALID"}
		}
	}
	switch {
	case n == 0:
		return &apiError{code: 400, desc: "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"}
	case n > 1:
		return &apiError{code: 400, desc: "Bad Request: BUTTON_TYPE_INVALID"}
	}
	return nil
}

func (s *Server) editMessage(p map[string]string, withText bool) (any, *apiError) {
	chatID, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	msgID, _ := strconv.Atoi(p["message_id"])
	if !withText {
		delete(p, "text")
	}
	plain, mk, aerr := validate(p)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if aerr := s.refuse(chatID); aerr != nil {
		return nil, aerr
	}
	m := s.messages[chatID][msgID]
	if m == nil {
		return nil, &apiError{code: 400, desc: "Bad Request: message to edit not found"}
	}
	newMarkup := json.RawMessage(p["reply_markup"])
	if p["reply_markup"] == "" {
		newMarkup = nil
	}
	if (!withText || m.Text == plain) && string(m.ReplyMarkup) == string(newMarkup) {
		return nil, &apiError{code: 400, desc: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}
	}
	if withText {
		m.Text = plain
	}
	m.ReplyMarkup = newMarkup
	method := "editMessageReplyMarkup"
	text := ""
	if withText {
		method, text = "editMessageText", p["text"]
	}
	s.sent = append(s.sent, Sent{Method: method, ChatID: chatID, MessageID: msgID, Text: text, ParseMode: p["parse_mode"], Markup: mk, At: time.Now()})
	return m, nil
}

func (s *Server) answerCallback(p map[string]string) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := p["callback_query_id"]
	if !s.queries[id] {
		return nil, &apiError{code: 400, desc: "Bad Request: query is too old and response timeout expired or query ID is invalid"}
	}
	delete(s.queries, id)
	s.answers = append(s.answers, Answer{QueryID: id, Text: p["text"], ShowAlert: p["show_alert"] == "true"})
	return true, nil
}

func (s *Server) getChatMember(p map[string]string) (any, *apiError) {
	chatID, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	userID, _ := strconv.ParseInt(p["user_id"], 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	status := s.members[chatID][userID]
	if status == "" {
		status = "member"
	}
	return ChatMember{Status: status, User: User{ID: userID, FirstName: "user" + strconv.FormatInt(userID, 10)}}, nil
}

func (s *Server) getChatAdministrators(p map[string]string) (any, *apiError) {
	chatID, _ := strconv.ParseInt(p["chat_id"], 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []ChatMember{}
	for uid, st := range s.members[chatID] {
		if st == "creator" || st == "administrator" {
			out = append(out, ChatMember{Status: st, User: User{ID: uid, FirstName: "user" + strconv.FormatInt(uid, 10)}})
		}
	}
	return out, nil
}
