package notify

import (
	"context"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

// TestClassify reads the errors the real go-telegram client returns for
// what the Bot API fake answers: each refusal Telegram gives a send.
func TestClassify(t *testing.T) {
	ctx := context.Background()
	srv := telegramtest.NewServer(token)
	t.Cleanup(srv.Close)
	b, err := bot.New(token, bot.WithServerURL(srv.URL), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	send := func(chat int64, text string) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: text, ParseMode: models.ParseModeHTML})
		return err
	}
	edit := func(chat int64, id int, text string) error {
		_, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: chat, MessageID: id, Text: text, ParseMode: models.ParseModeHTML})
		return err
	}
	first, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: "<b>ready</b>", ParseMode: models.ParseModeHTML})
	if err != nil {
		t.Fatal(err)
	}
	srv.Block(2)
	srv.Migrate(-3, -1003)

	tests := []struct {
		name   string
		err    func() error
		isEdit bool
		want   Verdict
	}{
		{"sent", func() error { return send(1, "hello") }, false, Verdict{Outcome: Delivered}},
		{"blocked by the user", func() error { return send(2, "hello") }, false, Verdict{Outcome: Blocked}},
		{"group became a supergroup", func() error { return send(-3, "hello") }, false, Verdict{Outcome: Migrated, To: -1003}},
		{"flood control", func() error { srv.RateLimitNext(1, 7); return send(1, "hello") }, false, Verdict{Outcome: Flood, Wait: 7 * time.Second}},
		{"flood control without a wait", func() error { srv.RateLimitNext(1, 0); return send(1, "hello") }, false, Verdict{Outcome: Flood, Wait: time.Second}},
		{"bad HTML", func() error { return send(1, "<b>unclosed") }, false, Verdict{Outcome: Refused}},
		{"edit changing nothing", func() error { return edit(5, first.ID, "<b>ready</b>") }, true, Verdict{Outcome: Delivered}},
		{"edit of a message that is gone", func() error { return edit(5, 9999, "new") }, true, Verdict{Outcome: EditGone}},
		{"edit in bad HTML", func() error { return edit(5, first.ID, "<i>x") }, true, Verdict{Outcome: EditGone}},
		{"edit to a chat that blocked the bot", func() error { return edit(2, 1, "x") }, true, Verdict{Outcome: Blocked}},
		{"server gone", func() error {
			gone := telegramtest.NewServer(token)
			gb, err := bot.New(token, bot.WithServerURL(gone.URL), bot.WithSkipGetMe())
			if err != nil {
				t.Fatal(err)
			}
			gone.Close()
			_, err = gb.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "hello"})
			return err
		}, false, Verdict{Outcome: Transient}},
		{"wrong token", func() error {
			wb, err := bot.New("999:wrong", bot.WithServerURL(srv.URL), bot.WithSkipGetMe())
			if err != nil {
				t.Fatal(err)
			}
			_, err = wb.SendMessage(ctx, &bot.SendMessageParams{ChatID: 1, Text: "hello"})
			return err
		}, false, Verdict{Outcome: Transient}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			if got := Classify(err, tt.isEdit); got != tt.want {
				t.Errorf("Classify(%v, edit=%v) = %+v, want %+v", err, tt.isEdit, got, tt.want)
			}
		})
	}
}
