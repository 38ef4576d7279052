package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Defaults, with the reason for each.
const (
	defaultAPIURL       = "https://api.telegram.org"
	defaultDB           = "trackbot.db"
	defaultSchedule     = "@every 1m" // a tick only picks what is due, so ticking often is cheap
	defaultPollInterval = time.Hour   // in-transit parcels rarely change faster; carriers' quotas are small
	defaultMaxParcels   = 50          // per chat: plenty for a household, bounds abuse
	minPollInterval     = time.Minute // below this we would burn carrier quotas for nothing
)

// config is trackbot's configuration, read from the environment only (so
// secrets never sit in files or on the command line).
type config struct {
	Token         string
	APIURL        string
	DB            string
	PollSchedule  string
	PollInterval  time.Duration
	Demo          bool
	MaxParcels    int
	WebhookURL    string
	WebhookListen string
	WebhookSecret string
	HTTPListen    string
	LogFormat     string // text | json
	LogLevel      slog.Level
	Instance      string        // this instance's name in /healthz and /metrics
	PollLease     time.Duration // how long a tick holds the shipments it claimed
	SendLease     time.Duration // how long a chat stays the instance's that sends to it (0: the notifier's default)
	PollBatch     int           // due shipments one claim takes (0: the poller's default)
	// SendSpeedup multiplies the notifier's pace, for tests against a fake
	// Bot API whose limits run as many times faster; 0 or 1: Telegram's.
	SendSpeedup float64

	// getenv and environ are the environment the configuration was read
	// from, for what reads it later (carrier keys, the log redactor).
	getenv  func(string) string
	environ []string
}

// loadConfig reads and validates the environment. Every error names the
// variable and says what is expected.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		getenv:        getenv,
		Token:         strings.TrimSpace(getenv("TELEGRAM_BOT_TOKEN")),
		APIURL:        strings.TrimRight(or(getenv("TELEGRAM_API_URL"), defaultAPIURL), "/"),
		DB:            or(getenv("TRACKBOT_DB"), defaultDB),
		PollSchedule:  or(getenv("TRACKBOT_POLL_SCHEDULE"), defaultSchedule),
		WebhookURL:    getenv("TRACKBOT_WEBHOOK_URL"),
		WebhookListen: or(getenv("TRACKBOT_WEBHOOK_LISTEN"), ":8443"),
		WebhookSecret: getenv("TRACKBOT_WEBHOOK_SECRET"),
		HTTPListen:    getenv("TRACKBOT_HTTP_LISTEN"),
		LogFormat:     strings.ToLower(or(getenv("TRACKBOT_LOG_FORMAT"), "text")),
		Instance:      strings.TrimSpace(getenv("TRACKBOT_INSTANCE")),
	}
	if c.Instance == "" {
		c.Instance = defaultInstance()
	}
	var errs []error
	if err := checkURL(c.APIURL); err != nil {
		errs = append(errs, fmt.Errorf("TELEGRAM_API_URL: %w", err))
	}
	if _, err := cron.ParseStandard(c.PollSchedule); err != nil {
		errs = append(errs, fmt.Errorf("TRACKBOT_POLL_SCHEDULE: %q is not a cron spec (try \"@every 1m\" or \"*/5 * * * *\"): %v", c.PollSchedule, err))
	}
	c.PollInterval = defaultPollInterval
	if v := getenv("TRACKBOT_POLL_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("TRACKBOT_POLL_INTERVAL: %q is not a Go duration (try \"1h\" or \"45m\")", v))
		case d < minPollInterval:
			errs = append(errs, fmt.Errorf("TRACKBOT_POLL_INTERVAL: %s is too short; use at least %s", d, minPollInterval))
		default:
			c.PollInterval = d
		}
	}
	for _, l := range []struct {
		name, try string
		to        *time.Duration
	}{{"TRACKBOT_POLL_LEASE", "5m", &c.PollLease}, {"TRACKBOT_SEND_LEASE", "30s", &c.SendLease}} {
		if v := getenv(l.name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < time.Second {
				errs = append(errs, fmt.Errorf("%s: %q must be a Go duration of at least 1s (try %q)", l.name, v, l.try))
			} else {
				*l.to = d
			}
		}
	}
	if v := getenv("TRACKBOT_POLL_BATCH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			errs = append(errs, fmt.Errorf("TRACKBOT_POLL_BATCH: %q must be a whole number from 1 to 100000", v))
		} else {
			c.PollBatch = n
		}
	}
	if v := getenv("TRACKBOT_SEND_SPEEDUP"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 1 || f > 1000 {
			errs = append(errs, fmt.Errorf("TRACKBOT_SEND_SPEEDUP: %q must be a number from 1 to 1000 (tests against a fake Bot API only)", v))
		} else {
			c.SendSpeedup = f
		}
	}
	demo, err := parseBool(getenv("TRACKBOT_DEMO"))
	if err != nil {
		errs = append(errs, fmt.Errorf("TRACKBOT_DEMO: %w", err))
	}
	c.Demo = demo
	c.MaxParcels = defaultMaxParcels
	if v := getenv("TRACKBOT_MAX_PARCELS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			errs = append(errs, fmt.Errorf("TRACKBOT_MAX_PARCELS: %q must be a whole number from 1 to 10000", v))
		} else {
			c.MaxParcels = n
		}
	}
	if c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, fmt.Errorf("TRACKBOT_WEBHOOK_URL: %q must be a public https:// URL (Telegram only calls https webhooks)", c.WebhookURL))
		}
		if !validSecret(c.WebhookSecret) {
			errs = append(errs, errors.New("TRACKBOT_WEBHOOK_SECRET: required in webhook mode: 1-256 characters of A-Z, a-z, 0-9, _ and -"))
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("TRACKBOT_LOG_FORMAT: %q must be text or json", c.LogFormat))
	}
	if v := getenv("TRACKBOT_LOG_LEVEL"); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("TRACKBOT_LOG_LEVEL: %q must be debug, info, warn or error", v))
		}
	}
	if err := checkCredentialPairs(getenv); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// errNoToken explains how to get a token, since a newcomer's first run hits it.
var errNoToken = errors.New("TELEGRAM_BOT_TOKEN is not set: open Telegram, talk to @BotFather, send /newbot, " +
	"and export the token it gives you (or try the bot without one: trackbot console)")

func (c config) requireToken() error {
	if c.Token == "" {
		return errNoToken
	}
	if !strings.Contains(c.Token, ":") {
		return errors.New("TELEGRAM_BOT_TOKEN does not look like a bot token (expected 123456789:ABC…, as @BotFather gives it)")
	}
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q must be an http(s) URL such as %s", s, defaultAPIURL)
	}
	return nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, fmt.Errorf("%q is not on or off: use 1, true, yes or on to turn it on; 0, false, no, off or nothing to leave it off", v)
}

func validSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

// defaultInstance names an instance after its host (a container's is its
// id) and process, so two on one machine differ too.
func defaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "trackbot"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}
