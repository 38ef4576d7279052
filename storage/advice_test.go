package storage

import (
	"testing"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

func TestSubscriptionAdviceInput(t *testing.T) {
	added := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	polled := added.Add(time.Hour)
	tests := []struct {
		name                       string
		carrier                    string
		status                     tracker.Status
		polledAt                   time.Time
		valid                      bool
		wantIntl, wantAmazon, poll bool
	}{
		{"domestic, never polled", "ups", tracker.StatusUnknown, time.Time{}, true, false, false, false},
		{"S10 number is international", "s10", tracker.StatusInTransit, polled, true, true, false, true},
		{"customs scan is international", "fedex", tracker.StatusCustoms, polled, true, true, false, true},
		{"Amazon order", "amazon", tracker.StatusInTransit, polled, false, false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub := Subscription{ID: 7, CreatedAt: added, NotReceivedAt: polled,
				Shipment: Shipment{Carrier: tt.carrier, Number: "N1", Status: tt.status, PolledAt: tt.polledAt}}
			in := sub.AdviceInput(tt.valid)
			if in.International != tt.wantIntl || in.AmazonOrder != tt.wantAmazon || in.Polled != tt.poll || in.Valid != tt.valid {
				t.Errorf("AdviceInput = intl %v amazon %v polled %v valid %v, want %v %v %v %v",
					in.International, in.AmazonOrder, in.Polled, in.Valid, tt.wantIntl, tt.wantAmazon, tt.poll, tt.valid)
			}
			if in.Carrier != tt.carrier || in.Number != "N1" || in.Status != tt.status || !in.AddedAt.Equal(added) || !in.NotReceivedAt.Equal(polled) {
				t.Errorf("AdviceInput copied the wrong fields: %+v", in)
			}
		})
	}
}
