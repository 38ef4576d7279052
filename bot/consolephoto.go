package bot

// Pictures in the console: `/photo PATH…` (several paths are an album,
// the other words its caption) or a path to an image pasted on a line of
// its own, as a terminal pastes a file dropped on it. They go through the
// same HandlePhotos as photos on Telegram; the file is read from disk
// instead of through getFile.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/label"
)

// imageExts are the endings a pasted path must have to be taken for a
// picture (with /photo, any file is tried).
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".webp": true, ".gif": true, ".bmp": true, ".heic": true, ".heif": true}

// scanPath reads the barcodes of an image file: the console's getFile.
func scanPath(demo bool) func(ctx context.Context, path string) (label.Result, error) {
	return func(ctx context.Context, path string) (label.Result, error) {
		f, err := os.Open(path)
		if err != nil {
			return label.Result{}, fmt.Errorf("console: %w", err)
		}
		defer f.Close()
		return label.Scan(ctx, f, label.Options{Detect: tracker.DetectOptions{Demo: demo}})
	}
}

// photoLine reads a console line as pictures: the paths named and the
// caption. ok is false for a line that is not about pictures.
func photoLine(line string) (paths []string, caption string, ok bool) {
	if rest, isCmd := strings.CutPrefix(line, "/photo"); isCmd && (rest == "" || rest[0] == ' ') {
		// The leading arguments that name files (or look like pictures)
		// are the paths, the rest of the line as typed the caption.
		args := splitArgs(rest)
		end := 0
		for i, a := range args {
			p := pastedPath(a.s)
			if i > 0 && !isFile(p) && !imageExts[strings.ToLower(filepath.Ext(p))] {
				break
			}
			paths, end = append(paths, p), a.end // the first one even missing: said so
		}
		return paths, strings.TrimSpace(rest[end:]), true
	}
	args := splitArgs(line)
	if len(args) != 1 {
		return nil, "", false
	}
	p := pastedPath(args[0].s)
	if !imageExts[strings.ToLower(filepath.Ext(p))] || !isFile(p) {
		return nil, "", false
	}
	return []string{p}, "", true
}

// pastedPath undoes what a terminal adds to a dropped file's path.
func pastedPath(s string) string {
	return strings.TrimPrefix(s, "file://")
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// arg is one argument of a line and the byte offset where it ends.
type arg struct {
	s   string
	end int
}

// splitArgs splits a line on spaces, keeping quoted parts ('…' or "…") and
// backslash-escaped spaces together, as a shell would.
func splitArgs(s string) []arg {
	var out []arg
	var b strings.Builder
	in, esc := false, false
	quote := byte(0)
	// Byte by byte: the special characters are ASCII, and a file name
	// that is not UTF-8 must come through as it is.
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case esc:
			b.WriteByte(c)
			esc, in = false, true
		case c == '\\' && quote != '\'':
			esc = true
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				out = append(out, arg{b.String(), i})
				b.Reset()
				in = false
			}
		default:
			b.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, arg{b.String(), len(s)})
	}
	return out
}

// photos answers pictures named on the console.
func (c *console) photos(ctx context.Context, paths []string, caption string) {
	if len(paths) == 0 {
		fmt.Fprintln(c.out, c.pr().T("console_photo_usage"))
		return
	}
	var phs []Photo
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			fmt.Fprintln(c.out, c.pr().T("console_no_file", "Path", p))
			continue
		}
		ph := Photo{Message: Message{Chat: c.chat, From: c.user}, FileID: p, FileSize: st.Size()}
		if ext := strings.ToLower(filepath.Ext(p)); ext == ".heic" || ext == ".heif" {
			ph.Unsupported = "HEIC"
		}
		phs = append(phs, ph)
	}
	if len(phs) == 0 {
		return
	}
	phs[0].Text = caption
	for _, r := range c.eng.HandlePhotos(ctx, phs) {
		c.show(r)
	}
}
