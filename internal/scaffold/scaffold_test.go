package scaffold

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var wantPaths = []string{
	".github/workflows/vex-check.yml",
	".github/workflows/vex-publish.yml",
	"statements/README.md",
	"vexil.yaml",
}

func TestFiles(t *testing.T) {
	files, err := Files(Options{Version: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
		if strings.Contains(string(f.Data), "[[") {
			t.Errorf("%s: unexpanded template action", f.Path)
		}
	}
	if !slices.Equal(got, wantPaths) {
		t.Fatalf("got paths %q, want %q", got, wantPaths)
	}

	var check struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			Env   map[string]string
			Steps []struct {
				Uses string
				With map[string]any
				Run  string
			}
		}
	}
	if err := yaml.Unmarshal(files[0].Data, &check); err != nil {
		t.Fatalf("vex-check.yml: %v", err)
	}
	job := check.Jobs["check"]
	if _, ok := check.On["pull_request"]; !ok {
		t.Errorf("vex-check.yml: got triggers %v, want pull_request", check.On)
	}
	if got, want := job.Env["VEXIL"], "go run github.com/vexil-dev/vexil/cmd/vexil@v1.2.3"; got != want {
		t.Errorf("vex-check.yml: got VEXIL %q, want %q", got, want)
	}
	if got, want := job.Env["BASE_REF"], "${{ github.base_ref }}"; got != want {
		t.Errorf("vex-check.yml: got BASE_REF %q, want %q", got, want)
	}
	if got := job.Steps[0].With["fetch-depth"]; got != 0 {
		t.Errorf("vex-check.yml: got fetch-depth %v, want 0", got)
	}
	if got, want := job.Steps[2].Run, `$VEXIL check --base "origin/$BASE_REF" --format github`; got != want {
		t.Errorf("vex-check.yml: got run %q, want %q", got, want)
	}
	if got := job.Steps[3].Run; !strings.Contains(got, `--format markdown >> "$GITHUB_STEP_SUMMARY"`) {
		t.Errorf("vex-check.yml: got summary step %q", got)
	}

	var publish struct {
		Permissions map[string]string
		Jobs        map[string]struct {
			Steps []struct{ Run string }
		}
	}
	if err := yaml.Unmarshal(files[1].Data, &publish); err != nil {
		t.Fatalf("vex-publish.yml: %v", err)
	}
	if got := publish.Permissions["id-token"]; got != "write" {
		t.Errorf("vex-publish.yml: got id-token %q, want write", got)
	}
	steps := publish.Jobs["publish"].Steps
	if got, want := steps[len(steps)-1].Run, "go run github.com/vexil-dev/vexil/cmd/vexil@v1.2.3 publish"; got != want {
		t.Errorf("vex-publish.yml: got run %q, want %q", got, want)
	}

	var cfg map[string]any
	if err := yaml.Unmarshal(files[3].Data, &cfg); err != nil {
		t.Fatalf("vexil.yaml: %v", err)
	}
	if _, ok := cfg["products"].(map[string]any)["app"]; !ok {
		t.Errorf("vexil.yaml: got %v, want product app", cfg["products"])
	}
}

func TestFilesDefaultVersion(t *testing.T) {
	files, err := Files(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(files[0].Data), "cmd/vexil@latest\n") {
		t.Errorf("got %s, want @latest", files[0].Data)
	}
}

func TestWrite(t *testing.T) {
	files := []File{{Path: "a/b.txt", Data: []byte("b")}, {Path: "c.txt", Data: []byte("c")}}
	dir := t.TempDir()

	got, err := Write(dir, files, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a", "b.txt"), filepath.Join(dir, "c.txt")}
	if !slices.Equal(got, want) {
		t.Errorf("got written %q, want %q", got, want)
	}
	assertFile(t, want[0], "b")
	assertFile(t, want[1], "c")
	assertEntries(t, filepath.Join(dir, "a"), "b.txt")

	// One file exists: nothing is written, the error names it.
	os.Remove(want[0])
	changed := []File{{Path: "a/b.txt", Data: []byte("B")}, {Path: "c.txt", Data: []byte("C")}}
	got, err = Write(dir, changed, false)
	var exists *ExistsError
	if !errors.As(err, &exists) || !errors.Is(err, ErrExists) || got != nil {
		t.Fatalf("got %q, %v, want an ExistsError", got, err)
	}
	if !slices.Equal(exists.Paths, want[1:]) {
		t.Errorf("got existing %q, want %q", exists.Paths, want[1:])
	}
	if _, err := os.Stat(want[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was written after a refusal: %v", want[0], err)
	}
	assertFile(t, want[1], "c")

	// force overwrites, and leaves no temporary file behind.
	if _, err := Write(dir, changed, true); err != nil {
		t.Fatal(err)
	}
	assertFile(t, want[0], "B")
	assertFile(t, want[1], "C")
	assertEntries(t, dir, "a", "c.txt")

	// A directory where a file goes is an error even with force.
	if _, err := Write(dir, []File{{Path: "a", Data: nil}}, true); err == nil || !strings.HasSuffix(err.Error(), "a: is a directory") {
		t.Errorf("got %v, want is a directory", err)
	}
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Errorf("%s: got %q, %v, want %q", path, got, err, want)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm() != 0o644 {
		t.Errorf("%s: got mode %v, want 0644", path, st.Mode().Perm())
	}
}

func assertEntries(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: got entries %q, want %q", dir, got, want)
	}
}
