package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	tg "github.com/go-telegram/bot"
)

// ErrBadToken: Telegram refused the token itself. Retrying cannot help.
var ErrBadToken = errors.New("Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized): open Telegram, talk to @BotFather, " +
	"send /mybots, pick your bot, press \"API Token\" and copy the token it shows into TELEGRAM_BOT_TOKEN " +
	"(a token revoked there stops working at once)")

// Start-up calls are retried this long before the program gives up.
const (
	startRetryFirst = time.Second
	startRetryMax   = 30 * time.Second
	startRetryFor   = 5 * time.Minute
)

// startupRetry runs a start-up call (getMe, setMyCommands, deleteWebhook,
// setWebhook) until it succeeds, retrying network errors, 5xx and 429 with
// back-off (a 429's retry_after honoured) for up to startRetryFor. A 401
// stops at once with ErrBadToken; other refusals (400, 404) stop too.
func startupRetry(ctx context.Context, log *slog.Logger, what string, f func(context.Context) error) error {
	wait := startRetryFirst
	deadline := time.Now().Add(startRetryFor)
	for {
		err := f(ctx)
		var flood *tg.TooManyRequestsError
		switch {
		case err == nil:
			return nil
		case errors.Is(err, tg.ErrorUnauthorized):
			return fmt.Errorf("%s: %w", what, ErrBadToken)
		case errors.Is(err, tg.ErrorNotFound):
			// Telegram answers 404 to a token of the wrong shape.
			return fmt.Errorf("%s: %w (Telegram answered 404 Not Found)", what, ErrBadToken)
		case errors.As(err, &flood):
			wait = max(time.Duration(flood.RetryAfter)*time.Second, wait)
		case errors.Is(err, tg.ErrorBadRequest), errors.Is(err, tg.ErrorForbidden), errors.Is(err, tg.ErrorConflict):
			return fmt.Errorf("%s: %w", what, err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		if time.Now().Add(wait).After(deadline) {
			return fmt.Errorf("%s: still failing after %s: %w", what, startRetryFor, err)
		}
		log.WarnContext(ctx, "bot: Telegram start-up call failed; retrying", slog.String("call", what),
			slog.Duration("retry_in", wait), slog.Any("error", err))
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(wait*2, startRetryMax)
	}
}

// StartupRetry is startupRetry for the program's own start-up calls
// (setWebhook, deleteWebhook).
func StartupRetry(ctx context.Context, log *slog.Logger, what string, f func(context.Context) error) error {
	return startupRetry(ctx, log, what, f)
}
