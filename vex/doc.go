// Package vex builds, canonicalises and merges OpenVEX documents on go-vex:
// one deterministic document per release for publish, and one effective
// document per image for pull. It knows nothing of registries, git or
// signing, and never prints.
package vex
