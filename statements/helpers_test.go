package statements

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// writeRepo writes files (slash paths relative to the root) into a new
// directory; a vexil.yaml is copied from testdata unless files has one.
func writeRepo(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if _, ok := files[ConfigFileName]; !ok {
		cfg, err := os.ReadFile(filepath.Join("testdata", ConfigFileName))
		if err != nil {
			t.Fatal(err)
		}
		files = mapWith(files, ConfigFileName, string(cfg))
	}
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func mapWith(m map[string]string, k, v string) map[string]string {
	out := make(map[string]string, len(m)+1)
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}

// checkRepo runs what `vexil check --offline` runs and returns every
// finding, sorted.
func checkRepo(t testing.TB, root string, paths []string) []Finding {
	t.Helper()
	cfg, findings, err := LoadConfig(filepath.Join(root, ConfigFileName))
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	stmts, more, err := LoadStatements(root, paths)
	if err != nil {
		t.Fatalf("LoadStatements: %v", err)
	}
	findings = append(findings, more...)
	more, err = Check(context.Background(), cfg, stmts, CheckOptions{})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	findings = append(findings, more...)
	SortFindings(findings)
	severity := map[string]Severity{}
	for _, r := range Rules() {
		severity[r.ID] = r.Severity
	}
	for _, f := range findings {
		if want, ok := severity[f.Rule]; !ok || f.Severity != want {
			t.Errorf("%s: severity %q, want %q as Rules() says", f, f.Severity, want)
		}
	}
	return findings
}

// locations renders findings as "file:line:col: rule" for comparison.
func locations(fs []Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s:%d:%d: %s", f.File, f.Line, f.Column, f.Rule))
	}
	return out
}

func assertLocations(t *testing.T, got []Finding, want []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if g := locations(got); !slices.Equal(g, want) {
		t.Errorf("findings:\ngot  %q\nwant %q\nmessages:", g, want)
		for _, f := range got {
			t.Logf("  %s", f)
		}
	}
}
