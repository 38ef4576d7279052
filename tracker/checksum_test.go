package tracker

import "testing"

// The expected values below are worked by hand from the algorithm
// descriptions, not taken from any list of sample numbers.
func TestChecksums(t *testing.T) {
	tests := []struct {
		name string
		got  int
		want int
	}{
		// 1·1+2·2+3·1+4·2+5+12+7+16+9+0+1+4+3+8+5 = 86 → 4
		{"mod10 ups digits", checkMod10("", []byte("123456789012345"), 1, 2, false), 4},
		// A→2, B→3: 2·1 + 3·2 = 8 → 2
		{"mod10 ups letters", checkMod10("", []byte("AB"), 1, 2, false), 2},
		// prefix is part of the weighted sequence: "4"+"1" → 4·1+1·2 = 6 → 4
		{"mod10 prefix", checkMod10("4", []byte("1"), 1, 2, false), 4},
		// reverse: "12" read as "21" with weights 3,1 → 6+1 = 7 → 3
		{"mod10 reverse", checkMod10("", []byte("12"), 3, 1, true), 3},
		{"mod10 zero", checkMod10("", []byte("0000"), 3, 1, false), 0},
		// 123456789 = 7·17636684 + 1
		{"mod7", checkMod7([]byte("123456789")), 1},
		{"mod7 ten digits", checkMod7([]byte("9999999999")), 9999999999 % 7},
		// 8+12+12+8+15+30+63+56 = 204; 204 mod 11 = 6 → 5
		{"s10", checkS10([]byte("12345678")), 5},
		{"s10 r=0", checkS10([]byte("00000000")), 5},
		// 3·4 = 12; mod 11 = 1 → 0
		{"s10 r=1", checkS10([]byte("00300000")), 0},
		// 3·7 = 21 mod 11 = 10 → 1
		{"s10 r=10", checkS10([]byte("00000003")), 1},
		// weights 3,1,7…: 9·37 = 333; mod 11 = 3
		{"sumproduct", checkSumProduct([]byte("99999999999"), weights317), 3},
		// 3+7 = 10 → mod 11 = 10 → mod 10 = 0
		{"sumproduct r=10", checkSumProduct([]byte("10100000000"), weights317), 0},
		{"sumproduct 173", checkSumProduct([]byte("0000000000001"), weights173), 1},
		{"luhn", checkLuhn([]byte("7992739871")), 3},
		{"luhn zero", checkLuhn([]byte("0")), 0},
		// 36+0 = 36; ·2 = 72 → 35; 37−35 = 2
		{"mod37,36 '0'", int(checkMod3736([]byte("0"))), '2'},
		// 36+1 = 37 → 1; ·2 = 2; 37−2 = 35 → Z
		{"mod37,36 '1'", int(checkMod3736([]byte("1"))), 'Z'},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}
