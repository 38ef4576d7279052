package tracker_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// layers are the packages that must stay free of what belongs to others
// (README, "Design"): the domain holds no SQL, no Telegram and no
// rendering; storage holds no Telegram and no rendering.
var layers = []struct {
	dir       string // from tracker/
	forbidden []string
}{
	{".", []string{"github.com/trackbot/trackbot/storage", "github.com/trackbot/trackbot/bot", "github.com/go-telegram/", "html/template", "database/sql"}},
	{"../storage", []string{"github.com/trackbot/trackbot/bot", "github.com/go-telegram/", "html/template", "github.com/trackbot/trackbot/tracker/poller"}},
}

func forbiddenIn(forbidden []string, path string) bool {
	for _, f := range forbidden {
		if path == f || strings.HasPrefix(path, strings.TrimSuffix(f, "/")+"/") {
			return true
		}
	}
	return false
}

// htmlTag matches the Telegram HTML the bot writes (tghtml).
var htmlTag = regexp.MustCompile(`</?(b|strong|i|em|u|ins|s|strike|del|a|code|pre|blockquote|tg-spoiler|tg-emoji|span)\b[^>]*>|&(lt|gt|amp|quot);`)

// TestLayers fails when code under tracker/ (tests aside: they run on the
// real storage) imports storage, the bot or go-telegram, when storage
// imports the bot or go-telegram, or when either writes HTML in a string.
func TestLayers(t *testing.T) {
	for _, l := range layers {
		fset := token.NewFileSet()
		files := 0
		err := filepath.WalkDir(l.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			files++
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if forbiddenIn(l.forbidden, p) {
					t.Errorf("%s imports %s, which this layer must not reach", fset.Position(imp.Pos()), p)
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				if s, err := strconv.Unquote(lit.Value); err == nil && htmlTag.MatchString(s) {
					t.Errorf("%s: HTML (%q): the bot renders, with tghtml", fset.Position(lit.Pos()), htmlTag.FindString(s))
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if files < 10 {
			t.Fatalf("read %d Go files under %s; the walk is looking in the wrong place", files, l.dir)
		}
	}
}

// TestLayerDependencies checks what the layers reach through other
// packages too (go list -deps), which the import check above cannot see.
func TestLayerDependencies(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list dependencies")
	}
	for _, l := range layers {
		out, err := exec.Command(gobin, "list", "-deps", l.dir+"/...").Output()
		if err != nil {
			t.Fatalf("go list -deps %s/...: %v", l.dir, err)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 20 {
			t.Fatalf("go list -deps listed %d packages: %q", len(deps), deps)
		}
		for _, p := range deps {
			if forbiddenIn(l.forbidden, p) {
				t.Errorf("%s depends on %s", l.dir, p)
			}
		}
	}
}

func TestForbiddenImport(t *testing.T) {
	for path, want := range map[string]bool{
		"github.com/trackbot/trackbot/storage":             true,
		"github.com/trackbot/trackbot/storage/storagetest": true,
		"github.com/trackbot/trackbot/bot/tghtml":          true,
		"github.com/go-telegram/bot/models":                true,
		"github.com/trackbot/trackbot/tracker/parcel":      false,
		"github.com/trackbot/trackbot/botany":              false,
		"html":                                             false,
	} {
		if got := forbiddenIn(layers[0].forbidden, path); got != want {
			t.Errorf("forbiddenIn(tracker, %q) = %v, want %v", path, got, want)
		}
	}
	for s, want := range map[string]bool{
		"<b>Delivered</b>": true, `<a href="x">`: true, "a &amp; b": true, "<blockquote expandable>": true,
		"<[^>]*>": false, "1 < 2 > 0": false, "<br/>": false,
	} {
		if got := htmlTag.MatchString(s); got != want {
			t.Errorf("htmlTag on %q = %v, want %v", s, got, want)
		}
	}
}
