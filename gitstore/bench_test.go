package gitstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/memory"
)

// benchVersion names the generated benchmark repository; change it when
// the generator changes so a stale cached copy is not reused.
const benchVersion = "v1"

// Sizes of the generated benchmark repository.
const (
	benchFiles   = 10000
	benchCommits = 2000
	benchDirs    = 30
	benchPR      = 50 // files changed by the pr50 branch
)

// BenchmarkLastChanges walks 2,000 commits for 10,000 files, in a pack
// without deltas as written by go-git and in one that `git repack` wrote
// with deltas, as real repositories are.
func BenchmarkLastChanges(b *testing.B) {
	for _, pack := range []string{"plain", "delta"} {
		b.Run("pack="+pack, func(b *testing.B) {
			dir := benchRepo(b)
			if pack == "delta" {
				dir = benchRepoDelta(b, dir)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				repo, err := Open(dir) // a fresh repository: no warm object cache
				if err != nil {
					b.Fatal(err)
				}
				head, err := repo.Resolve(ctx, "main")
				if err != nil {
					b.Fatal(err)
				}
				got, err := repo.LastChanges(ctx, head, "statements")
				repo.Close()
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != benchFiles {
					b.Fatalf("got %d files, want %d", len(got), benchFiles)
				}
			}
		})
	}
}

func BenchmarkChanges50(b *testing.B) {
	dir := benchRepo(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		repo, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		head, err := repo.Resolve(ctx, "pr50")
		if err != nil {
			b.Fatal(err)
		}
		base, err := repo.Resolve(ctx, "main")
		if err != nil {
			b.Fatal(err)
		}
		mb, err := repo.MergeBase(ctx, base, head)
		if err != nil {
			b.Fatal(err)
		}
		changes, err := repo.Changes(ctx, mb, head, "statements")
		repo.Close()
		if err != nil {
			b.Fatal(err)
		}
		if len(changes) != benchPR {
			b.Fatalf("got %d changes, want %d", len(changes), benchPR)
		}
	}
}

// benchRepo returns a generated repository, made once and cached under
// os.TempDir.
func benchRepo(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "vexil-gitstore-bench-"+benchVersion)
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "vexil-gitstore-bench-tmp-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	if err := generateBenchRepo(tmp); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %s in %v", dir, time.Since(start))
	return dir
}

// benchRepoDelta returns a copy of the plain repository repacked by git
// with deltas, made once and cached under os.TempDir.
func benchRepoDelta(b *testing.B, plain string) string {
	b.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git CLI not installed")
	}
	dir := plain + "-delta"
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "vexil-gitstore-bench-tmp-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	if out, err := exec.Command("cp", "-R", plain+"/.", tmp).CombinedOutput(); err != nil {
		b.Fatalf("copying %s: %v\n%s", plain, err, out)
	}
	cmd := exec.Command("git", "repack", "-adfq", "--window=10", "--depth=50")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git repack: %v\n%s", err, out)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	return dir
}

// benchState is the tree of one branch: directory -> file -> blob.
type benchState struct {
	dirs  [benchDirs]map[string]plumbing.Hash
	trees [benchDirs]plumbing.Hash // zero when the directory changed
}

func (s *benchState) clone() *benchState {
	c := &benchState{trees: s.trees}
	for i, d := range s.dirs {
		c.dirs[i] = make(map[string]plumbing.Hash, len(d))
		for k, v := range d {
			c.dirs[i][k] = v
		}
	}
	return c
}

// benchGen writes objects straight into a memory storage.
type benchGen struct {
	store  *memory.Storage
	rng    *rand.Rand
	clock  time.Time
	nfiles int
	next   int
	config plumbing.Hash
}

func (g *benchGen) put(o interface {
	Encode(plumbing.EncodedObject) error
}) plumbing.Hash {
	obj := g.store.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		panic(err)
	}
	h, err := g.store.SetEncodedObject(obj)
	if err != nil {
		panic(err)
	}
	return h
}

func (g *benchGen) blob(content string) plumbing.Hash {
	obj := g.store.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, _ := obj.Writer()
	w.Write([]byte(content))
	w.Close()
	h, _ := g.store.SetEncodedObject(obj)
	return h
}

// tree writes the root tree of the state.
func (g *benchGen) tree(s *benchState) plumbing.Hash {
	var dirs []object.TreeEntry
	for i, files := range s.dirs {
		if s.trees[i].IsZero() {
			names := make([]string, 0, len(files))
			for n := range files {
				names = append(names, n)
			}
			sort.Strings(names)
			t := &object.Tree{Entries: make([]object.TreeEntry, len(names))}
			for j, n := range names {
				t.Entries[j] = object.TreeEntry{Name: n, Mode: filemode.Regular, Hash: files[n]}
			}
			s.trees[i] = g.put(t)
		}
		dirs = append(dirs, object.TreeEntry{Name: fmt.Sprintf("product-%02d", i), Mode: filemode.Dir, Hash: s.trees[i]})
	}
	statements := g.put(&object.Tree{Entries: dirs})
	return g.put(&object.Tree{Entries: []object.TreeEntry{
		{Name: "statements", Mode: filemode.Dir, Hash: statements},
		{Name: "vexil.yaml", Mode: filemode.Regular, Hash: g.config},
	}})
}

func (g *benchGen) commit(s *benchState, msg string, parents ...plumbing.Hash) plumbing.Hash {
	g.clock = g.clock.Add(time.Minute)
	sig := object.Signature{Name: "Bench", Email: "bench@example.com", When: g.clock}
	return g.put(&object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: g.tree(s), ParentHashes: parents})
}

// op is one file written on a branch.
type op struct {
	dir  int
	name string
	blob plumbing.Hash // zero: deleted
}

func (s *benchState) apply(o op) {
	if o.blob.IsZero() {
		delete(s.dirs[o.dir], o.name)
	} else {
		s.dirs[o.dir][o.name] = o.blob
	}
	s.trees[o.dir] = plumbing.ZeroHash
}

// change adds a file (until there are benchFiles) or modifies one.
func (g *benchGen) change(s *benchState) op {
	d := g.rng.IntN(benchDirs)
	if g.nfiles < benchFiles && g.rng.IntN(2) == 0 {
		g.nfiles++
		g.next++
		name := fmt.Sprintf("CVE-2024-%05d.yaml", g.next)
		o := op{d, name, g.blob(fmt.Sprintf("vulnerability: CVE-2024-%05d\nstatus: under_investigation\n", g.next))}
		s.apply(o)
		return o
	}
	names := make([]string, 0, len(s.dirs[d]))
	for n := range s.dirs[d] {
		names = append(names, n)
	}
	sort.Strings(names)
	name := names[g.rng.IntN(len(names))]
	o := op{d, name, g.blob(fmt.Sprintf("vulnerability: %s\nstatus: not_affected\nrevision: %d\n", name, g.rng.Int()))}
	s.apply(o)
	return o
}

func generateBenchRepo(dir string) error {
	g := &benchGen{store: memory.NewStorage(), rng: rand.New(rand.NewPCG(7, 7)), clock: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	g.config = g.blob("products: {}\n")
	main := &benchState{}
	for i := range main.dirs {
		main.dirs[i] = make(map[string]plumbing.Hash)
	}
	for g.nfiles < benchFiles*3/4 {
		g.nfiles++
		g.next++
		main.apply(op{g.next % benchDirs, fmt.Sprintf("CVE-2023-%05d.yaml", g.next),
			g.blob(fmt.Sprintf("vulnerability: CVE-2023-%05d\nstatus: affected\n", g.next))})
	}
	head := g.commit(main, "initial")
	commits := 1
	for commits < benchCommits-1 {
		if commits%40 == 20 && benchCommits-commits > 6 {
			// A side branch of three commits, merged after two main commits.
			side := main.clone()
			sideHead := head
			var ops []op
			for j := 0; j < 3; j++ {
				for k := g.rng.IntN(3); k >= 0; k-- {
					ops = append(ops, g.change(side))
				}
				sideHead = g.commit(side, "side", sideHead)
			}
			for j := 0; j < 2; j++ {
				for k := g.rng.IntN(3); k >= 0; k-- {
					g.change(main)
				}
				head = g.commit(main, "main", head)
			}
			for _, o := range ops {
				main.apply(o)
			}
			head = g.commit(main, "merge", head, sideHead)
			commits += 6
			continue
		}
		for k := g.rng.IntN(3); k >= 0; k-- {
			g.change(main)
		}
		head = g.commit(main, "main", head)
		commits++
	}
	for g.nfiles < benchFiles { // top up to exactly benchFiles
		g.nfiles++
		g.next++
		main.apply(op{g.next % benchDirs, fmt.Sprintf("CVE-2025-%05d.yaml", g.next), g.blob("late\n")})
	}
	if g.nfiles > benchFiles {
		return fmt.Errorf("generated %d files", g.nfiles)
	}
	head = g.commit(main, "top up", head) // commit number benchCommits
	// pr50: one commit changing exactly benchPR files.
	pr := main.clone()
	for i := 0; i < benchPR; i++ {
		d := i % benchDirs
		names := make([]string, 0, len(pr.dirs[d]))
		for n := range pr.dirs[d] {
			names = append(names, n)
		}
		sort.Strings(names)
		pr.apply(op{d, names[i], g.blob(fmt.Sprintf("pr change %d\n", i))})
	}
	prHead := g.commit(pr, "pr", head)

	repo, err := git.PlainInit(dir, false)
	if err != nil {
		return err
	}
	var hashes []plumbing.Hash
	iter, err := g.store.IterEncodedObjects(plumbing.AnyObject)
	if err != nil {
		return err
	}
	if err := iter.ForEach(func(o plumbing.EncodedObject) error {
		hashes = append(hashes, o.Hash())
		return nil
	}); err != nil {
		return err
	}
	pw, ok := repo.Storer.(storer.PackfileWriter)
	if !ok {
		return fmt.Errorf("storage %T cannot write packfiles", repo.Storer)
	}
	w, err := pw.PackfileWriter()
	if err != nil {
		return err
	}
	if _, err := packfile.NewEncoder(w, g.store, false).Encode(hashes, 0); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	for name, h := range map[plumbing.ReferenceName]plumbing.Hash{"refs/heads/main": head, "refs/heads/pr50": prHead} {
		if err := repo.Storer.SetReference(plumbing.NewHashReference(name, h)); err != nil {
			return err
		}
	}
	return repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, "refs/heads/main"))
}
