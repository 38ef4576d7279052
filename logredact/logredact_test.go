package logredact

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
)

const token = "7001234567:AAHsecretBotTokenDoNotShow_12345"

func TestHandlerHidesSecretsEverywhere(t *testing.T) {
	x := New(token, "AAHsecretBotTokenDoNotShow_12345", "ups-client-secret-Zq81xx", "", "abc")
	long := strings.Repeat("<p>https://api.telegram.org/bot"+token+"/getMe</p>", 100)
	cases := []struct {
		name string
		log  func(l *slog.Logger)
	}{
		{"message", func(l *slog.Logger) { l.Info("calling bot" + token) }},
		{"string", func(l *slog.Logger) { l.Info("x", "url", "https://api.telegram.org/bot"+token+"/getMe") }},
		{"error", func(l *slog.Logger) {
			l.Warn("x", slog.Any("error", fmt.Errorf("ups: %w", errors.New("bad secret ups-client-secret-Zq81xx"))))
		}},
		{"url.Error", func(l *slog.Logger) {
			l.Warn("x", slog.Any("error", &url.Error{Op: "Post", URL: "https://api.telegram.org/bot" + token + "/x", Err: errors.New("EOF")}))
		}},
		{"group", func(l *slog.Logger) { l.Info("x", slog.Group("req", "body", long)) }},
		{"with", func(l *slog.Logger) { l.With("token", token).Info("x") }},
		{"body", func(l *slog.Logger) { l.Error("x", "error", errors.New(long)) }},
	}
	for _, tc := range cases {
		for _, json := range []bool{false, true} {
			t.Run(fmt.Sprint(tc.name, json), func(t *testing.T) {
				var buf bytes.Buffer
				var h slog.Handler = slog.NewTextHandler(&buf, nil)
				if json {
					h = slog.NewJSONHandler(&buf, nil)
				}
				tc.log(slog.New(x.Handler(h)))
				out := buf.String()
				for _, secret := range []string{"AAHsecretBotTokenDoNotShow", "ups-client-secret-Zq81xx"} {
					if strings.Contains(out, secret) {
						t.Errorf("secret in %s", out)
					}
				}
				if len(out) > 2*MaxValue+200 {
					t.Errorf("line of %d bytes: a value was not capped", len(out))
				}
				if !strings.Contains(out, "msg=") && !strings.Contains(out, `"msg"`) {
					t.Errorf("no record: %s", out)
				}
			})
		}
	}
	// Short strings are not secrets: "abc" stays.
	if got := x.String("abc 123"); got != "abc 123" {
		t.Errorf("short secret masked: %q", got)
	}
	// Numbers keep their type.
	var buf bytes.Buffer
	slog.New(x.Handler(slog.NewJSONHandler(&buf, nil))).Info("n", "count", 3)
	if !strings.Contains(buf.String(), `"count":3`) {
		t.Errorf("number changed: %s", buf.String())
	}
}
