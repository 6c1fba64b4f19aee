package review

import "errors"

// ErrNoBase means Options.Base is empty: a review needs a revision to
// compare with.
var ErrNoBase = errors.New("no base revision to compare with")
