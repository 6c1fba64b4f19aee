package publish

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vexil-dev/vexil/statements"
)

// Sentinel errors, for errors.Is. Errors returned by this package wrap them
// (or an error of the package they come from) and name what they concern.
var (
	// ErrFindings means the statements have findings with errors: nothing
	// was signed or pushed. The error is a *FindingsError.
	ErrFindings = errors.New("statements have findings with errors")
	// ErrDirty means statement files (or vexil.yaml) have uncommitted
	// changes and Options.AllowDirty is not set.
	ErrDirty = errors.New("uncommitted changes")
	// ErrReleaseChanged means a release tag resolved to another manifest
	// after publishing than before: someone changed a release, which
	// publish never does.
	ErrReleaseChanged = errors.New("release changed during publish")
	// ErrIncomplete means some subjects were published and others not.
	// The error is a *IncompleteError; running publish again finishes the
	// work without duplicates.
	ErrIncomplete = errors.New("publish incomplete")
	// ErrNoSigner means Run was called without a Signer.
	ErrNoSigner = errors.New("no signer")
	// ErrNoClock means a statement file has uncommitted changes, so git
	// has no time for it, and Options.Now is not set.
	ErrNoClock = errors.New("no clock for uncommitted statement files")
	// ErrSubjects means publish.subjects in vexil.yaml names something
	// other than index and platforms.
	ErrSubjects = errors.New("invalid publish.subjects")
	// ErrReferrerLost means a pushed referrer was no longer listed for its
	// subject at the end of the run, even after adding it again.
	ErrReferrerLost = errors.New("pushed referrer not listed")
)

// FindingsError carries the findings that stopped publish before anything
// was signed. It matches ErrFindings.
type FindingsError struct {
	// Findings are every finding, sorted; at least one is an error.
	Findings []statements.Finding
}

// Error says how many of the findings are errors.
func (e *FindingsError) Error() string {
	n := 0
	for _, f := range e.Findings {
		if f.Severity == statements.SeverityError {
			n++
		}
	}
	return fmt.Sprintf("%v: %d error(s); nothing was signed or pushed", ErrFindings, n)
}

// Is reports whether target is ErrFindings.
func (e *FindingsError) Is(target error) bool { return target == ErrFindings }

// IncompleteError says which subjects a failed Run published and which it
// did not. It matches ErrIncomplete and unwraps to the failures.
type IncompleteError struct {
	// Done are the subjects that have their referrer (pushed now or
	// before); NotDone are the others. Both are "repository@digest".
	Done, NotDone []string
	// Err joins the failures; First is the first of them, of Failures.
	Err      error
	First    error
	Failures int
}

// Error lists the subjects done and not done, and the first failure.
func (e *IncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v: %d of %d subjects done", ErrIncomplete, len(e.Done), len(e.Done)+len(e.NotDone))
	fmt.Fprintf(&b, "\n  done:     %s", list(e.Done))
	fmt.Fprintf(&b, "\n  not done: %s", list(e.NotDone))
	first := e.First
	if first == nil {
		first = e.Err
	}
	fmt.Fprintf(&b, "\n  cause:    %v", first)
	if e.Failures > 1 {
		fmt.Fprintf(&b, "\n            (and %d more failures)", e.Failures-1)
	}
	return b.String()
}

// list renders subjects one a line, aligned under the first.
func list(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "\n            ")
}

// Is reports whether target is ErrIncomplete.
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

// Unwrap returns the failures.
func (e *IncompleteError) Unwrap() error { return e.Err }
