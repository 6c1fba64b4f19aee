package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/statements"
)

// source is what the git repository says about the statements: the commit
// published and the time of each statement file.
type source struct {
	commit string
	// times maps a statement file (relative to the repository root) to
	// the commit time of the last commit that changed it, or to the
	// injected clock when it has uncommitted changes.
	times map[string]time.Time
}

// readSource opens the VEX repository at cfg.Root, refuses uncommitted
// changes to statements/ and vexil.yaml unless allowDirty, and finds the
// last change of every statement file in one walk over the history.
func readSource(ctx context.Context, cfg *statements.Config, allowDirty bool, now func() time.Time) (*source, error) {
	repo, err := gitstore.Open(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("opening the git repository of %s: %w", cfg.Root, err)
	}
	defer repo.Close()
	head, err := repo.Resolve(ctx, "HEAD")
	if err != nil {
		return nil, fmt.Errorf("resolving HEAD of %s: %w", cfg.Root, err)
	}
	dirty, err := dirtyFiles(ctx, repo, head, cfg)
	if err != nil {
		return nil, err
	}
	if len(dirty) > 0 && !allowDirty {
		return nil, fmt.Errorf("%w in %s: %s; commit them, or pass --allow-dirty", ErrDirty, cfg.Root, joinShort(dirty))
	}
	last, err := repo.LastChanges(ctx, head, statements.StatementsDir)
	if err != nil {
		return nil, fmt.Errorf("reading the history of %s: %w", cfg.Root, err)
	}
	src := &source{commit: head.String(), times: make(map[string]time.Time, len(last)+len(dirty))}
	for p, c := range last {
		src.times[p] = c.Time.UTC()
	}
	for _, p := range dirty {
		if p == statements.ConfigFileName {
			continue
		}
		if now == nil {
			return nil, fmt.Errorf("%w: %s", ErrNoClock, p)
		}
		src.times[p] = now().UTC().Truncate(time.Second)
	}
	return src, nil
}

// dirtyFiles lists, sorted, the files under statements/ with uncommitted
// changes, and vexil.yaml when it differs from HEAD.
func dirtyFiles(ctx context.Context, repo *gitstore.Repo, head gitstore.Hash, cfg *statements.Config) ([]string, error) {
	st, err := repo.Status(ctx, statements.StatementsDir)
	if err != nil {
		return nil, fmt.Errorf("reading the status of %s: %w", cfg.Root, err)
	}
	var dirty []string
	for p := range st {
		dirty = append(dirty, p)
	}
	committed, err := repo.ReadFile(ctx, head, statements.ConfigFileName)
	if err != nil && !isNotFound(err) {
		return nil, fmt.Errorf("reading %s at HEAD: %w", statements.ConfigFileName, err)
	}
	onDisk, rerr := os.ReadFile(filepath.Join(cfg.Root, statements.ConfigFileName))
	if rerr != nil {
		return nil, fmt.Errorf("reading %s: %w", statements.ConfigFileName, rerr)
	}
	if err != nil || !bytes.Equal(committed, onDisk) {
		dirty = append(dirty, statements.ConfigFileName)
	}
	slices.Sort(dirty)
	return dirty, nil
}

// joinShort lists up to five paths and how many more there are.
func joinShort(ps []string) string {
	const max = 5
	s := ""
	for i, p := range ps {
		if i == max {
			return s + fmt.Sprintf(" and %d more", len(ps)-max)
		}
		if i > 0 {
			s += ", "
		}
		s += p
	}
	return s
}

// selects reports whether the statement is about the release tag of
// product: one of its selectors names the product, with no tag globs or a
// glob that matches tag.
func selects(s *statements.Statement, product, tag string) bool {
	for _, sel := range s.Products {
		if sel.Name != product {
			continue
		}
		if len(sel.Tags) == 0 {
			return true
		}
		for _, g := range sel.Tags {
			if ok, _ := path.Match(g, tag); ok {
				return true
			}
		}
	}
	return false
}

func isNotFound(err error) bool { return errors.Is(err, gitstore.ErrNotFound) }
