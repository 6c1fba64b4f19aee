package statements

import (
	"context"
	"errors"
)

// This file fixes the API the command line builds on. The bodies are filled
// by the statements work; the signatures are the contract.

// ConfigFileName is the name of the configuration file at the root of a
// VEX repository.
const ConfigFileName = "vexil.yaml"

// ErrNoConfig is returned by FindConfig when no vexil.yaml exists in the
// directory or any of its parents.
var ErrNoConfig = errors.New("no " + ConfigFileName + " found in this directory or any parent")

// FindConfig walks up from dir, like git does, and returns the path of the
// first vexil.yaml it finds.
func FindConfig(dir string) (string, error) { panic("not implemented") }

// LoadConfig reads and strictly decodes vexil.yaml. Problems in its content
// (syntax, unknown or duplicate keys, wrong types, bad globs) come back as
// findings with positions; err is only for I/O failures.
func LoadConfig(path string) (*Config, []Finding, error) { panic("not implemented") }

// LoadStatements decodes the statement files named by paths (files or
// directories, relative to root or absolute, never outside root), or every
// statement file under root/statements when paths is empty. Files that
// cannot be decoded give findings; err is only for I/O failures that stop
// the whole load.
func LoadStatements(root string, paths []string) ([]Statement, []Finding, error) {
	panic("not implemented")
}

// CheckOptions selects which rules Check runs.
type CheckOptions struct{}

// Check runs the rules of `vexil check` over the loaded statements and
// returns every finding, sorted.
func Check(ctx context.Context, cfg *Config, stmts []Statement, opts CheckOptions) ([]Finding, error) {
	panic("not implemented")
}

// Marshal renders a statement in the YAML statement file format.
func Marshal(s Statement) ([]byte, error) { panic("not implemented") }
