package vex_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vexil-dev/vexil/vex"
)

// TestParseRoundTrip: what Build publishes reads back to the same bytes
// and the same content digest.
func TestParseRoundTrip(t *testing.T) {
	doc := mustBuild(t, testOptions(), testRelease(), testStatements())
	want := mustCanonical(t, doc)
	back, err := vex.Parse(want)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := mustCanonical(t, back); string(got) != string(want) {
		t.Errorf("round trip changed the bytes:\ngot:\n%s\nwant:\n%s", got, want)
	}
	d1, _ := vex.ContentDigest(doc)
	d2, err := vex.ContentDigest(back)
	if err != nil || d1 != d2 {
		t.Errorf("content digest after round trip: got %s (%v), want %s", d2, err, d1)
	}
}

func TestParseForeign(t *testing.T) {
	tests := []struct {
		file       string
		author     string
		statements int
		status     vex.Status
	}{
		{"vexctl.json", "Acme Security Team", 1, vex.StatusNotAffected},
		{"docker-scout.json", "security@example.com", 1, vex.StatusAffected},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "parse", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := vex.Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if doc.Author != tt.author || len(doc.Statements) != tt.statements || doc.Statements[0].Status != tt.status {
				t.Errorf("got author %q, %d statements, status %q; want %q, %d, %q",
					doc.Author, len(doc.Statements), doc.Statements[0].Status, tt.author, tt.statements, tt.status)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	const stmt = `{"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:oci/proxy"}],"status":"fixed"}`
	doc := func(statements string) string {
		return `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://x/1","author":"a","timestamp":"2026-01-01T00:00:00Z","version":1,"statements":[` + statements + `]}`
	}
	tests := []struct {
		name string
		data string
		want error
		text string
	}{
		{"empty", ``, vex.ErrNotOpenVEX, "not a JSON object"},
		{"array", `[{"@context":"https://openvex.dev/ns/v0.2.0"}]`, vex.ErrNotOpenVEX, "not a JSON object"},
		{"broken JSON", `{"@context":`, vex.ErrNotOpenVEX, "unexpected end of JSON input"},
		{"CycloneDX", `{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[]}`, vex.ErrNotOpenVEX, "@context is not"},
		{"other context", `{"@context":"https://www.w3.org/ns/csaf","statements":[]}`, vex.ErrNotOpenVEX, "@context is not"},
		{"v0.0.1", `{"@context":"https://openvex.dev/ns","statements":[]}`, vex.ErrUnsupportedVersion, `@context "https://openvex.dev/ns"`},
		{"future version", `{"@context":"https://openvex.dev/ns/v0.3.0","statements":[]}`, vex.ErrUnsupportedVersion, "v0.3.0"},
		{"no statements", `{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://x/1","author":"a","timestamp":"2026-01-01T00:00:00Z","version":1}`, vex.ErrNotOpenVEX, "no statements"},
		{"no id, author, timestamp", `{"@context":"https://openvex.dev/ns/v0.2.0","version":1,"statements":[]}`, vex.ErrNotOpenVEX, "no @id\nno author\nno timestamp"},
		{"bad status", doc(strings.Replace(stmt, `"fixed"`, `"resolved"`, 1)), vex.ErrNotOpenVEX, `statement 0: invalid status value "resolved"`},
		{"no vulnerability name", doc(strings.Replace(stmt, `"name":"CVE-1"`, `"description":"x"`, 1)), vex.ErrNotOpenVEX, "statement 0: no vulnerability name"},
		{"no products", doc(strings.Replace(stmt, `[{"@id":"pkg:oci/proxy"}]`, `[]`, 1)), vex.ErrNotOpenVEX, "statement 0: no products"},
		{"anonymous product", doc(strings.Replace(stmt, `{"@id":"pkg:oci/proxy"}`, `{}`, 1)), vex.ErrNotOpenVEX, "product 0 has no @id, identifiers or hashes"},
		{"status rule", doc(stmt + `,` + strings.Replace(stmt, `"fixed"`, `"not_affected"`, 1)), vex.ErrNotOpenVEX, "statement 1: either justification or impact statement"},
		{"bad timestamp", strings.Replace(doc(stmt), "2026-01-01T00:00:00Z", "yesterday", 1), vex.ErrNotOpenVEX, "parsing time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := vex.Parse([]byte(tt.data))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v (document %v), want %v", err, got != nil, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", err, tt.text)
			}
		})
	}
	if _, err := vex.Parse([]byte(doc(stmt))); err != nil {
		t.Errorf("the valid base document is rejected: %v", err)
	}
}
