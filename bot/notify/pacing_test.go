package notify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

// TestDefaultPacingPerChat: with the production limits, several pushes
// queued for one private chat go out at most one a second, and several for
// one group at most 20 a minute, so a Bot API that enforces Telegram's
// limits never answers 429.
func TestDefaultPacingPerChat(t *testing.T) {
	if testing.Short() {
		t.Skip("paces at Telegram's real per-chat limits (about 3 s)")
	}
	e := newEnv(t, DefaultLimits)
	e.tg.EnforceLimits(telegramtest.Limits{PerSecond: 30, PerChatPerSecond: 1, PerGroupPerMinute: 20})
	const private, group = 6101, -6102
	e.chat(t, private)
	e.chat(t, group)
	for i := range 3 {
		e.enqueue(t, msg(private, fmt.Sprintf("p%d", i), fmt.Sprintf("private %d", i)))
	}
	for i := range 2 {
		e.enqueue(t, msg(group, fmt.Sprintf("g%d", i), fmt.Sprintf("group %d", i)))
	}
	if err := e.n.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := e.tg.Stats(); st.TooMany != 0 || st.Sends != 5 {
		t.Errorf("fake Bot API stats %+v, want 5 sends and no 429", st)
	}
	gaps := func(chat int64, min time.Duration) {
		var last time.Time
		n := 0
		for _, s := range e.tg.Sent() {
			if s.ChatID != chat {
				continue
			}
			if n > 0 && s.At.Sub(last) < min {
				t.Errorf("chat %d: sends %v apart, want at least %v", chat, s.At.Sub(last), min)
			}
			last = s.At
			n++
		}
		if n == 0 {
			t.Errorf("chat %d got nothing", chat)
		}
	}
	gaps(private, time.Second)
	gaps(group, 3*time.Second) // 20 a minute
}
