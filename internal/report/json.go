package report

import (
	"encoding/json"
	"io"

	"github.com/vexil-dev/vexil/statements"
)

// WriteJSON writes findings as a JSON array of objects with the keys file,
// line, column, rule, severity and message, indented, with a final newline.
// No findings give "[]".
func WriteJSON(w io.Writer, findings []statements.Finding) error {
	if findings == nil {
		findings = []statements.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(findings)
}
