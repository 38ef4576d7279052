package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// ups18 is the UPS number of a 15-character body, with its check digit.
func ups18(body string) string { return "1Z" + body + fmt.Sprint(upstest.CheckDigit(body)) }

func TestRunDetect(t *testing.T) {
	t.Parallel()
	ups := ups18("7R3K2W03" + "4455661")
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  []map[string]any
	}{
		{"argument with a number", []string{"ship " + ups}, "", []map[string]any{
			{"input": "ship " + ups, "number": ups, "carrier": "ups", "valid": true, "kind": "tracking",
				"service": "UPS Ground", "country": "", "url": "https://www.ups.com/track?loc=en_US&tracknum=" + ups, "format": "UPS"},
		}},
		{"no candidate", []string{"hello there"}, "", []map[string]any{
			{"input": "hello there", "number": "", "carrier": "", "valid": false},
		}},
		{"order number", []string{"order 113-1234567-7654321"}, "", []map[string]any{
			{"input": "order 113-1234567-7654321", "number": "113-1234567-7654321", "carrier": "amazon",
				"valid": false, "kind": "order", "service": "", "country": "", "url": "", "format": "Amazon order"},
		}},
		{"stdin lines, CRLF and a 1 MB line", nil,
			"nothing\r\n" + strings.Repeat("x ", 1<<19) + ups + "\n", []map[string]any{
				{"input": "nothing", "number": "", "carrier": "", "valid": false},
				{"number": ups, "carrier": "ups"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := runDetect(tt.args, envMap(nil), strings.NewReader(tt.stdin), &out); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("got %d lines, want %d:\n%.500s", len(lines), len(tt.want), out.String())
			}
			for i, line := range lines {
				var got map[string]any
				if err := json.Unmarshal([]byte(line), &got); err != nil {
					t.Fatalf("line %d: %v", i, err)
				}
				for k, v := range tt.want[i] {
					if got[k] != v {
						t.Errorf("line %d: %s = %#v, want %#v", i, k, got[k], v)
					}
				}
				if tt.want[i]["number"] == "" && len(got) != 4 {
					t.Errorf("no-candidate line has extra fields: %s", line)
				}
			}
		})
	}
}

func TestRunDetectDemo(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := runDetect([]string{"demo 3"}, envMap(map[string]string{"TRACKBOT_DEMO": "1"}), nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"number":"DEMO3","carrier":"demo"`) {
		t.Errorf("got %s", out.String())
	}
}
