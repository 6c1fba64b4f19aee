package gitstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/internal/gittest"
)

// TestLastChanges walks a history with a rename, a revert and a late merge
// and checks the commit attributed to each file.
func TestLastChanges(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{
		"README.md":                "readme\n",
		"vex/statements/a.yaml":    "a1\n",
		"vex/statements/b.yaml":    "b1\n",
		"vex/statements/c.yaml":    "c1\n",
		"vex/statements/same.yaml": "same1\n",
		"vex/statements/both.yaml": "both1\n",
		"vex/vexil.yaml":           "config\n",
	})
	c1 := r.commit("add")
	r.write(map[string]string{"vex/statements/a.yaml": "a2\n"})
	c2 := r.commit("modify a")
	if err := os.MkdirAll(filepath.Join(r.dir, "vex/statements/sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("mv", "vex/statements/b.yaml", "vex/statements/sub/b.yaml")
	c3 := r.commit("rename b")
	r.write(map[string]string{"vex/statements/c.yaml": "c2\n"})
	r.commit("modify c")
	r.write(map[string]string{"vex/statements/c.yaml": "c1\n"})
	c5 := r.commit("revert c")

	r.git("checkout", "-q", "-b", "side")
	r.write(map[string]string{"vex/statements/d.yaml": "d1\n"})
	s1 := r.commit("side: add d")
	r.write(map[string]string{"vex/statements/same.yaml": "same2\n", "vex/statements/both.yaml": "both-side\n"})
	s2 := r.commit("side: same change as main, and a conflicting one")

	r.git("checkout", "-q", "main")
	r.write(map[string]string{"vex/statements/e.yaml": "e1\n", "vex/statements/same.yaml": "same2\n", "vex/statements/both.yaml": "both-main\n"})
	m1 := r.commit("main: add e, same change as side, a conflicting one")
	r.write(map[string]string{"README.md": "readme2\n"})
	m2 := r.commit("main: outside the prefix")

	r.tick += 100 // the side branch is merged much later
	r.git("merge", "-q", "--no-ff", "--no-commit", "-X", "ours", "side")
	r.write(map[string]string{"vex/statements/both.yaml": "both-resolved\n"})
	merge := r.commit("merge side")

	repo := r.open("vex")
	ctx := context.Background()
	head := mustResolve(t, repo, "HEAD")
	got, err := repo.LastChanges(ctx, head, "statements")
	if err != nil {
		t.Fatalf("LastChanges: %v", err)
	}
	commitTime := func(h string) time.Time {
		sec, _ := strconv.ParseInt(r.git("show", "-s", "--format=%ct", h), 10, 64)
		return time.Unix(sec, 0).UTC()
	}
	want := map[string]string{
		"statements/a.yaml":     c2,    // modified once, untouched by the merge
		"statements/sub/b.yaml": c3,    // a rename is a change at the new path
		"statements/c.yaml":     c5,    // the revert wrote the content last
		"statements/d.yaml":     s1,    // written on the side branch, not at the merge
		"statements/e.yaml":     m1,    // main's commit
		"statements/same.yaml":  m1,    // identical to the first parent: follows main
		"statements/both.yaml":  merge, // differs from every parent
	}
	_ = c1
	_ = s2
	_ = m2
	if len(got) != len(want) {
		t.Errorf("got %d files %v, want %d", len(got), keys(got), len(want))
	}
	for p, h := range want {
		c, ok := got[p]
		if !ok {
			t.Errorf("%s: missing", p)
			continue
		}
		if c.Hash.String() != h || !c.Time.Equal(commitTime(h)) || c.Time.Location() != time.UTC {
			t.Errorf("%s: got %s at %v, want %s at %v", p, c.Hash, c.Time, h, commitTime(h))
		}
		if gitSays := r.git("log", "-1", "--format=%H", "--", "vex/"+p); gitSays != h {
			t.Errorf("%s: git log -1 says %s, test wants %s", p, gitSays, h)
		}
	}

	// The same walk over the whole repository, opened at its root.
	all, err := r.open("").LastChanges(ctx, head, "")
	if err != nil {
		t.Fatalf("LastChanges at root: %v", err)
	}
	if c := all["README.md"]; c.Hash.String() != m2 {
		t.Errorf("README.md: got %s, want %s", c.Hash, m2)
	}
	if c := all["vex/statements/d.yaml"]; c.Hash.String() != s1 {
		t.Errorf("vex/statements/d.yaml: got %s, want %s", c.Hash, s1)
	}

	// A missing prefix has no files.
	none, err := repo.LastChanges(ctx, head, "nothing/here")
	if err != nil || len(none) != 0 {
		t.Errorf("missing prefix: got %v, %v; want empty map, nil", none, err)
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestLastChangesMatchesGit generates histories with branches, merges
// (clean, conflicting, octopus), renames, deletions and reverts, and
// compares every file's last change with `git log -1 -- path`.
func TestLastChangesMatchesGit(t *testing.T) {
	tests := []struct {
		seed uint64
		skew bool // commit times jump back and forth, as clocks do
	}{{1, false}, {2, false}, {3, true}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("seed%d/skew=%v", tt.seed, tt.skew), func(t *testing.T) {
			t.Parallel()
			r := newCLIRepo(t)
			r.skew = tt.skew
			generateHistory(r, rand.New(rand.NewPCG(tt.seed, 42)), 60)
			repo := r.open("")
			head := mustResolve(t, repo, "HEAD")
			got, err := repo.LastChanges(context.Background(), head, "")
			if err != nil {
				t.Fatalf("LastChanges: %v", err)
			}
			files := strings.Fields(r.git("ls-tree", "-r", "--name-only", "HEAD"))
			if len(got) != len(files) {
				t.Errorf("got %d files, want %d", len(got), len(files))
			}
			merges := strings.Fields(r.git("rev-list", "--merges", "HEAD"))
			if len(merges) < 3 {
				t.Fatalf("generated only %d merges", len(merges))
			}
			if tt.skew {
				times := strings.Fields(r.git("log", "--first-parent", "--format=%ct", "HEAD"))
				backwards := 0
				for i := 1; i < len(times); i++ {
					if times[i] > times[i-1] { // a parent younger than its child
						backwards++
					}
				}
				if backwards == 0 {
					t.Fatalf("skewed history has monotonic commit times")
				}
			}
			attributedToSide := 0
			firstParent := make(map[string]bool)
			for _, h := range strings.Fields(r.git("rev-list", "--first-parent", "HEAD")) {
				firstParent[h] = true
			}
			for _, f := range files {
				lines := strings.Fields(r.git("log", "-1", "--format=%H%n%ct", "--", f))
				sec, _ := strconv.ParseInt(lines[1], 10, 64)
				c := got[f]
				if c.Hash.String() != lines[0] || c.Time.Unix() != sec {
					t.Errorf("%s: got %s at %d, git log says %s at %d", f, c.Hash, c.Time.Unix(), lines[0], sec)
				}
				if !firstParent[lines[0]] {
					attributedToSide++
				}
			}
			if attributedToSide == 0 {
				t.Errorf("no file is attributed to a side-branch commit: the history does not test merges")
			}
			// The merge base of the parents of every merge, as git sees it.
			for _, m := range merges {
				a, b := mustResolve(t, repo, m+"^1"), mustResolve(t, repo, m+"^2")
				got, err := repo.MergeBase(context.Background(), a, b)
				want := r.git("merge-base", m+"^1", m+"^2")
				if err != nil || got.String() != want {
					t.Errorf("MergeBase(%s^1, %s^2) = %s, %v; want %s", m, m, got, err, want)
				}
			}
		})
	}
}

// generateHistory makes n commits on main with side branches merged back.
func generateHistory(r *cliRepo, rng *rand.Rand, n int) {
	r.t.Helper()
	contents := make(map[string][]string) // path -> contents it had
	next := 0
	newFile := func() {
		p := fmt.Sprintf("statements/p%d/f%d.yaml", rng.IntN(4), next)
		next++
		content := fmt.Sprintf("v0 of %s\n", p)
		contents[p] = append(contents[p], content)
		r.write(map[string]string{p: content})
	}
	present := func() []string {
		out := strings.Fields(r.git("ls-files"))
		return out
	}
	change := func() {
		files := present()
		if len(files) == 0 {
			newFile()
			return
		}
		p := files[rng.IntN(len(files))]
		switch k := rng.IntN(10); {
		case k < 5:
			content := fmt.Sprintf("v%d of %s %d\n", len(contents[p]), p, rng.IntN(1000))
			if k == 0 && len(contents[p]) > 1 { // back to an older content
				content = contents[p][rng.IntN(len(contents[p])-1)]
			}
			contents[p] = append(contents[p], content)
			r.write(map[string]string{p: content})
		case k < 7:
			newFile()
		case k < 8:
			r.git("rm", "-qf", p)
		case k < 9:
			to := fmt.Sprintf("statements/p%d/r%d.yaml", rng.IntN(4), next)
			next++
			if err := os.MkdirAll(filepath.Join(r.dir, filepath.Dir(to)), 0o755); err != nil {
				r.t.Fatal(err)
			}
			r.git("mv", p, to)
		default:
			if err := os.Chmod(filepath.Join(r.dir, p), 0o755); err != nil {
				r.t.Fatal(err)
			}
		}
	}
	for range 5 {
		newFile()
	}
	r.commit("root")
	branch := 0
	for i := 0; i < n; i++ {
		switch {
		case i%9 == 4: // a side branch of a few commits, merged later
			branch++
			name := fmt.Sprintf("side%d", branch)
			r.git("branch", name)
			r.git("checkout", "-q", name)
			octopus := branch%3 == 0 // two branches merged at once, without conflicts
			for j := rng.IntN(3) + 1; j > 0; j-- {
				if octopus {
					newFile()
				} else {
					change()
				}
				r.commit(fmt.Sprintf("%s %d", name, j))
			}
			if octopus {
				r.git("checkout", "-q", "-b", name+"b", "main")
				newFile()
				r.commit(name + "b")
			}
			r.git("checkout", "-q", "main")
			change()
			r.commit(fmt.Sprintf("main %d", i))
			if octopus {
				r.git("merge", "-q", "--no-ff", "--no-commit", name, name+"b")
			} else {
				r.tick++
				mergeWithResolution(r, rng, name)
			}
			r.commit("merge " + name)
		default:
			for j := rng.IntN(3) + 1; j > 0; j-- {
				change()
			}
			r.commit(fmt.Sprintf("main %d", i))
		}
	}
}

// mergeWithResolution merges name into main, favouring ours on conflicts,
// and sometimes rewrites a file in the merge itself.
func mergeWithResolution(r *cliRepo, rng *rand.Rand, name string) {
	if err := tryGit(r, "merge", "-q", "--no-ff", "--no-commit", "-X", "ours", name); err != nil {
		// Conflicts -X ours cannot settle (modify/delete, rename/delete):
		// keep our side.
		for _, p := range strings.Fields(r.git("diff", "--name-only", "--diff-filter=U")) {
			if tryGit(r, "cat-file", "-e", "HEAD:"+p) == nil {
				r.git("checkout", "HEAD", "--", p)
			} else {
				r.git("rm", "-qf", "--", p)
			}
		}
	}
	if rng.IntN(2) == 0 {
		files := strings.Fields(r.git("ls-files"))
		p := files[rng.IntN(len(files))]
		r.write(map[string]string{p: "written by the merge " + name + "\n"})
	}
}

// TestLastChangesShallow checks that a shallow clone gives ErrShallow, not
// a wrong time, unless the history it has is enough.
func TestLastChangesShallow(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{"old/a.yaml": "a\n", "new/b.yaml": "b1\n"})
	r.commit("one")
	r.write(map[string]string{"new/b.yaml": "b2\n"})
	r.commit("two")
	r.write(map[string]string{"old/d.yaml": "d\n"})
	r.commit("three")
	r.write(map[string]string{"new/b.yaml": "b3\n", "new/c.yaml": "c\n"})
	four := r.commit("four")

	clone := t.TempDir()
	gittest.Run(t, clone, r.now(), "clone", "-q", "--depth", "2", "file://"+r.dir, "c")
	repo, err := Open(filepath.Join(clone, "c"))
	if err != nil {
		t.Fatal(err)
	}
	if !repo.Shallow() {
		t.Fatalf("Shallow() = false for a --depth 2 clone")
	}
	ctx := context.Background()
	head := mustResolve(t, repo, "HEAD")
	_, err = repo.LastChanges(ctx, head, "")
	if !errors.Is(err, ErrShallow) || !strings.Contains(err.Error(), "fetch-depth: 0") {
		t.Errorf("LastChanges over the whole tree: got %v, want ErrShallow with advice", err)
	}
	_, err = repo.LastChanges(ctx, head, "old")
	if !errors.Is(err, ErrShallow) {
		t.Errorf("LastChanges of old/: got %v, want ErrShallow", err)
	}
	// Both files of new/ changed in the newest commit.
	got, err := repo.LastChanges(ctx, head, "new")
	if err != nil {
		t.Fatalf("LastChanges of new/: %v", err)
	}
	if got["new/b.yaml"].Hash.String() != four || got["new/c.yaml"].Hash.String() != four || len(got) != 2 {
		t.Errorf("LastChanges of new/: got %v, want b and c at %s", got, four)
	}
}

// TestLastChangesCanceled stops the walk when the context ends.
func TestLastChangesCanceled(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{"a": "1\n"})
	r.commit("one")
	r.write(map[string]string{"b": "1\n"})
	r.commit("two")
	repo := r.open("")
	head := mustResolve(t, repo, "HEAD")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := repo.LastChanges(ctx, head, "")
	if !errors.Is(err, context.Canceled) || got != nil {
		t.Errorf("got %v, %v; want nil, context.Canceled", got, err)
	}
}
