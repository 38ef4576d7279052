package carrierhttp

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Carriers send numbers as strings, booleans as "true", and single objects
// where their schema says arrays. These types decode any of those.

// String decodes a JSON string, number, boolean or null into a string.
type String string

func (s *String) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"':
		// Fast path: most carrier strings have no escapes, and this decoder
		// runs for nearly every field of every reply.
		if len(b) >= 2 && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '\\') < 0 && utf8.Valid(b) {
			*s = String(b[1 : len(b)-1])
			return nil
		}
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = String(v)
	case b[0] == '{' || b[0] == '[':
		*s = "" // an object where text was expected: ignore rather than fail the whole reply
	default:
		*s = String(b)
	}
	return nil
}

// Int decodes a JSON number or a numeric string; anything else is 0.
type Int int64

func (n *Int) UnmarshalJSON(b []byte) error {
	var s String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
	if err != nil {
		*n = 0
		return nil
	}
	*n = Int(v)
	return nil
}

// Bool decodes true/false, "true"/"false", "Y"/"N", 1/0.
type Bool bool

func (v *Bool) UnmarshalJSON(b []byte) error {
	var s String
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	switch strings.ToLower(strings.TrimSpace(string(s))) {
	case "true", "y", "yes", "1":
		*v = true
	default:
		*v = false
	}
	return nil
}

// List decodes a JSON array, a single value (as a one-element list) or null.
type List[T any] []T

func (l *List[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*l = nil
		return nil
	}
	if b[0] == '[' {
		var v []T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*l = v
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*l = List[T]{one}
	return nil
}

// ParseTime reads the time layouts carriers use: RFC 3339 with or without an
// offset or fraction. A time without an offset is taken in loc (UTC if nil).
func ParseTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
