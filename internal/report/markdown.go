package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/vexil-dev/vexil/statements"
)

// MarkdownRowLimit is the largest number of findings WriteMarkdown lists;
// the rest are counted, so that the summary fits a PR comment.
const MarkdownRowLimit = 200

// WriteMarkdown writes a summary for a pull-request comment or a GitHub job
// summary: a heading, the counts, and a table of findings, each linked to
// the documentation of its rule.
func WriteMarkdown(w io.Writer, findings []statements.Finding) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("### vexil check\n\n")
	writeMarkdownFindings(bw, findings)
	return bw.Flush()
}

// writeMarkdownFindings writes the counts and the table of findings.
func writeMarkdownFindings(bw *bufio.Writer, findings []statements.Finding) {
	c := Count(findings)
	switch {
	case len(findings) == 0:
		bw.WriteString("✅ No findings.\n")
		return
	case c.Errors == 0:
		fmt.Fprintf(bw, "✅ No errors, %s in %s.\n", Plural(c.Warnings, "warning"), Plural(countFiles(findings), "file"))
	default:
		fmt.Fprintf(bw, "❌ %s in %s.\n", c, Plural(countFiles(findings), "file"))
	}
	bw.WriteString("\n| | Location | Rule | Message |\n| --- | --- | --- | --- |\n")
	for i, f := range findings {
		if i == MarkdownRowLimit {
			fmt.Fprintf(bw, "\n… and %d more; run `vexil check` to see them all.\n", len(findings)-i)
			break
		}
		mark := "❌ error"
		if f.Severity == statements.SeverityWarning {
			mark = "⚠️ warning"
		}
		fmt.Fprintf(bw, "| %s | %s | [%s](%s) | %s |\n",
			mark, codeSpan(location(f)), escapeMarkdown(f.Rule), RuleURI(f.Rule), escapeMarkdown(f.Message))
	}
}

// countFiles returns how many distinct files findings name.
func countFiles(findings []statements.Finding) int {
	seen := make(map[string]bool)
	for _, f := range findings {
		seen[f.File] = true
	}
	return len(seen)
}

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "|", `\|`, "~", `\~`, "\r", "", "\n", " ",
)

// escapeMarkdown makes s safe as plain text inside a table cell.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// codeSpan renders s as inline code inside a table cell, fenced with enough
// backticks to hold any backtick in s.
func codeSpan(s string) string {
	s = strings.NewReplacer("|", `\|`, "\r", "", "\n", " ").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}
