package main

// Webhook mode: Telegram POSTs each update to TRACKBOT_WEBHOOK_URL, which a
// reverse proxy forwards to TRACKBOT_WEBHOOK_LISTEN. Long polling stays the
// default; switchUpdateMode sets or deletes the webhook to match the mode,
// since Telegram refuses getUpdates while a webhook is set.

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	gotgbot "github.com/go-telegram/bot"

	"github.com/trackbot/trackbot/bot"
)

// maxUpdateBytes bounds one update's body; real updates are a few KiB.
const maxUpdateBytes = 1 << 20

const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// webhookUpdates are the update types trackbot handles; Telegram sends no others.
var webhookUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// webhookHandler lets through to next only POSTs that carry the secret token
// set with setWebhook, with a body of at most maxUpdateBytes. next (the
// bot's WebhookHandler) stores the update in the inbox and answers 200 once
// it is committed; handling happens in the background.
func webhookHandler(secret string, next http.Handler) http.Handler {
	want := []byte(secret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get(secretHeader))
		// An empty secret would let anyone in: refuse everything instead.
		if len(want) == 0 || subtle.ConstantTimeCompare(got, want) != 1 {
			slog.Warn("webhook: request without the right secret token refused",
				"component", "webhook", "remote", r.RemoteAddr, "has_token", len(got) > 0)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		// Read the body here rather than hand next a MaxBytesReader: next
		// answers 200 whatever happens, and an oversized update should be
		// visible as 413 in Telegram's getWebhookInfo.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxUpdateBytes))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// newWebhookServer serves h (webhookHandler) on addr with timeouts that
// suit Telegram's small, frequent POSTs.
func newWebhookServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

// registerWebhook tells Telegram to POST updates to url with secret in the
// secret-token header. Pending updates are kept, so none is lost in the switch.
func registerWebhook(ctx context.Context, tg *gotgbot.Bot, url, secret string) error {
	ok, err := tg.SetWebhook(ctx, &gotgbot.SetWebhookParams{
		URL:            url,
		SecretToken:    secret,
		AllowedUpdates: webhookUpdates,
	})
	if err != nil {
		return fmt.Errorf("telegram: setWebhook: %w", err)
	}
	if !ok {
		return errors.New("telegram: setWebhook: not accepted")
	}
	return nil
}

// dropWebhook removes any webhook so getUpdates (long polling) works again.
// Pending updates are kept for the poller to fetch.
func dropWebhook(ctx context.Context, tg *gotgbot.Bot) error {
	ok, err := tg.DeleteWebhook(ctx, &gotgbot.DeleteWebhookParams{})
	if err != nil {
		return fmt.Errorf("telegram: deleteWebhook: %w", err)
	}
	if !ok {
		return errors.New("telegram: deleteWebhook: not accepted")
	}
	return nil
}

// switchUpdateMode makes Telegram's side match the configured mode: a webhook
// at url when url is set, long polling (no webhook) otherwise.
func switchUpdateMode(ctx context.Context, tg *gotgbot.Bot, url, secret string) error {
	log := slog.Default().With("component", "webhook")
	if url == "" {
		return bot.StartupRetry(ctx, log, "telegram: deleteWebhook", func(ctx context.Context) error { return dropWebhook(ctx, tg) })
	}
	return bot.StartupRetry(ctx, log, "telegram: setWebhook", func(ctx context.Context) error { return registerWebhook(ctx, tg, url, secret) })
}
