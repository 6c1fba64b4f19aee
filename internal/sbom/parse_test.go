package sbom_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vexil-dev/vexil/internal/sbom"
)

var (
	syftSPDXPurls = []string{
		"pkg:apk/alpine/alpine-baselayout@3.6.5-r0?arch=x86_64&distro=alpine-3.20.3",
		"pkg:golang/github.com/azure/go-ansiterm@v0.0.0-20250102033503-faa5f7b0171c",
		"pkg:golang/golang.org/x/net@v0.17.0",
		"pkg:npm/%40babel/core@7.24.0",
		"pkg:oci/proxy@sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0?arch=amd64&repository_url=registry.example.com%2Facme%2Fproxy&tag=enterprise-2.19.3",
		"pkg:pypi/pyyaml@6.0.1",
	}
	debianPurls = []string{
		"pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl",
		"pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12",
	}
	cdx16Purls = []string{
		"pkg:pypi/charset-normalizer@3.3.2",
		"pkg:pypi/requests@2.31.0",
		"pkg:pypi/urllib3@2.2.1",
	}
	cdx17Purls = []string{
		"pkg:apk/wolfi/curl@8.1.2-r0?arch=aarch64&distro=wolfi-20230201",
		"pkg:apk/wolfi/wolfi-baselayout@20230201-r15?arch=aarch64",
		"pkg:golang/golang.org/x/net@v0.23.0",
		"pkg:golang/golang.org/x/text@v0.14.0",
		"pkg:oci/proxy@sha256:3333333333333333333333333333333333333333333333333333333333333333?arch=arm64",
	}
)

func parseFile(t *testing.T, name string, opts ...sbom.Option) (*sbom.SBOM, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return sbom.Parse(f, opts...)
}

func TestParse(t *testing.T) {
	tests := []struct {
		file          string
		format        string
		wrapper       string
		predicateType string
		packages      int
		purls         []string
		invalid       []string
	}{
		{"spdx-2.3-syft.json", "spdx-2.3", "", "", 7, syftSPDXPurls, nil},
		{"spdx-2.2.json", "spdx-2.2", "", "", 2, debianPurls, nil},
		{"cyclonedx-1.4.json", "cyclonedx-1.4", "", "", 4, []string{"pkg:golang/github.com/spf13/cobra@v1.7.0", "pkg:golang/stdlib@1.20.4"}, nil},
		{"cyclonedx-1.5.json", "cyclonedx-1.5", "", "", 2, []string{"pkg:maven/org.apache.logging.log4j/log4j-api@2.17.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"}, nil},
		{"cyclonedx-1.6.json", "cyclonedx-1.6", "", "", 6, cdx16Purls, nil},
		{"cyclonedx-1.7.json", "cyclonedx-1.7", "", "", 6, cdx17Purls, []string{"not-a-purl"}},
		{"intoto-v0.1-spdx.json", "spdx-2.3", "in-toto", "https://spdx.dev/Document", 7, syftSPDXPurls, nil},
		{"intoto-v1-cyclonedx.json", "cyclonedx-1.6", "in-toto", "https://cyclonedx.org/bom/v1.6", 6, cdx16Purls, nil},
		{"intoto-json-string.json", "spdx-2.2", "in-toto", "https://spdx.dev/Document", 2, debianPurls, nil},
		{"dsse-spdx.json", "spdx-2.3", "dsse", "https://spdx.dev/Document/v2.3", 7, syftSPDXPurls, nil},
		{"bundle-v0.3-cyclonedx.json", "cyclonedx-1.7", "sigstore-bundle", "https://cyclonedx.org/bom", 6, cdx17Purls, []string{"not-a-purl"}},
		{"bundle-v0.1-cyclonedx.json", "cyclonedx-1.7", "sigstore-bundle", "https://cyclonedx.org/bom", 6, cdx17Purls, []string{"not-a-purl"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := parseFile(t, tt.file)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if s.Format != tt.format {
				t.Errorf("Format: got %q, want %q", s.Format, tt.format)
			}
			if s.Wrapper != tt.wrapper {
				t.Errorf("Wrapper: got %q, want %q", s.Wrapper, tt.wrapper)
			}
			if s.PredicateType != tt.predicateType {
				t.Errorf("PredicateType: got %q, want %q", s.PredicateType, tt.predicateType)
			}
			if s.Packages != tt.packages {
				t.Errorf("Packages: got %d, want %d", s.Packages, tt.packages)
			}
			if got := s.Purls(); !slices.Equal(got, tt.purls) {
				t.Errorf("Purls:\ngot  %q\nwant %q", got, tt.purls)
			}
			if got := s.InvalidPurls(); !slices.Equal(got, tt.invalid) {
				t.Errorf("InvalidPurls: got %q, want %q", got, tt.invalid)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		file string
		want error
		msg  string
	}{
		{"spdx-3.0.json", sbom.ErrUnsupportedFormat, `unsupported SBOM format: SPDX 3 JSON-LD (context "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"; only SPDX 2.2/2.3 JSON is supported)`},
		{"intoto-spdx3.json", sbom.ErrUnsupportedFormat, `unsupported SBOM format: SPDX 3 in-toto predicate (type "https://spdx.dev/Document/v3"; only SPDX 2.2/2.3 JSON is supported)`},
		{"spdx-2.3.spdx", sbom.ErrUnsupportedFormat, "unsupported SBOM format: SPDX tag-value (only SPDX 2.2/2.3 JSON is supported)"},
		{"intoto-tagvalue-string.json", sbom.ErrUnsupportedFormat, "in-toto predicate: unsupported SBOM format: SPDX tag-value (only SPDX 2.2/2.3 JSON is supported)"},
		{"cyclonedx-1.6.xml", sbom.ErrUnsupportedFormat, "unsupported SBOM format: CycloneDX XML (only CycloneDX JSON is supported)"},
		{"cyclonedx-1.3.json", sbom.ErrUnsupportedFormat, `unsupported SBOM format: CycloneDX specVersion "1.3" (supported: 1.4 to 1.7)`},
		{"intoto-slsa.json", sbom.ErrUnsupportedFormat, `unsupported SBOM format: in-toto predicate type "https://slsa.dev/provenance/v1" is not an SPDX 2 or CycloneDX SBOM`},
		{"dsse-not-intoto.json", sbom.ErrUnsupportedFormat, `unsupported SBOM format: DSSE payload type "application/spdx+json" is not application/vnd.in-toto+json`},
		{"bundle-message-signature.json", sbom.ErrUnsupportedFormat, "unsupported SBOM format: sigstore bundle without a DSSE envelope"},
		{"openvex.json", sbom.ErrUnsupportedFormat, `unsupported SBOM format: JSON-LD document (context "https://openvex.dev/ns/v0.2.0")`},
		{"array.json", sbom.ErrUnsupportedFormat, "unsupported SBOM format: a JSON array, not an object"},
		{"malformed.json", sbom.ErrMalformed, "malformed SBOM: invalid character ',' looking for beginning of object key string"},
		{"truncated.json", sbom.ErrMalformed, "malformed SBOM: truncated JSON"},
		{"empty.json", sbom.ErrMalformed, "malformed SBOM: empty document"},
		{"trailing-data.json", sbom.ErrMalformed, "malformed SBOM: data after the document"},
		{"spdx-packages-not-array.json", sbom.ErrMalformed, `malformed SBOM: "packages" is a string`},
		{"intoto-mismatch.json", sbom.ErrMalformed, `malformed SBOM: predicate type "https://cyclonedx.org/bom" but the predicate is spdx-2.2`},
		{"dsse-bad-base64.json", sbom.ErrMalformed, "malformed SBOM: DSSE payload: illegal base64 data at input byte 0"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := parseFile(t, tt.file)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want an error wrapping %v", s, err, tt.want)
			}
			if err.Error() != tt.msg {
				t.Errorf("message:\ngot  %s\nwant %s", err, tt.msg)
			}
			if s != nil {
				t.Errorf("got a non-nil SBOM with an error")
			}
		})
	}
}

func TestParseStrings(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want error
		msg  string
	}{
		{"not json", "hello: world\n", sbom.ErrUnsupportedFormat, "unsupported SBOM format: not JSON, XML or SPDX tag-value"},
		{"rdf xml", `<?xml version="1.0"?><rdf:RDF xmlns:spdx="http://spdx.org/rdf/terms#"></rdf:RDF>`, sbom.ErrUnsupportedFormat, "unsupported SBOM format: SPDX RDF/XML (only SPDX 2.2/2.3 JSON is supported)"},
		{"unknown object", `{"hello": [1, 2, {"a": null}]}`, sbom.ErrUnsupportedFormat, "unsupported SBOM format: JSON object that is neither SPDX, CycloneDX, an in-toto statement, a DSSE envelope nor a sigstore bundle"},
		{"spdx 2.1", `{"spdxVersion": "SPDX-2.1", "packages": []}`, sbom.ErrUnsupportedFormat, `unsupported SBOM format: SPDX version "SPDX-2.1" (supported: SPDX-2.2, SPDX-2.3)`},
		{"bom format", `{"bomFormat": "SPDX", "specVersion": "1.6"}`, sbom.ErrUnsupportedFormat, `unsupported SBOM format: bomFormat "SPDX"`},
		{"statement type", `{"_type": "https://in-toto.io/Statement/v2", "predicateType": "https://spdx.dev/Document", "predicate": {}}`, sbom.ErrUnsupportedFormat, `unsupported SBOM format: in-toto statement type "https://in-toto.io/Statement/v2"`},
		{"no predicate", `{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://spdx.dev/Document"}`, sbom.ErrMalformed, "malformed SBOM: in-toto statement without a predicate"},
		{"component type", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"purl": 7}]}`, sbom.ErrMalformed, "malformed SBOM: components: json: cannot unmarshal number into Go struct field cdxComponent.purl of type string"},
		{"dsse payload not a string", `{"payloadType": "application/vnd.in-toto+json", "payload": 5}`, sbom.ErrMalformed, "malformed SBOM: DSSE payload: not a string"},
		{"bom string", "\xef\xbb\xbf" + `{"spdxVersion": "SPDX-2.3", "packages": null}`, nil, ""},
		{"nested wrappers", `{"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://spdx.dev/Document", "predicate": {"_type": "https://in-toto.io/Statement/v1", "predicateType": "https://spdx.dev/Document", "predicate": {"spdxVersion": "SPDX-2.3"}}}`, sbom.ErrUnsupportedFormat, "unsupported SBOM format: in-toto predicate is itself a in-toto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := sbom.Parse(strings.NewReader(tt.doc))
			if tt.want == nil {
				if err != nil || s.Format != "spdx-2.3" || s.Packages != len(s.Purls()) {
					t.Fatalf("got %+v, %v; want spdx-2.3 with as many packages as purls", s, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v; want an error wrapping %v", err, tt.want)
			}
			if err.Error() != tt.msg {
				t.Errorf("message:\ngot  %s\nwant %s", err, tt.msg)
			}
		})
	}
}

// countingReader counts what Parse reads.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless is a never-ending, valid-so-far JSON document.
type endless struct {
	head bool
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	const head, unit = `{"spdxVersion":"SPDX-2.3","packages":[`, `{"name":"x"},`
	n := 0
	if !e.head {
		n = copy(p, head) // p is never shorter than head here
		e.head = true
	}
	for n < len(p) {
		c := copy(p[n:], unit[e.off:])
		e.off = (e.off + c) % len(unit)
		n += c
	}
	return n, nil
}

func TestParseTooLarge(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("testdata", "spdx-2.3-syft.json"))
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(doc))
	tests := []struct {
		name    string
		r       io.Reader
		max     int64
		wantErr bool
	}{
		{"exactly the cap", bytes.NewReader(doc), size, false},
		{"one byte over", bytes.NewReader(doc), size - 1, true},
		{"small cap", bytes.NewReader(doc), 100, true},
		{"endless stream", &endless{}, 1 << 20, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cr := &countingReader{r: tt.r}
			s, err := sbom.Parse(cr, sbom.WithMaxSize(tt.max))
			if !tt.wantErr {
				if err != nil || s.Packages != 7 {
					t.Fatalf("got %v, %v; want 7 packages", s, err)
				}
				return
			}
			if !errors.Is(err, sbom.ErrTooLarge) {
				t.Fatalf("got %v, %v; want ErrTooLarge", s, err)
			}
			if cr.n != tt.max+1 {
				t.Errorf("read %d bytes, want exactly cap+1 = %d", cr.n, tt.max+1)
			}
		})
	}
}

// TestParseEscapedPayload decodes a DSSE payload whose JSON string escapes
// '/' and '=' as some encoders do.
func TestParseEscapedPayload(t *testing.T) {
	doc := `{"payloadType": "application/vnd.in-toto+json", "payload": "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEiLCJwcmVkaWNhdGVUeXBlIjoiaHR0cHM6Ly9zcGR4LmRldi9Eb2N1bWVudCIsInByZWRpY2F0ZSI6eyJzcGR4VmVyc2lvbiI6IlNQRFgtMi4zIiwicGFja2FnZXMiOlt7Im5hbWUiOiI\/Pz8iLCJleHRlcm5hbFJlZnMiOlt7InJlZmVyZW5jZVR5cGUiOiJwdXJsIiwicmVmZXJlbmNlTG9jYXRvciI6InBrZzpnZW5lcmljL2FAMSJ9XX1dfX0\u003d"}`
	s, err := sbom.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != "spdx-2.3" || s.Wrapper != "dsse" || !slices.Equal(s.Purls(), []string{"pkg:generic/a@1"}) {
		t.Errorf("got %s %s %q; want spdx-2.3 dsse [pkg:generic/a@1]", s.Format, s.Wrapper, s.Purls())
	}
}

func TestDefaultMaxSize(t *testing.T) {
	if sbom.DefaultMaxSize != 256<<20 {
		t.Errorf("DefaultMaxSize: got %d, want %d", sbom.DefaultMaxSize, 256<<20)
	}
}
