package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

const token = "123456:test-token"

func client(t *testing.T, s *Server) *tg.Bot {
	t.Helper()
	b, err := tg.New(token, tg.WithServerURL(s.URL), tg.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSendMessageValidation(t *testing.T) {
	s := NewServer(token)
	defer s.Close()
	b := client(t, s)
	ctx := context.Background()
	long := strings.Repeat("x", 4097)
	tests := map[string]struct {
		text    string
		markup  models.ReplyMarkup
		wantErr string
	}{
		"plain html":         {text: "<b>hi</b> &lt;there&gt;"},
		"nested":             {text: "<b><i>a</i></b> <a href=\"https://x.test\">l</a>"},
		"unbalanced":         {text: "<b>hi", wantErr: "Can't find end tag"},
		"crossed":            {text: "<b><i>hi</b></i>", wantErr: "Unmatched end tag"},
		"unsupported tag":    {text: "<script>x</script>", wantErr: "Unsupported start tag"},
		"bare less-than":     {text: "a < b", wantErr: "can't parse entities"},
		"too long":           {text: long, wantErr: "message is too long"},
		"empty":              {text: "<b></b>", wantErr: "message text is empty"},
		"4096 emoji units":   {text: strings.Repeat("📦", 2049), wantErr: "too long"},
		"callback 64 bytes":  {text: "ok", markup: kb(strings.Repeat("a", 64))},
		"callback 65 bytes":  {text: "ok", markup: kb(strings.Repeat("a", 65)), wantErr: "BUTTON_DATA_INVALID"},
		"4096 entity string": {text: strings.Repeat("&amp;", 4096)},
		"copy button":        {text: "ok", markup: button(`"copy_text":{"text":"1Z999AA10123456784"}`)},
		"url button":         {text: "ok", markup: button(`"url":"https://x.test"`)},
		// go-telegram's own keyboard type sends an empty copy_text with every button.
		"go-telegram keyboard": {text: "ok", wantErr: "BUTTON_COPY_TEXT_INVALID", markup: &models.InlineKeyboardMarkup{
			InlineKeyboard: [][]models.InlineKeyboardButton{{{Text: "b", CallbackData: "x"}}}}},
		"empty copy text":     {text: "ok", markup: button(`"copy_text":{"text":""}`), wantErr: "BUTTON_COPY_TEXT_INVALID"},
		"copy beside url":     {text: "ok", markup: button(`"url":"https://x.test","copy_text":{"text":"a"}`), wantErr: "BUTTON_COPY_TEXT_INVALID"},
		"callback beside url": {text: "ok", markup: button(`"url":"https://x.test","callback_data":"x"`), wantErr: "BUTTON_TYPE_INVALID"},
		"no action":           {text: "ok", markup: button(`"unknown":1`), wantErr: "Text buttons are unallowed"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 42, Text: tc.text, ParseMode: models.ParseModeHTML, ReplyMarkup: tc.markup})
			if tc.wantErr == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, tg.ErrorBadRequest)) {
				t.Fatalf("error %v, want bad request with %q", err, tc.wantErr)
			}
		})
	}
}

func kb(data string) models.ReplyMarkup {
	return button(`"callback_data":` + strconv.Quote(data))
}

// button is a keyboard of one button "b" with the given JSON fields.
func button(fields string) models.ReplyMarkup {
	return json.RawMessage(`{"inline_keyboard":[[{"text":"b",` + fields + `}]]}`)
}

func TestScriptedFailures(t *testing.T) {
	s := NewServer(token)
	defer s.Close()
	b := client(t, s)
	ctx := context.Background()
	send := func(chat int64) error {
		_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: chat, Text: "hello"})
		return err
	}
	s.Block(5)
	if err := send(5); !errors.Is(err, tg.ErrorForbidden) {
		t.Fatalf("blocked: %v", err)
	}
	s.Migrate(-7, -1000000000007)
	var me *tg.MigrateError
	if err := send(-7); !errors.As(err, &me) || me.MigrateToChatID != -1000000000007 {
		t.Fatalf("migrate: %v", err)
	}
	s.RateLimitNext(1, 3)
	var tm *tg.TooManyRequestsError
	if err := send(8); !errors.As(err, &tm) || tm.RetryAfter != 3 {
		t.Fatalf("429: %v", err)
	}
	if err := send(8); err != nil {
		t.Fatalf("after the scripted 429: %v", err)
	}
	if st := s.Stats(); st.Sends != 1 || st.TooMany != 1 || st.Forbidden != 1 || st.Migrated != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestEnforceLimits(t *testing.T) {
	s := NewServer(token)
	defer s.Close()
	b := client(t, s)
	s.EnforceLimits(Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20})
	ctx := context.Background()
	var tm *tg.TooManyRequestsError
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1, Text: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: 1, Text: "b"}); !errors.As(err, &tm) || tm.RetryAfter != 1 {
		t.Fatalf("second send to one chat within a second: %v", err)
	}
	for i := range 20 {
		if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: -5, Text: "g"}); err != nil && i < 20 {
			// The group also counts towards the 30/s overall limit (1 + i sends so far).
			t.Fatalf("group send %d: %v", i, err)
		}
	}
	if _, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: -5, Text: "g"}); !errors.As(err, &tm) || tm.RetryAfter < 50 {
		t.Fatalf("21st group send in a minute: %v", err)
	}
	if st := s.Stats(); st.Sends != 21 || st.TooMany != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestGetUpdatesOffsetAndConflict(t *testing.T) {
	s := NewServer(token)
	defer s.Close()
	u := User{ID: 11, FirstName: "Ann"}
	s.SendText(Private(u), u, "/start@trackbot_test_bot hi")
	s.SendText(Private(u), u, "📦 /list")

	p := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	ups, aerr := s.getUpdates(context.Background(), p("offset", "0", "timeout", "0"))
	if aerr != nil || len(ups.([]Update)) != 2 {
		t.Fatalf("first poll: %v %v", ups, aerr)
	}
	list := ups.([]Update)
	if e := list[0].Message.Entities; len(e) != 1 || e[0].Length != len("/start@trackbot_test_bot") {
		t.Fatalf("command with bot name: %+v", e)
	}
	if e := list[1].Message.Entities; len(e) != 1 || e[0].Offset != 3 || e[0].Type != "bot_command" {
		t.Fatalf("entity offsets must count UTF-16 units: %+v", e)
	}
	ups, _ = s.getUpdates(context.Background(), p("offset", strconv.FormatInt(list[1].UpdateID+1, 10), "timeout", "0"))
	if len(ups.([]Update)) != 0 || s.Pending() != 0 {
		t.Fatalf("offset must confirm updates: %v pending %d", ups, s.Pending())
	}
	start := time.Now()
	go func() { time.Sleep(50 * time.Millisecond); s.SendText(Private(u), u, "late") }()
	ups, _ = s.getUpdates(context.Background(), p("timeout", "5"))
	if len(ups.([]Update)) != 1 || time.Since(start) > 3*time.Second {
		t.Fatalf("long poll should return as soon as an update arrives: %v", ups)
	}
	s.Conflict()
	if _, aerr := s.getUpdates(context.Background(), p()); aerr == nil || aerr.code != 409 {
		t.Fatalf("conflict: %+v", aerr)
	}
}

// TestRealClientRoundTrip runs the go-telegram client's long polling against
// the fake: an update in, a message with a button out, a click, an edit.
func TestRealClientRoundTrip(t *testing.T) {
	s := NewServer(token)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	handler := func(ctx context.Context, b *tg.Bot, up *models.Update) {
		switch {
		case up.Message != nil:
			_, err := b.SendMessage(ctx, &tg.SendMessageParams{ChatID: up.Message.Chat.ID, Text: "echo <b>" + up.Message.Text + "</b>",
				ParseMode: models.ParseModeHTML, ReplyMarkup: kb("ref:1")})
			if err != nil {
				t.Error(err)
			}
		case up.CallbackQuery != nil:
			m := up.CallbackQuery.Message.Message
			if _, err := b.EditMessageText(ctx, &tg.EditMessageTextParams{ChatID: m.Chat.ID, MessageID: m.ID, Text: "clicked " + up.CallbackQuery.Data}); err != nil {
				t.Error(err)
			}
			if _, err := b.AnswerCallbackQuery(ctx, &tg.AnswerCallbackQueryParams{CallbackQueryID: up.CallbackQuery.ID, Text: "done"}); err != nil {
				t.Error(err)
			}
		}
	}
	b, err := tg.New(token, tg.WithServerURL(s.URL), tg.WithDefaultHandler(handler))
	if err != nil {
		t.Fatal(err)
	}
	go b.Start(ctx)
	u := User{ID: 12, FirstName: "Bo"}
	s.SendText(Private(u), u, "hi")
	sent, err := s.WaitSent(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sent[0].Text != "echo <b>hi</b>" || sent[0].ChatID != 12 || len(sent[0].Markup.Buttons()) != 1 {
		t.Fatalf("sent %+v", sent[0])
	}
	if _, err := s.Click(u, sent[0], "nope"); err == nil {
		t.Fatal("click on a button that does not exist must fail")
	}
	if _, err := s.Click(u, sent[0], "ref:1"); err != nil {
		t.Fatal(err)
	}
	sent, err = s.WaitSent(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if sent[1].Method != "editMessageText" || sent[1].Text != "clicked ref:1" {
		t.Fatalf("edit %+v", sent[1])
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(s.Answers()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if a := s.Answers(); len(a) != 1 || a[0].Text != "done" {
		t.Fatalf("answers %+v", a)
	}
}
