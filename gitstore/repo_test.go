package gitstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/vexil-dev/vexil/internal/gittest"
)

func TestResolve(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{"a": "1\n"})
	one := r.commit("one")
	r.git("tag", "light")
	r.git("tag", "-a", "-m", "annotated", "v1.0.0")
	r.write(map[string]string{"a": "2\n"})
	two := r.commit("two")
	r.git("branch", "feature", one)
	r.write(map[string]string{"a": "3\n"})
	three := r.commit("three")

	clone := t.TempDir()
	gittest.Run(t, clone, r.now(), "clone", "-q", "file://"+r.dir, "c")
	cdir := filepath.Join(clone, "c")
	gittest.Run(t, cdir, r.now(), "checkout", "-q", "--detach", two)
	repo, err := Open(cdir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rev  string
		want string
	}{
		{"HEAD", two}, // detached
		{"main", three},
		{"origin/main", three},
		{"refs/remotes/origin/main", three},
		{"origin/feature", one},
		{"light", one},
		{"v1.0.0", one}, // annotated: peeled to its commit
		{three, three},
		{three[:10], three},
		{"main~2", one},
		{"main^", two},
		{"HEAD^", one},
	}
	for _, tt := range tests {
		t.Run(tt.rev, func(t *testing.T) {
			got, err := repo.Resolve(context.Background(), tt.rev)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.rev, err)
			}
			if got.String() != tt.want {
				t.Errorf("Resolve(%q) = %s, want %s", tt.rev, got, tt.want)
			}
		})
	}
	for _, rev := range []string{"nope", "origin/nope", "0123456789abcdef0123456789abcdef01234567", "", "main:a", "main@{1}", "main^{tree}", "HEAD^{/one}"} {
		_, err := repo.Resolve(context.Background(), rev)
		if !errors.Is(err, ErrUnknownRevision) || errors.Is(err, ErrShallow) {
			t.Errorf("Resolve(%q): got %v, want ErrUnknownRevision only", rev, err)
		}
	}
}

func TestMergeBase(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{"a": "1\n"})
	r.commit("one")
	r.write(map[string]string{"a": "2\n"})
	fork := r.commit("two")
	r.git("checkout", "-q", "-b", "pr")
	r.write(map[string]string{"b": "1\n"})
	r.commit("pr one")
	r.write(map[string]string{"b": "2\n"})
	pr := r.commit("pr two")
	r.git("checkout", "-q", "main")
	r.write(map[string]string{"a": "3\n"})
	main := r.commit("main three")

	repo := r.open("")
	ctx := context.Background()
	tests := []struct{ a, b, want string }{
		{pr, main, fork},
		{main, pr, fork},
		{pr, fork, fork},
		{pr, pr, pr},
	}
	for _, tt := range tests {
		got, err := repo.MergeBase(ctx, mustResolve(t, repo, tt.a), mustResolve(t, repo, tt.b))
		if err != nil {
			t.Fatalf("MergeBase(%.7s, %.7s): %v", tt.a, tt.b, err)
		}
		if got.String() != tt.want || tt.want != r.git("merge-base", tt.a, tt.b) {
			t.Errorf("MergeBase(%.7s, %.7s) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}

	// An unrelated history has no merge base.
	r.git("checkout", "-q", "--orphan", "other")
	r.write(map[string]string{"z": "z\n"})
	other := r.commit("unrelated")
	_, err := repo.MergeBase(ctx, mustResolve(t, repo, other), mustResolve(t, repo, main))
	if !errors.Is(err, ErrNoMergeBase) {
		t.Errorf("unrelated: got %v, want ErrNoMergeBase", err)
	}
}

// TestShallowBase is a CI checkout of depth 1 asked about its base branch.
func TestShallowBase(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{"a": "1\n"})
	base := r.commit("one")
	r.write(map[string]string{"a": "2\n"})
	r.commit("two")
	r.write(map[string]string{"a": "3\n"})
	r.commit("three")

	clone := t.TempDir()
	gittest.Run(t, clone, r.now(), "clone", "-q", "--depth", "1", "file://"+r.dir, "c")
	repo, err := Open(filepath.Join(clone, "c"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, err = repo.Resolve(ctx, base)
	if !errors.Is(err, ErrShallow) || !errors.Is(err, ErrUnknownRevision) {
		t.Errorf("Resolve(base): got %v, want ErrShallow and ErrUnknownRevision", err)
	}
	_, err = repo.Resolve(ctx, "HEAD~1")
	if !errors.Is(err, ErrShallow) {
		t.Errorf("Resolve(HEAD~1): got %v, want ErrShallow", err)
	}

	// Depth 2 holds both tips but not their merge base.
	r.git("checkout", "-q", "-b", "pr", base)
	r.write(map[string]string{"b": "1\n"})
	r.commit("pr one")
	r.write(map[string]string{"b": "2\n"})
	r.commit("pr two")
	clone2 := t.TempDir()
	gittest.Run(t, clone2, r.now(), "clone", "-q", "--depth", "2", "--no-single-branch", "file://"+r.dir, "c")
	repo2, err := Open(filepath.Join(clone2, "c"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = repo2.MergeBase(ctx, mustResolve(t, repo2, "origin/pr"), mustResolve(t, repo2, "origin/main"))
	if !errors.Is(err, ErrShallow) || !strings.Contains(err.Error(), "git fetch --unshallow") {
		t.Errorf("MergeBase beyond the shallow boundary: got %v, want ErrShallow with advice", err)
	}
}

func TestOpen(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{"policy/vex/vexil.yaml": "x\n"})
	r.commit("one")

	t.Run("subdirectory", func(t *testing.T) {
		repo := r.open("policy/vex")
		if repo.Dir() != "policy/vex" {
			t.Errorf("Dir() = %q, want %q", repo.Dir(), "policy/vex")
		}
		root, _ := filepath.EvalSymlinks(r.dir)
		if repo.Root() != root {
			t.Errorf("Root() = %q, want %q", repo.Root(), root)
		}
	})
	t.Run("root", func(t *testing.T) {
		if d := r.open("").Dir(); d != "" {
			t.Errorf("Dir() = %q, want \"\"", d)
		}
	})
	t.Run("not a repository", func(t *testing.T) {
		_, err := Open(t.TempDir())
		if !errors.Is(err, ErrNotRepository) {
			t.Errorf("got %v, want ErrNotRepository", err)
		}
	})
	t.Run("bare", func(t *testing.T) {
		bare := t.TempDir()
		gittest.Run(t, bare, r.now(), "init", "-q", "--bare")
		_, err := Open(bare)
		if !errors.Is(err, ErrNotRepository) {
			t.Errorf("got %v, want ErrNotRepository", err)
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		_, err := Open(filepath.Join(r.dir, "no", "such"))
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got %v, want fs.ErrNotExist", err)
		}
	})
	t.Run("linked worktree", func(t *testing.T) {
		wt := filepath.Join(t.TempDir(), "wt")
		r.git("worktree", "add", "-q", "--detach", wt)
		repo, err := Open(filepath.Join(wt, "policy"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		head := mustResolve(t, repo, "HEAD")
		data, err := repo.ReadFile(context.Background(), head, "vex/vexil.yaml")
		if err != nil || string(data) != "x\n" {
			t.Errorf("ReadFile: got %q, %v; want %q", data, err, "x\n")
		}
		st, err := repo.Status(context.Background(), "")
		if err != nil || len(st) != 0 {
			t.Errorf("Status: got %v, %v; want clean", st, err)
		}
	})
}

// TestGoGitRepository reads a repository that go-git itself wrote.
func TestGoGitRepository(t *testing.T) {
	dir := t.TempDir()
	g, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := g.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	commit := func(files map[string]string, when time.Time) string {
		t.Helper()
		for p, c := range files {
			full := filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := wt.Add(p); err != nil {
				t.Fatal(err)
			}
		}
		sig := &object.Signature{Name: "T", Email: "t@example.com", When: when}
		h, err := wt.Commit("c", &git.CommitOptions{Author: sig, Committer: sig})
		if err != nil {
			t.Fatal(err)
		}
		return h.String()
	}
	zone := time.FixedZone("CEST", 2*3600)
	one := commit(map[string]string{"vex/statements/a.yaml": "a\n", "vex/statements/b.yaml": "b\n"}, time.Date(2024, 5, 1, 10, 0, 0, 0, zone))
	two := commit(map[string]string{"vex/statements/b.yaml": "b2\n"}, time.Date(2024, 5, 2, 10, 0, 0, 0, zone))

	repo, err := Open(filepath.Join(dir, "vex"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	head := mustResolve(t, repo, "HEAD")
	got, err := repo.LastChanges(ctx, head, "statements")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Commit{
		"statements/a.yaml": {Hash: mustResolve(t, repo, one), Time: time.Date(2024, 5, 1, 8, 0, 0, 0, time.UTC)},
		"statements/b.yaml": {Hash: mustResolve(t, repo, two), Time: time.Date(2024, 5, 2, 8, 0, 0, 0, time.UTC)},
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for p, w := range want {
		if g := got[p]; g.Hash != w.Hash || !g.Time.Equal(w.Time) || g.Time.Location() != time.UTC {
			t.Errorf("%s: got %v, want %v", p, g, w)
		}
	}
}
