package notify

import (
	"errors"
	"strings"
	"time"

	"github.com/go-telegram/bot"
)

// Outcome is what the Bot API's answer to a send means for the message.
type Outcome int

const (
	// Delivered: sent, or an edit that would change nothing.
	Delivered Outcome = iota
	// Flood: 429; wait Verdict.Wait before sending anything (the limit may
	// be the bot's as a whole), then send it again.
	Flood
	// Migrated: the group became a supergroup; send it again to Verdict.To.
	Migrated
	// Blocked: 403, the user blocked the bot or it left the group.
	Blocked
	// EditGone: the message to edit is gone or too old; send the text anew.
	EditGone
	// Refused: 400, the message itself is wrong; sending it again cannot help.
	Refused
	// Transient: network, 5xx, 401 while a token is being fixed; try later.
	Transient
)

// Verdict is a classified send result.
type Verdict struct {
	Outcome Outcome
	Wait    time.Duration // Flood: Telegram's retry_after, at least a second
	To      int64         // Migrated: the supergroup's chat id
}

// Classify reads a send's error (nil: it went out); edit says the send was
// an editMessageText. It is the one reading of Telegram's refusals: the
// outbox sender and the bot's direct answers (readonly.go) both act on it.
func Classify(err error, edit bool) Verdict {
	var tooMany *bot.TooManyRequestsError
	var migrate *bot.MigrateError
	switch {
	case err == nil:
		return Verdict{Outcome: Delivered}
	case errors.As(err, &tooMany):
		return Verdict{Outcome: Flood, Wait: time.Duration(max(tooMany.RetryAfter, 1)) * time.Second}
	// MigrateError does not wrap ErrorBadRequest: check it first.
	case errors.As(err, &migrate):
		return Verdict{Outcome: Migrated, To: int64(migrate.MigrateToChatID)}
	case errors.Is(err, bot.ErrorForbidden):
		return Verdict{Outcome: Blocked}
	case edit && strings.Contains(err.Error(), "message is not modified"):
		return Verdict{Outcome: Delivered}
	case edit && errors.Is(err, bot.ErrorBadRequest):
		return Verdict{Outcome: EditGone}
	case errors.Is(err, bot.ErrorBadRequest):
		return Verdict{Outcome: Refused}
	default:
		return Verdict{Outcome: Transient}
	}
}
