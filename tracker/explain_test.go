package tracker

import (
	"strings"
	"testing"
)

func TestExplainCoversEveryStatus(t *testing.T) {
	seen := map[string]Status{}
	for _, s := range Statuses {
		text := s.Explain()
		if len(text) < 80 {
			t.Errorf("%s: explanation too short: %q", s, text)
		}
		if other, dup := seen[text]; dup {
			t.Errorf("%s and %s share one explanation", s, other)
		}
		seen[text] = s
		if !strings.HasPrefix(text, strings.Split(s.Title(), " ")[0]) && s != StatusUnknown {
			t.Errorf("%s: explanation should open with its title %q: %q", s, s.Title(), text)
		}
	}
}

func TestExplainStage(t *testing.T) {
	tests := map[string]struct {
		stage string
		want  []string
	}{
		"order placed":  {StageOrderPlaced, []string{"Order placed", "no tracking number"}},
		"shipping soon": {StageShippingSoon, []string{"Shipping soon", "24 to 48 hours"}},
		"label created": {"label_created", []string{"Shipping soon"}},
		"status code":   {"customs", []string{"In customs", "duties"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ExplainStage(tc.stage)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("ExplainStage(%q) = %q, want it to mention %q", tc.stage, got, w)
				}
			}
		})
	}
}

func TestExplainInternational(t *testing.T) {
	tests := map[string]struct {
		country string
		want    []string
		not     []string
	}{
		"known country":   {"cn", []string{"ends in CN", "China", "duties", "new tracking number"}, nil},
		"unnamed country": {"KZ", []string{"ends in KZ"}, []string{"China"}},
		"no country":      {"", []string{"Updates get rarer", "documents"}, []string{"ends in"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := ExplainInternational(tc.country)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("ExplainInternational(%q) lacks %q: %q", tc.country, w, got)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("ExplainInternational(%q) should not say %q: %q", tc.country, w, got)
				}
			}
		})
	}
}

func TestExplainAmazonReference(t *testing.T) {
	got := ExplainAmazonReference()
	for _, w := range []string{"TBA", "track.amazon.com", "Your Orders", "carrier's own website"} {
		if !strings.Contains(got, w) {
			t.Errorf("ExplainAmazonReference lacks %q", w)
		}
	}
}

func TestNextStepIsShortAndDistinct(t *testing.T) {
	seen := map[string]Status{}
	for _, s := range Statuses {
		text := s.NextStep()
		// One line on a phone: at most about three short sentences.
		if n := len([]rune(text)); n < 30 || n > 200 {
			t.Errorf("%s: next step is %d characters: %q", s, n, text)
		}
		if other, dup := seen[text]; dup {
			t.Errorf("%s and %s share one next step", s, other)
		}
		seen[text] = s
	}
}

func TestNextStepForReadsTheCarriersWords(t *testing.T) {
	tests := map[string]struct {
		status Status
		text   string
		action bool
	}{
		"duties to pay":          {StatusCustoms, "Held by customs: import duties of EUR 12 to pay", true},
		"address problem":        {StatusException, "Incorrect ADDRESS, contact us", true},
		"plain customs":          {StatusCustoms, "Customs clearance in progress", false},
		"weather":                {StatusException, "Weather delay", false},
		"delivered says pay":     {StatusDelivered, "Delivered, signature and pay on delivery", false},
		"attempt asks for an ID": {StatusAttemptFailed, "ID required, recipient not present", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := tc.status.NextStepFor(tc.text)
			if isAction := strings.HasPrefix(got, "Action needed"); isAction != tc.action {
				t.Errorf("NextStepFor(%q) = %q, action %v, want %v", tc.text, got, isAction, tc.action)
			}
		})
	}
}
