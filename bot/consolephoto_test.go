package bot

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/demo"
)

func writePNG(t *testing.T, path string, g image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, g); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The console reads pictures by path, through the same flow as photos on
// Telegram: /photo with a caption, a pasted (quoted) path, an album of two
// paths, a missing file and a file that is no picture.
func TestConsolePhotos(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := storage.Open(ctx, filepath.Join(dir, "console.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	n1, n2, n3 := upsNumber(51), upsNumber(52), upsNumber(53)
	lamp, sideways, third, blank := filepath.Join(dir, "lamp.png"), filepath.Join(dir, "my label.png"), filepath.Join(dir, "third.png"), filepath.Join(dir, "blank.png")
	writePNG(t, lamp, labelImage(t, n1, false))
	writePNG(t, sideways, labelImage(t, n2, true))
	writePNG(t, third, labelImage(t, n3, false))
	writePNG(t, blank, image.NewGray(image.Rect(0, 0, 640, 480)))
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("not a picture"), 0o644); err != nil {
		t.Fatal(err)
	}
	// An iPhone photo renamed .jpg: HEIC inside, said so (not "no picture").
	iphone := filepath.Join(dir, "iphone.jpg")
	if err := os.WriteFile(iphone, []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), 0o644); err != nil {
		t.Fatal(err)
	}
	steps := []struct{ line, want string }{
		{"/photo", "Send a picture by its path: /photo label.jpg"},
		{"/photo " + lamp + " mum's lamp", "Read from the photo (Code 128): " + n1},
		{"'" + sideways + "'", "Read from the photo (Code 128): " + n2},
		{"/photo " + filepath.Join(dir, "gone.png"), "No such file: " + filepath.Join(dir, "gone.png")},
		{"/photo " + third + " " + blank, "Read from 1 of 2 photos: " + n3 + " (Code 128)"},
		{"/photo " + notes, "I can't open that file as a picture"},
		{"/photo " + iphone, "I can't read HEIC files yet"},
	}
	var lines []string
	for _, s := range steps {
		lines = append(lines, s.line)
	}
	var out bytes.Buffer
	router := tracker.NewRouter(map[string]tracker.Client{"demo": demo.New(demo.Config{})}, nil)
	if err := RunConsole(ctx, ConsoleConfig{Store: store, Router: router, In: strings.NewReader(strings.Join(append(lines, "/quit"), "\n")), Out: &out}); err != nil {
		t.Fatal(err)
	}
	// Each step's answer is what follows its prompt.
	answers := strings.Split(out.String(), "> ")[1:]
	if len(answers) < len(steps) {
		t.Fatalf("%d answers for %d lines:\n%s", len(answers), len(steps), out.String())
	}
	for i, s := range steps {
		if !strings.Contains(answers[i], s.want) {
			t.Errorf("%q: answer lacks %q:\n%s", s.line, s.want, answers[i])
		}
	}
	subs, err := store.ChatSubscriptions(ctx, ConsoleChatID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range subs {
		got = append(got, s.Shipment.Number+"/"+s.Label)
	}
	slices.Sort(got)
	want := []string{n1 + "/mum's lamp", n2 + "/", n3 + "/"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("following %v, want %v", got, want)
	}
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a b  c", []string{"a", "b", "c"}},
		{`'/tmp/my label.png' mum`, []string{"/tmp/my label.png", "mum"}},
		{`"/tmp/it's.png"`, []string{"/tmp/it's.png"}},
		{`/tmp/my\ label.png`, []string{"/tmp/my label.png"}},
		{`''`, []string{""}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, a := range splitArgs(tt.in) {
			got = append(got, a.s)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitArgs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPhotoLine(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, image.NewGray(image.Rect(0, 0, 8, 8)))
	tests := []struct {
		line    string
		paths   []string
		caption string
		ok      bool
	}{
		{"/photo " + img + " for mum", []string{img}, "for mum", true},
		{"/photo missing.jpg", []string{"missing.jpg"}, "", true},
		{"/photo nothing here", []string{"nothing"}, "here", true},
		{"/photo " + img + " " + img + " mum's  lamp", []string{img, img}, "mum's  lamp", true},
		{"/photo", nil, "", true},
		{"/photos", nil, "", false},
		{img, []string{img}, "", true},
		{"file://" + img, []string{img}, "", true},
		{"missing.png", nil, "", false}, // not a file: a message
		{"DEMO1", nil, "", false},
		{img + " " + img, nil, "", false},
	}
	for _, tt := range tests {
		paths, caption, ok := photoLine(tt.line)
		if ok != tt.ok || caption != tt.caption || !slices.Equal(paths, tt.paths) {
			t.Errorf("photoLine(%q) = %q, %q, %v; want %q, %q, %v", tt.line, paths, caption, ok, tt.paths, tt.caption, tt.ok)
		}
	}
}

// splitArgs takes any line: arguments end in order, inside the line, and
// a line without quotes or backslashes splits as strings.Fields does.
func FuzzSplitArgs(f *testing.F) {
	for _, s := range []string{"/photo a.png mum", `'/tmp/my label.png' "x y" z\ w`, `'unclosed`, "\\", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prev := 0
		args := splitArgs(s)
		for _, a := range args {
			if a.end < prev || a.end > len(s) {
				t.Fatalf("%q: argument %q ends at %d (previous %d)", s, a.s, a.end, prev)
			}
			prev = a.end
		}
		if !strings.ContainsAny(s, `'"\`) && !strings.ContainsAny(s, "\n\r\v\f\u0085\u00a0") {
			var got []string
			for _, a := range args {
				got = append(got, a.s)
			}
			if want := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' }); !slices.Equal(got, want) {
				t.Fatalf("%q: %q, want %q", s, got, want)
			}
		}
	})
}
