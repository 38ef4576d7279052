package tracker

// TrackableNumber is the number a carrier's API and tracking page take for a
// number as it was scanned or pasted. FedEx's long barcodes carry the 12-digit
// Express tracking number inside them (34-digit Express and Ground GSN
// barcodes in their last 12 digits, the 32-digit ASTRA barcode at positions
// 17–28); people paste the whole barcode, FedEx tracks the 12 digits. Every
// other number is its own trackable number.
func TrackableNumber(carrier, number string) string {
	if carrier != "fedex" || !allDigits(number) {
		return number
	}
	switch {
	case len(number) == 34:
		return number[22:]
	case len(number) == 32 && number[0] == '3':
		return number[16:28]
	}
	return number
}
