// Package review answers what `vexil check --base REV` asks of a pull
// request: which statement files changed since the merge base of REV and
// HEAD (the working tree counts: uncommitted edits are changes), the
// findings of those files and the conflicts they introduce, statements
// deleted or rewritten to speak of another vulnerability or other products,
// and, per product or release, which vulnerabilities change status.
//
// It also gives each statement file its time (Timestamps): the commit time
// of the last commit that changed it, or an injected clock for uncommitted
// changes.
//
// review reads git through gitstore and statements through statements; it
// never prints and never imports cobra, go-git or registry code.
package review
