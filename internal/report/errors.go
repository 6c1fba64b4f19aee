package report

import "errors"

// ErrUnknownFormat is returned by ParseFormat for a name that is not one of
// Formats.
var ErrUnknownFormat = errors.New("unknown output format")
