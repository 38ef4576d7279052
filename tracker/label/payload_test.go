package label

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"

	"github.com/trackbot/trackbot/tracker"
)

func TestCandidates(t *testing.T) {
	tests := []struct {
		name, payload, want, carrier string
	}{
		{"IMpb GS1-128 ZIP5", "]C142090210\x1d9400111899223344556677", "9400111899223344556677", "usps"},
		{"IMpb ZIP+4", "]C1420902101234\x1d9400111899223344556677", "9400111899223344556677", "usps"},
		{"IMpb without separator", "420902109400111899223344556677", "9400111899223344556677", "usps"},
		{"FedEx 34", "9622001900000000000000776632517510", "9622001900000000000000776632517510", "fedex"},
		{"UPS", "1Z999AA10123456784", "1Z999AA10123456784", "ups"},
		{"Amazon", "TBA123456789000", "TBA123456789000", "amazon"},
		{"QR URL", "https://www.ups.com/track?tracknum=1Z999AA10123456784", "1Z999AA10123456784", "ups"},
		{"Data Matrix text", "JGB 6200000000 AB123456785GB 123456", "AB123456785GB", "royal_mail"},
		{"routing only", "]C142090210", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := Candidates(tt.payload, tracker.DetectOptions{})
			if tt.want == "" {
				for _, c := range cs {
					if c.Valid {
						t.Fatalf("Candidates(%q) = valid %s, want no valid number", tt.payload, c.Number)
					}
				}
				return
			}
			if len(cs) == 0 || !cs[0].Valid || cs[0].Number != tt.want || cs[0].Carrier != tt.carrier {
				t.Fatalf("Candidates(%q) = %+v, want first %s (%s)", tt.payload, cs, tt.want, tt.carrier)
			}
		})
	}
}

func TestCandidatesSSCC(t *testing.T) {
	// AI 00 + an 18-digit SSCC whose check FedEx Ground uses.
	r := rand.New(rand.NewPCG(7, 7))
	n := validNumber(t, r, "fedex", func(r *rand.Rand) string { return "00" + digits(r, 16) })
	cs := Candidates("]C100"+n, tracker.DetectOptions{})
	if len(cs) == 0 || cs[0].Number != n || !cs[0].Valid {
		t.Fatalf("SSCC %s: got %+v", n, cs)
	}
}

// A number without a check digit (Amazon TBA) read once from a 1-D code is
// not reported — a misread passes Code 128's own check one time in a
// hundred — until a second decoding agrees; one with a check digit (UPS)
// and any 2-D code count at once.
func TestScannerConfirmsUncheckedNumbers(t *testing.T) {
	read := func(texts []string, f gozxing.BarcodeFormat) Result {
		s := newScanner(context.Background(), tracker.DetectOptions{})
		for _, x := range texts {
			s.take(gozxing.NewResult(x, nil, nil, f))
		}
		return s.result()
	}
	tests := []struct {
		name  string
		texts []string
		f     gozxing.BarcodeFormat
		want  bool
	}{
		{"TBA once", []string{"TBA123456789000"}, gozxing.BarcodeFormat_CODE_128, false},
		{"TBA twice", []string{"TBA123456789000", "TBA123456789000"}, gozxing.BarcodeFormat_CODE_128, true},
		{"UPS once", []string{"1Z999AA10123456784"}, gozxing.BarcodeFormat_CODE_128, true},
		{"TBA in a QR once", []string{"TBA123456789000"}, gozxing.BarcodeFormat_QR_CODE, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok := read(tt.texts, tt.f).Number()
			if ok != tt.want {
				t.Fatalf("reported = %v, want %v", ok, tt.want)
			}
		})
	}
}
