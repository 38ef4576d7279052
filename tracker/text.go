package tracker

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// StatusLine is a parcel's status as one line of plain text: the status
// title, with the carrier's own words after it when they add something.
//
//	StatusLine(StatusInTransit, "")                          = "In transit"
//	StatusLine(StatusDelivered, "DELIVERED")                 = "Delivered"
//	StatusLine(StatusDelivered, "Delivered, left at door")   = "Delivered, left at door"
//	StatusLine(StatusInTransit, "Departed facility")         = "In transit: Departed facility"
//
// The carrier's text is put on one line (runs of white space become one
// space). Callers clip and escape it as their medium needs.
func StatusLine(st Status, statusText string) string {
	title := st.Title()
	text := strings.Join(strings.Fields(statusText), " ")
	switch {
	case text == "" || strings.EqualFold(text, title):
		return title
	case startsWithWord(text, title):
		return text // "Delivered, left in the parcel box" says it already
	}
	return title + ": " + text
}

// startsWithWord reports whether s begins with the word(s) prefix, ignoring
// case: "In transit, on time" does, "In transitional hub" does not.
func startsWithWord(s, prefix string) bool {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[len(prefix):])
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// Clip shortens s to at most n runes, the last of them "…" when it cut.
func Clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
