package bot

import "testing"

func TestCallbackRoundTrip(t *testing.T) {
	tests := map[string]struct {
		action string
		id     int64
		arg    string
	}{
		"refresh":         {ActRefresh, 1, ""},
		"stop big id":     {ActStop, 9223372036854775807, ""},
		"set carrier":     {ActSetCarrier, 42, "dhl_ecommerce"},
		"longest carrier": {ActSetCarrier, 9223372036854775807, "old_dominion"},
		"not received":    {ActNotReceived, 7, ""},
		"force":           {ActForce, 0, "ups:1Z999AA10123456784"},
		"longest zone":    {ActZone, 0, "America/Argentina/Buenos_Aires"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			data := CallbackData(tc.action, tc.id, tc.arg)
			if len(data) > MaxCallbackData {
				t.Fatalf("%q is %d bytes", data, len(data))
			}
			c, err := ParseCallback(data)
			if err != nil || c != (Callback{tc.action, tc.id, tc.arg}) {
				t.Fatalf("ParseCallback(%q) = %+v, %v", data, c, err)
			}
		})
	}
	for _, bad := range []string{"", "ref", "ref:", "ref:x", "ref:-1", "ref:0", "zap:1", "cs:5", "cs:5:", "fa:0", "fa:0:ups", "fa:0:ups:", "fa:-1:ups:1", "tz:0", "tz:0:", "tz:5:Europe/Berlin"} {
		if c, err := ParseCallback(bad); err == nil {
			t.Errorf("ParseCallback(%q) = %+v, want error", bad, c)
		}
	}
}
