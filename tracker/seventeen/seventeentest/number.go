package seventeentest

import "fmt"

// S10Number returns a valid UPU S10 number (the international post's
// numbers that 17TRACK follows): two service letters, the 8-digit serial,
// its check digit, the country — computed, so tests copy no real parcel.
func S10Number(service string, serial int, country string) string {
	digits := fmt.Sprintf("%08d", serial)
	return fmt.Sprintf("%s%s%d%s", service, digits, S10CheckDigit(digits), country)
}

// S10CheckDigit is UPU S10's check digit over the 8-digit serial: weights
// 8 6 4 2 3 5 9 7, 11 minus the sum mod 11, where 10 gives 0 and 11 gives 5.
func S10CheckDigit(serial string) int {
	sum := 0
	for i, w := range []int{8, 6, 4, 2, 3, 5, 9, 7} {
		sum += int(serial[i]-'0') * w
	}
	switch check := 11 - sum%11; check {
	case 10:
		return 0
	case 11:
		return 5
	default:
		return check
	}
}
