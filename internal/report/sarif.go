package report

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"

	"github.com/vexil-dev/vexil/statements"
)

// SARIFSchema is the JSON schema of the SARIF 2.1.0 documents WriteSARIF
// writes.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// The subset of SARIF 2.1.0 that GitHub code scanning reads. Field order is
// the order of the output.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool     `json:"tool"`
		ColumnKind string        `json:"columnKind"`
		Results    []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string       `json:"id"`
		ShortDescription sarifMessage `json:"shortDescription"`
		HelpURI          string       `json:"helpUri"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID    string          `json:"ruleId"`
		RuleIndex int             `json:"ruleIndex"`
		Level     string          `json:"level"`
		Message   sarifMessage    `json:"message"`
		Locations []sarifLocation `json:"locations"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	}
	sarifPhysicalLocation struct {
		ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
		Region           sarifRegion           `json:"region"`
	}
	sarifArtifactLocation struct {
		URI       string `json:"uri"`
		URIBaseID string `json:"uriBaseId"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
)

// WriteSARIF writes findings as one SARIF 2.1.0 log with one run, the form
// GitHub code scanning accepts (github/codeql-action/upload-sarif). The
// driver lists one rule per rule id used, in order of first use, each
// pointing at its documentation; each result points at its file, relative
// to %SRCROOT%, and at its line and column. A finding about a whole file
// is placed on line 1, since code scanning needs a line.
func WriteSARIF(w io.Writer, findings []statements.Finding, opts Options) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           ToolName,
			Version:        opts.ToolVersion,
			InformationURI: InformationURI,
			Rules:          []sarifRule{},
		}},
		ColumnKind: "unicodeCodePoints",
		Results:    []sarifResult{},
	}
	index := make(map[string]int)
	for _, f := range findings {
		i, ok := index[f.Rule]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			index[f.Rule] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
				ID:               f.Rule,
				ShortDescription: sarifMessage{Text: describeRule(f.Rule)},
				HelpURI:          RuleURI(f.Rule),
			})
		}
		level := "error"
		if f.Severity == statements.SeverityWarning {
			level = "warning"
		}
		region := sarifRegion{StartLine: f.Line, StartColumn: f.Column}
		if region.StartLine <= 0 {
			region = sarifRegion{StartLine: 1}
		}
		if region.StartColumn < 0 {
			region.StartColumn = 0
		}
		run.Results = append(run.Results, sarifResult{
			RuleID:    f.Rule,
			RuleIndex: i,
			Level:     level,
			Message:   sarifMessage{Text: f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: sarifArtifactLocation{URI: relativeURI(f.File), URIBaseID: "%SRCROOT%"},
				Region:           region,
			}}},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// describeRule returns the summary of rule id from statements.Rules, or,
// for a rule it does not list, the id in words ("Status justification").
func describeRule(id string) string {
	for _, r := range statements.Rules() {
		if r.ID == id {
			return r.Summary
		}
	}
	s := strings.ReplaceAll(id, "-", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// relativeURI turns a slash-separated relative path into a relative URI
// reference, escaping each segment.
func relativeURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
