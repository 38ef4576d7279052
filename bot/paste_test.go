package bot

import (
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

// TestOnePasteOneAnswer: a paste of 200 numbers (valid ones, and ones with
// a wrong check digit) is answered with one summary, split into several
// messages only where Telegram's 4096-character limit forces it.
func TestOnePasteOneAnswer(t *testing.T) {
	for _, tc := range []struct {
		name string
		num  func(i int) string
		want string
	}{
		{"valid", func(i int) string { return upsNumber(1 + i) }, upsNumber(1)},
		{"typos", func(i int) string { return typo(upsNumber(300 + i)) }, typo(upsNumber(300))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 500)
			pc := telegramtest.Private(ann)
			var paste strings.Builder
			for i := range 200 {
				paste.WriteString(tc.num(i) + "\n")
			}
			before := len(h.srv.Sent())
			h.srv.SendText(pc, ann, paste.String())
			first := h.wait(before, 1)[0]
			has(t, first, tc.want)
			h.quietFor(before, 1500)
			parts := h.srv.Sent()[before:]
			all := ""
			for i, p := range parts {
				n := len(utf16.Encode([]rune(p.Text)))
				if n > 4096 {
					t.Errorf("part %d is %d characters", i, n)
				}
				if i < len(parts)-1 && n < 3000 {
					t.Errorf("part %d of %d is only %d characters: split before the limit", i+1, len(parts), n)
				}
				all += p.Text
			}
			for i := range 200 {
				if !strings.Contains(all, tc.num(i)) {
					t.Errorf("number %d missing from the answer", i)
				}
			}
			t.Logf("%s: 200 numbers answered in %d message(s)", tc.name, len(parts))
		})
	}
}

// quietFor waits until the bot has sent nothing new for ms milliseconds
// after at least min messages since before.
func (h *harness) quietFor(before, ms int) {
	h.t.Helper()
	last := -1
	for {
		n := len(h.srv.Sent())
		if n == last && n-before >= 1 {
			return
		}
		last = n
		sleepMS(ms)
	}
}

func sleepMS(ms int) { <-time.After(time.Duration(ms) * time.Millisecond) }
