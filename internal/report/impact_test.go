package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/vexil-dev/vexil/statements"
)

var sampleReview = &Review{
	Base:      "origin/main",
	MergeBase: "0123456789abcdef0123456789abcdef01234567",
	Files:     2,
	Impact: []StatusChange{
		{Product: "controller", Vulnerability: "CVE-2024-0001", Before: "affected"},
		{Product: "proxy", Tags: []string{"enterprise-2.19.*", "v|2"}, Vulnerability: "GO-2024-2887", Subcomponent: "pkg:golang/stdlib", After: "fixed"},
		{Product: "proxy", Release: "enterprise-2.19.5", Vulnerability: "CVE-2023-44487", Before: "under_investigation", After: "affected|not_affected"},
	},
}

func TestWriteReview(t *testing.T) {
	none := &Review{Base: "main", MergeBase: "0123456789abcdef0123456789abcdef01234567", Files: 1}
	tests := []struct {
		name   string
		format Format
		in     []statements.Finding
		rv     *Review
		want   string
	}{
		{"text", Text, sample[:1], sampleReview, `statements/proxy/CVE-2023-44487.yaml:7:16: status-justification: justification "not_relevant" is not one of [component_not_present]
status changes since origin/main:
  controller: CVE-2024-0001 affected → —
  proxy (tags enterprise-2.19.*, v|2): GO-2024-2887 in pkg:golang/stdlib — → fixed
  proxy enterprise-2.19.5: CVE-2023-44487 under_investigation → affected|not_affected
`},
		{"text/none", Text, nil, none, ""},
		{"json/none", JSON, nil, none, "{\n  \"findings\": [],\n  \"impact\": []\n}\n"},
		{"json", JSON, sample[2:], sampleReview, `{
  "findings": [
    {
      "file": "statements/x y.yaml",
      "line": 0,
      "column": 0,
      "rule": "syntax",
      "severity": "error",
      "message": "empty file"
    }
  ],
  "impact": [
    {
      "product": "controller",
      "vulnerability": "CVE-2024-0001",
      "before": "affected"
    },
    {
      "product": "proxy",
      "tags": [
        "enterprise-2.19.*",
        "v|2"
      ],
      "vulnerability": "GO-2024-2887",
      "subcomponent": "pkg:golang/stdlib",
      "after": "fixed"
    },
    {
      "product": "proxy",
      "release": "enterprise-2.19.5",
      "vulnerability": "CVE-2023-44487",
      "before": "under_investigation",
      "after": "affected|not_affected"
    }
  ]
}
`},
		{"markdown/none", Markdown, nil, none, "### vexil check\n\nChanges since `main` (merge base `0123456789ab`): 1 statement file.\n\n" +
			"✅ No findings.\n\n#### Status changes\n\nNo release changes status.\n"},
		{"markdown", Markdown, sample[:1], sampleReview, "### vexil check\n\nChanges since `origin/main` (merge base `0123456789ab`): 2 statement files.\n\n" +
			"❌ 1 error, 0 warnings in 1 file.\n\n" +
			"| | Location | Rule | Message |\n| --- | --- | --- | --- |\n" +
			"| ❌ error | `statements/proxy/CVE-2023-44487.yaml:7:16` | [status-justification](https://github.com/vexil-dev/vexil/blob/main/docs/rules.md#status-justification) | justification \"not\\_relevant\" is not one of \\[component\\_not\\_present\\] |\n" +
			"\n#### Status changes\n\n" +
			"| Product | Releases | Vulnerability | Subcomponent | Before | After |\n| --- | --- | --- | --- | --- | --- |\n" +
			"| controller | all | CVE-2024-0001 |  | **affected** | — |\n" +
			"| proxy | tags `enterprise-2.19.*`, `v\\|2` | GO-2024-2887 | `pkg:golang/stdlib` | — | fixed |\n" +
			"| proxy | `enterprise-2.19.5` | CVE-2023-44487 |  | under\\_investigation | affected\\|not\\_affected |\n"},
		// github and sarif carry the findings alone, as without --base.
		{"github", GitHub, sample[:1], sampleReview, render(t, GitHub, sample[:1])},
		{"sarif", SARIF, sample[:1], sampleReview, render(t, SARIF, sample[:1])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteReview(&buf, tt.format, tt.in, tt.rv, Options{}); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestReviewJSONDecodes: the json output is one object a consumer decodes
// back to the same findings and changes.
func TestReviewJSONDecodes(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReview(&buf, JSON, sample, sampleReview, Options{}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Findings []statements.Finding
		Impact   []StatusChange
	}
	dec := json.NewDecoder(strings.NewReader(buf.String()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got.Findings) != len(sample) || len(got.Impact) != len(sampleReview.Impact) {
		t.Fatalf("got %d findings and %d changes, want %d and %d", len(got.Findings), len(got.Impact), len(sample), len(sampleReview.Impact))
	}
	for i, c := range got.Impact {
		if c.String() != sampleReview.Impact[i].String() {
			t.Errorf("change %d: got %s, want %s", i, c, sampleReview.Impact[i])
		}
	}
}

// TestReviewMarkdownRowLimit: a change of many statuses (a vexil.yaml edit
// can touch every release) lists the first MarkdownRowLimit and counts
// the rest, so the PR comment stays within what GitHub accepts.
func TestReviewMarkdownRowLimit(t *testing.T) {
	rv := &Review{Base: "origin/main", MergeBase: "0123456789abcdef0123456789abcdef01234567", Files: 1}
	for i := range MarkdownRowLimit + 3 {
		rv.Impact = append(rv.Impact, StatusChange{Product: "proxy", Release: fmt.Sprintf("v%d", i), Vulnerability: "CVE-2023-44487", After: "fixed"})
	}
	var buf bytes.Buffer
	if err := WriteReview(&buf, Markdown, nil, rv, Options{}); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	if n := strings.Count(got, "\n| proxy | `v"); n != MarkdownRowLimit {
		t.Errorf("got %d rows, want %d", n, MarkdownRowLimit)
	}
	if want := "| CVE-2023-44487 |  | — | fixed |\n\n… and 3 more; run `vexil check --base origin/main` to see them all.\n"; !strings.HasSuffix(got, want) {
		t.Errorf("got tail %q, want %q", got[max(0, len(got)-200):], want)
	}
	// A backtick in the base (git allows one in a branch name) does not
	// end the code span early.
	rv.Base = "fix`es"
	buf.Reset()
	if err := WriteReview(&buf, Markdown, nil, rv, Options{}); err != nil {
		t.Fatal(err)
	}
	if want := "run ``vexil check --base fix`es`` to see them all.\n"; !strings.HasSuffix(buf.String(), want) {
		t.Errorf("got tail %q, want %q", buf.String()[max(0, buf.Len()-100):], want)
	}
}
