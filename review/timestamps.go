package review

import (
	"context"
	"slices"
	"time"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/statements"
)

// FileTimes are the times of the statement files of a VEX repository.
type FileTimes struct {
	// Head is the commit HEAD names (40 hex digits).
	Head string
	// Times maps each statement file of the working tree (slash path
	// relative to the repository root, as Statement.File) to its time: the
	// commit time (UTC) of the last commit that changed it, or now when it
	// has uncommitted changes.
	Times map[string]time.Time
	// Dirty lists, sorted, the files under statements/ with uncommitted
	// changes (modified, added, untracked or deleted). publish refuses
	// to run when it is not empty.
	Dirty []string
}

// Timestamps returns the time of every statement file of the VEX
// repository at root (which may be a subdirectory of a git work tree), as
// DESIGN.md fixes statement timestamps: the commit time of the last commit
// that changed the file, from one walk over the history (a merge that only
// brings a branch in changes nothing: TREESAME), or now for a file with
// uncommitted changes. In a shallow clone whose missing history is needed,
// the error wraps gitstore.ErrShallow.
func Timestamps(ctx context.Context, root string, now time.Time) (*FileTimes, error) {
	repo, head, err := openAtHead(ctx, root)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	last, err := repo.LastChanges(ctx, head, statements.StatementsDir)
	if err != nil {
		return nil, err
	}
	status, err := repo.Status(ctx, statements.StatementsDir)
	if err != nil {
		return nil, err
	}
	ft := &FileTimes{Head: head.String(), Times: make(map[string]time.Time, len(last)+len(status))}
	for p, c := range last {
		ft.Times[p] = c.Time.UTC()
	}
	for p, st := range status {
		ft.Dirty = append(ft.Dirty, p)
		if st == gitstore.StatusDeleted {
			delete(ft.Times, p)
		} else {
			ft.Times[p] = now.UTC()
		}
	}
	slices.Sort(ft.Dirty)
	return ft, nil
}
