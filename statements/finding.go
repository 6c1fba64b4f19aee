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

// nth returns the position of the i-th entry of a list, or fallback (the
// list's or the statement's own) where the entry's was not recorded.
func nth(ps []Position, i int, fallback Position) Position {
	if i < len(ps) {
		return ps[i]
	}
	return fallback
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

	// more counts the findings a RuleTooManyFindings finding stands for,
	// so that LimitFindings can merge it with findings added later.
	more int
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

// MaxFindingsPerFile is how many findings of one file LimitFindings keeps,
// and so how many a report shows: a hostile file of 1 MiB can otherwise
// give half a million findings.
const MaxFindingsPerFile = 100

// LimitFindings returns fs with at most limit findings per file: the first
// limit of each file are kept and the rest are replaced by one
// RuleTooManyFindings finding, placed at the first finding left out, that
// says how many are not shown. Its severity is error when any finding it
// stands for is an error, so HasErrors answers as it would over fs. fs
// must be sorted (SortFindings) and is not modified. A too-many-findings
// finding already in fs is counted into the new one, so findings limited
// once may be merged with others and limited again.
func LimitFindings(fs []Finding, limit int) []Finding {
	limit = max(limit, 0)
	var out []Finding
	for i := 0; i < len(fs); {
		j := i
		for j < len(fs) && fs[j].File == fs[i].File {
			j++
		}
		out = appendLimited(out, fs[i:j], limit)
		i = j
	}
	return out
}

// appendLimited appends the findings of one file to out, limited as
// LimitFindings says.
func appendLimited(out, file []Finding, limit int) []Finding {
	kept := 0
	var summary Finding
	for _, f := range file {
		n := f.more
		if f.Rule != RuleTooManyFindings || n == 0 {
			if kept < limit {
				out = append(out, f)
				kept++
				continue
			}
			n = 1
		}
		if summary.more == 0 {
			summary = Finding{File: f.File, Line: f.Line, Column: f.Column, Rule: RuleTooManyFindings, Severity: SeverityWarning}
		}
		summary.more += n
		if f.Severity == SeverityError {
			summary.Severity = SeverityError
		}
	}
	if summary.more == 0 {
		return out
	}
	summary.Message = fmt.Sprintf("%d more %s not shown; fix the %d above and check again",
		summary.more, findingsAre(summary.more), kept)
	return append(out, summary)
}

// findingsAre returns "finding is" or "findings are", as n needs.
func findingsAre(n int) string {
	if n == 1 {
		return "finding is"
	}
	return "findings are"
}
