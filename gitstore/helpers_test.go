package gitstore

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/internal/gittest"
)

// cliRepo is a repository driven by the real git CLI, with a clock that
// advances one minute per commit so history has distinct, ordered times.
type cliRepo struct {
	t    testing.TB
	dir  string
	tick int
	skew bool // commit times wander back and forth
	n    int  // commits made
}

// epoch is the time of the first commit of test repositories.
var epoch = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func newCLIRepo(t testing.TB) *cliRepo {
	t.Helper()
	gittest.Require(t)
	r := &cliRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

// git runs a git command in the repository and returns its trimmed stdout.
func (r *cliRepo) git(args ...string) string {
	r.t.Helper()
	return gittest.Run(r.t, r.dir, r.now(), args...)
}

func (r *cliRepo) now() time.Time { return epoch.Add(time.Duration(r.tick) * time.Minute) }

// tryGit runs a git command that may fail.
func tryGit(r *cliRepo, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = gittest.Env(r.dir, r.now())
	return cmd.Run()
}

// write writes files (path -> content) in the work tree.
func (r *cliRepo) write(files map[string]string) {
	r.t.Helper()
	gittest.Write(r.t, r.dir, files)
}

// commit stages everything and commits at the next tick, returning the hash.
func (r *cliRepo) commit(msg string) string {
	r.t.Helper()
	r.tick++
	if r.skew {
		r.n++
		r.tick += (r.n*7)%11 - 5 // deterministic jumps of up to five minutes either way
	}
	r.git("add", "-A")
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// open opens the repository (or its subdirectory sub) with gitstore.
func (r *cliRepo) open(sub string) *Repo {
	r.t.Helper()
	repo, err := Open(filepath.Join(r.dir, filepath.FromSlash(sub)))
	if err != nil {
		r.t.Fatalf("Open: %v", err)
	}
	r.t.Cleanup(func() { repo.Close() })
	return repo
}

func mustResolve(t testing.TB, repo *Repo, rev string) Hash {
	t.Helper()
	h, err := repo.Resolve(context.Background(), rev)
	if err != nil {
		t.Fatalf("Resolve(%q): %v", rev, err)
	}
	return h
}
