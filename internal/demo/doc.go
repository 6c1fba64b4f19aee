// Package demo holds the parts of `vexil demo` that are not vexil's own
// commands: an in-process OCI registry on a loopback port, a cosign key pair
// made on the fly, a git commit written without a git binary, and the
// sample release it pushes. The demo's steps themselves are vexil's real
// commands, run in-process by cmd/vexil.
//
// Everything here is pure Go, so `go run ./cmd/vexil demo` works on a
// machine with nothing but Go. It never prints.
package demo
