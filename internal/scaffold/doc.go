// Package scaffold holds what `vexil init` writes into a new VEX
// repository — a commented vexil.yaml, the statements directory and two
// GitHub Actions workflows — as embedded templates, and writes them without
// ever overwriting a file unless told to.
//
// It imports only the standard library and never prints.
package scaffold
