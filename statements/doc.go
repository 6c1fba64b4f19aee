// Package statements owns the authoring model of vexil: the vexil.yaml
// configuration, statement files (YAML, one statement per file, and plain
// OpenVEX JSON documents) decoded strictly with positions, and the rules
// that `vexil check` enforces, reported as Findings.
//
// The online rules ask a small SBOM interface defined here; this package
// must not import cobra, oras-go, go-git or cosign, and never prints.
package statements
