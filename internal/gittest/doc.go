// Package gittest makes real git repositories for the tests and benchmarks
// of gitstore and review: it drives the git CLI with a fixed identity, no
// user or system configuration and the commit dates a test chooses, so
// hashes are stable; it generates, once per machine, the large repository
// the benchmarks share; and it measures what a benchmark cost in CPU time
// and peak memory.
//
// Only tests import it. It knows nothing of VEX beyond the shape of the
// files it generates, and imports the standard library alone (never
// go-git: what it makes is read back through gitstore).
package gittest
