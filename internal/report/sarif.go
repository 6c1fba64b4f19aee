package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
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
		ID                   string             `json:"id"`
		Name                 string             `json:"name"`
		ShortDescription     sarifMessage       `json:"shortDescription"`
		FullDescription      sarifMessage       `json:"fullDescription"`
		DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
		Help                 sarifHelp          `json:"help"`
		HelpURI              string             `json:"helpUri"`
	}
	sarifConfiguration struct {
		Level string `json:"level"`
	}
	sarifHelp struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifMessage      `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
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

// SARIFResultLimit is the most results GitHub code scanning accepts in
// one run; it rejects a larger upload whole.
const SARIFResultLimit = 25000

// FingerprintKey is the partial fingerprint WriteSARIF gives each result:
// the one GitHub code scanning reads to know a result of this run for one
// of an earlier run.
const FingerprintKey = "primaryLocationLineHash"

// WriteSARIF writes findings as one SARIF 2.1.0 log with one run, the form
// GitHub code scanning accepts (github/codeql-action/upload-sarif and the
// code-scanning/sarifs API). The driver lists one rule per rule id used,
// in order of first use, with its name, descriptions, default level and
// documentation; each result points at its file, relative to %SRCROOT%,
// and at its line and column. A finding about a whole file is placed on
// line 1, since code scanning needs a line. Each result carries a
// fingerprint (FingerprintKey) of its rule, file and message but not its
// line, so that an alert stays one alert when lines move above it. Past
// SARIFResultLimit findings, the last result counts those left out.
func WriteSARIF(w io.Writer, findings []statements.Finding, opts Options) error {
	findings = limitResults(findings, SARIFResultLimit)
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
	prints := make(fingerprints)
	for _, f := range findings {
		i, ok := index[f.Rule]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			index[f.Rule] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, newSARIFRule(f.Rule))
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
		uri := relativeURI(f.File)
		run.Results = append(run.Results, sarifResult{
			RuleID:    f.Rule,
			RuleIndex: i,
			Level:     level,
			Message:   sarifMessage{Text: f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysicalLocation{
				ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: "%SRCROOT%"},
				Region:           region,
			}}},
			PartialFingerprints: map[string]string{FingerprintKey: prints.next(f.Rule, uri, f.Message)},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// limitResults returns findings, or, when there are more than limit, the
// first limit-1 and one too-many-findings finding that counts the rest
// (an error if any of them is).
func limitResults(findings []statements.Finding, limit int) []statements.Finding {
	if len(findings) <= limit {
		return findings
	}
	kept, rest := findings[:limit-1], findings[limit-1:]
	last := statements.Finding{File: rest[0].File, Line: rest[0].Line, Column: rest[0].Column,
		Rule: statements.RuleTooManyFindings, Severity: statements.SeverityWarning,
		Message: fmt.Sprintf("%d more findings are not shown: code scanning accepts at most %d results in a run; run vexil check to see them all", len(rest), limit)}
	if statements.HasErrors(rest) {
		last.Severity = statements.SeverityError
	}
	return append(slices.Clip(kept), last)
}

// newSARIFRule describes rule id for the driver.
func newSARIFRule(id string) sarifRule {
	summary := describeRule(id)
	level := "error"
	for _, r := range statements.Rules() {
		if r.ID == id && r.Severity == statements.SeverityWarning {
			level = "warning"
		}
	}
	sentence := strings.ToUpper(summary[:min(1, len(summary))]) + summary[min(1, len(summary)):] + "."
	return sarifRule{
		ID:                   id,
		Name:                 id,
		ShortDescription:     sarifMessage{Text: summary},
		FullDescription:      sarifMessage{Text: sentence},
		DefaultConfiguration: sarifConfiguration{Level: level},
		Help: sarifHelp{
			Text:     sentence + " Examples of the rule and how to fix a finding: " + RuleURI(id),
			Markdown: sentence + " [Examples of the rule and how to fix a finding](" + RuleURI(id) + ").",
		},
		HelpURI: RuleURI(id),
	}
}

// fingerprints hands out result fingerprints in the form of GitHub's
// primaryLocationLineHash, "<16 hex digits>:<n>": a hash of what the
// result says, and n counting the results of this run with the same hash,
// so that two identical findings of a file stay two alerts.
type fingerprints map[string]int

func (p fingerprints) next(rule, uri, message string) string {
	sum := sha256.Sum256([]byte(rule + "\x00" + uri + "\x00" + message))
	h := hex.EncodeToString(sum[:8])
	p[h]++
	return h + ":" + strconv.Itoa(p[h])
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
