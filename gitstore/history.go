package gitstore

import (
	"bytes"
	"container/heap"
	"context"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// treeCacheBytes bounds the trees a history walk keeps decoded.
const treeCacheBytes = 32 << 20

// LastChanges returns, for every file below the directory prefix at the
// commit head, the last commit that changed it: the commit that
// `git log -1 -- <path>` shows with git's default history simplification.
//
// Starting at head, each file follows history until a commit changes it.
// At a merge, a file that is identical (content and mode) to some parent
// follows the first such parent, so a merge never counts as changing it
// (git's TREESAME rule) and a file written on a side branch keeps the side
// branch commit that wrote it; only a file that differs from every parent
// is attributed to the merge. A root commit changes every file it holds.
//
// The work is one walk over the history, newest commit first, comparing
// tree entry hashes and descending only into subtrees that differ. In a
// shallow clone whose missing history is needed, the error wraps ErrShallow.
func (r *Repo) LastChanges(ctx context.Context, head Hash, prefix string) (map[string]Commit, error) {
	fail := func(err error) (map[string]Commit, error) {
		return nil, fmt.Errorf("last changes in %s at %s: %w", prefix, head, err)
	}
	hc, err := r.commit(head)
	if err != nil {
		return fail(err)
	}
	cache := newTreeCache(treeCacheBytes)
	dir := r.gitPath(prefix)
	sub, ok, err := r.subtree(cache, hc.TreeHash, dir)
	if err != nil {
		return fail(err)
	}
	result := make(map[string]Commit)
	if !ok {
		return result, nil
	}
	start := make(pathSet)
	if err := r.walkFiles(cache, sub, dir, func(p string, _ entry) { start[p] = struct{}{} }); err != nil {
		return fail(err)
	}
	w := &walk{repo: r, cache: cache, dir: dir, queued: make(map[plumbing.Hash]*pending)}
	w.push(hc, start)
	for w.queue.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := heap.Pop(&w.queue).(*pending)
		delete(w.queued, p.commit.Hash)
		if err := w.visit(p.commit, p.files, result); err != nil {
			return fail(err)
		}
	}
	return result, nil
}

// pathSet is a set of paths relative to the work tree root.
type pathSet map[string]struct{}

// pending is a commit with the files whose last change is at or before it.
type pending struct {
	commit *object.Commit
	files  pathSet
	index  int
}

// walk is the state of one LastChanges history walk.
type walk struct {
	repo   *Repo
	cache  *treeCache
	dir    string
	queue  commitQueue
	queued map[plumbing.Hash]*pending
}

// push queues files at the commit c, joining files already queued there.
func (w *walk) push(c *object.Commit, files pathSet) {
	if len(files) == 0 {
		return
	}
	if p, ok := w.queued[c.Hash]; ok {
		if len(p.files) < len(files) {
			p.files, files = files, p.files
		}
		for f := range files {
			p.files[f] = struct{}{}
		}
		return
	}
	p := &pending{commit: c, files: files}
	w.queued[c.Hash] = p
	heap.Push(&w.queue, p)
}

// visit attributes to c the files of files that c changed, and passes the
// others on to the parent they are identical to.
func (w *walk) visit(c *object.Commit, files pathSet, result map[string]Commit) error {
	r := w.repo
	at := Commit{Hash: Hash(c.Hash), Time: c.Committer.When.UTC()}
	if r.shallow[c.Hash] {
		return fmt.Errorf("history before commit %s is needed: %w", c.Hash, ErrShallow)
	}
	if len(c.ParentHashes) == 0 {
		for f := range files {
			result[r.relPath(f)] = at
		}
		return nil
	}
	parents := make([]*object.Commit, len(c.ParentHashes))
	for i, h := range c.ParentHashes {
		pc, err := r.git.CommitObject(h)
		if err != nil {
			return fmt.Errorf("reading parent %s of %s: %w", h, c.Hash, r.historyErr(err))
		}
		parents[i] = pc
	}
	mine, _, err := r.subtree(w.cache, c.TreeHash, w.dir)
	if err != nil {
		return err
	}
	first, _, err := r.subtree(w.cache, parents[0].TreeHash, w.dir)
	if err != nil {
		return err
	}
	// The files that differ from the first parent; the others follow it.
	changed := make(map[string]entry)
	err = r.diffTrees(w.cache, mine, first, w.dir, func(p string, ea entry, oka bool, _ entry, _ bool) {
		if !oka {
			return
		}
		if _, ok := files[p]; ok {
			changed[p] = ea
			delete(files, p)
		}
	})
	if err != nil {
		return err
	}
	w.push(parents[0], files)
	if len(changed) == 0 {
		return nil
	}
	// A merge passes a file on to the first other parent it is identical
	// to; a file that differs from every parent was changed by c.
	moved := make([]pathSet, len(parents))
	for p, e := range changed {
		for i := 1; i < len(parents); i++ {
			pe, ok, err := r.lookup(w.cache, parents[i].TreeHash, p)
			if err != nil {
				return err
			}
			if ok && pe.hash == e.hash && pe.mode == e.mode {
				if moved[i] == nil {
					moved[i] = make(pathSet)
				}
				moved[i][p] = struct{}{}
				goto next
			}
		}
		result[r.relPath(p)] = at
	next:
	}
	for i := 1; i < len(parents); i++ {
		w.push(parents[i], moved[i])
	}
	return nil
}

// commitQueue is a max-heap of pending commits, newest committer time
// first, so that a commit usually receives files from all its children
// before it is visited. Visiting a commit twice is correct, only slower.
type commitQueue []*pending

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	ti, tj := q[i].commit.Committer.When, q[j].commit.Committer.When
	if !ti.Equal(tj) {
		return ti.After(tj)
	}
	hi, hj := q[i].commit.Hash, q[j].commit.Hash
	return bytes.Compare(hi[:], hj[:]) < 0
}
func (q commitQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}
func (q *commitQueue) Push(x any) {
	p := x.(*pending)
	p.index = len(*q)
	*q = append(*q, p)
}
func (q *commitQueue) Pop() any {
	old := *q
	p := old[len(old)-1]
	*q = old[:len(old)-1]
	return p
}
