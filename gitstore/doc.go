// Package gitstore reads a git repository through go-git: files at any
// revision, the changes between two revisions, and the last commit that
// changed each file, from one walk over the history. It is the only
// importer of go-git and knows nothing of VEX.
package gitstore
