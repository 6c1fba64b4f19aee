package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/scaffold"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/publish"
	"github.com/vexil-dev/vexil/statements"
)

// Exit codes of vexil.
const (
	exitOK       = 0 // no errors (warnings allowed)
	exitFindings = 1 // findings with errors
	exitUsage    = 2 // usage or configuration error
	exitFailure  = 3 // registry or I/O failure
)

// Sentinel errors of the commands; handleError maps them to exit codes and
// hints.
var (
	// errFindings says the findings printed contain errors. Returned bare,
	// it prints nothing more: the report has said it all.
	errFindings = errors.New("findings with errors")
	// errInvalidConfig says vexil.yaml has findings with errors.
	errInvalidConfig = errors.New("invalid configuration")
	// errStatementExists says a statement file to create already exists.
	errStatementExists = errors.New("statement file already exists")
)

// findingsError says that findings with errors stopped a command, once the
// findings are printed. It matches errFindings.
type findingsError struct{ msg string }

func (e *findingsError) Error() string        { return e.msg }
func (e *findingsError) Is(target error) bool { return target == errFindings }

// usageError is a mistake on the command line.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usageErrorf returns a usageError with a formatted message.
func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// classify maps err to an exit code and a hint the user can act on. It is
// the one place that decides exit codes.
func classify(env *environment, cmd *cobra.Command, err error) (code int, hint string) {
	var usage *usageError
	switch {
	case err == nil:
		return exitOK, ""
	case errors.Is(err, errFindings):
		return exitFindings, ""
	case errors.Is(err, statements.ErrNoConfig):
		return exitUsage, "run 'vexil init' to create one, or pass --config PATH"
	case errors.Is(err, errInvalidConfig):
		return exitUsage, "fix the findings in " + statements.ConfigFileName + " above"
	case errors.Is(err, scaffold.ErrExists):
		return exitUsage, "nothing was written; pass --force to overwrite them"
	case errors.Is(err, errStatementExists):
		return exitUsage, "edit the existing file, or choose another path with --file"
	case errors.Is(err, oci.ErrUnreachable):
		return exitFailure, "check that the registry is up and reachable (--plain-http for a loopback registry), or pass --offline to run every rule that needs no registry"
	case errors.Is(err, gitstore.ErrShallow):
		// Before ErrUnknownRevision: in a shallow clone, a missing
		// revision wraps both.
		return exitUsage, "fetch the base and the history since it: git fetch --unshallow origin, or fetch-depth: 0 in actions/checkout"
	case errors.Is(err, gitstore.ErrPartialClone):
		return exitUsage, "fetch what the clone's filter left out: git fetch --refetch --no-filter origin, or drop filter: from actions/checkout"
	case errors.Is(err, gitstore.ErrUnknownRevision), errors.Is(err, gitstore.ErrNoMergeBase):
		return exitUsage, "pass --base a branch, tag or commit that shares history with HEAD (in CI, fetch it first: git fetch origin BRANCH)"
	case errors.Is(err, gitstore.ErrNotRepository):
		return exitUsage, "vexil reads the statements' history from git: run it in a clone (with a work tree) of the repository that holds vexil.yaml"
	case errors.Is(err, publish.ErrDirty):
		return exitUsage, "commit the statement files first, or pass --allow-dirty"
	case errors.Is(err, publish.ErrReleaseChanged):
		return exitFailure, "a release tag moved while publishing; vexil never moves tags: find out who did"
	case errors.Is(err, publish.ErrIncomplete):
		return exitFailure, "run 'vexil publish' again: it pushes only what is missing"
	case errors.Is(err, sign.ErrKey), errors.Is(err, sign.ErrNoIDToken), errors.Is(err, sign.ErrOptions):
		return exitUsage, "check --key and COSIGN_PASSWORD, or for --keyless the OIDC token in SIGSTORE_ID_TOKEN"
	case errors.As(err, &usage), !env.started:
		// Before a command starts, every error is cobra's: a flag, an
		// argument or a command it does not know.
		return exitUsage, fmt.Sprintf("run '%s --help' for usage", cmd.CommandPath())
	}
	return exitFailure, ""
}

// handleError prints err as "vexil: <msg>" and its hint on stderr, and
// returns the exit code.
func handleError(env *environment, cmd *cobra.Command, err error) int {
	code, hint := classify(env, cmd, err)
	if err == nil || err == errFindings {
		return code
	}
	fmt.Fprintf(env.Err, "vexil: %v\n", err)
	if hint != "" {
		fmt.Fprintf(env.Err, "hint: %s\n", hint)
	}
	return code
}
