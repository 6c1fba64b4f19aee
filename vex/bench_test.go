package vex_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/vex"
)

// manyStatements returns n distinct statements over all four statuses, each
// with aliases and, except under_investigation, a subcomponent.
func manyStatements(n int, base time.Time) []vex.Statement {
	out := make([]vex.Statement, n)
	for i := range out {
		s := vex.Statement{
			Vulnerability: fmt.Sprintf("CVE-2025-%05d", i),
			Aliases:       []string{fmt.Sprintf("GHSA-%04x-aaaa-bbbb", i), fmt.Sprintf("GO-2025-%04d", i)},
			Subcomponents: []string{fmt.Sprintf("pkg:golang/example.com/mod%d@v1.%d.0", i%17, i%5)},
			Timestamp:     base.Add(time.Duration(i) * time.Minute),
			Source:        fmt.Sprintf("statements/proxy/CVE-2025-%05d.yaml", i),
		}
		switch i % 4 {
		case 0:
			s.Status, s.Justification = vex.StatusNotAffected, "vulnerable_code_not_in_execute_path"
		case 1:
			s.Status, s.ActionStatement = vex.StatusAffected, "Upgrade."
		case 2:
			s.Status = vex.StatusFixed
		case 3:
			s.Status, s.Subcomponents = vex.StatusUnderInvestigation, nil
		}
		out[i] = s
	}
	return out
}

func BenchmarkBuild200(b *testing.B) {
	stmts := manyStatements(200, at("2026-01-01T00:00:00Z"))
	b.ReportAllocs()
	for b.Loop() {
		doc, err := vex.Build(testOptions(), testRelease(), stmts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := vex.Canonical(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMerge50x200: 50 documents published over time for one image,
// 200 statements each, every one superseding the previous.
func BenchmarkMerge50x200(b *testing.B) {
	docs := make([]*vex.Document, 50)
	for i := range docs {
		docs[i] = mustBuild(b, testOptions(), testRelease(), manyStatements(200, at("2026-01-01T00:00:00Z").Add(time.Duration(i)*24*time.Hour)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		doc, err := vex.Merge(docs, testImage())
		if err != nil {
			b.Fatal(err)
		}
		if len(doc.Statements) != 200 {
			b.Fatalf("got %d statements, want 200", len(doc.Statements))
		}
		if _, err := vex.Canonical(doc); err != nil {
			b.Fatal(err)
		}
	}
}
