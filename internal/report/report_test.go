package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vexil-dev/vexil/statements"
)

// sample holds an error, a warning, a whole-file finding and a message that
// needs escaping in every format.
var sample = []statements.Finding{
	{File: "statements/proxy/CVE-2023-44487.yaml", Line: 7, Column: 16, Rule: "status-justification", Severity: statements.SeverityError, Message: `justification "not_relevant" is not one of [component_not_present]`},
	{File: "statements/proxy/CVE-2023-44487.yaml", Line: 9, Column: 3, Rule: "purl-syntax", Severity: statements.SeverityWarning, Message: "100% odd: a|b,\nnext"},
	{File: "statements/x y.yaml", Rule: "syntax", Severity: statements.SeverityError, Message: "empty file"},
}

func render(t *testing.T, f Format, fs []statements.Finding) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f, fs, Options{}); err != nil {
		t.Fatalf("Write(%s): %v", f, err)
	}
	return buf.String()
}

func TestWrite(t *testing.T) {
	tests := []struct {
		format Format
		in     []statements.Finding
		want   string
	}{
		{Text, nil, ""},
		{Text, sample, `statements/proxy/CVE-2023-44487.yaml:7:16: status-justification: justification "not_relevant" is not one of [component_not_present]
statements/proxy/CVE-2023-44487.yaml:9:3: warning: purl-syntax: 100% odd: a|b,
next
statements/x y.yaml: syntax: empty file
`},
		{JSON, nil, "[]\n"},
		{JSON, sample[2:], `[
  {
    "file": "statements/x y.yaml",
    "line": 0,
    "column": 0,
    "rule": "syntax",
    "severity": "error",
    "message": "empty file"
  }
]
`},
		{GitHub, nil, ""},
		{GitHub, sample, `::error file=statements/proxy/CVE-2023-44487.yaml,line=7,col=16,title=status-justification::justification "not_relevant" is not one of [component_not_present]
::warning file=statements/proxy/CVE-2023-44487.yaml,line=9,col=3,title=purl-syntax::100%25 odd: a|b,%0Anext
::error file=statements/x y.yaml,title=syntax::empty file
`},
		{Markdown, nil, "### vexil check\n\n✅ No findings.\n"},
		{Markdown, sample[1:2], "### vexil check\n\n✅ No errors, 1 warning in 1 file.\n\n" +
			"| | Location | Rule | Message |\n| --- | --- | --- | --- |\n" +
			"| ⚠️ warning | `statements/proxy/CVE-2023-44487.yaml:9:3` | [purl-syntax](https://github.com/vexil-dev/vexil/blob/main/docs/rules.md#purl-syntax) | 100% odd: a\\|b, next |\n"},
		{Markdown, sample, "### vexil check\n\n❌ 2 errors, 1 warning in 2 files.\n\n" +
			"| | Location | Rule | Message |\n| --- | --- | --- | --- |\n" +
			"| ❌ error | `statements/proxy/CVE-2023-44487.yaml:7:16` | [status-justification](https://github.com/vexil-dev/vexil/blob/main/docs/rules.md#status-justification) | justification \"not\\_relevant\" is not one of \\[component\\_not\\_present\\] |\n" +
			"| ⚠️ warning | `statements/proxy/CVE-2023-44487.yaml:9:3` | [purl-syntax](https://github.com/vexil-dev/vexil/blob/main/docs/rules.md#purl-syntax) | 100% odd: a\\|b, next |\n" +
			"| ❌ error | `statements/x y.yaml` | [syntax](https://github.com/vexil-dev/vexil/blob/main/docs/rules.md#syntax) | empty file |\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			if got := render(t, tt.format, tt.in); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestMarkdownRowLimit(t *testing.T) {
	var fs []statements.Finding
	for i := range MarkdownRowLimit + 3 {
		// One file each: the per-file limit must not hide the row limit.
		fs = append(fs, statements.Finding{File: fmt.Sprintf("%03d.yaml", i), Line: 1, Column: 1, Rule: "r", Severity: statements.SeverityError, Message: "m"})
	}
	got := render(t, Markdown, fs)
	if n := bytes.Count([]byte(got), []byte("\n| ❌ error |")); n != MarkdownRowLimit {
		t.Errorf("got %d rows, want %d", n, MarkdownRowLimit)
	}
	if !bytes.HasSuffix([]byte(got), []byte("\n… and 3 more; run `vexil check` to see them all.\n")) {
		t.Errorf("got tail %q, want the count of the rows left out", got[len(got)-80:])
	}
}

func TestGitHubEscaping(t *testing.T) {
	tests := []struct {
		in, data, property string
	}{
		{"plain", "plain", "plain"},
		{"50%", "50%25", "50%25"},
		{"%0A", "%250A", "%250A"},
		{"a\nb", "a%0Ab", "a%0Ab"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"a:b,c", "a:b,c", "a%3Ab%2Cc"},
		{"::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"},
		{"title=x,line=1", "title=x,line=1", "title=x%2Cline=1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := EscapeGitHubData(tt.in); got != tt.data {
				t.Errorf("EscapeGitHubData(%q) = %q, want %q", tt.in, got, tt.data)
			}
			if got := EscapeGitHubProperty(tt.in); got != tt.property {
				t.Errorf("EscapeGitHubProperty(%q) = %q, want %q", tt.in, got, tt.property)
			}
		})
	}
}

func TestSARIF(t *testing.T) {
	fs := append([]statements.Finding{}, sample...)
	fs = append(fs, statements.Finding{File: "b.yaml", Line: 2, Column: 1, Rule: "status-justification", Severity: statements.SeverityError, Message: "again"})
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, fs, Options{ToolVersion: "v1.2.3"}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name, Version, InformationURI string
					Rules                         []struct {
						ID               string
						ShortDescription struct{ Text string }
						HelpURI          string
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI       string
							URIBaseID string `json:"uriBaseId"`
						}
						Region struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if log.Schema != SARIFSchema || log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("got $schema %q version %q %d runs, want %q 2.1.0 1 run", log.Schema, log.Version, len(log.Runs), SARIFSchema)
	}
	d := log.Runs[0].Tool.Driver
	if d.Name != "vexil" || d.Version != "v1.2.3" || d.InformationURI != InformationURI {
		t.Errorf("got driver %q %q %q", d.Name, d.Version, d.InformationURI)
	}
	wantRules := []string{"status-justification", "purl-syntax", "syntax"}
	if len(d.Rules) != len(wantRules) {
		t.Fatalf("got %d rules, want %d", len(d.Rules), len(wantRules))
	}
	if got, want := d.Rules[0].ShortDescription.Text, "not_affected needs a valid justification or an impact_statement"; got != want {
		t.Errorf("got description %q of status-justification, want %q from statements.Rules", got, want)
	}
	if got, want := d.Rules[1].ShortDescription.Text, "a subcomponent is not a valid package URL"; got != want {
		t.Errorf("got description %q of purl-syntax, want %q", got, want)
	}
	if got, want := describeRule("made-up-rule"), "Made up rule"; got != want {
		t.Errorf("got description %q of an unlisted rule, want %q", got, want)
	}
	for i, id := range wantRules {
		r := d.Rules[i]
		if r.ID != id || r.HelpURI != RulesURI+"#"+id || r.ShortDescription.Text == "" {
			t.Errorf("rule %d: got %+v, want id %s with help and description", i, r, id)
		}
	}
	type res struct {
		rule  string
		index int
		level string
		uri   string
		line  int
		col   int
	}
	want := []res{
		{"status-justification", 0, "error", "statements/proxy/CVE-2023-44487.yaml", 7, 16},
		{"purl-syntax", 1, "warning", "statements/proxy/CVE-2023-44487.yaml", 9, 3},
		{"syntax", 2, "error", "statements/x%20y.yaml", 1, 0},
		{"status-justification", 0, "error", "b.yaml", 2, 1},
	}
	rs := log.Runs[0].Results
	if len(rs) != len(want) {
		t.Fatalf("got %d results, want %d", len(rs), len(want))
	}
	for i, w := range want {
		r := rs[i]
		pl := r.Locations[0].PhysicalLocation
		got := res{r.RuleID, r.RuleIndex, r.Level, pl.ArtifactLocation.URI, pl.Region.StartLine, pl.Region.StartColumn}
		if got != w || pl.ArtifactLocation.URIBaseID != "%SRCROOT%" || r.Message.Text != fs[i].Message {
			t.Errorf("result %d: got %+v base %q message %q, want %+v base %%SRCROOT%% message %q", i, got, pl.ArtifactLocation.URIBaseID, r.Message.Text, w, fs[i].Message)
		}
	}
}

func TestSARIFEmpty(t *testing.T) {
	got := render(t, SARIF, nil)
	want := `{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "vexil",
          "informationUri": "https://github.com/vexil-dev/vexil",
          "rules": []
        }
      },
      "columnKind": "unicodeCodePoints",
      "results": []
    }
  ]
}
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		if got, err := ParseFormat(string(f)); got != f || err != nil {
			t.Errorf("ParseFormat(%q) = %q, %v, want %q, nil", f, got, err, f)
		}
	}
	_, err := ParseFormat("xml")
	if !errors.Is(err, ErrUnknownFormat) || err.Error() != `unknown output format "xml" (want one of text|json|github|markdown|sarif)` {
		t.Errorf("ParseFormat(xml) error = %v", err)
	}
}

// TestWriteLimitsFindingsPerFile checks that every format shows at most
// statements.MaxFindingsPerFile findings of a file, then one
// too-many-findings finding, and every finding of the other files; a
// review report too.
func TestWriteLimitsFindingsPerFile(t *testing.T) {
	var fs []statements.Finding
	for i := range statements.MaxFindingsPerFile + 50 {
		fs = append(fs, statements.Finding{File: "a.yaml", Line: i + 1, Column: 1, Rule: "type", Severity: statements.SeverityError, Message: "m"})
	}
	fs = append(fs, statements.Finding{File: "b.yaml", Line: 1, Column: 1, Rule: "type", Severity: statements.SeverityWarning, Message: "m"})
	const summary = "a.yaml:101:1: too-many-findings: 50 more findings are not shown; fix the 100 above and check again"
	var text bytes.Buffer
	if err := Write(&text, Text, fs, Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(text.String(), "\n"), "\n")
	if len(lines) != statements.MaxFindingsPerFile+2 {
		t.Fatalf("text: got %d lines, want %d", len(lines), statements.MaxFindingsPerFile+2)
	}
	if got := lines[statements.MaxFindingsPerFile]; got != summary {
		t.Errorf("text: got %q, want %q", got, summary)
	}
	if got, want := lines[len(lines)-1], "b.yaml:1:1: warning: type: m"; got != want {
		t.Errorf("text: got last line %q, want %q", got, want)
	}
	for _, review := range []bool{false, true} {
		var buf bytes.Buffer
		var err error
		if review {
			err = WriteReview(&buf, JSON, fs, &Review{Base: "main"}, Options{})
		} else {
			err = Write(&buf, JSON, fs, Options{})
		}
		if err != nil {
			t.Fatal(err)
		}
		var got []statements.Finding
		if review {
			var obj struct{ Findings []statements.Finding }
			err = json.Unmarshal(buf.Bytes(), &obj)
			got = obj.Findings
		} else {
			err = json.Unmarshal(buf.Bytes(), &got)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != statements.MaxFindingsPerFile+2 || got[statements.MaxFindingsPerFile].String() != summary {
			t.Errorf("json (review %v): got %d findings, want %d with %q", review, len(got), statements.MaxFindingsPerFile+2, summary)
		}
	}
}

// TestSARIFCodeScanning checks every property GitHub code scanning
// requires of an upload (docs: "SARIF support for code scanning"), read
// from the raw JSON so that a renamed field fails: $schema, version 2.1.0,
// runs[].tool.driver.name and rules[] with id, name, shortDescription,
// fullDescription, defaultConfiguration.level and help.text; results[]
// with message.text, a ruleIndex naming the rule of its ruleId, one
// location whose uri is relative and whose startLine is at least 1, and a
// primaryLocationLineHash.
func TestSARIFCodeScanning(t *testing.T) {
	fs := append([]statements.Finding{}, sample...)
	fs = append(fs, statements.Finding{File: "../up/b.yaml", Line: -3, Column: -1, Rule: "made-up-rule", Severity: statements.SeverityWarning, Message: "odd"})
	var log map[string]any
	if err := json.Unmarshal([]byte(render(t, SARIF, fs)), &log); err != nil {
		t.Fatal(err)
	}
	str := func(v any, path ...string) string {
		for _, k := range path {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		s, _ := v.(string)
		return s
	}
	if log["$schema"] != SARIFSchema || log["version"] != "2.1.0" {
		t.Fatalf("got $schema %v version %v", log["$schema"], log["version"])
	}
	runs, _ := log["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("got %d runs, want 1", len(runs))
	}
	run := runs[0].(map[string]any)
	if got := str(run, "tool", "driver", "name"); got != "vexil" {
		t.Errorf("got driver name %q, want vexil", got)
	}
	rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = str(r, "id")
		for _, path := range [][]string{{"id"}, {"name"}, {"shortDescription", "text"}, {"fullDescription", "text"}, {"help", "text"}, {"helpUri"}} {
			if str(r, path...) == "" {
				t.Errorf("rule %d (%s): no %s", i, ids[i], strings.Join(path, "."))
			}
		}
		if lvl := str(r, "defaultConfiguration", "level"); lvl != "error" && lvl != "warning" {
			t.Errorf("rule %s: defaultConfiguration.level %q", ids[i], lvl)
		}
	}
	results := run["results"].([]any)
	if len(results) != len(fs) {
		t.Fatalf("got %d results, want %d", len(results), len(fs))
	}
	for i, r := range results {
		m := r.(map[string]any)
		if str(m, "message", "text") == "" {
			t.Errorf("result %d: no message.text", i)
		}
		if idx, ok := m["ruleIndex"].(float64); !ok || int(idx) >= len(ids) || ids[int(idx)] != str(m, "ruleId") {
			t.Errorf("result %d: ruleIndex %v does not name rule %q", i, m["ruleIndex"], str(m, "ruleId"))
		}
		locs, _ := m["locations"].([]any)
		if len(locs) != 1 {
			t.Fatalf("result %d: got %d locations, want 1", i, len(locs))
		}
		pl := locs[0].(map[string]any)["physicalLocation"]
		if uri := str(pl, "artifactLocation", "uri"); uri == "" || strings.HasPrefix(uri, "/") || strings.Contains(uri, "://") {
			t.Errorf("result %d: uri %q, want a relative reference", i, uri)
		}
		region := pl.(map[string]any)["region"].(map[string]any)
		if line, _ := region["startLine"].(float64); line < 1 {
			t.Errorf("result %d: startLine %v, want at least 1", i, region["startLine"])
		}
		if col, has := region["startColumn"]; has && col.(float64) < 1 {
			t.Errorf("result %d: startColumn %v, want at least 1 or none", i, col)
		}
		if fp := str(m, "partialFingerprints", FingerprintKey); !regexp.MustCompile(`^[0-9a-f]{16}:[1-9][0-9]*$`).MatchString(fp) {
			t.Errorf("result %d: %s %q", i, FingerprintKey, fp)
		}
	}
}

// TestSARIFFingerprints checks that a result's fingerprint depends on its
// rule, file and message, not on its line (so an alert survives lines
// inserted above it), and that identical findings stay apart.
func TestSARIFFingerprints(t *testing.T) {
	f := statements.Finding{File: "statements/a.yaml", Line: 3, Column: 5, Rule: "type", Severity: statements.SeverityError, Message: "m"}
	moved := f
	moved.Line, moved.Column = 9, 1
	other := f
	other.Message = "n"
	prints := func(fs ...statements.Finding) []string {
		var log struct {
			Runs []struct {
				Results []struct {
					PartialFingerprints map[string]string
				}
			}
		}
		if err := json.Unmarshal([]byte(render(t, SARIF, fs)), &log); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range log.Runs[0].Results {
			out = append(out, r.PartialFingerprints[FingerprintKey])
		}
		return out
	}
	a, b := prints(f)[0], prints(moved)[0]
	if want := "25357f89b39186eb:1"; a != want {
		t.Errorf("got %q, want %q", a, want)
	}
	if a != b {
		t.Errorf("moved to another line: got %q, want %q", b, a)
	}
	if c := prints(other)[0]; c == a {
		t.Errorf("another message: got the same fingerprint %q", c)
	}
	twice := prints(f, moved)
	if want := []string{a, strings.TrimSuffix(a, ":1") + ":2"}; !slices.Equal(twice, want) {
		t.Errorf("the same finding twice: got %q, want %q", twice, want)
	}
}

// TestSARIFResultLimit checks that a run never holds more results than
// code scanning accepts: the last one counts the findings left out.
func TestSARIFResultLimit(t *testing.T) {
	var fs []statements.Finding
	for i := range SARIFResultLimit + 10 {
		sev := statements.SeverityWarning
		if i == SARIFResultLimit+5 {
			sev = statements.SeverityError
		}
		fs = append(fs, statements.Finding{File: fmt.Sprintf("s/%05d.yaml", i), Line: 1, Column: 1, Rule: "type", Severity: sev, Message: "m"})
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID  string
				Level   string
				Message struct{ Text string }
			}
		}
	}
	if err := json.Unmarshal([]byte(render(t, SARIF, fs)), &log); err != nil {
		t.Fatal(err)
	}
	rs := log.Runs[0].Results
	if len(rs) != SARIFResultLimit {
		t.Fatalf("got %d results, want %d", len(rs), SARIFResultLimit)
	}
	last := rs[len(rs)-1]
	want := "11 more findings are not shown: code scanning accepts at most 25000 results in a run; run vexil check to see them all"
	if last.RuleID != statements.RuleTooManyFindings || last.Level != "error" || last.Message.Text != want {
		t.Errorf("got last result %s %s %q, want too-many-findings error %q", last.RuleID, last.Level, last.Message.Text, want)
	}
	if got := render(t, SARIF, fs[:SARIFResultLimit]); strings.Contains(got, statements.RuleTooManyFindings) {
		t.Errorf("%d findings: a result was left out", SARIFResultLimit)
	}
}
