package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/vexil-dev/vexil/statements"
)

// WriteText writes one line per finding, in the form compilers use so that
// editors and CI log parsers jump to the place:
//
//	path:line:col: rule: message            (an error)
//	path:line:col: warning: rule: message   (a warning)
//
// A finding about a whole file (line 0) drops ":line:col".
func WriteText(w io.Writer, findings []statements.Finding) error {
	bw := bufio.NewWriter(w)
	for _, f := range findings {
		bw.WriteString(location(f))
		bw.WriteString(": ")
		if f.Severity == statements.SeverityWarning {
			bw.WriteString("warning: ")
		}
		fmt.Fprintf(bw, "%s: %s\n", f.Rule, f.Message)
	}
	return bw.Flush()
}

// location renders where a finding is: path, path:line or path:line:col.
func location(f statements.Finding) string {
	switch {
	case f.Line <= 0:
		return f.File
	case f.Column <= 0:
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
}
