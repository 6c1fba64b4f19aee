package gitstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// FileStatus says how a working tree file differs from HEAD.
type FileStatus int

// The statuses of a file with uncommitted changes.
const (
	// StatusModified: tracked at HEAD, different content in the working tree.
	StatusModified FileStatus = iota + 1
	// StatusAdded: not at HEAD, added to the index, present in the working tree.
	StatusAdded
	// StatusDeleted: tracked at HEAD, missing from the working tree.
	StatusDeleted
	// StatusUntracked: neither at HEAD nor in the index, and not ignored.
	StatusUntracked
)

// String returns the status in lower case.
func (s FileStatus) String() string {
	switch s {
	case StatusModified:
		return "modified"
	case StatusAdded:
		return "added"
	case StatusDeleted:
		return "deleted"
	case StatusUntracked:
		return "untracked"
	}
	return fmt.Sprintf("FileStatus(%d)", int(s))
}

// Status returns the files below the directory prefix whose working tree
// content differs from HEAD: modified, added, deleted or untracked (files
// that .gitignore files or .git/info/exclude ignore are left out; the
// user's global excludes file is not read). Only the prefix is read and
// every file there is hashed, so the answer never depends on timestamps.
// The index decides only whether a file new to HEAD is added or untracked;
// a staged change that the working tree reverted is not reported. Mode
// changes are not reported. Files without uncommitted changes are absent.
func (r *Repo) Status(ctx context.Context, prefix string) (map[string]FileStatus, error) {
	dir := r.gitPath(prefix)
	fail := func(err error) (map[string]FileStatus, error) {
		return nil, fmt.Errorf("status of %s: %w", prefix, err)
	}
	// Tracked at HEAD (none in a repository without commits).
	head := make(map[string]plumbing.Hash)
	ref, err := r.git.Head()
	switch {
	case errors.Is(err, plumbing.ErrReferenceNotFound):
	case err != nil:
		return fail(err)
	default:
		root, err := r.treeOf(Hash(ref.Hash()))
		if err != nil {
			return fail(err)
		}
		h, ok, err := r.subtree(nil, root, dir)
		if err != nil {
			return fail(err)
		}
		if ok {
			err = r.walkFiles(nil, h, dir, func(p string, e entry) { head[p] = e.hash })
			if err != nil {
				return fail(err)
			}
		}
	}
	idx, err := r.git.Storer.Index()
	if err != nil {
		return fail(fmt.Errorf("reading index: %w", err))
	}
	indexed := make(map[string]bool)
	for _, e := range idx.Entries {
		if under(e.Name, dir) {
			indexed[e.Name] = true
		}
	}
	tracked := make([]string, 0, len(head)+len(indexed))
	for p := range head {
		tracked = append(tracked, p)
	}
	for p := range indexed {
		tracked = append(tracked, p)
	}
	sort.Strings(tracked)
	ignore, err := r.ignorePatterns(dir)
	if err != nil {
		return fail(err)
	}

	result := make(map[string]FileStatus)
	seen := make(map[string]bool)
	top := filepath.Join(r.root, filepath.FromSlash(dir))
	err = filepath.WalkDir(top, func(osPath string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && osPath == top {
				return filepath.SkipDir
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(r.root, osPath)
		if err != nil {
			return err
		}
		p := filepath.ToSlash(rel)
		if p == "." {
			p = ""
		}
		parts := strings.Split(p, "/")
		if d.IsDir() {
			if osPath == top {
				return nil
			}
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			if _, err := os.Lstat(filepath.Join(osPath, ".git")); err == nil {
				return filepath.SkipDir // a submodule or a nested repository
			}
			if ignore.Match(parts, true) && !hasUnder(tracked, p) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		seen[p] = true
		want, atHead := head[p]
		switch {
		case atHead:
			got, err := hashFile(osPath, d)
			if err != nil {
				return err
			}
			if got != want {
				result[r.relPath(p)] = StatusModified
			}
		case indexed[p]:
			result[r.relPath(p)] = StatusAdded
		case !ignore.Match(parts, false):
			result[r.relPath(p)] = StatusUntracked
		}
		return nil
	})
	if err != nil {
		return fail(err)
	}
	for p := range head {
		if !seen[p] {
			result[r.relPath(p)] = StatusDeleted
		}
	}
	return result, nil
}

// hashFile computes the blob hash git would give the file.
func hashFile(osPath string, d fs.DirEntry) (plumbing.Hash, error) {
	var data []byte
	var err error
	if d.Type()&fs.ModeSymlink != 0 {
		var target string
		target, err = os.Readlink(osPath)
		data = []byte(filepath.ToSlash(target))
	} else {
		data, err = os.ReadFile(osPath)
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return plumbing.ComputeHash(plumbing.BlobObject, data), nil
}

// ignorePatterns reads .git/info/exclude, the .gitignore of every directory
// from the root down to dir, and every .gitignore below dir.
func (r *Repo) ignorePatterns(dir string) (gitignore.Matcher, error) {
	var ps []gitignore.Pattern
	more, err := readPatterns(filepath.Join(r.root, ".git", "info", "exclude"), nil)
	if err != nil {
		return nil, err
	}
	ps = append(ps, more...)
	var domain []string
	if dir != "" {
		parts := strings.Split(dir, "/")
		for i := range parts {
			domain = parts[:i]
			more, err := readPatterns(filepath.Join(r.root, filepath.Join(domain...), ".gitignore"), domain)
			if err != nil {
				return nil, err
			}
			ps = append(ps, more...)
		}
		domain = parts
	}
	below, err := gitignore.ReadPatterns(osfs.New(r.root), domain)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading .gitignore files: %w", err)
	}
	ps = append(ps, below...)
	return gitignore.NewMatcher(ps), nil
}

// readPatterns reads one ignore file; a missing file has no patterns.
func readPatterns(file string, domain []string) ([]gitignore.Pattern, error) {
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return nil, nil // ENOTDIR: .git is a file in a linked worktree
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ps []gitignore.Pattern
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, domain))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return ps, nil
}

// under reports whether the slash path p is dir or below it.
func under(p, dir string) bool {
	return dir == "" || p == dir || strings.HasPrefix(p, dir+"/")
}

// hasUnder reports whether the sorted paths hold one below dir.
func hasUnder(sorted []string, dir string) bool {
	i := sort.SearchStrings(sorted, dir+"/")
	return i < len(sorted) && strings.HasPrefix(sorted[i], dir+"/")
}
