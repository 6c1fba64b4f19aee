package gitstore

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/vexil-dev/vexil/internal/gittest"
)

// blobHash asks the git CLI for the blob at rev:p.
func blobHash(t *testing.T, r *cliRepo, rev, p string) Hash {
	t.Helper()
	b, err := hex.DecodeString(r.git("rev-parse", rev+":"+p))
	if err != nil || len(b) != 20 {
		t.Fatalf("rev-parse %s:%s: %x, %v", rev, p, b, err)
	}
	return Hash(b)
}

func TestReadFileAndFiles(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{
		"outside.txt":                  "o\n",
		"vex/vexil.yaml":               "config\n",
		"vex/statements/a.yaml":        "a1\n",
		"vex/statements/p/b.yaml":      "b1\n",
		"vex/statements.yaml":          "not under statements/\n",
		"vex/statements-old/old.yaml":  "not under statements/ either\n",
		"vex/statements/p/q/deep.yaml": "deep\n",
	})
	one := r.commit("one")
	r.write(map[string]string{"vex/statements/a.yaml": "a2\n"})
	r.git("rm", "-q", "vex/statements/p/b.yaml")
	two := r.commit("two")

	repo := r.open("vex")
	ctx := context.Background()
	h1, h2 := mustResolve(t, repo, one), mustResolve(t, repo, two)

	reads := []struct {
		rev  Hash
		path string
		want string
		err  error
	}{
		{h1, "statements/a.yaml", "a1\n", nil},
		{h2, "statements/a.yaml", "a2\n", nil},
		{h1, "statements/p/b.yaml", "b1\n", nil},
		{h2, "statements/p/b.yaml", "", ErrNotFound},
		{h2, "statements/p", "", ErrNotFound}, // a directory
		{h2, "outside.txt", "", ErrNotFound},  // relative to vex/
		{h2, "vexil.yaml", "config\n", nil},
	}
	for _, tt := range reads {
		got, err := repo.ReadFile(ctx, tt.rev, tt.path)
		if !errors.Is(err, tt.err) || string(got) != tt.want {
			t.Errorf("ReadFile(%.7s, %s) = %q, %v; want %q, %v", tt.rev, tt.path, got, err, tt.want, tt.err)
		}
	}

	files, err := repo.Files(ctx, h1, "statements")
	if err != nil {
		t.Fatal(err)
	}
	want := []File{
		{"statements/a.yaml", blobHash(t, r, one, "vex/statements/a.yaml")},
		{"statements/p/b.yaml", blobHash(t, r, one, "vex/statements/p/b.yaml")},
		{"statements/p/q/deep.yaml", blobHash(t, r, one, "vex/statements/p/q/deep.yaml")},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("Files(one, statements) = %v, want %v", files, want)
	}
	files, err = repo.Files(ctx, h2, "statements/p/")
	if err != nil || len(files) != 1 || files[0].Path != "statements/p/q/deep.yaml" {
		t.Errorf("Files(two, statements/p/) = %v, %v; want only statements/p/q/deep.yaml", files, err)
	}
	files, err = repo.Files(ctx, h2, "missing")
	if err != nil || len(files) != 0 {
		t.Errorf("Files(two, missing) = %v, %v; want none", files, err)
	}
	all, err := repo.Files(ctx, h2, "")
	if err != nil || len(all) != 5 {
		t.Errorf("Files(two, \"\") = %v, %v; want 5 files", all, err)
	}
}

func TestChanges(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{
		"vex/statements/keep.yaml":    "keep\n",
		"vex/statements/modify.yaml":  "m1\n",
		"vex/statements/delete.yaml":  "d\n",
		"vex/statements/move.yaml":    "moved content\n",
		"vex/statements/rewrite.yaml": "r1\n",
		"vex/statements/twin1.yaml":   "twin\n",
		"vex/statements/twin2.yaml":   "twin\n",
		"vex/statements/exec.yaml":    "x\n",
		"vex/other/ignored.yaml":      "1\n",
	})
	base := r.commit("base")
	r.git("tag", "-a", "-m", "release", "v1")
	r.git("branch", "release")
	r.write(map[string]string{
		"vex/statements/modify.yaml":      "m2\n",
		"vex/statements/added.yaml":       "new\n",
		"vex/statements/dir/rewrite.yaml": "r2\n",
		"vex/statements/twin3.yaml":       "twin\n",
		"vex/other/ignored.yaml":          "2\n",
	})
	for _, p := range []string{"delete.yaml", "rewrite.yaml", "twin1.yaml", "twin2.yaml"} {
		r.git("rm", "-q", "vex/statements/"+p)
	}
	if err := os.MkdirAll(filepath.Join(r.dir, "vex/statements/moved"), 0o755); err != nil {
		t.Fatal(err)
	}
	r.git("mv", "vex/statements/move.yaml", "vex/statements/moved/move.yaml")
	if err := os.Chmod(filepath.Join(r.dir, "vex/statements/exec.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	head := r.commit("head")

	repo := r.open("vex")
	ctx := context.Background()
	hh := mustResolve(t, repo, head)
	b := func(rev, p string) Hash { return blobHash(t, r, rev, "vex/"+p) }
	want := []Change{
		{Kind: Added, Path: "statements/added.yaml", Hash: b(head, "statements/added.yaml")},
		{Kind: Deleted, Path: "statements/delete.yaml", OldPath: "statements/delete.yaml", OldHash: b(base, "statements/delete.yaml")},
		{Kind: Added, Path: "statements/dir/rewrite.yaml", Hash: b(head, "statements/dir/rewrite.yaml")},
		{Kind: Modified, Path: "statements/exec.yaml", OldPath: "statements/exec.yaml", OldHash: b(base, "statements/exec.yaml"), Hash: b(head, "statements/exec.yaml")},
		{Kind: Modified, Path: "statements/modify.yaml", OldPath: "statements/modify.yaml", OldHash: b(base, "statements/modify.yaml"), Hash: b(head, "statements/modify.yaml")},
		{Kind: Renamed, Path: "statements/moved/move.yaml", OldPath: "statements/move.yaml", OldHash: b(base, "statements/move.yaml"), Hash: b(head, "statements/moved/move.yaml")},
		{Kind: Deleted, Path: "statements/rewrite.yaml", OldPath: "statements/rewrite.yaml", OldHash: b(base, "statements/rewrite.yaml")},
		{Kind: Deleted, Path: "statements/twin2.yaml", OldPath: "statements/twin2.yaml", OldHash: b(base, "statements/twin2.yaml")},
		{Kind: Renamed, Path: "statements/twin3.yaml", OldPath: "statements/twin1.yaml", OldHash: b(base, "statements/twin1.yaml"), Hash: b(head, "statements/twin3.yaml")},
	}
	for _, rev := range []string{"release", "v1", base, base[:8], head + "~1"} {
		t.Run(rev, func(t *testing.T) {
			got, err := repo.Changes(ctx, mustResolve(t, repo, rev), hh, "statements")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Changes:\ngot  %+v\nwant %+v", got, want)
			}
		})
	}
	none, err := repo.Changes(ctx, hh, hh, "statements")
	if err != nil || len(none) != 0 {
		t.Errorf("Changes(head, head) = %v, %v; want none", none, err)
	}
	// A prefix absent at base: everything is added.
	r.write(map[string]string{"vex/fresh/a.yaml": "a\n"})
	h3 := mustResolve(t, repo, r.commit("fresh"))
	got, err := repo.Changes(ctx, hh, h3, "fresh")
	wantFresh := []Change{{Kind: Added, Path: "fresh/a.yaml", Hash: b("HEAD", "fresh/a.yaml")}}
	if err != nil || !reflect.DeepEqual(got, wantFresh) {
		t.Errorf("Changes(fresh) = %+v, %v; want %+v", got, err, wantFresh)
	}
}

func TestStatus(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{
		".gitignore":                 "*.tmp\n",
		"vex/.gitignore":             "/cache/\n",
		"vex/statements/clean.yaml":  "c\n",
		"vex/statements/mod.yaml":    "m\n",
		"vex/statements/del.yaml":    "d\n",
		"vex/statements/staged.yaml": "s\n",
		"vex/statements/back.yaml":   "b\n",
		"elsewhere.yaml":             "e\n",
	})
	r.commit("one")
	repo := r.open("vex")
	ctx := context.Background()
	st, err := repo.Status(ctx, "statements")
	if err != nil || len(st) != 0 {
		t.Fatalf("clean tree: got %v, %v; want no entries", st, err)
	}

	r.write(map[string]string{
		"vex/statements/mod.yaml":       "m2\n",
		"vex/statements/new/add.yaml":   "a\n",
		"vex/statements/untracked.yaml": "u\n",
		"vex/statements/x.tmp":          "ignored\n",
		"vex/cache/c.yaml":              "ignored dir\n",
		"vex/statements/staged.yaml":    "s2\n",
		"vex/statements/back.yaml":      "b2\n",
		"elsewhere.yaml":                "outside the prefix\n",
	})
	r.git("add", "vex/statements/new/add.yaml", "vex/statements/staged.yaml", "vex/statements/back.yaml")
	r.write(map[string]string{"vex/statements/back.yaml": "b\n"}) // staged, then reverted
	if err := os.Remove(filepath.Join(r.dir, "vex/statements/del.yaml")); err != nil {
		t.Fatal(err)
	}
	st, err = repo.Status(ctx, "statements")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]FileStatus{
		"statements/mod.yaml":       StatusModified,
		"statements/new/add.yaml":   StatusAdded,
		"statements/untracked.yaml": StatusUntracked,
		"statements/staged.yaml":    StatusModified,
		"statements/del.yaml":       StatusDeleted,
	}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("Status(statements) = %v, want %v", st, want)
	}
	st, err = repo.Status(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != len(want) || st["cache/c.yaml"] != 0 {
		t.Errorf("Status(\"\") = %v, want the same %d entries (cache/ ignored)", st, len(want))
	}
	st, err = repo.Status(ctx, "missing")
	if err != nil || len(st) != 0 {
		t.Errorf("Status(missing) = %v, %v; want none", st, err)
	}
}

// TestStatusNoCommits: before the first commit, every file is added or untracked.
func TestStatusNoCommits(t *testing.T) {
	r := newCLIRepo(t)
	r.write(map[string]string{"statements/a.yaml": "a\n", "statements/b.yaml": "b\n"})
	r.git("add", "statements/a.yaml")
	st, err := r.open("").Status(context.Background(), "statements")
	want := map[string]FileStatus{"statements/a.yaml": StatusAdded, "statements/b.yaml": StatusUntracked}
	if err != nil || !reflect.DeepEqual(st, want) {
		t.Errorf("Status = %v, %v; want %v", st, err, want)
	}
}

// TestPartialClone: a clone made with --filter=blob:none (actions/checkout
// with filter: blob:none) lacks the blobs of old commits, which go-git
// cannot fetch on demand. Reading one says so, and how to fetch them, not
// that the clone is shallow; the history walk needs trees alone and works.
func TestPartialClone(t *testing.T) {
	r := newCLIRepo(t)
	r.git("config", "uploadpack.allowFilter", "true")
	r.write(map[string]string{"statements/a.yaml": "a1\n"})
	base := r.commit("base")
	r.write(map[string]string{"statements/a.yaml": "a2\n"})
	head := r.commit("change")

	dir := filepath.Join(t.TempDir(), "c")
	gittest.Run(t, filepath.Dir(dir), r.now(), "clone", "-q", "--filter=blob:none", "file://"+r.dir, dir)
	repo, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	ctx := context.Background()
	_, err = repo.ReadFile(ctx, mustResolve(t, repo, base), "statements/a.yaml")
	if !errors.Is(err, ErrPartialClone) || errors.Is(err, ErrShallow) {
		t.Errorf("ReadFile at base: got %v, want ErrPartialClone only", err)
	}
	if got, err := repo.ReadFile(ctx, mustResolve(t, repo, head), "statements/a.yaml"); err != nil || string(got) != "a2\n" {
		t.Errorf("ReadFile at head: got %q, %v; want a2", got, err)
	}
	last, err := repo.LastChanges(ctx, mustResolve(t, repo, head), "statements")
	if c := last["statements/a.yaml"]; err != nil || c.Hash.String() != head {
		t.Errorf("LastChanges: got %v, %v; want statements/a.yaml at %s", last, err, head)
	}

	// The advice works: after it, the base's blob is there.
	gittest.Run(t, dir, r.now(), "fetch", "-q", "--refetch", "--no-filter", "origin")
	repo2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo2.Close()
	if got, err := repo2.ReadFile(ctx, mustResolve(t, repo2, base), "statements/a.yaml"); err != nil || string(got) != "a1\n" {
		t.Errorf("ReadFile at base after refetch: got %q, %v; want a1", got, err)
	}
}
