package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/review"
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

// readSource reads the times of the statement files (review.Timestamps:
// one walk over the history), and refuses uncommitted changes to
// statements/ and vexil.yaml unless allowDirty.
func readSource(ctx context.Context, cfg *statements.Config, allowDirty bool, now func() time.Time) (*source, error) {
	var clock time.Time
	if now != nil {
		clock = now()
	}
	ft, err := review.Timestamps(ctx, cfg.Root, clock)
	if err != nil {
		return nil, fmt.Errorf("reading the history of %s: %w", cfg.Root, err)
	}
	dirty := slices.Clone(ft.Dirty)
	configDirty, err := configChanged(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if configDirty {
		dirty = append(dirty, statements.ConfigFileName)
		slices.Sort(dirty)
	}
	if len(dirty) > 0 && !allowDirty {
		return nil, fmt.Errorf("%w in %s: %s; commit them, or pass --allow-dirty", ErrDirty, cfg.Root, joinShort(dirty))
	}
	if len(ft.Dirty) > 0 && now == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoClock, joinShort(ft.Dirty))
	}
	return &source{commit: ft.Head, times: ft.Times}, nil
}

// configChanged reports whether vexil.yaml differs from its version at
// HEAD (or is not committed).
func configChanged(ctx context.Context, cfg *statements.Config) (bool, error) {
	repo, err := gitstore.Open(cfg.Root)
	if err != nil {
		return false, fmt.Errorf("opening the git repository of %s: %w", cfg.Root, err)
	}
	defer repo.Close()
	head, err := repo.Resolve(ctx, "HEAD")
	if err != nil {
		return false, fmt.Errorf("resolving HEAD of %s: %w", cfg.Root, err)
	}
	committed, err := repo.ReadFile(ctx, head, statements.ConfigFileName)
	if isNotFound(err) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading %s at HEAD: %w", statements.ConfigFileName, err)
	}
	onDisk, err := os.ReadFile(filepath.Join(cfg.Root, statements.ConfigFileName))
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", statements.ConfigFileName, err)
	}
	return !bytes.Equal(committed, onDisk), nil
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
		if sel.Name == product && sel.Selects(tag) {
			return true
		}
	}
	return false
}

func isNotFound(err error) bool { return errors.Is(err, gitstore.ErrNotFound) }
