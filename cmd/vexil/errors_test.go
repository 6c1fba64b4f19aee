package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/scaffold"
	"github.com/vexil-dev/vexil/statements"
)

func TestHandleError(t *testing.T) {
	cmd := &cobra.Command{Use: "check"}
	tests := []struct {
		name    string
		err     error
		started bool
		code    int
		stderr  string
	}{
		{"nil", nil, true, exitOK, ""},
		{"findings, bare", errFindings, true, exitFindings, ""},
		{"findings, described", &findingsError{msg: "x.yaml not written: 1 error, 0 warnings"}, true, exitFindings,
			"vexil: x.yaml not written: 1 error, 0 warnings\n"},
		{"no config", statements.ErrNoConfig, true, exitUsage,
			"vexil: no vexil.yaml found in this directory or any parent\nhint: run 'vexil init' to create one, or pass --config PATH\n"},
		{"invalid config", fmt.Errorf("%w: vexil.yaml has 1 error", errInvalidConfig), true, exitUsage,
			"vexil: invalid configuration: vexil.yaml has 1 error\nhint: fix the findings in vexil.yaml above\n"},
		{"init exists", &scaffold.ExistsError{Paths: []string{"vexil.yaml"}}, true, exitUsage,
			"vexil: vexil.yaml: file already exists\nhint: nothing was written; pass --force to overwrite them\n"},
		{"statement exists", fmt.Errorf("a.yaml: %w", errStatementExists), true, exitUsage,
			"vexil: a.yaml: statement file already exists\nhint: edit the existing file, or choose another path with --file\n"},
		{"registry down", fmt.Errorf("checking statements: product proxy: listing tags of 127.0.0.1:1/acme/proxy: %w: connection refused", oci.ErrUnreachable), true, exitFailure,
			"vexil: checking statements: product proxy: listing tags of 127.0.0.1:1/acme/proxy: registry unreachable: connection refused\nhint: check that the registry is up and reachable (--plain-http for a loopback registry), or pass --offline to run every rule that needs no registry\n"},
		{"base in a shallow clone", fmt.Errorf("comparing with --base origin/main: resolving %q: %w: %w", "origin/main", gitstore.ErrUnknownRevision, gitstore.ErrShallow), true, exitUsage,
			"vexil: comparing with --base origin/main: resolving \"origin/main\": unknown revision: " + gitstore.ErrShallow.Error() +
				"\nhint: fetch the base and the history since it: git fetch --unshallow origin, or fetch-depth: 0 in actions/checkout\n"},
		{"partial clone", fmt.Errorf("reading statements/a.yaml at base: %w", gitstore.ErrPartialClone), true, exitUsage,
			"vexil: reading statements/a.yaml at base: " + gitstore.ErrPartialClone.Error() +
				"\nhint: fetch what the clone's filter left out: git fetch --refetch --no-filter origin, or drop filter: from actions/checkout\n"},
		{"base unknown", fmt.Errorf("comparing with --base nope: resolving %q: %w", "nope", gitstore.ErrUnknownRevision), true, exitUsage,
			"vexil: comparing with --base nope: resolving \"nope\": unknown revision\n" +
				"hint: pass --base a branch, tag or commit that shares history with HEAD (in CI, fetch it first: git fetch origin BRANCH)\n"},
		{"base unrelated", fmt.Errorf("comparing with --base other: %w", gitstore.ErrNoMergeBase), true, exitUsage,
			"vexil: comparing with --base other: no merge base\n" +
				"hint: pass --base a branch, tag or commit that shares history with HEAD (in CI, fetch it first: git fetch origin BRANCH)\n"},
		{"usage", usageErrorf("bad flag"), true, exitUsage, "vexil: bad flag\nhint: run 'check --help' for usage\n"},
		{"cobra, before the command started", errors.New("unknown command"), false, exitUsage,
			"vexil: unknown command\nhint: run 'check --help' for usage\n"},
		{"I/O", fmt.Errorf("loading statements: %w", fs.ErrPermission), true, exitFailure,
			"vexil: loading statements: permission denied\n"},
		{"cancelled", context.Canceled, true, exitFailure, "vexil: context canceled\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			env := &environment{Err: &stderr, started: tt.started}
			if got := handleError(env, cmd, tt.err); got != tt.code {
				t.Errorf("got exit code %d, want %d", got, tt.code)
			}
			if got := stderr.String(); got != tt.stderr {
				t.Errorf("got stderr %q, want %q", got, tt.stderr)
			}
		})
	}
}

// TestMainVersion runs Main itself, with the process's streams replaced.
func TestMainVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"--version"}, nil, &stdout, &stderr)
	if code != 0 || stdout.String() != "vexil version devel\n" || stderr.Len() != 0 {
		t.Errorf("got %d, stdout %q, stderr %q, want 0 and the version", code, stdout.String(), stderr.String())
	}
}
