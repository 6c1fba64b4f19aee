package gitstore

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
)

// File is a file in the tree of a commit.
type File struct {
	// Path is relative to the opened directory.
	Path string
	// Hash is the blob's object name.
	Hash Hash
}

// treeOf returns the root tree hash of the commit rev.
func (r *Repo) treeOf(rev Hash) (plumbing.Hash, error) {
	c, err := r.commit(rev)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return c.TreeHash, nil
}

// ReadFile returns the content of the file p at the commit rev.
func (r *Repo) ReadFile(ctx context.Context, rev Hash, p string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	root, err := r.treeOf(rev)
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", p, rev, err)
	}
	e, ok, err := r.lookup(nil, root, r.gitPath(p))
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", p, rev, err)
	}
	if !ok || !e.isFile() {
		return nil, fmt.Errorf("reading %s at %s: %w", p, rev, ErrNotFound)
	}
	obj, err := r.git.Storer.EncodedObject(plumbing.BlobObject, e.hash)
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", p, rev, r.historyErr(err))
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", p, rev, err)
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", p, rev, err)
	}
	return data, nil
}

// Files returns the files below the directory prefix ("" for all) at the
// commit rev, sorted by path. A prefix that does not exist yields none.
func (r *Repo) Files(ctx context.Context, rev Hash, prefix string) ([]File, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	root, err := r.treeOf(rev)
	if err != nil {
		return nil, fmt.Errorf("listing %s at %s: %w", prefix, rev, err)
	}
	dir := r.gitPath(prefix)
	h, ok, err := r.subtree(nil, root, dir)
	if err != nil {
		return nil, fmt.Errorf("listing %s at %s: %w", prefix, rev, err)
	}
	if !ok {
		return nil, nil
	}
	var files []File
	err = r.walkFiles(nil, h, dir, func(p string, e entry) {
		files = append(files, File{Path: r.relPath(p), Hash: Hash(e.hash)})
	})
	if err != nil {
		return nil, fmt.Errorf("listing %s at %s: %w", prefix, rev, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// ChangeKind says how a file changed between two commits.
type ChangeKind int

// The kinds of change.
const (
	Added ChangeKind = iota + 1
	Modified
	Deleted
	Renamed
)

// String returns the kind in lower case: added, modified, deleted, renamed.
func (k ChangeKind) String() string {
	switch k {
	case Added:
		return "added"
	case Modified:
		return "modified"
	case Deleted:
		return "deleted"
	case Renamed:
		return "renamed"
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// Change is a file that differs between two commits.
type Change struct {
	Kind ChangeKind
	// Path is the file's path at head, or at base when Deleted.
	Path string
	// OldPath is the file's path at base when Renamed, else Path (or "" when Added).
	OldPath string
	// OldHash is the blob at base; zero when Added.
	OldHash Hash
	// Hash is the blob at head; zero when Deleted.
	Hash Hash
}

// Changes returns the files below the directory prefix that differ
// between the commits base and head, sorted by Path. A file deleted at one
// path and added with identical content at another is one Renamed change;
// when several candidates share a content, they pair in path order. A
// change of mode alone is Modified.
func (r *Repo) Changes(ctx context.Context, base, head Hash, prefix string) ([]Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fail := func(err error) ([]Change, error) {
		return nil, fmt.Errorf("changes in %s from %s to %s: %w", prefix, base, head, err)
	}
	baseRoot, err := r.treeOf(base)
	if err != nil {
		return fail(err)
	}
	headRoot, err := r.treeOf(head)
	if err != nil {
		return fail(err)
	}
	dir := r.gitPath(prefix)
	a, _, err := r.subtree(nil, baseRoot, dir)
	if err != nil {
		return fail(err)
	}
	b, _, err := r.subtree(nil, headRoot, dir)
	if err != nil {
		return fail(err)
	}
	var changes, added, deleted []Change
	err = r.diffTrees(nil, a, b, dir, func(p string, ea entry, oka bool, eb entry, okb bool) {
		rel := r.relPath(p)
		switch {
		case oka && okb:
			changes = append(changes, Change{Kind: Modified, Path: rel, OldPath: rel, OldHash: Hash(ea.hash), Hash: Hash(eb.hash)})
		case oka:
			deleted = append(deleted, Change{Kind: Deleted, Path: rel, OldPath: rel, OldHash: Hash(ea.hash)})
		default:
			added = append(added, Change{Kind: Added, Path: rel, Hash: Hash(eb.hash)})
		}
	})
	if err != nil {
		return fail(err)
	}
	// Pair deletions and additions of the same blob, in path order.
	byPath := func(s []Change) {
		sort.Slice(s, func(i, j int) bool { return s[i].Path < s[j].Path })
	}
	byPath(added)
	byPath(deleted)
	gone := make(map[Hash][]int)
	for i, d := range deleted {
		gone[d.OldHash] = append(gone[d.OldHash], i)
	}
	paired := make([]bool, len(deleted))
	for _, c := range added {
		if idx := gone[c.Hash]; len(idx) > 0 {
			d := deleted[idx[0]]
			gone[c.Hash] = idx[1:]
			paired[idx[0]] = true
			c = Change{Kind: Renamed, Path: c.Path, OldPath: d.Path, OldHash: d.OldHash, Hash: c.Hash}
		}
		changes = append(changes, c)
	}
	for i, d := range deleted {
		if !paired[i] {
			changes = append(changes, d)
		}
	}
	byPath(changes)
	return changes, nil
}
