// Package gitstore reads a git repository through go-git: files at any
// revision, the changes between two revisions, the last commit that
// changed each file (from one walk over the history), and which files of
// the working tree have uncommitted changes. It is the only importer of
// go-git, knows nothing of VEX and never prints.
//
// A Repo is opened at a directory of a work tree, which may be a
// subdirectory of the repository (a VEX repository kept inside a larger
// one). Every path a Repo takes or returns is slash-separated and relative
// to that directory; a prefix names a directory ("" for all of it), never a
// partial file name.
//
// Nothing here guesses: history a shallow clone lacks yields an error
// wrapping ErrShallow, and objects a partial clone's filter left out one
// wrapping ErrPartialClone, each saying how to fetch them, never a wrong
// answer.
package gitstore
