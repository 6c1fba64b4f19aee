package main

import (
	"runtime/debug"

	"golang.org/x/mod/semver"
)

// version returns the released version of this build of vexil, such as
// v1.2.0, or "" for a development build (pseudo-versions, local changes).
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	v := bi.Main.Version
	if !semver.IsValid(v) || semver.Prerelease(v) != "" || semver.Build(v) != "" {
		return ""
	}
	return v
}
