package statements

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity says whether a Finding fails a check (error) or only informs (warning).
type Severity string

// The severities of a Finding.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Position is a place in a file, 1-based. A zero Line means the whole file.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Finding is one problem found in a VEX repository, at a place in a file,
// under a stable rule id.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// String renders the finding as `path:line:col: rule: message`.
func (f Finding) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", f.File, f.Line, f.Column, f.Rule, f.Message)
}

// SortFindings orders findings by file, line, column, rule and message, so
// that every report is deterministic.
func SortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// HasErrors reports whether any finding has error severity.
func HasErrors(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SeverityError {
			return true
		}
	}
	return false
}
