package sbom_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/openvex/go-vex/pkg/vex"

	"github.com/vexil-dev/vexil/internal/sbom"
	"github.com/vexil-dev/vexil/internal/sbom/sbomtest"
)

// matchSBOMPurls are the purls of the SBOM the matching tests run against.
var matchSBOMPurls = []string{
	"pkg:golang/golang.org/x/net@v0.17.0",
	"pkg:golang/golang.org/x/net@v0.23.0",
	"pkg:golang/github.com/Azure/go-ansiterm@v0.0.0-20250102033503-faa5f7b0171c",
	"pkg:apk/alpine/alpine-baselayout@3.6.5-r0?arch=x86_64&distro=alpine-3.20.3",
	"pkg:pypi/PyYAML@6.0.1",
	"pkg:pypi/charset_normalizer@3.3.2",
	"pkg:npm/%40babel/core@7.24.0",
	"pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1",
	"pkg:oci/proxy@sha256%3A9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0?arch=amd64",
	"pkg:generic/openssl",
	"pkg:generic/tricky@1.0%401?download_url=https://example.com/a%3Fb%3D1%26c%3D2&checksum=sha256:abc",
}

func matchSBOM(t *testing.T) *sbom.SBOM {
	t.Helper()
	var buf bytes.Buffer
	if err := sbomtest.GenerateCycloneDX(&buf, "1.6", matchSBOMPurls); err != nil {
		t.Fatal(err)
	}
	s, err := sbom.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var matchTests = []struct {
	name string
	purl string
	want bool
}{
	{"exact", "pkg:golang/golang.org/x/net@v0.17.0", true},
	{"other version present", "pkg:golang/golang.org/x/net@v0.23.0", true},
	{"absent version", "pkg:golang/golang.org/x/net@v0.18.0", false},
	{"version-less matches any version", "pkg:golang/golang.org/x/net", true},
	{"absent name", "pkg:golang/golang.org/x/crypto", false},
	{"other type", "pkg:generic/golang.org/x/net", false},
	{"other namespace", "pkg:apk/wolfi/alpine-baselayout", false},
	{"golang namespace case", "pkg:golang/GitHub.com/azure/Go-Ansiterm@v0.0.0-20250102033503-faa5f7b0171c", true},
	{"type case", "PKG:GOLANG/golang.org/x/net@v0.17.0", true},
	{"pypi name case", "pkg:pypi/pyyaml@6.0.1", true},
	{"pypi underscore", "pkg:pypi/Charset_Normalizer@3.3.2", true},
	{"pypi dash", "pkg:pypi/charset-normalizer", true},
	{"maven case kept", "pkg:maven/org.apache.logging.log4j/Log4j-Core@2.17.1", false},
	{"npm scope encoded", "pkg:npm/%40babel/core@7.24.0", true},
	{"npm scope plain", "pkg:npm/@babel/core", true},
	{"qualifier present", "pkg:apk/alpine/alpine-baselayout@3.6.5-r0?arch=x86_64", true},
	{"qualifier key case", "pkg:apk/alpine/alpine-baselayout?ARCH=x86_64", true},
	{"qualifiers any order", "pkg:apk/alpine/alpine-baselayout?distro=alpine-3.20.3&arch=x86_64", true},
	{"qualifier other value", "pkg:apk/alpine/alpine-baselayout@3.6.5-r0?arch=aarch64", false},
	{"qualifier absent from sbom", "pkg:apk/alpine/alpine-baselayout@3.6.5-r0?arch=x86_64&os=linux", false},
	{"empty qualifier ignored", "pkg:apk/alpine/alpine-baselayout?os=", true},
	{"subpath ignored", "pkg:golang/golang.org/x/net@v0.17.0#http2", true},
	{"oci digest version", "pkg:oci/proxy@sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0", true},
	{"oci qualifier", "pkg:oci/proxy?arch=amd64", true},
	{"version-less sbom purl, versioned query", "pkg:generic/openssl@3.0.15", false},
	{"version-less both", "pkg:generic/openssl", true},
	{"encoded qualifier value", "pkg:generic/tricky?download_url=https://example.com/a%3Fb%3D1%26c%3D2", true},
	{"qualifier value prefix", "pkg:generic/tricky?download_url=https://example.com/a", false},
	{"qualifier with colon", "pkg:generic/tricky?checksum=sha256:abc", true},
	{"version with at sign", "pkg:generic/tricky@1.0%401", true},
	{"version before at sign", "pkg:generic/tricky@1.0", false},
}

func TestContains(t *testing.T) {
	s := matchSBOM(t)
	for _, tt := range matchTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Contains(tt.purl)
			if err != nil {
				t.Fatalf("Contains(%q): %v", tt.purl, err)
			}
			if got != tt.want {
				t.Errorf("Contains(%q): got %v, want %v", tt.purl, got, tt.want)
			}
		})
	}
}

// TestContainsAgreesWithGoVex checks Contains against go-vex's PurlMatches,
// whose semantics it mirrors, over every purl of the SBOM.
func TestContainsAgreesWithGoVex(t *testing.T) {
	s := matchSBOM(t)
	for _, tt := range matchTests {
		got, err := s.Contains(tt.purl)
		if err != nil {
			t.Fatal(err)
		}
		want := false
		for _, p := range s.Purls() {
			if vex.PurlMatches(tt.purl, p) {
				want = true
			}
		}
		if got != want {
			t.Errorf("%s: Contains(%q) = %v, go-vex PurlMatches over the SBOM = %v", tt.name, tt.purl, got, want)
		}
	}
}

func TestContainsInvalid(t *testing.T) {
	s := matchSBOM(t)
	for _, purl := range []string{"", "golang.org/x/net", "pkg:golang", "pkg:golang/x?a;b=c"} {
		got, err := s.Contains(purl)
		if !errors.Is(err, sbom.ErrInvalidPurl) || got {
			t.Errorf("Contains(%q): got %v, %v; want false, ErrInvalidPurl", purl, got, err)
		}
		if _, err := s.Candidates(purl); !errors.Is(err, sbom.ErrInvalidPurl) {
			t.Errorf("Candidates(%q): got %v; want ErrInvalidPurl", purl, err)
		}
	}
}

func TestCandidates(t *testing.T) {
	s := matchSBOM(t)
	tests := []struct {
		purl string
		want []string
	}{
		{"pkg:golang/golang.org/x/net@v0.99.0", []string{"pkg:golang/golang.org/x/net@v0.17.0", "pkg:golang/golang.org/x/net@v0.23.0"}},
		{"pkg:pypi/PyYAML?foo=bar", []string{"pkg:pypi/pyyaml@6.0.1"}},
		{"pkg:golang/golang.org/x/crypto", []string{}},
	}
	for _, tt := range tests {
		got, err := s.Candidates(tt.purl)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Candidates(%q): got %q, want %q", tt.purl, got, tt.want)
		}
	}
}

func TestPurlsDeduplicated(t *testing.T) {
	var buf bytes.Buffer
	purls := []string{"pkg:pypi/PyYAML@6.0.1", "pkg:pypi/pyyaml@6.0.1", "pkg:pypi/py_yaml@6.0.1", "pkg:pypi/pyyaml@6.0.1?b=2&a=1", "pkg:pypi/pyyaml@6.0.1?a=1&b=2"}
	if err := sbomtest.GenerateSPDX(&buf, purls); err != nil {
		t.Fatal(err)
	}
	s, err := sbom.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"pkg:pypi/py-yaml@6.0.1", "pkg:pypi/pyyaml@6.0.1", "pkg:pypi/pyyaml@6.0.1?a=1&b=2"}
	if got := s.Purls(); !slices.Equal(got, want) {
		t.Errorf("Purls: got %q, want %q", got, want)
	}
	if s.Packages != 5 {
		t.Errorf("Packages: got %d, want 5", s.Packages)
	}
}

// TestFromPurls rebuilds an SBOM from the Purls of a parsed one, as the
// purl cache does: it must match exactly as the parsed one does.
func TestFromPurls(t *testing.T) {
	parsed := matchSBOM(t)
	rebuilt := sbom.FromPurls(parsed.Purls())
	if got, want := rebuilt.Purls(), parsed.Purls(); !slices.Equal(got, want) {
		t.Errorf("Purls: got %q, want %q", got, want)
	}
	for _, tt := range matchTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rebuilt.Contains(tt.purl)
			if err != nil || got != tt.want {
				t.Errorf("Contains(%q): got %v, %v; want %v, nil", tt.purl, got, err, tt.want)
			}
		})
	}
	t.Run("raw and invalid", func(t *testing.T) {
		s := sbom.FromPurls([]string{"pkg:pypi/PyYAML@6.0.1", " pkg:pypi/pyyaml@6.0.1 ", "", "not a purl", "pkg:golang/golang.org/x/net@v0.17.0"})
		if got, want := s.Purls(), []string{"pkg:golang/golang.org/x/net@v0.17.0", "pkg:pypi/pyyaml@6.0.1"}; !slices.Equal(got, want) {
			t.Errorf("Purls: got %q, want %q", got, want)
		}
		if got, want := s.InvalidPurls(), []string{"not a purl"}; !slices.Equal(got, want) {
			t.Errorf("InvalidPurls: got %q, want %q", got, want)
		}
	})
}

func TestFromCanonicalPurls(t *testing.T) {
	parsed := matchSBOM(t)
	s, err := sbom.FromCanonicalPurls(parsed.Purls())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Purls(), parsed.Purls(); !slices.Equal(got, want) {
		t.Errorf("Purls: got %q, want %q", got, want)
	}
	for _, tt := range matchTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Contains(tt.purl)
			if err != nil || got != tt.want {
				t.Errorf("Contains(%q): got %v, %v; want %v, nil", tt.purl, got, err, tt.want)
			}
		})
	}
	for _, bad := range [][]string{
		{"pkg:generic/b@1", "pkg:generic/a@1"},
		{"pkg:generic/a@1", "pkg:generic/a@1"},
		{"not a purl"},
		{"pkg:generic/a@1 "},
		{"pkg:generic/a\n@1"},
	} {
		if _, err := sbom.FromCanonicalPurls(bad); !errors.Is(err, sbom.ErrInvalidPurl) {
			t.Errorf("FromCanonicalPurls(%q): got %v, want ErrInvalidPurl", bad, err)
		}
	}
	if got, again := sbom.CanonicalFormID(), sbom.CanonicalFormID(); len(got) != 64 || got != again {
		t.Errorf("CanonicalFormID: got %q then %q, want one SHA-256", got, again)
	}
}
