package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/vexil-dev/vexil/statements"
)

// WriteGitHub writes one GitHub Actions workflow command per finding, which
// the runner turns into an annotation on the file and line of the pull
// request:
//
//	::error file=path,line=7,col=16,title=rule::message
//
// Warnings use ::warning. Data and properties are escaped as the Actions
// toolkit does, so a message can never end the command early.
func WriteGitHub(w io.Writer, findings []statements.Finding) error {
	bw := bufio.NewWriter(w)
	for _, f := range findings {
		cmd := "error"
		if f.Severity == statements.SeverityWarning {
			cmd = "warning"
		}
		bw.WriteString("::" + cmd + " file=" + EscapeGitHubProperty(f.File))
		if f.Line > 0 {
			bw.WriteString(",line=" + strconv.Itoa(f.Line))
			if f.Column > 0 {
				bw.WriteString(",col=" + strconv.Itoa(f.Column))
			}
		}
		bw.WriteString(",title=" + EscapeGitHubProperty(f.Rule))
		bw.WriteString("::" + EscapeGitHubData(f.Message) + "\n")
	}
	return bw.Flush()
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// EscapeGitHubData escapes the message part of a workflow command: %, CR
// and LF.
func EscapeGitHubData(s string) string { return dataEscaper.Replace(s) }

// EscapeGitHubProperty escapes a property value of a workflow command: %,
// CR, LF, and the separators : and ,.
func EscapeGitHubProperty(s string) string { return propertyEscaper.Replace(s) }
