package statements

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestLimitFindings(t *testing.T) {
	f := func(file string, line int, sev Severity) Finding {
		return Finding{File: file, Line: line, Column: 1, Rule: RuleType, Severity: sev, Message: "m"}
	}
	many := func(file string, n int, sev Severity) []Finding {
		var fs []Finding
		for i := range n {
			fs = append(fs, f(file, i+1, sev))
		}
		return fs
	}
	summary := func(file string, line, more int, sev Severity, kept int) Finding {
		return Finding{File: file, Line: line, Column: 1, Rule: RuleTooManyFindings, Severity: sev, more: more,
			Message: fmt.Sprintf("%d more %s not shown; fix the %d above and check again", more, findingsAre(more), kept)}
	}
	e, w := SeverityError, SeverityWarning
	tests := []struct {
		name string
		in   []Finding
		want []Finding
	}{
		{name: "none", in: nil, want: nil},
		{name: "at the limit", in: many("a", 3, e), want: many("a", 3, e)},
		{name: "one over", in: many("a", 4, e), want: append(many("a", 3, e), summary("a", 4, 1, e, 3))},
		{name: "warnings only", in: many("a", 6, w), want: append(many("a", 3, w), summary("a", 4, 3, w, 3))},
		{name: "an error among the dropped", in: append(many("a", 4, w), f("a", 9, e)),
			want: append(many("a", 3, w), summary("a", 4, 2, e, 3))},
		{name: "per file", in: append(many("a", 5, e), many("b", 2, e)...),
			want: slices.Concat(many("a", 3, e), []Finding{summary("a", 4, 2, e, 3)}, many("b", 2, e))},
		{name: "merges an earlier summary",
			in:   slices.Concat(many("a", 3, e), []Finding{summary("a", 4, 50, w, 3)}, []Finding{f("a", 7, w)}),
			want: append(many("a", 3, e), summary("a", 4, 51, w, 3))},
		{name: "limited twice is limited once",
			in:   LimitFindings(many("a", 10, e), 3),
			want: append(many("a", 3, e), summary("a", 4, 7, e, 3))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			got := LimitFindings(tt.in, 3)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n%v\nwant\n%v", got, tt.want)
			}
			if !slices.Equal(tt.in, in) {
				t.Errorf("LimitFindings modified its input")
			}
			if HasErrors(got) != HasErrors(tt.in) {
				t.Errorf("HasErrors: got %v, want %v", HasErrors(got), HasErrors(tt.in))
			}
		})
	}
}

// TestHostileFileFindingsLimited checks files just under the size limit
// that give a finding per value: a report shows MaxFindingsPerFile of
// them and one finding counting the rest, whether decoding (a list of
// numbers) or the rules (a list of bad aliases) finds them, and another
// file is still checked in full.
func TestHostileFileFindingsLimited(t *testing.T) {
	const head = "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: fixed\naliases: ["
	tests := []struct {
		name, item, rule string
	}{
		{name: "decoding", item: "1,", rule: RuleType},
		{name: "rules", item: "x,", rule: RuleAliasID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := (MaxFileSize - len(head) - 10) / len(tt.item)
			hostile := head + strings.Repeat(tt.item, n) + strings.TrimSuffix(tt.item, ",") + "]\n"
			if len(hostile) > MaxFileSize {
				t.Fatalf("input is %d bytes, over the limit", len(hostile))
			}
			other := "vulnerability: CVE-2023-44487\nproducts: [nope]\nstatus: fixed\n"
			got := checkRepo(t, writeRepo(t, map[string]string{"statements/a.yaml": hostile, "statements/b.yaml": other}), nil)
			if len(got) != MaxFindingsPerFile+2 {
				t.Fatalf("got %d findings, want %d", len(got), MaxFindingsPerFile+2)
			}
			for _, f := range got[:MaxFindingsPerFile] {
				if f.File != "statements/a.yaml" || f.Rule != tt.rule || f.Line != 4 {
					t.Fatalf("got %s, want statements/a.yaml:4: %s", f, tt.rule)
				}
			}
			last := got[MaxFindingsPerFile]
			wantMsg := fmt.Sprintf("%d more findings are not shown; fix the %d above and check again", n+1-MaxFindingsPerFile, MaxFindingsPerFile)
			if last.File != "statements/a.yaml" || last.Rule != RuleTooManyFindings || last.Severity != SeverityError || last.Message != wantMsg {
				t.Errorf("got %s (%s), want too-many-findings: %s", last, last.Severity, wantMsg)
			}
			if f := got[MaxFindingsPerFile+1]; f.File != "statements/b.yaml" || f.Rule != RuleProductUnknown {
				t.Errorf("got %s, want statements/b.yaml: product-unknown", f)
			}
		})
	}
}
