package gitstore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git CLI not installed")
	}
	r := &cliRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

// git runs a git command in the repository and returns its trimmed stdout.
func (r *cliRepo) git(args ...string) string {
	r.t.Helper()
	return runGit(r.t, r.dir, r.now(), args...)
}

func (r *cliRepo) now() time.Time { return epoch.Add(time.Duration(r.tick) * time.Minute) }

// tryGit runs a git command that may fail.
func tryGit(r *cliRepo, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = gitEnv(r.dir, r.now())
	return cmd.Run()
}

func gitEnv(dir string, when time.Time) []string {
	date := fmt.Sprintf("%d +0000", when.Unix())
	return append(os.Environ(),
		"HOME="+dir, "XDG_CONFIG_HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date,
		"GIT_PROTOCOL_FROM_USER=1", "LC_ALL=C")
}

func runGit(t testing.TB, dir string, when time.Time, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv(dir, when)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// write writes files (path -> content) in the work tree.
func (r *cliRepo) write(files map[string]string) {
	r.t.Helper()
	for p, content := range files {
		full := filepath.Join(r.dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
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
