package telegramtest

import (
	"fmt"
	"strconv"
	"strings"
)

// htmlTags are the tags Telegram's HTML parse mode accepts.
var htmlTags = map[string]bool{
	"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true,
	"s": true, "strike": true, "del": true, "span": true, "tg-spoiler": true,
	"a": true, "code": true, "pre": true, "blockquote": true, "tg-emoji": true,
}

// ParseHTML checks text the way Telegram's HTML parse mode does (supported
// tags only, every tag closed in order, '<' only as a tag, the four named
// entities and numeric ones) and returns the text the user would see.
func ParseHTML(text string) (string, error) {
	var out strings.Builder
	var stack []string
	for i := 0; i < len(text); {
		c := text[i]
		switch c {
		case '<':
			end := strings.IndexByte(text[i:], '>')
			if end < 0 {
				return "", fmt.Errorf("Unclosed start tag at byte offset %d", i)
			}
			tag := text[i+1 : i+end]
			closing := strings.HasPrefix(tag, "/")
			name := strings.TrimPrefix(tag, "/")
			if sp := strings.IndexAny(name, " \t\n"); sp >= 0 {
				if closing {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				name = name[:sp]
			}
			name = strings.ToLower(name)
			if !htmlTags[name] {
				if closing {
					return "", fmt.Errorf("Unexpected end tag at byte offset %d", i)
				}
				return "", fmt.Errorf("Unsupported start tag %q at byte offset %d", name, i)
			}
			if closing {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					return "", fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, last(stack), name)
				}
				stack = stack[:len(stack)-1]
			} else {
				stack = append(stack, name)
			}
			i += end + 1
		case '>':
			// Telegram tolerates a bare '>', but the bot should escape it; keep it.
			out.WriteByte(c)
			i++
		case '&':
			semi := strings.IndexByte(text[i:], ';')
			if semi > 1 && semi < 10 {
				ent := text[i+1 : i+semi]
				if r, ok := entity(ent); ok {
					out.WriteString(r)
					i += semi + 1
					continue
				}
			}
			out.WriteByte(c)
			i++
		default:
			out.WriteByte(c)
			i++
		}
	}
	if len(stack) > 0 {
		return "", fmt.Errorf("Can't find end tag corresponding to start tag %q", stack[len(stack)-1])
	}
	return out.String(), nil
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func entity(e string) (string, bool) {
	switch e {
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "amp":
		return "&", true
	case "quot":
		return "\"", true
	}
	if strings.HasPrefix(e, "#x") || strings.HasPrefix(e, "#X") {
		n, err := strconv.ParseInt(e[2:], 16, 32)
		return string(rune(n)), err == nil
	}
	if strings.HasPrefix(e, "#") {
		n, err := strconv.Atoi(e[1:])
		return string(rune(n)), err == nil
	}
	return "", false
}
