package review

import "errors"

// ErrNoBase means Options.Base is empty: a review needs a revision to
// compare with.
var ErrNoBase = errors.New("no base revision to compare with")

// ErrNoConfig means Options.Config is nil: a review needs the loaded
// vexil.yaml.
var ErrNoConfig = errors.New("no configuration")
