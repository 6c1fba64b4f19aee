package gitstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
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

// TestResolveRefsBeforeHashes: a name is a ref before it is an
// abbreviated hash, as in git: a branch or tag whose name is made of hex
// digits names its commit, not a commit whose hash starts so; an
// abbreviation needs four digits.
func TestResolveRefsBeforeHashes(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{"a": "1\n"})
	one := r.commit("one")
	r.write(map[string]string{"a": "2\n"})
	two := r.commit("two")
	r.git("branch", two[:4], one) // a branch named as two's abbreviation
	r.git("tag", two[:1], one)    // a tag of one hex digit
	repo := r.open("")
	tests := []struct{ rev, want string }{
		{two[:4], one},
		{two[:4] + "~0", one},
		{two[:1], one},
		{two[:5], two}, // no ref of that name: the abbreviation
		{two, two},
		{one[:7] + "^0", one},
		{strings.ToUpper(one[:8]), one},
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
			if gitSays := r.git("rev-parse", "--verify", "-q", tt.rev+"^{commit}"); gitSays != tt.want {
				t.Errorf("git rev-parse %s says %s, test wants %s", tt.rev, gitSays, tt.want)
			}
		})
	}
	// Too short to be an abbreviation, and no ref of that name.
	for _, rev := range []string{one[:2], one[:3]} {
		if rev == two[:len(rev)] {
			continue
		}
		if _, err := repo.Resolve(context.Background(), rev); !errors.Is(err, ErrUnknownRevision) {
			t.Errorf("Resolve(%q): got %v, want ErrUnknownRevision", rev, err)
		}
		if err := tryGit(r, "rev-parse", "--verify", "-q", rev+"^{commit}"); err == nil {
			t.Errorf("git rev-parse %s succeeds; the test wants it unknown", rev)
		}
	}
}

// TestResolveAmbiguous: an abbreviation that two commits share names
// neither, as git refuses it too.
func TestResolveAmbiguous(t *testing.T) {
	r := newCLIRepo(t)
	// 1,000 commits make two that share four leading hex digits all but
	// certain; the history is fixed, so they are always the same two.
	var stream strings.Builder
	for i := range 1000 {
		msg := fmt.Sprintf("commit %d", i)
		fmt.Fprintf(&stream, "commit refs/heads/main\ncommitter T <t@example.com> %d +0000\ndata %d\n%s\n", 1700000000+i, len(msg), msg)
		stream.WriteString("\n") // without from, a commit follows the branch's last one
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir, cmd.Stdin, cmd.Env = r.dir, strings.NewReader(stream.String()), gittest.Env(r.dir, r.now())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	seen := make(map[string]string)
	shared := ""
	for _, h := range strings.Fields(r.git("rev-list", "main")) {
		if _, ok := seen[h[:4]]; ok {
			shared = h[:4]
			break
		}
		seen[h[:4]] = h
	}
	if shared == "" {
		t.Fatal("no two commits share four hex digits; the test needs more commits")
	}
	_, err := r.open("").Resolve(context.Background(), shared)
	if !errors.Is(err, ErrUnknownRevision) || !strings.Contains(err.Error(), "abbreviated hash "+shared+" is ambiguous: 2 commits and tags start with it") {
		t.Errorf("Resolve(%q): got %v, want an ambiguous abbreviation", shared, err)
	}
	if err := tryGit(r, "rev-parse", "--verify", "-q", shared+"^{commit}"); err == nil {
		t.Errorf("git rev-parse %s succeeds; the test wants it ambiguous", shared)
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

	// A criss-cross merge has two best common ancestors; the answer is the
	// one git merge-base gives.
	r.git("checkout", "-q", "-b", "x1", pr)
	r.git("merge", "-q", "--no-ff", "-m", "x1 merges main", main)
	x1 := r.commit("x1 on")
	r.git("checkout", "-q", "-b", "x2", main)
	r.git("merge", "-q", "--no-ff", "-m", "x2 merges pr", pr)
	x2 := r.commit("x2 on")
	if all := strings.Fields(r.git("merge-base", "--all", x1, x2)); len(all) != 2 {
		t.Fatalf("git merge-base --all: got %q, want two bases", all)
	}
	for _, ab := range [][2]string{{x1, x2}, {x2, x1}} {
		got, err := repo.MergeBase(ctx, mustResolve(t, repo, ab[0]), mustResolve(t, repo, ab[1]))
		if want := r.git("merge-base", ab[0], ab[1]); err != nil || got.String() != want {
			t.Errorf("criss-cross MergeBase(%.7s, %.7s) = %s, %v; want %s", ab[0], ab[1], got, err, want)
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
		gittest.Write(t, dir, files)
		for p := range files {
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
