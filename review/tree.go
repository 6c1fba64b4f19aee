package review

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/statements"
)

// treeFile is a statement file of the working tree as git would store it.
type treeFile struct {
	hash gitstore.Hash
	// data is the content (a symbolic link's target); nil when the file
	// is larger than statements.MaxFileSize, which the loader reports.
	data []byte
}

// readTree reads every statement file (by name) below root/statements,
// in parallel, once: the review hashes them to find uncommitted changes
// and searches them for the vulnerabilities a change speaks of, so that
// only the files it needs are decoded.
func readTree(ctx context.Context, root string) (map[string]*treeFile, error) {
	dir := filepath.Join(root, statements.StatementsDir)
	var paths []string
	var links []bool // whether each path is a symbolic link
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() || !statements.IsStatementFile(d.Name()) {
			return nil
		}
		if link := d.Type()&fs.ModeSymlink != 0; link || d.Type().IsRegular() {
			paths = append(paths, p)
			links = append(links, link)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	files := make([]*treeFile, len(paths))
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0)*2, len(paths)) {
		wg.Go(func() {
			h := sha1.New()
			for i := range next {
				files[i], errs[i] = readTreeFile(h, paths[i], links[i])
			}
		})
	}
	for i := range paths {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	tree := make(map[string]*treeFile, len(paths))
	for i, p := range paths {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return nil, err
		}
		tree[filepath.ToSlash(rel)] = files[i]
	}
	return tree, nil
}

func readTreeFile(h hash.Hash, name string, link bool) (*treeFile, error) {
	if link {
		target, err := os.Readlink(name)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		data := []byte(filepath.ToSlash(target))
		return &treeFile{hash: blobHash(data), data: data}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, statements.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) <= statements.MaxFileSize {
		return &treeFile{hash: blobHash(data), data: data}, nil
	}
	// Too large to keep: hash it as it streams by.
	n, err := f.Seek(0, io.SeekEnd)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	h.Reset()
	h.Write([]byte("blob " + strconv.FormatInt(n, 10) + "\x00"))
	m, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if m != n {
		return nil, fmt.Errorf("reading %s: the file changed while it was read", name)
	}
	var sum gitstore.Hash
	h.Sum(sum[:0])
	return &treeFile{hash: sum}, nil
}

// blobHash is the object name git gives a blob of this content.
func blobHash(data []byte) gitstore.Hash {
	h := sha1.New()
	h.Write([]byte("blob " + strconv.Itoa(len(data)) + "\x00"))
	h.Write(data)
	var sum gitstore.Hash
	h.Sum(sum[:0])
	return sum
}

// load decodes the statements a review needs, with the loader's rules
// (statements.LoadStatements): those of changed files, and those of every
// unchanged file that names a vulnerability or alias a changed statement
// names, directly or through a chain of aliases; every statement when the
// configuration changed. It returns the loader's findings of the changed
// files.
func (r *reviewer) load(tree map[string]*treeFile, files []*file, all bool) ([]statements.Finding, error) {
	if all {
		stmts, findings, err := statements.LoadStatements(r.cfg.Root, nil)
		r.head = stmts
		return findings, err
	}
	ids := make(map[string]bool)
	addIDs := func(stmts []statements.Statement) int {
		added := 0
		for i := range stmts {
			for _, id := range slices.Concat([]string{stmts[i].Vulnerability}, stmts[i].Aliases) {
				if id != "" && !ids[id] {
					ids[id], added = true, added+1
				}
			}
		}
		return added
	}
	loaded := make(map[string]bool)
	var changed []string
	for _, f := range files {
		if f.oldPath != "" {
			addIDs(decodeOld(f.oldPath, f.old))
		}
		if f.path != "" {
			changed = append(changed, f.path)
		}
		loaded[f.path], loaded[f.oldPath] = true, true
	}
	stmts, findings, err := r.loadFiles(changed)
	if err != nil {
		return nil, err
	}
	r.head = stmts
	addIDs(stmts)
	for len(ids) > 0 {
		needles := make([][]byte, 0, len(ids))
		for id := range ids {
			needles = append(needles, []byte(id))
		}
		var related []string
		for p, t := range tree {
			if !loaded[p] && t.data != nil && mentions(t.data, needles) {
				related = append(related, p)
				loaded[p] = true
			}
		}
		if len(related) == 0 {
			break
		}
		slices.Sort(related)
		more, _, err := r.loadFiles(related)
		if err != nil {
			return nil, err
		}
		r.head = append(r.head, more...)
		if addIDs(more) == 0 {
			break
		}
	}
	slices.SortStableFunc(r.head, func(a, b statements.Statement) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Index, b.Index))
	})
	return findings, nil
}

// loadFiles loads the statement files at these paths (relative to the
// root) with statements.LoadStatements.
func (r *reviewer) loadFiles(paths []string) ([]statements.Statement, []statements.Finding, error) {
	if len(paths) == 0 {
		return nil, nil, nil
	}
	abs := make([]string, len(paths))
	for i, p := range paths {
		abs[i] = filepath.Join(r.cfg.Root, filepath.FromSlash(p))
	}
	return statements.LoadStatements(r.cfg.Root, abs)
}

// mentions reports whether data contains any of ids as text: a superset
// of the files whose statements name them.
func mentions(data []byte, ids [][]byte) bool {
	for _, id := range ids {
		if bytes.Contains(data, id) {
			return true
		}
	}
	return false
}
