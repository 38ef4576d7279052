package main

import (
	"strings"
	"testing"
	"time"
)

func TestLoadConfigDefaults(t *testing.T) {
	c, err := loadConfig(envMap(nil))
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.APIURL != defaultAPIURL || c.DB != defaultDB || c.PollSchedule != defaultSchedule ||
		c.PollInterval != time.Hour || c.MaxParcels != 50 || c.Demo || c.LogFormat != "text" {
		t.Errorf("unexpected defaults: %+v", c)
	}
	if err := c.requireToken(); err == nil || !strings.Contains(err.Error(), "@BotFather") {
		t.Errorf("missing token error should point to @BotFather, got %v", err)
	}
}

func TestLoadConfigErrorsNameTheVariable(t *testing.T) {
	tests := map[string]struct {
		env  map[string]string
		want string
	}{
		"bad schedule":             {map[string]string{"TRACKBOT_POLL_SCHEDULE": "every minute"}, "TRACKBOT_POLL_SCHEDULE"},
		"bad interval":             {map[string]string{"TRACKBOT_POLL_INTERVAL": "soon"}, "TRACKBOT_POLL_INTERVAL"},
		"too short":                {map[string]string{"TRACKBOT_POLL_INTERVAL": "5s"}, "too short"},
		"bad demo":                 {map[string]string{"TRACKBOT_DEMO": "maybe"}, "TRACKBOT_DEMO"},
		"bad url":                  {map[string]string{"TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"},
		"webhook no secret":        {map[string]string{"TRACKBOT_WEBHOOK_URL": "https://example.org/hook"}, "TRACKBOT_WEBHOOK_SECRET"},
		"webhook http":             {map[string]string{"TRACKBOT_WEBHOOK_URL": "http://example.org/hook", "TRACKBOT_WEBHOOK_SECRET": "s"}, "https"},
		"bad max":                  {map[string]string{"TRACKBOT_MAX_PARCELS": "-3"}, "TRACKBOT_MAX_PARCELS"},
		"bad log format":           {map[string]string{"TRACKBOT_LOG_FORMAT": "xml"}, "TRACKBOT_LOG_FORMAT"},
		"bad log level":            {map[string]string{"TRACKBOT_LOG_LEVEL": "loud"}, "TRACKBOT_LOG_LEVEL"},
		"short poll lease":         {map[string]string{"TRACKBOT_POLL_LEASE": "10ms"}, "TRACKBOT_POLL_LEASE"},
		"bad send lease":           {map[string]string{"TRACKBOT_SEND_LEASE": "long"}, "TRACKBOT_SEND_LEASE"},
		"UPS id without secret":    {map[string]string{"UPS_CLIENT_ID": "id"}, "UPS_CLIENT_ID is set but UPS_CLIENT_SECRET is not"},
		"USPS secret without id":   {map[string]string{"USPS_CLIENT_SECRET": "s"}, "USPS_CLIENT_SECRET is set but USPS_CLIENT_ID is not"},
		"FedEx key without secret": {map[string]string{"FEDEX_API_KEY": "k"}, "FEDEX_SECRET_KEY is not"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(envMap(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want error mentioning %q, got %v", tc.want, err)
			}
		})
	}
}

func TestLoadConfigValues(t *testing.T) {
	c, err := loadConfig(envMap(map[string]string{
		"TELEGRAM_BOT_TOKEN":      "123:abc",
		"TELEGRAM_API_URL":        "http://127.0.0.1:8081/",
		"TRACKBOT_POLL_INTERVAL":  "30m",
		"TRACKBOT_DEMO":           "1",
		"TRACKBOT_WEBHOOK_URL":    "https://bot.example.org/tg",
		"TRACKBOT_WEBHOOK_SECRET": "s3cret_-X",
		"TRACKBOT_LOG_LEVEL":      "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.APIURL != "http://127.0.0.1:8081" || c.PollInterval != 30*time.Minute || !c.Demo || c.requireToken() != nil {
		t.Errorf("values not taken: %+v", c)
	}
}

// Every command reads a boolean variable the same way: detect, scan and the
// configuration of run, console and status all go through parseBool.
func TestBooleanSpellings(t *testing.T) {
	for _, v := range []string{"1", "true", "TRUE", "yes", "Yes", "on", " on "} {
		if b, err := parseBool(v); err != nil || !b {
			t.Errorf("parseBool(%q) = %v, %v; want on", v, b, err)
		}
		c, err := loadConfig(envMap(map[string]string{"TRACKBOT_DEMO": v}))
		if err != nil || !c.Demo {
			t.Errorf("TRACKBOT_DEMO=%q: demo %v, %v", v, c.Demo, err)
		}
	}
	for _, v := range []string{"", "0", "false", "no", "off", "OFF"} {
		if b, err := parseBool(v); err != nil || b {
			t.Errorf("parseBool(%q) = %v, %v; want off", v, b, err)
		}
	}
	_, err := parseBool("maybe")
	if err == nil || !strings.Contains(err.Error(), "yes") || !strings.Contains(err.Error(), "off") {
		t.Errorf("parseBool(maybe) error %v should list the spellings", err)
	}
	var out strings.Builder
	if err := runDetect([]string{"demo 3"}, envMap(map[string]string{"TRACKBOT_DEMO": "yes"}), nil, &out); err != nil || !strings.Contains(out.String(), `"DEMO3"`) {
		t.Errorf("detect with TRACKBOT_DEMO=yes: %v %s", err, out.String())
	}
}
