// Package logredact keeps secrets and long server bodies out of log lines:
// a slog.Handler that rewrites every message and attribute (errors and
// other values included, as text) with each secret replaced by "***", and
// each value capped at MaxValue bytes. Whatever a server answers, and
// whatever a library puts into an error, passes through it on the way out.
package logredact

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"
)

// MaxValue caps one logged value (a server's body inside an error, say).
const MaxValue = 512

// minSecret: shorter strings are not treated as secrets (they would mask
// ordinary words and numbers).
const minSecret = 6

// Redactor replaces known secrets in text.
type Redactor struct {
	r *strings.Replacer // nil when there is nothing to hide
}

// New returns a Redactor for secrets; empty and very short ones are ignored.
func New(secrets ...string) *Redactor {
	var pairs []string
	for _, s := range secrets {
		if len(s) >= minSecret {
			pairs = append(pairs, s, "***")
		}
	}
	if len(pairs) == 0 {
		return &Redactor{}
	}
	return &Redactor{r: strings.NewReplacer(pairs...)}
}

// String is s without the secrets.
func (x *Redactor) String(s string) string {
	if x == nil || x.r == nil {
		return s
	}
	return x.r.Replace(s)
}

// Value is s without the secrets, capped at MaxValue bytes.
func (x *Redactor) Value(s string) string {
	s = x.String(s)
	if len(s) <= MaxValue {
		return s
	}
	cut := MaxValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes in all)", s[:cut], len(s))
}

// Handler wraps h so that nothing it writes holds a secret or an
// oversized value.
func (x *Redactor) Handler(h slog.Handler) slog.Handler { return &handler{h: h, x: x} }

type handler struct {
	h slog.Handler
	x *Redactor
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.h.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.x.Value(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.h.Handle(ctx, out)
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = h.attr(a)
	}
	return &handler{h: h.h.WithAttrs(clean), x: h.x}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{h: h.h.WithGroup(name), x: h.x}
}

// attr cleans one attribute: strings and anything printed as text (errors,
// URLs, byte slices, structs) are redacted and capped; numbers, booleans,
// times and durations hold no secret and stay typed.
func (h *handler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.x.Value(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if v.Any() == nil {
			return a
		}
		return slog.String(a.Key, h.x.Value(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
