// Package tghtml builds messages in Telegram's HTML parse mode. Text goes in
// escaped unless it is one of the builder's own tags, so user and carrier
// text can never open a tag, and every tag is closed where it is opened
// (each line balanced, which Split relies on).
package tghtml

import (
	"html"
	"strings"
)

// Builder accumulates one message. The zero value is ready to use.
type Builder struct{ b strings.Builder }

// Text appends plain text, escaped.
func (h *Builder) Text(s string) *Builder { h.b.WriteString(html.EscapeString(s)); return h }

// Line starts a new line.
func (h *Builder) Line() *Builder { h.b.WriteByte('\n'); return h }

// Bold appends s in bold.
func (h *Builder) Bold(s string) *Builder { return h.tag("b", s) }

// Code appends s in a monospace span (tap to copy on phones).
func (h *Builder) Code(s string) *Builder { return h.tag("code", s) }

// Link appends text linking to url; without a url it is plain text.
func (h *Builder) Link(url, text string) *Builder {
	if url == "" {
		return h.Text(text)
	}
	h.b.WriteString(`<a href="` + html.EscapeString(url) + `">` + html.EscapeString(text) + `</a>`)
	return h
}

// Quote appends lines as a block quote; expandable ones show collapsed when
// long (Bot API 7.4). Lines are escaped.
func (h *Builder) Quote(lines []string, expandable bool) *Builder {
	if len(lines) == 0 {
		return h
	}
	if expandable {
		h.b.WriteString("<blockquote expandable>")
	} else {
		h.b.WriteString("<blockquote>")
	}
	for i, l := range lines {
		if i > 0 {
			h.b.WriteByte('\n')
		}
		h.b.WriteString(html.EscapeString(l))
	}
	h.b.WriteString("</blockquote>")
	return h
}

// Append appends another builder's message (already safe).
func (h *Builder) Append(o *Builder) *Builder { h.b.WriteString(o.b.String()); return h }

// String is the message.
func (h *Builder) String() string { return h.b.String() }

func (h *Builder) tag(t, s string) *Builder {
	h.b.WriteString("<" + t + ">" + html.EscapeString(s) + "</" + t + ">")
	return h
}
