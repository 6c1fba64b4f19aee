package review

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/internal/gittest"
	"github.com/vexil-dev/vexil/internal/report"
	"github.com/vexil-dev/vexil/statements"
)

// testConfig is the vexil.yaml of the test repositories.
const testConfig = `products:
  proxy:
    repository: registry.example.com/acme/proxy
    tags: ["enterprise-2.19.*"]
  controller:
    repository: registry.example.com/acme/controller
    tags: ["v1.*"]
`

// epoch is the time of the first commit of a test repository; each commit
// is one hour later than the one before.
var epoch = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// gitRepo is a real git repository in a temporary directory, driven by the
// git CLI with fixed identities and dates, so hashes are stable.
type gitRepo struct {
	t       *testing.T
	dir     string // the work tree root
	commits int
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	gittest.Require(t)
	g := &gitRepo{t: t, dir: t.TempDir()}
	g.git("init", "-q", "-b", "main")
	return g
}

// when returns the time of commit number n (0-based).
func when(n int) time.Time { return epoch.Add(time.Duration(n) * time.Hour) }

// git runs a git command in the work tree, committing at the time of the
// next commit, and returns its trimmed stdout.
func (g *gitRepo) git(args ...string) string {
	g.t.Helper()
	return gittest.Run(g.t, g.dir, when(g.commits), args...)
}

// write writes files (path -> content) below the work tree root.
func (g *gitRepo) write(files map[string]string) {
	g.t.Helper()
	gittest.Write(g.t, g.dir, files)
}

func (g *gitRepo) remove(paths ...string) {
	g.t.Helper()
	for _, p := range paths {
		if err := os.Remove(filepath.Join(g.dir, filepath.FromSlash(p))); err != nil {
			g.t.Fatal(err)
		}
	}
}

func (g *gitRepo) move(from, to string) {
	g.t.Helper()
	if err := os.MkdirAll(filepath.Dir(filepath.Join(g.dir, to)), 0o755); err != nil {
		g.t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(g.dir, from), filepath.Join(g.dir, to)); err != nil {
		g.t.Fatal(err)
	}
}

// commit commits every change of the work tree and returns its hash.
func (g *gitRepo) commit(msg string) string {
	g.t.Helper()
	g.git("add", "-A")
	g.git("commit", "-q", "--allow-empty", "-m", msg)
	g.commits++
	return g.git("rev-parse", "HEAD")
}

// stmt renders a statement file.
func stmt(vuln, product string, status statements.Status) string {
	s := fmt.Sprintf("vulnerability: %s\nproducts: [%s]\nstatus: %s\n", vuln, product, status)
	switch status {
	case statements.StatusNotAffected:
		s += "justification: component_not_present\n"
	case statements.StatusAffected:
		s += "action_statement: Upgrade.\n"
	}
	return s
}

// config loads the vexil.yaml of the VEX repository at root.
func config(t testing.TB, root string) *statements.Config {
	t.Helper()
	cfg, findings, err := statements.LoadConfig(filepath.Join(root, statements.ConfigFileName))
	if err != nil || len(findings) != 0 {
		t.Fatalf("LoadConfig: %v %v", err, findings)
	}
	return cfg
}

// run reviews the VEX repository at root against base.
func run(t testing.TB, root, base string, opts Options) (*Result, error) {
	t.Helper()
	opts.Config = config(t, root)
	opts.Base = base
	return Run(context.Background(), opts)
}

func findingStrings(fs []statements.Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.String())
	}
	return out
}

// impactStrings renders the impact as the command does.
func impactStrings(is []Impact) []string {
	out := []string{}
	for _, i := range is {
		out = append(out, report.StatusChange(i).String())
	}
	return out
}

func fileStrings(fs []FileChange) []string {
	out := []string{}
	for _, f := range fs {
		s := f.Kind.String() + " " + f.Path
		if f.Kind == gitstore.Renamed {
			s += " from " + f.OldPath
		}
		out = append(out, s)
	}
	return out
}
