package vex_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/vexil-dev/vexil/vex"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// dg returns a stable sha256 digest named by s.
func dg(s string) digest.Digest { return digest.FromString(s) }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	proxyIndex = dg("proxy enterprise-2.19.3 index")
	proxyAMD64 = dg("proxy enterprise-2.19.3 linux/amd64")
	proxyARM64 = dg("proxy enterprise-2.19.3 linux/arm64")
)

func testOptions() vex.BuildOptions {
	return vex.BuildOptions{IDPrefix: "https://vex.example.com", Author: "Example Security <security@example.com>"}
}

func testRelease() vex.Release {
	return vex.Release{
		Product:    "proxy",
		Repository: "registry.example.com/acme/proxy",
		Tag:        "enterprise-2.19.3",
		Index:      proxyIndex,
		Platforms:  []digest.Digest{proxyAMD64, proxyARM64},
	}
}

// testStatements is a realistic release: every status, aliases and
// subcomponents.
func testStatements() []vex.Statement {
	return []vex.Statement{
		{
			Vulnerability:   "CVE-2023-44487",
			Aliases:         []string{"GHSA-qppj-fm5r-hxr3", "GO-2023-2102"},
			Status:          vex.StatusNotAffected,
			Justification:   "vulnerable_code_not_in_execute_path",
			ImpactStatement: "The proxy never enables HTTP/2 server push.",
			Subcomponents:   []string{"pkg:golang/golang.org/x/net@v0.17.0"},
			Timestamp:       at("2026-03-02T09:15:00Z"),
			Source:          "statements/proxy/CVE-2023-44487.yaml",
		},
		{
			Vulnerability:   "CVE-2024-45337",
			Aliases:         []string{"GHSA-v778-237x-gjrc", "GO-2024-3321"},
			Status:          vex.StatusAffected,
			ActionStatement: "Upgrade to enterprise-2.19.4, which ships golang.org/x/crypto v0.31.0.",
			Subcomponents:   []string{"pkg:golang/golang.org/x/crypto@v0.28.0"},
			Timestamp:       at("2026-03-05T16:40:12Z"),
			Source:          "statements/proxy/CVE-2024-45337.yaml",
		},
		{
			Vulnerability: "CVE-2024-24790",
			Aliases:       []string{"GO-2024-2887"},
			Status:        vex.StatusFixed,
			StatusNotes:   "Built with Go 1.22.4.",
			Subcomponents: []string{"pkg:golang/stdlib@1.22.4"},
			Timestamp:     at("2026-02-27T08:00:00Z"),
			Source:        "statements/proxy/CVE-2024-24790.yaml",
		},
		{
			Vulnerability: "CVE-2025-22871",
			Status:        vex.StatusUnderInvestigation,
			StatusNotes:   "Checking whether the admin listener accepts chunked bodies.",
			Timestamp:     at("2026-03-04T11:00:00Z"),
			Source:        "statements/proxy/CVE-2025-22871.yaml",
		},
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func mustBuild(t testing.TB, opts vex.BuildOptions, rel vex.Release, stmts []vex.Statement) *vex.Document {
	t.Helper()
	doc, err := vex.Build(opts, rel, stmts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return doc
}

func mustCanonical(t testing.TB, doc *vex.Document) []byte {
	t.Helper()
	b, err := vex.Canonical(doc)
	if err != nil {
		t.Fatalf("Canonical: %v", err)
	}
	return b
}
