// Package report renders the findings of `vexil check` in the formats the
// command line offers: text for people, json for programs, github workflow
// commands for pull-request annotations, markdown for a PR comment or a job
// summary, and SARIF 2.1.0 for GitHub code scanning.
//
// Every renderer writes to an io.Writer and is deterministic: the same
// findings give the same bytes. Only cmd/vexil imports this package; it
// imports nothing but the statements model and the standard library.
package report
