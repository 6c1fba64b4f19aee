package sbomtest_test

import (
	"bytes"
	"slices"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	spdxjson "github.com/spdx/tools-golang/json"

	"github.com/vexil-dev/vexil/internal/sbom"
	"github.com/vexil-dev/vexil/internal/sbom/sbomtest"
)

var purls = []string{
	"pkg:golang/golang.org/x/net@v0.17.0",
	"pkg:apk/wolfi/curl@8.1.2-r0?arch=x86_64",
	"pkg:npm/%40babel/core@7.24.0",
	"pkg:generic/openssl",
}

var wantPurls = []string{
	"pkg:apk/wolfi/curl@8.1.2-r0?arch=x86_64",
	"pkg:generic/openssl",
	"pkg:golang/golang.org/x/net@v0.17.0",
	"pkg:npm/%40babel/core@7.24.0",
}

// TestGenerateSPDX checks that the document is SPDX 2.3 as spdx/tools-golang
// reads it, and as Parse reads it.
func TestGenerateSPDX(t *testing.T) {
	var buf bytes.Buffer
	if err := sbomtest.GenerateSPDX(&buf, purls); err != nil {
		t.Fatal(err)
	}
	doc, err := spdxjson.Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("tools-golang: %v", err)
	}
	if doc.SPDXVersion != "SPDX-2.3" || len(doc.Packages) != len(purls) || len(doc.Relationships) != len(purls) {
		t.Errorf("tools-golang: got %s with %d packages, %d relationships; want SPDX-2.3 with %d of each",
			doc.SPDXVersion, len(doc.Packages), len(doc.Relationships), len(purls))
	}
	s, err := sbom.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != "spdx-2.3" || s.Packages != len(purls) || !slices.Equal(s.Purls(), wantPurls) {
		t.Errorf("Parse: got %s, %d packages, %q; want spdx-2.3, %d, %q", s.Format, s.Packages, s.Purls(), len(purls), wantPurls)
	}
}

// TestGenerateCycloneDX checks every spec version against cyclonedx-go and
// Parse.
func TestGenerateCycloneDX(t *testing.T) {
	for _, v := range []string{"1.4", "1.5", "1.6", "1.7"} {
		t.Run(v, func(t *testing.T) {
			var buf bytes.Buffer
			if err := sbomtest.GenerateCycloneDX(&buf, v, purls); err != nil {
				t.Fatal(err)
			}
			var bom cdx.BOM
			if err := cdx.NewBOMDecoder(bytes.NewReader(buf.Bytes()), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
				t.Fatalf("cyclonedx-go: %v", err)
			}
			if bom.SpecVersion.String() != v || bom.Components == nil || len(*bom.Components) != len(purls) {
				t.Errorf("cyclonedx-go: got spec %s; want %s with %d components", bom.SpecVersion, v, len(purls))
			}
			s, err := sbom.Parse(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if s.Format != "cyclonedx-"+v || s.Packages != len(purls) || !slices.Equal(s.Purls(), wantPurls) {
				t.Errorf("Parse: got %s, %d packages, %q; want cyclonedx-%s, %d, %q", s.Format, s.Packages, s.Purls(), v, len(purls), wantPurls)
			}
		})
	}
}

// TestWrappers checks that in-toto, DSSE and bundle wrapping round-trip
// through Parse.
func TestWrappers(t *testing.T) {
	var buf bytes.Buffer
	if err := sbomtest.GenerateCycloneDX(&buf, "1.7", purls); err != nil {
		t.Fatal(err)
	}
	st, err := sbomtest.InToto(sbomtest.Statement{
		Type:          sbom.StatementV1,
		PredicateType: sbom.PredicateCycloneDX,
		SubjectName:   "registry.example.com/acme/proxy",
		SubjectSHA256: "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0",
	}, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	env, err := sbomtest.DSSE(sbom.MediaTypeInToto, st)
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := sbomtest.Bundle(env)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		doc     []byte
		wrapper string
	}{{st, sbom.WrapperInToto}, {env, sbom.WrapperDSSE}, {bundle, sbom.WrapperBundle}} {
		s, err := sbom.Parse(bytes.NewReader(tt.doc))
		if err != nil {
			t.Fatalf("%s: %v", tt.wrapper, err)
		}
		if s.Wrapper != tt.wrapper || s.Format != "cyclonedx-1.7" || s.PredicateType != sbom.PredicateCycloneDX || !slices.Equal(s.Purls(), wantPurls) {
			t.Errorf("got %s %s %s %q; want %s cyclonedx-1.7 %s %q", s.Wrapper, s.Format, s.PredicateType, s.Purls(), tt.wrapper, sbom.PredicateCycloneDX, wantPurls)
		}
	}
	if _, err := sbomtest.InToto(sbomtest.Statement{}, []byte("{")); err == nil {
		t.Error("InToto accepted a predicate that is not JSON")
	}
}

// TestDeterministic checks that the same purls give the same bytes.
func TestDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := sbomtest.GenerateCycloneDX(&a, "1.6", purls); err != nil {
		t.Fatal(err)
	}
	if err := sbomtest.GenerateCycloneDX(&b, "1.6", purls); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("GenerateCycloneDX is not deterministic")
	}
}
