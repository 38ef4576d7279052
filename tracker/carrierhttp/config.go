package carrierhttp

import (
	"fmt"
	"net/url"
	"strings"
)

// BaseURL keeps only the scheme, host and port of raw: a configured base URL
// replaces those, and the carrier's documented paths are appended to it
// unchanged, so a base given with a path (".../track/v2.2/") still works.
func BaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("base URL %q is not an absolute URL", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// Positive returns v when it is above zero and def otherwise: in carrier
// configs a zero (or negative) timeout, rate or burst means "the default".
func Positive[T ~int | ~int64 | ~float64](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}
