package review

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/internal/gittest"
	"github.com/vexil-dev/vexil/statements"
)

const (
	fileHTTP2  = "statements/proxy/CVE-2023-44487.yaml"
	fileNet    = "statements/proxy/CVE-2024-24790.yaml"
	fileCtl    = "statements/controller/CVE-2023-39325.yaml"
	fileBroken = "statements/controller/old.yaml"
)

// baseFiles is the main branch of the test repositories. old.yaml has a
// finding of its own, which no review of a change elsewhere may report.
func baseFiles() map[string]string {
	return map[string]string{
		"vexil.yaml": testConfig,
		fileHTTP2:    stmt("CVE-2023-44487", "proxy", statements.StatusUnderInvestigation),
		fileNet:      stmt("CVE-2024-24790", "proxy", statements.StatusAffected),
		fileCtl:      stmt("CVE-2023-39325", "controller", statements.StatusNotAffected),
		fileBroken:   "vulnerability: CVE-2022-0001\nproducts: [controller]\nstatus: not_affected\njustification: not_relevant\n",
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		change func(g *gitRepo)
		paths  []string
		files  []string
		find   []string
		impact []string
	}{{
		name: "add",
		change: func(g *gitRepo) {
			g.write(map[string]string{"statements/proxy/CVE-2024-0001.yaml": stmt("CVE-2024-0001", "proxy", statements.StatusNotAffected)})
			g.commit("add")
		},
		files:  []string{"added statements/proxy/CVE-2024-0001.yaml"},
		impact: []string{"proxy: CVE-2024-0001 — → not_affected"},
	}, {
		name: "modify status",
		change: func(g *gitRepo) {
			g.write(map[string]string{fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusNotAffected)})
			g.commit("modify")
		},
		files:  []string{"modified " + fileHTTP2},
		impact: []string{"proxy: CVE-2023-44487 under_investigation → not_affected"},
	}, {
		name: "modify status, uncommitted",
		change: func(g *gitRepo) {
			g.write(map[string]string{fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusNotAffected)})
		},
		files:  []string{"modified " + fileHTTP2},
		impact: []string{"proxy: CVE-2023-44487 under_investigation → not_affected"},
	}, {
		name: "untracked new file",
		change: func(g *gitRepo) {
			g.write(map[string]string{"statements/proxy/new.yaml": stmt("CVE-2024-0002", "proxy", statements.StatusFixed)})
		},
		files:  []string{"added statements/proxy/new.yaml"},
		impact: []string{"proxy: CVE-2024-0002 — → fixed"},
	}, {
		name: "delete",
		change: func(g *gitRepo) {
			g.remove(fileHTTP2)
			g.commit("delete")
		},
		files: []string{"deleted " + fileHTTP2},
		find: []string{fileHTTP2 + ":1:1: statement-deleted: this file was deleted since main, with its statement " +
			"about CVE-2023-44487 for proxy; a published statement must stay: to retract it, restore the file and change its status in a new commit"},
		impact: []string{"proxy: CVE-2023-44487 under_investigation → —"},
	}, {
		name:   "delete, uncommitted",
		change: func(g *gitRepo) { g.remove(fileNet) },
		files:  []string{"deleted " + fileNet},
		find: []string{fileNet + ":1:1: statement-deleted: this file was deleted since main, with its statement " +
			"about CVE-2024-24790 for proxy; a published statement must stay: to retract it, restore the file and change its status in a new commit"},
		impact: []string{"proxy: CVE-2024-24790 affected → —"},
	}, {
		name: "rename",
		change: func(g *gitRepo) {
			g.move(fileHTTP2, "statements/proxy/http2/CVE-2023-44487.yaml")
			g.commit("rename")
		},
		files: []string{"renamed statements/proxy/http2/CVE-2023-44487.yaml from " + fileHTTP2},
	}, {
		name: "rename, uncommitted",
		change: func(g *gitRepo) {
			g.move(fileHTTP2, "statements/proxy/http2/CVE-2023-44487.yaml")
		},
		files: []string{"renamed statements/proxy/http2/CVE-2023-44487.yaml from " + fileHTTP2},
	}, {
		name: "rename and change status",
		change: func(g *gitRepo) {
			g.remove(fileHTTP2)
			g.write(map[string]string{"statements/proxy/http2.yaml": stmt("CVE-2023-44487", "proxy", statements.StatusFixed)})
			g.commit("move and fix")
		},
		files:  []string{"renamed statements/proxy/http2.yaml from " + fileHTTP2},
		impact: []string{"proxy: CVE-2023-44487 under_investigation → fixed"},
	}, {
		name: "a file git ignores is still a statement check reads",
		change: func(g *gitRepo) {
			g.write(map[string]string{
				".gitignore":                  "local.yaml\n",
				"statements/proxy/local.yaml": stmt("CVE-2024-0005", "proxy", statements.StatusFixed),
			})
		},
		files:  []string{"added statements/proxy/local.yaml"},
		impact: []string{"proxy: CVE-2024-0005 — → fixed"},
	}, {
		name: "an OpenVEX document loses a statement",
		change: func(g *gitRepo) {
			g.write(map[string]string{"statements/doc.openvex.json": openVEXDoc("CVE-2024-0006", "CVE-2024-0007")})
			g.commit("doc")
			// The base is main: the document is new there. Review it from
			// this commit instead, by moving main.
			g.git("branch", "-f", "main")
			g.write(map[string]string{"statements/doc.openvex.json": openVEXDoc("CVE-2024-0006")})
			g.commit("drop one")
		},
		files: []string{"modified statements/doc.openvex.json"},
		find: []string{"statements/doc.openvex.json:8:32: statement-identity-changed: the vulnerability changed from CVE-2024-0006, CVE-2024-0007 to CVE-2024-0006 " +
			"since main; a published statement must keep what it is about: restore it (to retract it, change its status) and add a new file for the new statement"},
		impact: []string{"proxy: CVE-2024-0007 fixed → —"},
	}, {
		name: "rename and change products",
		change: func(g *gitRepo) {
			g.remove(fileCtl)
			g.write(map[string]string{"statements/proxy/CVE-2023-39325.yaml": stmt("CVE-2023-39325", "proxy", statements.StatusNotAffected)})
			g.commit("move")
		},
		files: []string{"renamed statements/proxy/CVE-2023-39325.yaml from " + fileCtl},
		find: []string{"statements/proxy/CVE-2023-39325.yaml:2:11: statement-identity-changed: the products changed from [controller] to [proxy] " +
			"since main (it was statements/controller/CVE-2023-39325.yaml); a published statement must keep what it is about: " +
			"restore it (to retract it, change its status) and add a new file for the new statement"},
		impact: []string{"controller: CVE-2023-39325 not_affected → —", "proxy: CVE-2023-39325 — → not_affected"},
	}, {
		name: "vulnerability rewritten in place",
		change: func(g *gitRepo) {
			g.write(map[string]string{fileNet: stmt("CVE-2024-24791", "proxy", statements.StatusAffected)})
			g.commit("rewrite")
		},
		files: []string{"modified " + fileNet},
		find: []string{fileNet + ":1:16: statement-identity-changed: the vulnerability changed from CVE-2024-24790 to CVE-2024-24791 " +
			"since main; a published statement must keep what it is about: restore it (to retract it, change its status) and add a new file for the new statement"},
		impact: []string{"proxy: CVE-2024-24790 affected → —", "proxy: CVE-2024-24791 — → affected"},
	}, {
		name: "tags narrowed in place",
		change: func(g *gitRepo) {
			g.write(map[string]string{fileHTTP2: "vulnerability: CVE-2023-44487\nproducts:\n  - name: proxy\n    tags: [enterprise-2.19.5]\nstatus: under_investigation\n"})
			g.commit("narrow")
		},
		files: []string{"modified " + fileHTTP2},
		find: []string{fileHTTP2 + ":3:3: statement-identity-changed: the products changed from [proxy] to [proxy (tags enterprise-2.19.5)] " +
			"since main; a published statement must keep what it is about: restore it (to retract it, change its status) and add a new file for the new statement"},
		impact: []string{"proxy: CVE-2023-44487 under_investigation → —", "proxy (tags enterprise-2.19.5): CVE-2023-44487 — → under_investigation"},
	}, {
		// A statement narrowed to a subcomponent no longer speaks for the
		// whole image: scanners stop applying it to findings of the
		// vulnerability in other packages. Two rows say so; one row
		// "under_investigation → under_investigation" would read as no change.
		name: "subcomponents added",
		change: func(g *gitRepo) {
			g.write(map[string]string{fileHTTP2: "vulnerability: CVE-2023-44487\nproducts: [proxy]\n" +
				"subcomponents: [pkg:golang/golang.org/x/net]\nstatus: under_investigation\n"})
			g.commit("narrow to x/net")
		},
		files: []string{"modified " + fileHTTP2},
		impact: []string{
			"proxy: CVE-2023-44487 under_investigation → —",
			"proxy: CVE-2023-44487 in pkg:golang/golang.org/x/net — → under_investigation",
		},
	}, {
		name: "subcomponents removed, status changed",
		change: func(g *gitRepo) {
			g.write(map[string]string{fileHTTP2: "vulnerability: CVE-2023-44487\nproducts: [proxy]\n" +
				"subcomponents: [pkg:golang/golang.org/x/net, pkg:golang/google.golang.org/grpc]\nstatus: under_investigation\n"})
			g.commit("narrow")
			g.git("branch", "-f", "main") // review from the narrowed statement
			g.write(map[string]string{fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusNotAffected)})
			g.commit("widen and decide")
		},
		files: []string{"modified " + fileHTTP2},
		impact: []string{
			"proxy: CVE-2023-44487 — → not_affected",
			"proxy: CVE-2023-44487 in pkg:golang/golang.org/x/net under_investigation → —",
			"proxy: CVE-2023-44487 in pkg:golang/google.golang.org/grpc under_investigation → —",
		},
	}, {
		name: "modify then revert",
		change: func(g *gitRepo) {
			g.write(map[string]string{fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusFixed)})
			g.commit("modify")
			g.write(map[string]string{fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusUnderInvestigation)})
			g.commit("revert")
		},
	}, {
		name: "modify, revert uncommitted",
		change: func(g *gitRepo) {
			g.write(map[string]string{fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusFixed)})
			g.commit("modify")
			g.write(map[string]string{fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusUnderInvestigation)})
		},
	}, {
		name: "conflict with an unchanged statement",
		change: func(g *gitRepo) {
			g.write(map[string]string{"statements/proxy/net.yaml": "vulnerability: GO-2024-2887\naliases: [CVE-2024-24790]\nproducts: [proxy]\nstatus: fixed\n"})
			g.commit("conflict")
		},
		files: []string{"added statements/proxy/net.yaml"},
		find: []string{
			fileNet + ":3:9: conflict: CVE-2024-24790 for product proxy: status affected here conflicts with status fixed at statements/proxy/net.yaml:4:9 (about GO-2024-2887, an alias)",
			"statements/proxy/net.yaml:4:9: conflict: GO-2024-2887 for product proxy: status fixed here conflicts with status affected at " + fileNet + ":3:9 (about CVE-2024-24790, an alias)",
		},
		impact: []string{"proxy: GO-2024-2887 — → fixed"},
	}, {
		name: "findings of changed files only",
		change: func(g *gitRepo) {
			g.write(map[string]string{
				"statements/proxy/bad.yaml":      "vulnerability: CVE-2024-0003\nproducts: [proxy]\nstatus: affected\n",
				"statements/controller/bad.yaml": "vulnerability: CVE-2024-0004\nproducts: [controler]\nstatus: fixed\n",
			})
			g.commit("bad")
		},
		files: []string{"added statements/controller/bad.yaml", "added statements/proxy/bad.yaml"},
		find: []string{
			"statements/controller/bad.yaml:2:12: product-unknown: product \"controler\" is not defined in vexil.yaml; did you mean controller?",
			"statements/proxy/bad.yaml:3:9: status-action-statement: status affected needs an action_statement",
		},
		impact: []string{"proxy: CVE-2024-0003 — → affected"},
	}, {
		name: "paths narrow the findings, not the impact",
		change: func(g *gitRepo) {
			g.write(map[string]string{
				"statements/proxy/bad.yaml":      "vulnerability: CVE-2024-0003\nproducts: [proxy]\nstatus: affected\n",
				"statements/controller/bad.yaml": "vulnerability: CVE-2024-0004\nproducts: [controller]\nstatus: affected\n",
			})
			g.remove(fileCtl)
			g.commit("bad")
		},
		paths: []string{"statements/proxy"},
		files: []string{"deleted " + fileCtl, "added statements/controller/bad.yaml", "added statements/proxy/bad.yaml"},
		find: []string{
			"statements/proxy/bad.yaml:3:9: status-action-statement: status affected needs an action_statement",
		},
		impact: []string{
			"controller: CVE-2023-39325 not_affected → —",
			"controller: CVE-2024-0004 — → affected",
			"proxy: CVE-2024-0003 — → affected",
		},
	}, {
		name: "syntax error in a changed file",
		change: func(g *gitRepo) {
			g.write(map[string]string{fileHTTP2: "vulnerability: [\n"})
			g.commit("break")
		},
		files:  []string{"modified " + fileHTTP2},
		find:   []string{fileHTTP2 + ":2:1: syntax: did not find expected node content"},
		impact: []string{"proxy: CVE-2023-44487 under_investigation → —"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGitRepo(t)
			g.write(baseFiles())
			g.commit("base")
			g.git("checkout", "-q", "-b", "pr")
			tt.change(g)
			res, err := run(t, g.dir, "main", Options{Paths: tt.paths})
			if err != nil {
				t.Fatal(err)
			}
			if got := fileStrings(res.Files); !slices.Equal(got, orEmpty(tt.files)) {
				t.Errorf("files:\ngot  %q\nwant %q", got, tt.files)
			}
			if got := findingStrings(res.Findings); !slices.Equal(got, orEmpty(tt.find)) {
				t.Errorf("findings:\ngot  %q\nwant %q", got, tt.find)
			}
			if got := impactStrings(res.Impact); !slices.Equal(got, orEmpty(tt.impact)) {
				t.Errorf("impact:\ngot  %q\nwant %q", got, tt.impact)
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TestRunRevisions gives the base as a branch, a remote-tracking branch, a
// tag, a full and an abbreviated hash, with HEAD on a branch and detached:
// every form names the same merge base and finds the same change.
func TestRunRevisions(t *testing.T) {
	g := newGitRepo(t)
	g.write(baseFiles())
	base := g.commit("base")
	g.git("tag", "v1")
	g.git("tag", "-a", "-m", "annotated", "v1-annotated")
	g.git("update-ref", "refs/remotes/origin/main", base)
	g.git("checkout", "-q", "-b", "pr")
	g.write(map[string]string{fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusNotAffected)})
	g.commit("pr")
	// main moves on after the branch: the merge base stays the base.
	g.git("checkout", "-q", "main")
	g.write(map[string]string{fileNet: stmt("CVE-2024-24790", "proxy", statements.StatusFixed)})
	g.commit("main moves on")
	for _, head := range []string{"pr", "detached"} {
		if head == "detached" {
			g.git("checkout", "-q", "--detach", "pr")
		} else {
			g.git("checkout", "-q", head)
		}
		for _, rev := range []string{"main", "origin/main", "v1", "v1-annotated", base, base[:10]} {
			t.Run(head+"/"+rev, func(t *testing.T) {
				res, err := run(t, g.dir, rev, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if res.MergeBase != base {
					t.Errorf("merge base: got %s, want %s", res.MergeBase, base)
				}
				want := []string{"proxy: CVE-2023-44487 under_investigation → not_affected"}
				if got := impactStrings(res.Impact); !slices.Equal(got, want) {
					t.Errorf("impact: got %q, want %q", got, want)
				}
				if got, want := fileStrings(res.Files), []string{"modified " + fileHTTP2}; !slices.Equal(got, want) {
					t.Errorf("files: got %q, want %q", got, want)
				}
			})
		}
	}
}

func TestRunErrors(t *testing.T) {
	g := newGitRepo(t)
	g.write(baseFiles())
	g.commit("base")
	g.git("checkout", "-q", "--orphan", "other")
	g.commit("unrelated")
	g.git("checkout", "-q", "main")
	tests := []struct {
		base string
		want error
	}{
		{"no-such-branch", gitstore.ErrUnknownRevision},
		{"main:vexil.yaml", gitstore.ErrUnknownRevision},
		{"other", gitstore.ErrNoMergeBase},
		{"", ErrNoBase},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			_, err := run(t, g.dir, tt.base, Options{})
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("no configuration", func(t *testing.T) {
		if _, err := Run(context.Background(), Options{Base: "main"}); !errors.Is(err, ErrNoConfig) {
			t.Errorf("got %v, want %v", err, ErrNoConfig)
		}
	})
	t.Run("not a repository", func(t *testing.T) {
		dir := t.TempDir()
		g := &gitRepo{t: t, dir: dir}
		g.write(map[string]string{"vexil.yaml": testConfig})
		if _, err := run(t, dir, "main", Options{}); !errors.Is(err, gitstore.ErrNotRepository) {
			t.Errorf("got %v, want %v", err, gitstore.ErrNotRepository)
		}
	})
}

// TestRunShallow reviews in shallow clones, as CI checkouts make them:
// without the base, and with the base but not the history between. Both
// must fail with ErrShallow and say how to fetch, never answer.
func TestRunShallow(t *testing.T) {
	g := newGitRepo(t)
	g.write(baseFiles())
	g.commit("base")
	g.git("checkout", "-q", "-b", "pr")
	for i := range 3 {
		g.write(map[string]string{"statements/proxy/new.yaml": stmt("CVE-2024-0001", "proxy", []statements.Status{
			statements.StatusUnderInvestigation, statements.StatusAffected, statements.StatusFixed}[i])})
		g.commit("pr")
	}
	g.git("checkout", "-q", "main")
	g.write(map[string]string{fileNet: stmt("CVE-2024-24790", "proxy", statements.StatusFixed)})
	g.commit("main moves on")

	clone := t.TempDir()
	gittest.Run(t, filepath.Dir(clone), epoch, "clone", "-q", "--depth", "1", "--branch", "pr", "file://"+g.dir, clone)
	t.Run("base not fetched", func(t *testing.T) {
		_, err := run(t, clone, "origin/main", Options{})
		if !errors.Is(err, gitstore.ErrShallow) || !errors.Is(err, gitstore.ErrUnknownRevision) {
			t.Fatalf("got %v, want ErrShallow and ErrUnknownRevision", err)
		}
		if !strings.Contains(err.Error(), "fetch-depth: 0") {
			t.Errorf("error %q does not say how to fetch", err)
		}
	})
	gittest.Run(t, clone, epoch, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
	t.Run("history between not fetched", func(t *testing.T) {
		_, err := run(t, clone, "origin/main", Options{})
		if !errors.Is(err, gitstore.ErrShallow) {
			t.Fatalf("got %v, want ErrShallow", err)
		}
	})
	gittest.Run(t, clone, epoch, "fetch", "-q", "--unshallow", "origin")
	t.Run("unshallowed", func(t *testing.T) {
		res, err := run(t, clone, "origin/main", Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"proxy: CVE-2024-0001 — → fixed"}
		if got := impactStrings(res.Impact); !slices.Equal(got, want) {
			t.Errorf("impact: got %q, want %q", got, want)
		}
	})
}

// TestRunSubdirectory reviews a VEX repository kept in a subdirectory of a
// larger repository: paths stay relative to the VEX repository, and
// changes outside it are not statements.
func TestRunSubdirectory(t *testing.T) {
	g := newGitRepo(t)
	files := map[string]string{"README.md": "top\n", "statements/x.yaml": "not ours\n"}
	for p, c := range baseFiles() {
		files["security/vex/"+p] = c
	}
	g.write(files)
	g.commit("base")
	g.git("checkout", "-q", "-b", "pr")
	g.write(map[string]string{
		"README.md":                 "changed\n",
		"statements/x.yaml":         "changed too\n",
		"security/vex/" + fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusFixed),
	})
	g.commit("pr")
	res, err := run(t, filepath.Join(g.dir, "security", "vex"), "main", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fileStrings(res.Files), []string{"modified " + fileHTTP2}; !slices.Equal(got, want) {
		t.Errorf("files: got %q, want %q", got, want)
	}
	if got, want := impactStrings(res.Impact), []string{"proxy: CVE-2023-44487 under_investigation → fixed"}; !slices.Equal(got, want) {
		t.Errorf("impact: got %q, want %q", got, want)
	}
}

// TestRunConfigChanged: a change to vexil.yaml checks every statement,
// since the configuration gives them meaning.
func TestRunConfigChanged(t *testing.T) {
	g := newGitRepo(t)
	g.write(baseFiles())
	g.commit("base")
	g.git("checkout", "-q", "-b", "pr")
	g.write(map[string]string{"vexil.yaml": strings.Replace(testConfig, "  controller:\n    repository: registry.example.com/acme/controller\n    tags: [\"v1.*\"]\n", "", 1)})
	g.commit("drop controller")
	res, err := run(t, g.dir, "main", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ConfigChanged {
		t.Error("ConfigChanged: got false, want true")
	}
	want := []string{
		fileCtl + ":2:12: product-unknown: product \"controller\" is not defined in vexil.yaml",
		fileBroken + ":2:12: product-unknown: product \"controller\" is not defined in vexil.yaml",
		fileBroken + ":4:16: status-justification: justification \"not_relevant\" is not one of [component_not_present vulnerable_code_not_present vulnerable_code_not_in_execute_path vulnerable_code_cannot_be_controlled_by_adversary inline_mitigations_already_exist]",
	}
	if got := findingStrings(res.Findings); !slices.Equal(got, want) {
		t.Errorf("findings:\ngot  %q\nwant %q", got, want)
	}
	if res.Statements != 4 {
		t.Errorf("statements: got %d, want 4", res.Statements)
	}
}

// TestRunMergedMain: a pull request branch that merged main in (to catch
// up) must not show main's changes as its own.
func TestRunMergedMain(t *testing.T) {
	g := newGitRepo(t)
	g.write(baseFiles())
	g.commit("base")
	g.git("checkout", "-q", "-b", "pr")
	g.write(map[string]string{fileHTTP2: stmt("CVE-2023-44487", "proxy", statements.StatusNotAffected)})
	g.commit("pr")
	g.git("checkout", "-q", "main")
	g.write(map[string]string{fileNet: stmt("CVE-2024-24790", "proxy", statements.StatusFixed)})
	g.remove(fileCtl)
	g.commit("main moves on")
	g.git("checkout", "-q", "pr")
	g.git("merge", "-q", "--no-ff", "-m", "catch up", "main")
	g.commits++
	res, err := run(t, g.dir, "main", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fileStrings(res.Files), []string{"modified " + fileHTTP2}; !slices.Equal(got, want) {
		t.Errorf("files: got %q, want %q", got, want)
	}
	if got := findingStrings(res.Findings); len(got) != 0 {
		t.Errorf("findings: got %q, want none", got)
	}
	if got, want := impactStrings(res.Impact), []string{"proxy: CVE-2023-44487 under_investigation → not_affected"}; !slices.Equal(got, want) {
		t.Errorf("impact: got %q, want %q", got, want)
	}
}

// releaseTable is an Inventory answering from a table of product -> tags,
// counting the questions about each product.
type releaseTable struct {
	tags  map[string][]string
	asked map[string]int
}

func (rt *releaseTable) Releases(_ context.Context, queries []statements.ReleaseQuery) ([]statements.ProductReleases, error) {
	out := make([]statements.ProductReleases, len(queries))
	for i, q := range queries {
		rt.asked[q.Product]++
		tags, ok := rt.tags[q.Product]
		if !ok {
			out[i].Missing = true
			continue
		}
		for _, tag := range tags {
			out[i].Releases = append(out[i].Releases, statements.Release{Tag: tag, Digest: "sha256:" + strings.Repeat("a", 64)})
		}
	}
	return out, nil
}

// TestImpactPerRelease: with the releases known, the impact is per
// release, and a statement narrowed by tags changes only those releases.
func TestImpactPerRelease(t *testing.T) {
	g := newGitRepo(t)
	g.write(baseFiles())
	g.commit("base")
	g.git("checkout", "-q", "-b", "pr")
	g.write(map[string]string{
		"statements/proxy/CVE-2023-44487-fixed.yaml": "vulnerability: CVE-2023-44487\nproducts:\n  - name: proxy\n    tags: [\"enterprise-2.19.1?\"]\n" +
			"subcomponents: [pkg:golang/golang.org/x/net]\nstatus: fixed\n",
		fileNet: stmt("CVE-2024-24790", "proxy", statements.StatusFixed),
		"statements/controller/CVE-2024-0001.yaml": stmt("CVE-2024-0001", "controller", statements.StatusAffected),
	})
	g.commit("pr")
	inv := &releaseTable{tags: map[string][]string{"proxy": {"enterprise-2.19.9", "enterprise-2.19.10", "enterprise-2.19.11"}}, asked: map[string]int{}}
	res, err := run(t, g.dir, "main", Options{Check: statements.CheckOptions{Inventory: inv}})
	if err != nil {
		t.Fatal(err)
	}
	// Findings about the registry (at vexil.yaml) are kept: they hold for
	// the change too.
	wantFindings := []string{"vexil.yaml:5:3: tags-match-nothing: product controller: the registry has no repository registry.example.com/acme/controller"}
	if got := findingStrings(res.Findings); !slices.Equal(got, wantFindings) {
		t.Errorf("findings:\ngot  %q\nwant %q", got, wantFindings)
	}
	want := []string{
		// The registry does not know controller: per product.
		"controller: CVE-2024-0001 — → affected",
		"proxy enterprise-2.19.9: CVE-2024-24790 affected → fixed",
		"proxy enterprise-2.19.10: CVE-2023-44487 in pkg:golang/golang.org/x/net — → fixed",
		"proxy enterprise-2.19.10: CVE-2024-24790 affected → fixed",
		"proxy enterprise-2.19.11: CVE-2023-44487 in pkg:golang/golang.org/x/net — → fixed",
		"proxy enterprise-2.19.11: CVE-2024-24790 affected → fixed",
	}
	if got := impactStrings(res.Impact); !slices.Equal(got, want) {
		t.Errorf("impact:\ngot  %q\nwant %q", got, want)
	}
	// The impact reuses what Check asked: once per product.
	if wantAsked := map[string]int{"controller": 1, "proxy": 1}; !maps.Equal(inv.asked, wantAsked) {
		t.Errorf("inventory asked %v, want %v", inv.asked, wantAsked)
	}
}

// TestRunAliasChain: a change conflicts with an unchanged statement that
// names its vulnerability only through another statement's aliases. The
// conflict that already existed between the unchanged ones is not the
// change's.
func TestRunAliasChain(t *testing.T) {
	g := newGitRepo(t)
	files := baseFiles()
	files["statements/proxy/x.yaml"] = "vulnerability: GO-2024-0001\naliases: [CVE-2024-9999]\nproducts: [proxy]\nstatus: fixed\n"
	files["statements/proxy/y.yaml"] = "vulnerability: GHSA-aaaa-bbbb-cccc\naliases: [GO-2024-0001]\nproducts: [proxy]\nstatus: under_investigation\n"
	g.write(files)
	g.commit("base")
	g.git("checkout", "-q", "-b", "pr")
	g.write(map[string]string{"statements/proxy/new.yaml": stmt("CVE-2024-9999", "proxy", statements.StatusAffected)})
	g.commit("pr")
	res, err := run(t, g.dir, "main", Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"statements/proxy/new.yaml:3:9: conflict: CVE-2024-9999 for product proxy: status affected here conflicts with status fixed at statements/proxy/x.yaml:4:9 (about GO-2024-0001, an alias)",
		"statements/proxy/new.yaml:3:9: conflict: CVE-2024-9999 for product proxy: status affected here conflicts with status under_investigation at statements/proxy/y.yaml:4:9 (about GHSA-aaaa-bbbb-cccc, an alias)",
		"statements/proxy/x.yaml:4:9: conflict: GO-2024-0001 for product proxy: status fixed here conflicts with status affected at statements/proxy/new.yaml:3:9 (about CVE-2024-9999, an alias)",
		"statements/proxy/y.yaml:4:9: conflict: GHSA-aaaa-bbbb-cccc for product proxy: status under_investigation here conflicts with status affected at statements/proxy/new.yaml:3:9 (about CVE-2024-9999, an alias)",
	}
	if got := findingStrings(res.Findings); !slices.Equal(got, want) {
		t.Errorf("findings:\ngot  %q\nwant %q", got, want)
	}
}

// openVEXDoc renders an OpenVEX document with one fixed statement about
// proxy per vulnerability.
func openVEXDoc(vulns ...string) string {
	var stmts []string
	for _, v := range vulns {
		stmts = append(stmts, `    {"vulnerability": {"name": "`+v+`"}, "products": [{"@id": "proxy"}], "status": "fixed"}`)
	}
	return `{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://vex.example.com/doc",
  "author": "Example Security",
  "timestamp": "2024-03-01T12:00:00Z",
  "version": 1,
  "statements": [
` + strings.Join(stmts, ",\n") + `
  ]
}
`
}

// TestRunLargeFile: a statement file too large to decode is hashed as git
// does, so an unchanged one is no change, and a changed one gets the
// loader's finding.
func TestRunLargeFile(t *testing.T) {
	g := newGitRepo(t)
	files := baseFiles()
	big := "statements/proxy/big.yaml"
	files[big] = "vulnerability: CVE-2024-0001\n# " + strings.Repeat("x", statements.MaxFileSize) + "\n"
	g.write(files)
	g.commit("base")
	g.git("checkout", "-q", "-b", "pr")
	res, err := run(t, g.dir, "main", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 0 || len(res.Findings) != 0 {
		t.Errorf("unchanged: got files %q, findings %q; want none", fileStrings(res.Files), findingStrings(res.Findings))
	}
	g.write(map[string]string{big: files[big] + "# more\n"})
	res, err = run(t, g.dir, "main", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fileStrings(res.Files), []string{"modified " + big}; !slices.Equal(got, want) {
		t.Errorf("files: got %q, want %q", got, want)
	}
	want := []string{big + ":1:1: file-too-large: the file is larger than 1048576 bytes; it is not read"}
	if got := findingStrings(res.Findings); !slices.Equal(got, want) {
		t.Errorf("findings: got %q, want %q", got, want)
	}
}
