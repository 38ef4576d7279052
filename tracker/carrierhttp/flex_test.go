package carrierhttp

import (
	"encoding/json"
	"testing"
	"time"
)

func TestFlexTypes(t *testing.T) {
	var v struct {
		S1, S2, S3, S4, S5, S6 String
		I1, I2, I3             Int
		B1, B2, B3, B4         Bool
		L1, L2, L3             List[String]
	}
	in := `{"S1":"plain","S2":"esc\"aped\u00e9","S3":14399,"S4":true,"S5":null,"S6":{"x":1},
		"I1":"14399","I2":3599,"I3":"soon",
		"B1":"true","B2":true,"B3":"N","B4":1,
		"L1":["a","b"],"L2":"one","L3":null}`
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	strs := map[string][2]String{
		"plain": {v.S1, "plain"}, "escaped": {v.S2, `esc"apedé`}, "number": {v.S3, "14399"},
		"bool": {v.S4, "true"}, "null": {v.S5, ""}, "object": {v.S6, ""},
	}
	for name, p := range strs {
		if p[0] != p[1] {
			t.Errorf("String %s = %q, want %q", name, p[0], p[1])
		}
	}
	if v.I1 != 14399 || v.I2 != 3599 || v.I3 != 0 {
		t.Errorf("Int = %d %d %d", v.I1, v.I2, v.I3)
	}
	if !v.B1 || !v.B2 || v.B3 || !v.B4 {
		t.Errorf("Bool = %v %v %v %v", v.B1, v.B2, v.B3, v.B4)
	}
	if len(v.L1) != 2 || len(v.L2) != 1 || v.L2[0] != "one" || v.L3 != nil {
		t.Errorf("List = %v %v %v", v.L1, v.L2, v.L3)
	}
}

// Invalid UTF-8 from a carrier must not reach Telegram, which refuses it.
func TestStringRepairsInvalidUTF8(t *testing.T) {
	var s String
	if err := s.UnmarshalJSON([]byte("\"caf\xe9\"")); err != nil {
		t.Fatal(err)
	}
	if s != "caf\uFFFD" {
		t.Errorf("got %q, want the replacement character", s)
	}
}

func TestParseTime(t *testing.T) {
	ny := time.FixedZone("-05:00", -5*3600)
	tests := map[string]struct {
		in   string
		want time.Time
		ok   bool
	}{
		"offset":    {"2024-11-22T13:58:00-05:00", time.Date(2024, 11, 22, 13, 58, 0, 0, ny), true},
		"zulu":      {"2024-11-22T18:58:40Z", time.Date(2024, 11, 22, 18, 58, 40, 0, time.UTC), true},
		"no offset": {"2024-11-22T13:58:00", time.Date(2024, 11, 22, 13, 58, 0, 0, ny), true},
		"fraction":  {"2024-11-15 11:09:19.000000", time.Date(2024, 11, 15, 11, 9, 19, 0, ny), true},
		"date":      {"2024-11-22", time.Date(2024, 11, 22, 0, 0, 0, 0, ny), true},
		"empty":     {"", time.Time{}, false},
		"garbage":   {"next tuesday", time.Time{}, false},
	}
	for name, tc := range tests {
		got, ok := ParseTime(tc.in, ny)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%s: ParseTime(%q) = %v, %v; want %v, %v", name, tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
