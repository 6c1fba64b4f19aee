package gitstore

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Git file modes as they are written in tree objects.
const (
	modeTree    = 0o040000
	modeSymlink = 0o120000
	modeGitlink = 0o160000
)

// entry is one tree entry; name points into the tree's raw data.
type entry struct {
	name []byte
	mode uint32
	hash plumbing.Hash
}

func (e entry) isTree() bool { return e.mode == modeTree }

// isFile reports whether the entry is a blob: a regular file, an executable
// or a symlink. Submodules (gitlinks) are not files of this repository.
func (e entry) isFile() bool { return e.mode != modeTree && e.mode != modeGitlink }

// tree is a parsed tree object.
type tree struct {
	entries []entry
	size    int
}

// treeCache keeps recently read trees; a history walk reads each tree
// twice, once as a child's and once as a parent's.
type treeCache struct {
	trees map[plumbing.Hash]*tree
	order []plumbing.Hash
	size  int
	limit int
}

func newTreeCache(limit int) *treeCache {
	return &treeCache{trees: make(map[plumbing.Hash]*tree), limit: limit}
}

// readTree reads and parses the tree object h.
func (r *Repo) readTree(c *treeCache, h plumbing.Hash) (*tree, error) {
	if c != nil {
		if t, ok := c.trees[h]; ok {
			return t, nil
		}
	}
	obj, err := r.git.Storer.EncodedObject(plumbing.TreeObject, h)
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, fmt.Errorf("reading tree %s: %w", h, r.historyErr(err))
		}
		return nil, fmt.Errorf("reading tree %s: %w", h, err)
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", h, err)
	}
	data := make([]byte, 0, obj.Size())
	buf := bytes.NewBuffer(data)
	_, err = io.Copy(buf, rd)
	rd.Close()
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", h, err)
	}
	t, err := parseTree(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", h, err)
	}
	if c != nil {
		c.add(h, t)
	}
	return t, nil
}

func (c *treeCache) add(h plumbing.Hash, t *tree) {
	c.trees[h] = t
	c.order = append(c.order, h)
	c.size += t.size
	for c.size > c.limit && len(c.order) > 1 {
		old := c.order[0]
		c.order = c.order[1:]
		c.size -= c.trees[old].size
		delete(c.trees, old)
	}
}

// parseTree parses the raw content of a tree object: entries of
// "<octal mode> <name>\x00<20-byte hash>".
func parseTree(data []byte) (*tree, error) {
	t := &tree{size: len(data) + 64}
	n := 0
	for _, b := range data {
		if b == 0 {
			n++
		}
	}
	t.entries = make([]entry, 0, n)
	for len(data) > 0 {
		sp := bytes.IndexByte(data, ' ')
		if sp < 0 {
			return nil, errors.New("malformed tree entry")
		}
		var mode uint32
		for _, d := range data[:sp] {
			if d < '0' || d > '7' {
				return nil, errors.New("malformed tree entry mode")
			}
			mode = mode<<3 | uint32(d-'0')
		}
		data = data[sp+1:]
		nul := bytes.IndexByte(data, 0)
		if nul < 0 || len(data) < nul+1+20 {
			return nil, errors.New("malformed tree entry name")
		}
		e := entry{name: data[:nul:nul], mode: mode}
		copy(e.hash[:], data[nul+1:nul+21])
		t.entries = append(t.entries, e)
		t.size += 48
		data = data[nul+21:]
	}
	return t, nil
}

// find returns the entry called name.
func (t *tree) find(name string) (entry, bool) {
	for _, e := range t.entries {
		if string(e.name) == name {
			return e, true
		}
	}
	return entry{}, false
}

// compareEntries orders entries as git sorts them in a tree: by name, a
// tree's name compared as if it ended in '/'.
func compareEntries(a, b entry) int {
	n := min(len(a.name), len(b.name))
	if c := bytes.Compare(a.name[:n], b.name[:n]); c != 0 {
		return c
	}
	ca, cb := nextByte(a, n), nextByte(b, n)
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

func nextByte(e entry, n int) int {
	if n < len(e.name) {
		return int(e.name[n])
	}
	if e.isTree() {
		return '/'
	}
	return 0
}

// subtree returns the hash of the tree at dir (slash path, "" for root)
// below the tree root; ok is false when dir does not exist as a tree.
func (r *Repo) subtree(c *treeCache, root plumbing.Hash, dir string) (plumbing.Hash, bool, error) {
	h := root
	if dir == "" {
		return h, true, nil
	}
	for _, name := range strings.Split(dir, "/") {
		t, err := r.readTree(c, h)
		if err != nil {
			return plumbing.ZeroHash, false, err
		}
		e, ok := t.find(name)
		if !ok || !e.isTree() {
			return plumbing.ZeroHash, false, nil
		}
		h = e.hash
	}
	return h, true, nil
}

// lookup returns the entry at the slash path p below the tree root.
func (r *Repo) lookup(c *treeCache, root plumbing.Hash, p string) (entry, bool, error) {
	dir, name := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, name = p[:i], p[i+1:]
	}
	h, ok, err := r.subtree(c, root, dir)
	if err != nil || !ok {
		return entry{}, false, err
	}
	t, err := r.readTree(c, h)
	if err != nil {
		return entry{}, false, err
	}
	e, ok := t.find(name)
	return e, ok, nil
}

// walkFiles calls fn for every file below the tree h, with dir the slash
// path of h.
func (r *Repo) walkFiles(c *treeCache, h plumbing.Hash, dir string, fn func(p string, e entry)) error {
	t, err := r.readTree(c, h)
	if err != nil {
		return err
	}
	for _, e := range t.entries {
		p := join(dir, string(e.name))
		switch {
		case e.isTree():
			if err := r.walkFiles(c, e.hash, p, fn); err != nil {
				return err
			}
		case e.isFile():
			fn(p, e)
		}
	}
	return nil
}

// diffTrees calls fn for every file path that differs between the trees a
// and b (either may be the zero hash: an empty tree), descending only into
// subtrees whose hashes differ. An absent side has ok false.
func (r *Repo) diffTrees(c *treeCache, a, b plumbing.Hash, dir string, fn func(p string, ea entry, oka bool, eb entry, okb bool)) error {
	if a == b {
		return nil
	}
	var ta, tb *tree
	var err error
	if !a.IsZero() {
		if ta, err = r.readTree(c, a); err != nil {
			return err
		}
	} else {
		ta = &tree{}
	}
	if !b.IsZero() {
		if tb, err = r.readTree(c, b); err != nil {
			return err
		}
	} else {
		tb = &tree{}
	}
	i, j := 0, 0
	for i < len(ta.entries) || j < len(tb.entries) {
		var cmp int
		switch {
		case i == len(ta.entries):
			cmp = 1
		case j == len(tb.entries):
			cmp = -1
		default:
			cmp = compareEntries(ta.entries[i], tb.entries[j])
		}
		switch {
		case cmp < 0:
			if err := r.oneSided(c, ta.entries[i], dir, true, fn); err != nil {
				return err
			}
			i++
		case cmp > 0:
			if err := r.oneSided(c, tb.entries[j], dir, false, fn); err != nil {
				return err
			}
			j++
		default:
			ea, eb := ta.entries[i], tb.entries[j]
			i++
			j++
			if ea.hash == eb.hash && ea.mode == eb.mode {
				continue
			}
			p := join(dir, string(ea.name))
			switch {
			case ea.isTree():
				if err := r.diffTrees(c, ea.hash, eb.hash, p, fn); err != nil {
					return err
				}
			case ea.isFile() && eb.isFile():
				fn(p, ea, true, eb, true)
			default: // a file became a submodule, or back
				if err := r.oneSided(c, ea, dir, true, fn); err != nil {
					return err
				}
				if err := r.oneSided(c, eb, dir, false, fn); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// oneSided reports every file below e as present on one side only.
func (r *Repo) oneSided(c *treeCache, e entry, dir string, left bool, fn func(p string, ea entry, oka bool, eb entry, okb bool)) error {
	p := join(dir, string(e.name))
	if e.isTree() {
		if left {
			return r.diffTrees(c, e.hash, plumbing.ZeroHash, p, fn)
		}
		return r.diffTrees(c, plumbing.ZeroHash, e.hash, p, fn)
	}
	if !e.isFile() {
		return nil
	}
	if left {
		fn(p, e, true, entry{}, false)
	} else {
		fn(p, entry{}, false, e, true)
	}
	return nil
}

func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
