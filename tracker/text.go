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
// The carrier's text is cleaned (PlainText) and put on one line (runs of
// white space become one space). Callers clip and escape it as their
// medium needs.
func StatusLine(st Status, statusText string) string {
	title := st.Title()
	text := strings.Join(strings.Fields(PlainText(statusText)), " ")
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

// PlainText makes text from outside (carriers, users) safe to show inside
// our messages: invalid UTF-8 becomes U+FFFD, control characters (NUL
// among them) and line/paragraph separators become spaces, and bidi
// overrides, embeddings and isolates are dropped, since an unclosed one
// would reverse the rest of the line it is shown on. Newlines and tabs
// stay. It does not escape: HTML escaping is the renderer's job.
func PlainText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
			return -1
		case r == '\u2028' || r == '\u2029':
			return ' '
		case unicode.IsControl(r) && r != '\n' && r != '\t':
			return ' '
		}
		return r
	}, s)
}
