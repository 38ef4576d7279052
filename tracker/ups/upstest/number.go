package upstest

import "fmt"

// TrackingNumber returns a valid 1Z number, different for every i, with
// its check digit computed (so tests never copy real parcels' numbers).
func TrackingNumber(i int) string {
	serial := fmt.Sprintf("TB4%03d03%07d", i/10000000%1000, i%10000000) // shipper TB4…, service 03 (Ground)
	return "1Z" + serial + fmt.Sprint(CheckDigit(serial))
}

// CheckDigit is UPS's mod-10 check digit over the 15 characters after
// "1Z": letters count as (ASCII−3) mod 10, odd positions (0-based) weigh 2.
func CheckDigit(serial string) int {
	sum := 0
	for i := 0; i < len(serial); i++ {
		c := serial[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-3) % 10
		}
		if i%2 == 1 {
			v *= 2
		}
		sum += v
	}
	return (10 - sum%10) % 10
}
