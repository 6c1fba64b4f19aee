package statements

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestExampleRepository checks the example repository of testdata: no
// findings, and each statement where it belongs.
func TestExampleRepository(t *testing.T) {
	root := filepath.Join("testdata", "example")
	if got := checkRepo(t, root, nil); len(got) != 0 {
		t.Fatalf("got findings %q, want none", locations(got))
	}
	stmts, _, err := LoadStatements(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range stmts {
		got = append(got, s.File+"#"+string(rune('0'+s.Index))+" "+s.Vulnerability)
	}
	want := []string{
		"statements/controller/CVE-2024-24790.yaml#0 CVE-2024-24790",
		"statements/controller/CVE-2024-24791.yaml#0 CVE-2024-24791",
		"statements/imported.openvex.json#0 CVE-2024-3817",
		"statements/proxy/CVE-2023-44487.yaml#0 CVE-2023-44487",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLoadStatementsPaths(t *testing.T) {
	root := writeRepo(t, map[string]string{
		"statements/proxy/a.yaml":      goodStatement,
		"statements/controller/b.yaml": "vulnerability: CVE-2024-0001\nproducts: [controller]\nstatus: fixed\n",
		"statements/controller/c.txt":  "not read when walking",
		"elsewhere/d.yaml":             "vulnerability: CVE-2024-0002\nproducts: [proxy]\nstatus: fixed\n",
	})
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{"default", nil, []string{"statements/controller/b.yaml", "statements/proxy/a.yaml"}},
		{"one directory", []string{"statements/controller"}, []string{"statements/controller/b.yaml"}},
		{"file outside statements", []string{"elsewhere/d.yaml"}, []string{"elsewhere/d.yaml"}},
		{"absolute and overlapping", []string{filepath.Join(root, "statements"), "statements/proxy/a.yaml"}, []string{"statements/controller/b.yaml", "statements/proxy/a.yaml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stmts, findings, err := LoadStatements(root, tc.paths)
			if err != nil || len(findings) != 0 {
				t.Fatalf("got error %v, findings %v", err, findings)
			}
			var got []string
			for _, s := range stmts {
				got = append(got, s.File)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if _, _, err := LoadStatements(root, []string{"statements/missing"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing path: got %v, want fs.ErrNotExist", err)
	}
	empty := t.TempDir()
	if stmts, findings, err := LoadStatements(empty, nil); err != nil || len(stmts) != 0 || len(findings) != 0 {
		t.Errorf("repository without statements/: got %d statements, %v, %v", len(stmts), findings, err)
	}
}

func TestFindConfig(t *testing.T) {
	root := writeRepo(t, map[string]string{"statements/proxy/deep/x.yaml": goodStatement})
	want := filepath.Join(root, ConfigFileName)
	for _, dir := range []string{root, filepath.Join(root, "statements", "proxy", "deep")} {
		got, err := FindConfig(dir)
		if err != nil || got != want {
			t.Errorf("FindConfig(%s): got %q, %v, want %q", dir, got, err, want)
		}
	}
	if _, err := FindConfig(t.TempDir()); !errors.Is(err, ErrNoConfig) {
		t.Errorf("FindConfig without vexil.yaml: got %v, want ErrNoConfig", err)
	}
}

func TestLoadConfig(t *testing.T) {
	path := filepath.Join("testdata", ConfigFileName)
	cfg, findings, err := LoadConfig(path)
	if err != nil || len(findings) != 0 {
		t.Fatalf("got %v, %v", findings, err)
	}
	abs, _ := filepath.Abs("testdata")
	if cfg.File != path || cfg.Root != abs {
		t.Errorf("File, Root: got %q, %q, want %q, %q", cfg.File, cfg.Root, path, abs)
	}
	if cfg.Author != "Example Security <security@example.com>" || cfg.IDPrefix != "https://vex.example.com" {
		t.Errorf("author, id_prefix: got %q, %q", cfg.Author, cfg.IDPrefix)
	}
	p := cfg.Products["controller"]
	if p.Repository != "registry.example.com/acme/controller" || !slices.Equal(p.Tags, []string{"v1.*"}) || p.Pos != (Position{7, 3}) || p.TagsPos[0] != (Position{9, 12}) {
		t.Errorf("controller: got %+v", p)
	}
	if len(cfg.Products) != 2 || cfg.Publish.PredicateType != DefaultPredicateType || !slices.Equal(cfg.Publish.Subjects, []string{"index", "platforms"}) {
		t.Errorf("got %d products, publish %+v", len(cfg.Products), cfg.Publish)
	}
	if _, _, err := LoadConfig(filepath.Join(t.TempDir(), ConfigFileName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: got %v, want fs.ErrNotExist", err)
	}
}

// TestFindingMessages pins the exact text of the messages users read most.
func TestFindingMessages(t *testing.T) {
	root := writeRepo(t, map[string]string{
		"statements/a.yaml": "vulnerability: CVE-2023-44487\nproducts: [prxy]\nstatus: not_affected\njustifcation: component_not_present\n",
		"statements/b.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: fixed\n",
		"statements/c.yaml": "vulnerability: GHSA-qppj-fm5r-hxr3\naliases: [CVE-2023-44487]\nproducts: [proxy]\nstatus: affected\naction_statement: Upgrade.\n",
	})
	got := checkRepo(t, root, nil)
	var msgs []string
	for _, f := range got {
		msgs = append(msgs, f.String())
	}
	want := []string{
		`statements/a.yaml:2:12: product-unknown: product "prxy" is not defined in vexil.yaml; did you mean proxy?`,
		`statements/a.yaml:3:9: status-justification: status not_affected needs a justification or an impact_statement`,
		`statements/a.yaml:4:1: unknown-key: unknown key "justifcation" in a statement; did you mean justification?`,
		`statements/b.yaml:3:9: conflict: CVE-2023-44487 for product proxy: status fixed here conflicts with status affected at statements/c.yaml:4:9 (about GHSA-qppj-fm5r-hxr3, an alias)`,
		`statements/c.yaml:4:9: conflict: GHSA-qppj-fm5r-hxr3 for product proxy: status affected here conflicts with status fixed at statements/b.yaml:3:9 (about CVE-2023-44487, an alias)`,
	}
	if !slices.Equal(msgs, want) {
		t.Errorf("got\n%s\nwant\n%s", join(msgs), join(want))
	}
}

func join(lines []string) string {
	s := ""
	for _, l := range lines {
		s += "  " + l + "\n"
	}
	return s
}

func TestCheckCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	stmts, _ := Decode("a.yaml", []byte(goodStatement))
	if _, err := Check(ctx, &Config{}, stmts, CheckOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func TestLoadStatementsUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	root := writeRepo(t, map[string]string{"statements/a.yaml": goodStatement})
	if err := os.Chmod(filepath.Join(root, "statements", "a.yaml"), 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadStatements(root, nil); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("got %v, want fs.ErrPermission", err)
	}
}
