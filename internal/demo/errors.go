package demo

import "errors"

// ErrNotLoopback reports a registry address that is not on a loopback
// interface: the demo registry takes pushes from anyone who reaches it.
var ErrNotLoopback = errors.New("not a loopback address")
