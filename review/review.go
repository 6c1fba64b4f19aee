package review

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/statements"
)

// The rules a review adds to those of statements.Check.
const (
	// RuleStatementDeleted: a statement file of the base is gone.
	RuleStatementDeleted = statements.RuleStatementDeleted
	// RuleStatementIdentityChanged: a file now speaks of another
	// vulnerability or other products.
	RuleStatementIdentityChanged = statements.RuleStatementIdentityChanged
)

// Options are the inputs of Run.
type Options struct {
	// Config is the loaded vexil.yaml; Config.Root is the VEX repository,
	// which may be a subdirectory of a git work tree.
	Config *statements.Config
	// Base names the revision the change is compared with: a branch
	// (local or remote-tracking), a tag or a hash. The comparison starts at
	// the merge base of Base and HEAD, as a pull request's diff does.
	Base string
	// Paths narrow the findings to changed files at or below these paths
	// (relative to Config.Root, or absolute); empty means every changed
	// file. The impact always covers every change.
	Paths []string
	// Check is passed to statements.Check for the changed statements. When
	// its Inventory is set, the impact is computed per release rather than
	// per product.
	Check statements.CheckOptions
}

// Result is what a review found.
type Result struct {
	// Base is the revision as given; BaseCommit, MergeBase and Head are the
	// commits it compared (40 hex digits).
	Base, BaseCommit, MergeBase, Head string
	// Files are the statement files that differ between the merge base and
	// the working tree, sorted by path.
	Files []FileChange
	// ConfigChanged says vexil.yaml differs from the merge base: every
	// statement was checked, since the configuration gives them meaning.
	ConfigChanged bool
	// Statements counts the statements checked (those of changed files).
	Statements int
	// Findings are sorted; paths are relative to Config.Root.
	Findings []statements.Finding
	// Impact lists the status changes from the merge base to the working
	// tree, sorted by product, release (or tags), vulnerability and
	// subcomponent.
	Impact []Impact
}

// FileChange is a statement file that differs between the merge base and
// the working tree.
type FileChange struct {
	Kind gitstore.ChangeKind `json:"kind"`
	// Path is the file's path in the working tree, or at the merge base
	// when Deleted; OldPath is its path at the merge base ("" when Added).
	Path    string `json:"path"`
	OldPath string `json:"old_path,omitempty"`
}

// file is one statement file on both sides of the comparison.
type file struct {
	oldPath, path string // "" when absent on that side
	old, cur      []byte
}

// Run reviews the change from the merge base of opts.Base and HEAD to the
// working tree. Errors wrap gitstore.ErrNotRepository,
// gitstore.ErrUnknownRevision, gitstore.ErrNoMergeBase,
// gitstore.ErrShallow (a shallow clone lacks the history the comparison
// needs: never a guess) or gitstore.ErrPartialClone (a filtered clone
// lacks the merge base's files), or are I/O and registry failures.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Base == "" {
		return nil, ErrNoBase
	}
	cfg := opts.Config
	if cfg == nil {
		return nil, ErrNoConfig
	}
	repo, head, err := openAtHead(ctx, cfg.Root)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	base, err := repo.Resolve(ctx, opts.Base)
	if err != nil {
		return nil, err
	}
	mb, err := repo.MergeBase(ctx, base, head)
	if err != nil {
		return nil, err
	}
	res := &Result{Base: opts.Base, BaseCommit: base.String(), MergeBase: mb.String(), Head: head.String()}

	tree, err := readTree(ctx, cfg.Root)
	if err != nil {
		return nil, err
	}
	files, err := changedFiles(ctx, repo, mb, head, tree)
	if err != nil {
		return nil, err
	}
	if res.ConfigChanged, err = configChanged(ctx, repo, mb, cfg); err != nil {
		return nil, err
	}
	r := &reviewer{cfg: cfg, opts: opts, known: make(map[string]statements.ProductReleases)}
	loadFindings, err := r.load(tree, files, res.ConfigChanged)
	if err != nil {
		return nil, err
	}
	r.index(files)
	r.pair()
	for _, f := range r.files {
		res.Files = append(res.Files, f.change())
	}
	slices.SortFunc(res.Files, func(a, b FileChange) int { return strings.Compare(a.Path, b.Path) })

	findings, checked, err := r.findings(ctx, res.ConfigChanged, loadFindings)
	if err != nil {
		return nil, err
	}
	res.Findings, res.Statements = findings, checked
	if res.Impact, err = r.impact(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// openAtHead opens the git repository of the VEX repository at root and
// resolves HEAD. The caller closes the repository.
func openAtHead(ctx context.Context, root string) (*gitstore.Repo, gitstore.Hash, error) {
	repo, err := gitstore.Open(root)
	if err != nil {
		return nil, gitstore.Hash{}, err
	}
	head, err := repo.Resolve(ctx, "HEAD")
	if err != nil {
		repo.Close()
		return nil, gitstore.Hash{}, err
	}
	return repo, head, nil
}

// changedFiles returns the statement files whose content differs between
// the merge base and the working tree: those changed by commits since the
// merge base, and those whose working tree content differs from HEAD. A
// file changed and then changed back is not among them. Every statement
// file of the working tree counts, ignored by git or not, since check
// reads them all.
func changedFiles(ctx context.Context, repo *gitstore.Repo, mb, head gitstore.Hash, tree map[string]*treeFile) ([]*file, error) {
	changes, err := repo.Changes(ctx, mb, head, statements.StatementsDir)
	if err != nil {
		return nil, err
	}
	atHead, err := repo.Files(ctx, head, statements.StatementsDir)
	if err != nil {
		return nil, err
	}
	candidates := make(map[string]bool)
	for _, c := range changes {
		candidates[c.Path] = true
		if c.OldPath != "" {
			candidates[c.OldPath] = true
		}
	}
	committed := make(map[string]bool, len(atHead))
	for _, f := range atHead {
		committed[f.Path] = true
		if t, ok := tree[f.Path]; !ok || t.hash != f.Hash {
			candidates[f.Path] = true
		}
	}
	for p := range tree {
		if !committed[p] {
			candidates[p] = true
		}
	}
	paths := make([]string, 0, len(candidates))
	for p := range candidates {
		if statements.IsStatementFile(path.Base(p)) {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	var files []*file
	for _, p := range paths {
		old, inBase, err := readAt(ctx, repo, mb, p)
		if err != nil {
			return nil, err
		}
		t, inTree := tree[p]
		switch {
		case inBase && inTree && t.hash == blobHash(old):
			continue // changed and changed back
		case !inBase && !inTree:
			continue // added and removed again
		}
		f := &file{}
		if inBase {
			f.oldPath, f.old = p, old
		}
		if inTree {
			f.path, f.cur = p, t.data
		}
		files = append(files, f)
	}
	return files, nil
}

// readAt reads the file p at the commit rev; ok is false when it does not
// exist there.
func readAt(ctx context.Context, repo *gitstore.Repo, rev gitstore.Hash, p string) (data []byte, ok bool, err error) {
	data, err = repo.ReadFile(ctx, rev, p)
	if errors.Is(err, gitstore.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// configChanged reports whether vexil.yaml differs from the merge base.
func configChanged(ctx context.Context, repo *gitstore.Repo, mb gitstore.Hash, cfg *statements.Config) (bool, error) {
	name := cfg.File
	if name == "" {
		name = filepath.Join(cfg.Root, statements.ConfigFileName)
	}
	rel, err := filepath.Rel(cfg.Root, name)
	if err != nil || strings.HasPrefix(rel, "..") {
		return false, nil // a configuration outside the repository has no history here
	}
	old, ok, err := readAt(ctx, repo, mb, filepath.ToSlash(rel))
	if err != nil {
		return false, err
	}
	if !ok {
		return true, nil // new since the merge base
	}
	cur, err := os.ReadFile(name)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", name, err)
	}
	return !bytes.Equal(old, cur), nil
}

// change describes f for Result.Files.
func (f *file) change() FileChange {
	switch {
	case f.oldPath == "":
		return FileChange{Kind: gitstore.Added, Path: f.path}
	case f.path == "":
		return FileChange{Kind: gitstore.Deleted, Path: f.oldPath, OldPath: f.oldPath}
	case f.path != f.oldPath:
		return FileChange{Kind: gitstore.Renamed, Path: f.path, OldPath: f.oldPath}
	}
	return FileChange{Kind: gitstore.Modified, Path: f.path, OldPath: f.oldPath}
}
