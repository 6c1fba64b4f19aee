package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/vexil-dev/vexil/statements"
)

// StatusChange is one line of the impact of a change (`check --base`): the
// effective status of a vulnerability (and subcomponent) for a release of
// a product, or for the releases a tag selection names when the releases
// are not known. An empty Before or After means no statement applies.
//
// Its fields are those of review.Impact, in the same order and of the same
// types, so that a review's impact converts with StatusChange(impact) and
// String is the one rendering of an impact line.
type StatusChange struct {
	Product string `json:"product"`
	// Release is the release's tag; empty when the releases are not known.
	Release string `json:"release,omitempty"`
	// Tags is the statements' tag selection when the releases are not
	// known; empty means every release of the product.
	Tags          []string          `json:"tags,omitempty"`
	Vulnerability string            `json:"vulnerability"`
	Subcomponent  string            `json:"subcomponent,omitempty"`
	Before        statements.Status `json:"before,omitempty"`
	After         statements.Status `json:"after,omitempty"`
}

// String renders the change in one line:
// `proxy enterprise-2.19.5: CVE-2023-44487 under_investigation → not_affected`.
func (c StatusChange) String() string {
	var b strings.Builder
	b.WriteString(c.Product)
	switch {
	case c.Release != "":
		b.WriteString(" " + c.Release)
	case len(c.Tags) > 0:
		b.WriteString(" (tags " + strings.Join(c.Tags, ", ") + ")")
	}
	b.WriteString(": " + c.Vulnerability)
	if c.Subcomponent != "" {
		b.WriteString(" in " + c.Subcomponent)
	}
	fmt.Fprintf(&b, " %s → %s", orDash(c.Before), orDash(c.After))
	return b.String()
}

func orDash(s statements.Status) string {
	if s == "" {
		return "—"
	}
	return string(s)
}

// Review is what `vexil check --base` reports beside the findings.
type Review struct {
	// Base is the revision compared with, as the user gave it; MergeBase
	// is the commit the comparison starts from (40 hex digits).
	Base, MergeBase string
	// Files counts the statement files that changed.
	Files int
	// Impact lists the status changes, sorted.
	Impact []StatusChange
}

// WriteReview renders the findings and the impact of a change in format
// f: json gives {"findings": [...], "impact": [...]}, markdown adds a table
// of status changes to the summary, text adds one line per change after
// the findings; github and sarif carry the findings alone. Findings are
// limited per file as Write limits them.
func WriteReview(w io.Writer, f Format, findings []statements.Finding, rv *Review, opts Options) error {
	findings = statements.LimitFindings(findings, statements.MaxFindingsPerFile)
	switch f {
	case JSON:
		return writeReviewJSON(w, findings, rv)
	case Markdown:
		return writeReviewMarkdown(w, findings, rv)
	case Text:
		return writeReviewText(w, findings, rv)
	}
	return Write(w, f, findings, opts)
}

func writeReviewJSON(w io.Writer, findings []statements.Finding, rv *Review) error {
	out := struct {
		Findings []statements.Finding `json:"findings"`
		Impact   []StatusChange       `json:"impact"`
	}{findings, rv.Impact}
	if out.Findings == nil {
		out.Findings = []statements.Finding{}
	}
	if out.Impact == nil {
		out.Impact = []StatusChange{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeReviewText(w io.Writer, findings []statements.Finding, rv *Review) error {
	if err := WriteText(w, findings); err != nil {
		return err
	}
	if len(rv.Impact) == 0 {
		return nil
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "status changes since %s:\n", rv.Base)
	for _, c := range rv.Impact {
		fmt.Fprintf(bw, "  %s\n", c)
	}
	return bw.Flush()
}

func writeReviewMarkdown(w io.Writer, findings []statements.Finding, rv *Review) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("### vexil check\n\n")
	fmt.Fprintf(bw, "Changes since %s (merge base %s): %s.\n\n",
		codeSpan(rv.Base), codeSpan(shortHash(rv.MergeBase)), Plural(rv.Files, "statement file"))
	writeMarkdownFindings(bw, findings)
	bw.WriteString("\n#### Status changes\n\n")
	if len(rv.Impact) == 0 {
		bw.WriteString("No release changes status.\n")
		return bw.Flush()
	}
	bw.WriteString("| Product | Releases | Vulnerability | Subcomponent | Before | After |\n| --- | --- | --- | --- | --- | --- |\n")
	for i, c := range rv.Impact {
		if i == MarkdownRowLimit {
			fmt.Fprintf(bw, "\n… and %d more; run %s to see them all.\n", len(rv.Impact)-i, codeSpan("vexil check --base "+rv.Base))
			break
		}
		releases := "all"
		switch {
		case c.Release != "":
			releases = codeSpan(c.Release)
		case len(c.Tags) > 0:
			spans := make([]string, len(c.Tags))
			for j, t := range c.Tags {
				spans[j] = codeSpan(t)
			}
			releases = "tags " + strings.Join(spans, ", ")
		}
		sub := ""
		if c.Subcomponent != "" {
			sub = codeSpan(c.Subcomponent)
		}
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s |\n", escapeMarkdown(c.Product), releases,
			escapeMarkdown(c.Vulnerability), sub, statusCell(c.Before), statusCell(c.After))
	}
	return bw.Flush()
}

// statusCell renders a status for the table: — for none, bold when it
// says the release is affected.
func statusCell(s statements.Status) string {
	switch s {
	case "":
		return "—"
	case statements.StatusAffected:
		return "**affected**"
	}
	return escapeMarkdown(string(s))
}

// shortHash abbreviates a commit hash to 12 hex digits.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
