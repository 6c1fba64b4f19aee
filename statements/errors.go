package statements

import "errors"

// ErrNoConfig is returned by FindConfig when no vexil.yaml exists in the
// directory or any of its parents.
var ErrNoConfig = errors.New("no " + ConfigFileName + " found in this directory or any parent")
