package gitstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Hash is the object name of a git commit or blob.
type Hash [20]byte

// String returns the hash as 40 lowercase hex digits.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the zero hash.
func (h Hash) IsZero() bool { return h == Hash{} }

// Commit identifies a commit and when it was committed.
type Commit struct {
	Hash Hash
	// Time is the committer time, in UTC.
	Time time.Time
}

// Repo is a git repository opened at a directory of its working tree.
// Every path that Repo takes or returns is slash-separated and relative to
// that directory, which may be a subdirectory of the work tree.
type Repo struct {
	git     *git.Repository
	closer  io.Closer // the storage, which keeps pack files open
	root    string    // absolute work tree root
	sub     string    // slash path of the opened directory below root; "" at root
	shallow map[plumbing.Hash]bool
	partial bool // a remote is a promisor: objects may be missing
}

// Open opens the git repository containing dir, looking in dir and its
// parents as git does (a .git file of a linked worktree is followed).
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("opening %s: not a directory", dir)
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	g, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("opening %s: %w", dir, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	wt, err := g.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return nil, fmt.Errorf("opening %s: bare repository without a work tree: %w", dir, ErrNotRepository)
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	var closer io.Closer
	// Reopen the storage keeping pack files open: a history walk reads
	// thousands of objects, and reopening the pack for each costs more
	// than reading it.
	if st, ok := g.Storer.(*filesystem.Storage); ok {
		kept := filesystem.NewStorageWithOptions(st.Filesystem(), cache.NewObjectLRU(objectCacheBytes),
			filesystem.Options{MaxOpenDescriptors: maxOpenPacks})
		if g, err = git.Open(kept, wt.Filesystem); err != nil {
			return nil, fmt.Errorf("opening %s: %w", dir, err)
		}
		closer = kept
	}
	root := wt.Filesystem.Root()
	if resolved, err := filepath.EvalSymlinks(root); err == nil {
		root = resolved
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		closeQuietly(closer)
		return nil, fmt.Errorf("opening %s: directory is outside the work tree %s: %w", dir, root, ErrNotRepository)
	}
	sub := filepath.ToSlash(rel)
	if sub == "." {
		sub = ""
	}
	shallow, err := g.Storer.Shallow()
	if err != nil {
		closeQuietly(closer)
		return nil, fmt.Errorf("opening %s: reading shallow commits: %w", dir, err)
	}
	r := &Repo{git: g, closer: closer, root: root, sub: sub, shallow: make(map[plumbing.Hash]bool, len(shallow))}
	for _, h := range shallow {
		r.shallow[h] = true
	}
	if r.partial, err = partialClone(g); err != nil {
		closeQuietly(closer)
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	return r, nil
}

// partialClone reports whether the repository is a partial clone: git
// marks one with extensions.partialClone or a remote's promisor = true.
func partialClone(g *git.Repository) (bool, error) {
	cfg, err := g.Config()
	if err != nil {
		return false, fmt.Errorf("reading the git configuration: %w", err)
	}
	if cfg.Raw.Section("extensions").Option("partialclone") != "" {
		return true, nil
	}
	for _, remote := range cfg.Raw.Section("remote").Subsections {
		if strings.EqualFold(remote.Option("promisor"), "true") {
			return true, nil
		}
	}
	return false, nil
}

// maxOpenPacks bounds the pack files a Repo keeps open.
const maxOpenPacks = 16

// objectCacheBytes bounds go-git's cache of decoded objects, which mostly
// serves delta bases: the history walk keeps its own cache of trees.
const objectCacheBytes = 16 << 20

// Close releases the pack files the repository keeps open. The Repo must
// not be used afterwards.
func (r *Repo) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

func closeQuietly(c io.Closer) {
	if c != nil {
		c.Close()
	}
}

// Root returns the absolute path of the work tree root.
func (r *Repo) Root() string { return r.root }

// Dir returns the slash-separated path of the opened directory relative to
// the work tree root, "" when it is the root itself.
func (r *Repo) Dir() string { return r.sub }

// Shallow reports whether the repository is a shallow clone.
func (r *Repo) Shallow() bool { return len(r.shallow) > 0 }

// Resolve returns the commit that rev names: HEAD, a local or
// remote-tracking branch, a lightweight or annotated tag, a full or
// abbreviated hash, optionally followed by ~N or ^N. As in git, a name is
// a ref before it is an abbreviated hash (a tag "2024" names its commit,
// not one whose hash starts 2024), and an abbreviation has at least four
// hex digits and names exactly one commit or tag.
func (r *Repo) Resolve(ctx context.Context, rev string) (Hash, error) {
	if err := ctx.Err(); err != nil {
		return Hash{}, err
	}
	if err := supported(rev); err != nil {
		return Hash{}, fmt.Errorf("resolving %q: %w: %w", rev, ErrUnknownRevision, err)
	}
	unknown := func(why error) (Hash, error) {
		switch {
		case why != nil:
			return Hash{}, fmt.Errorf("resolving %q: %w: %w", rev, ErrUnknownRevision, why)
		case r.Shallow():
			return Hash{}, fmt.Errorf("resolving %q: %w: %w", rev, ErrUnknownRevision, ErrShallow)
		}
		return Hash{}, fmt.Errorf("resolving %q: %w", rev, ErrUnknownRevision)
	}
	name, suffix := rev, ""
	if i := strings.IndexAny(rev, "~^"); i >= 0 {
		name, suffix = rev[:i], rev[i:]
	}
	start, err := r.expand(name)
	if err != nil || start.IsZero() {
		return unknown(err)
	}
	// A full hash leaves go-git nothing to guess: it reads the commit (or
	// peels the tag) and walks the suffix.
	h, err := r.git.ResolveRevision(plumbing.Revision(start.String() + suffix))
	if err != nil {
		return unknown(nil)
	}
	return Hash(*h), nil
}

// minAbbrev is the fewest hex digits git takes as an abbreviated hash.
const minAbbrev = 4

// expand returns the object a name (a rev without its ~N and ^N) names:
// a full hash as it is; else the first ref that git's rules make of it
// (name, refs/name, refs/tags/name, refs/heads/name, refs/remotes/name,
// refs/remotes/name/HEAD); else the one commit or tag whose hash starts
// with it. The zero hash means none; an error, an ambiguous abbreviation.
func (r *Repo) expand(name string) (plumbing.Hash, error) {
	if plumbing.IsHash(name) {
		return plumbing.NewHash(name), nil
	}
	if name == "" {
		return plumbing.ZeroHash, nil
	}
	for _, rule := range plumbing.RefRevParseRules {
		ref, err := storer.ResolveReference(r.git.Storer, plumbing.ReferenceName(fmt.Sprintf(rule, name)))
		if err == nil {
			return ref.Hash(), nil
		}
	}
	abbrev := strings.ToLower(name) // git reads hex digits in either case
	if len(abbrev) < minAbbrev || !isHex(abbrev) {
		return plumbing.ZeroHash, nil
	}
	found, err := r.commitsOrTagsWithPrefix(abbrev)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	switch len(found) {
	case 0:
		return plumbing.ZeroHash, nil
	case 1:
		return found[0], nil
	}
	return plumbing.ZeroHash, fmt.Errorf("abbreviated hash %s is ambiguous: %d commits and tags start with it", name, len(found))
}

// commitsOrTagsWithPrefix returns the commits and annotated tags whose
// hash starts with the hex digits prefix, found through the pack indexes
// and loose object directories where the storage offers that.
func (r *Repo) commitsOrTagsWithPrefix(prefix string) ([]plumbing.Hash, error) {
	var candidates []plumbing.Hash
	type prefixIndex interface {
		HashesWithPrefix(prefix []byte) ([]plumbing.Hash, error)
	}
	if pi, ok := r.git.Storer.(prefixIndex); ok {
		whole, err := hex.DecodeString(prefix[:len(prefix)&^1])
		if err != nil {
			return nil, err
		}
		if candidates, err = pi.HashesWithPrefix(whole); err != nil {
			return nil, err
		}
	} else {
		iter, err := r.git.Storer.IterEncodedObjects(plumbing.AnyObject)
		if err != nil {
			return nil, err
		}
		err = iter.ForEach(func(o plumbing.EncodedObject) error {
			candidates = append(candidates, o.Hash())
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var found []plumbing.Hash
	for _, h := range candidates {
		if !strings.HasPrefix(h.String(), prefix) {
			continue
		}
		o, err := r.git.Storer.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return nil, fmt.Errorf("reading object %s: %w", h, err)
		}
		if t := o.Type(); t == plumbing.CommitObject || t == plumbing.TagObject {
			found = append(found, h)
		}
	}
	slices.SortFunc(found, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(found), nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// supported refuses revision syntax that go-git's ResolveRevision would
// silently ignore (rev:path, @{...}, ^{type}), so it never names the wrong
// commit. ^{/regex} goes too: it searches messages, not history.
func supported(rev string) error {
	if strings.ContainsAny(rev, ":{}") {
		return errors.New("only names, hashes, ~N and ^N are supported")
	}
	return nil
}

// MergeBase returns the best common ancestor of a and b, as
// git merge-base does; with several, the first go-git reports.
func (r *Repo) MergeBase(ctx context.Context, a, b Hash) (Hash, error) {
	if err := ctx.Err(); err != nil {
		return Hash{}, err
	}
	ca, err := r.commit(a)
	if err != nil {
		return Hash{}, fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	cb, err := r.commit(b)
	if err != nil {
		return Hash{}, fmt.Errorf("merge base of %s and %s: %w", a, b, err)
	}
	bases, err := ca.MergeBase(cb)
	if err != nil {
		return Hash{}, fmt.Errorf("merge base of %s and %s: %w", a, b, r.historyErr(err))
	}
	if len(bases) == 0 {
		if r.Shallow() {
			return Hash{}, fmt.Errorf("merge base of %s and %s: %w", a, b, ErrShallow)
		}
		return Hash{}, fmt.Errorf("merge base of %s and %s: %w", a, b, ErrNoMergeBase)
	}
	return Hash(bases[0].Hash), nil
}

// commit reads a commit object, mapping a missing object to
// ErrUnknownRevision (and ErrShallow in a shallow clone).
func (r *Repo) commit(h Hash) (*object.Commit, error) {
	c, err := r.git.CommitObject(plumbing.Hash(h))
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			if r.Shallow() {
				return nil, fmt.Errorf("commit %s: %w: %w", h, ErrUnknownRevision, ErrShallow)
			}
			return nil, fmt.Errorf("commit %s: %w", h, ErrUnknownRevision)
		}
		return nil, fmt.Errorf("reading commit %s: %w", h, err)
	}
	return c, nil
}

// historyErr maps a missing object met while reading history to
// ErrPartialClone in a partial clone, else to ErrShallow.
func (r *Repo) historyErr(err error) error {
	switch {
	case !errors.Is(err, plumbing.ErrObjectNotFound):
		return err
	case r.partial && !r.Shallow():
		return fmt.Errorf("%w: %w", ErrPartialClone, err)
	}
	return fmt.Errorf("%w: %w", ErrShallow, err)
}

// gitPath turns a path relative to the opened directory into a path
// relative to the work tree root.
func (r *Repo) gitPath(p string) string {
	p = strings.Trim(path.Clean("/"+p), "/")
	if r.sub == "" {
		return p
	}
	if p == "" {
		return r.sub
	}
	return r.sub + "/" + p
}

// relPath turns a path relative to the work tree root into one relative to
// the opened directory; gitPath must have been under it.
func (r *Repo) relPath(gitPath string) string {
	if r.sub == "" {
		return gitPath
	}
	return strings.TrimPrefix(gitPath, r.sub+"/")
}
