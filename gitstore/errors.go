package gitstore

import "errors"

var (
	// ErrNotRepository means no git repository contains the directory.
	ErrNotRepository = errors.New("not a git repository")
	// ErrUnknownRevision means a revision names no commit of the repository.
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrNotFound means a path does not exist at a revision.
	ErrNotFound = errors.New("file not found")
	// ErrNoMergeBase means two commits have no common ancestor.
	ErrNoMergeBase = errors.New("no merge base")
	// ErrShallow means the answer needs history that a shallow clone lacks.
	// Errors wrapping it say how to fetch the full history.
	ErrShallow = errors.New("shallow clone: history incomplete; fetch the full history " +
		"(git fetch --unshallow, or fetch-depth: 0 in actions/checkout)")
	// ErrPartialClone means the answer needs objects that a partial clone
	// (made with a filter, such as blob:none) did not fetch; go-git cannot
	// fetch them on demand as git does.
	ErrPartialClone = errors.New("partial clone: objects missing; fetch them " +
		"(git fetch --refetch --no-filter origin), or clone without a filter (no filter: in actions/checkout)")
)
