package poller

import (
	"strings"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

// garbling are characters a carrier's (or an old label's) text may carry
// that would garble a push: controls and bidi overrides/isolates.
var garbling = []string{"\x00", "\x1b", "\u0085", "\u202E", "\u202D", "\u2066", "\u2067", "\u2069", "\u2028"}

func checkClean(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, g := range garbling {
		if strings.Contains(got, g) {
			t.Errorf("push keeps %q:\n%q", g, got)
		}
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("push lacks %q:\n%s", w, got)
		}
	}
}

// TestPushesCleanCarrierText: status pushes and advice pushes show carrier
// and label text without controls or direction overrides, still escaped.
func TestPushesCleanCarrierText(t *testing.T) {
	before := storage.Shipment{ID: 3, Carrier: "ups", Number: "1ZTEST", Status: tracker.StatusInTransit, PolledAt: t0.Add(-time.Hour)}
	tests := map[string]struct {
		res   tracker.Result
		fresh []tracker.Event
		label string
		want  []string
	}{
		"event description and location": {
			res: tracker.Result{Status: tracker.StatusAttemptFailed, Events: []tracker.Event{{Time: t0.Add(-time.Minute), Status: tracker.StatusAttemptFailed,
				Description: "Nobody\x00 home \u202Eroob <tnorf>\u202C", Location: "\u2067Köln\u2069\x1b[0m"}}},
			want: []string{"Nobody  home roob &lt;tnorf&gt;", "📍 Köln [0m"},
		},
		"status text as the fallback": {
			res:  tracker.Result{Status: tracker.StatusException, StatusText: "Held\u2028at\u0085depot", Events: []tracker.Event{{Status: tracker.StatusException}}},
			want: []string{"Held at depot"},
		},
		"a label stored before labels were cleaned": {
			res:   tracker.Result{Status: tracker.StatusOutForDelivery, Events: []tracker.Event{{Time: t0, Status: tracker.StatusOutForDelivery, Description: "On vehicle"}}},
			label: "\u202Eshoes & socks",
			want:  []string{" — shoes &amp; socks"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			items := news(before, tc.res, tc.fresh, t0)
			if len(items) == 0 {
				t.Fatal("no news")
			}
			checkClean(t, render(before, tc.res, tc.label, items, 9, t0), tc.want...)
		})
	}

	sub := storage.Subscription{ID: 4, Label: "lamp\x00\u2066 for mum", Shipment: storage.Shipment{Carrier: "ups", Number: "1ZTEST"}}
	checkClean(t, renderAdvice(sub, advice.Advice{Title: "Stuck", Text: "Call them.", Action: advice.Contact, ContactName: "UPS"}), " — lamp  for mum")
}
