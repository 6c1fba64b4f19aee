package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/vexil-dev/vexil/statements"
)

// Format is an output format of `vexil check`.
type Format string

// The formats Write renders.
const (
	Text     Format = "text"
	JSON     Format = "json"
	GitHub   Format = "github"
	Markdown Format = "markdown"
	SARIF    Format = "sarif"
)

// Formats lists every format, in the order the help text shows them.
func Formats() []Format { return []Format{Text, JSON, GitHub, Markdown, SARIF} }

// ParseFormat returns the Format named s.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w %q (want one of %s)", ErrUnknownFormat, s, FormatNames())
}

// FormatNames returns the names of Formats joined by "|", for help texts.
func FormatNames() string {
	formats := Formats()
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	return strings.Join(names, "|")
}

// ToolName is the name reports give the tool that found the problems.
const ToolName = "vexil"

// InformationURI is the home page of vexil.
const InformationURI = "https://github.com/vexil-dev/vexil"

// RulesURI is the page documenting every rule id; a rule's section is
// RulesURI + "#" + id.
const RulesURI = InformationURI + "/blob/main/docs/rules.md"

// RuleURI returns the address of the documentation of rule id.
func RuleURI(id string) string { return RulesURI + "#" + id }

// Options tune the renderers that describe the tool.
type Options struct {
	// ToolVersion is the released version of vexil, or empty for a
	// development build (then no version is written, so that output stays
	// deterministic).
	ToolVersion string
}

// Write renders findings in format f to w. findings must already be sorted
// (statements.SortFindings). Of each file, at most
// statements.MaxFindingsPerFile findings are shown, then one
// too-many-findings finding counts the rest (statements.LimitFindings).
func Write(w io.Writer, f Format, findings []statements.Finding, opts Options) error {
	findings = statements.LimitFindings(findings, statements.MaxFindingsPerFile)
	switch f {
	case Text:
		return WriteText(w, findings)
	case JSON:
		return WriteJSON(w, findings)
	case GitHub:
		return WriteGitHub(w, findings)
	case Markdown:
		return WriteMarkdown(w, findings)
	case SARIF:
		return WriteSARIF(w, findings, opts)
	}
	return fmt.Errorf("%w %q", ErrUnknownFormat, f)
}

// Counts tallies findings by severity.
type Counts struct {
	Errors, Warnings int
}

// Count tallies findings by severity.
func Count(findings []statements.Finding) Counts {
	var c Counts
	for _, f := range findings {
		if f.Severity == statements.SeverityError {
			c.Errors++
		} else {
			c.Warnings++
		}
	}
	return c
}

// String renders the counts as "2 errors, 1 warning".
func (c Counts) String() string {
	return Plural(c.Errors, "error") + ", " + Plural(c.Warnings, "warning")
}

// Plural renders n and noun, with an s unless n is 1: "1 file", "3 files".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
