package uspstest

import "fmt"

// TrackingNumber returns a valid 22-digit IMpb number (application
// identifier 94, service type 001, a made-up 9-digit mailer ID), different
// for every i, with its check digit computed.
func TrackingNumber(i int) string {
	serial := fmt.Sprintf("94001%09d%07d", 912345678, i%10000000)
	return serial + fmt.Sprint(CheckDigit(serial))
}

// CheckDigit is the IMpb mod-10 check digit: from the right, digits weigh
// 3, 1, 3, … and the check digit brings the sum to a multiple of ten.
func CheckDigit(serial string) int {
	sum := 0
	for i := range len(serial) {
		v := int(serial[len(serial)-1-i] - '0')
		if i%2 == 0 {
			v *= 3
		}
		sum += v
	}
	return (10 - sum%10) % 10
}
