package tracker

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

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
