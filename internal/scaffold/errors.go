package scaffold

import "errors"

// ErrExists is wrapped by the error Write returns when files it would write
// already exist and overwriting was not asked for.
var ErrExists = errors.New("file already exists")
