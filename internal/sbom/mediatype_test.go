package sbom_test

import (
	"testing"

	"github.com/vexil-dev/vexil/internal/sbom"
)

func TestArtifactTypes(t *testing.T) {
	tests := []struct {
		mediaType   string
		sbom        bool
		attestation bool
		bundle      bool
	}{
		{"application/spdx+json", true, false, false},
		{"text/spdx+json", true, false, false},
		{"application/vnd.cyclonedx+json", true, false, false},
		{"application/vnd.cyclonedx+json; version=1.6", true, false, false},
		{"Application/SPDX+JSON", true, false, false},
		{"application/vnd.cyclonedx+xml", false, false, false},
		{"text/spdx", false, false, false},
		{"application/vnd.syft+json", false, false, false},
		{"application/vnd.in-toto+json", false, true, false},
		{"application/vnd.dsse.envelope.v1+json", false, true, false},
		{"application/vnd.dev.sigstore.bundle.v0.3+json", false, true, true},
		{"application/vnd.dev.sigstore.bundle+json;version=0.1", false, true, true},
		{"application/vnd.dev.sigstore.bundle+json;version=0.2", false, true, true},
		{"application/vnd.dev.sigstore.bundle+json;version=0.3", false, true, true},
		{"application/vnd.dev.sigstore.bundle+json;version=0.4", false, false, false},
		{"application/vnd.oci.image.manifest.v1+json", false, false, false},
		{"", false, false, false},
	}
	for _, tt := range tests {
		if got := sbom.IsSBOMArtifactType(tt.mediaType); got != tt.sbom {
			t.Errorf("IsSBOMArtifactType(%q): got %v, want %v", tt.mediaType, got, tt.sbom)
		}
		if got := sbom.IsAttestationArtifactType(tt.mediaType); got != tt.attestation {
			t.Errorf("IsAttestationArtifactType(%q): got %v, want %v", tt.mediaType, got, tt.attestation)
		}
		if got := sbom.IsBundleMediaType(tt.mediaType); got != tt.bundle {
			t.Errorf("IsBundleMediaType(%q): got %v, want %v", tt.mediaType, got, tt.bundle)
		}
	}
}

func TestPredicateTypes(t *testing.T) {
	tests := []struct {
		predicateType string
		want          bool
	}{
		{"https://spdx.dev/Document", true},
		{"https://spdx.dev/Document/", true},
		{"https://spdx.dev/Document/v2.2", true},
		{"https://spdx.dev/Document/v2.3", true},
		{"https://spdx.dev/Document/v3", false},
		{"https://cyclonedx.org/bom", true},
		{"https://cyclonedx.org/bom/v1.4", true},
		{"https://cyclonedx.org/bom/v1.7", true},
		{"https://cyclonedx.org/vex", false},
		{"https://openvex.dev/ns/v0.2.0", false},
		{"https://slsa.dev/provenance/v1", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := sbom.IsSBOMPredicateType(tt.predicateType); got != tt.want {
			t.Errorf("IsSBOMPredicateType(%q): got %v, want %v", tt.predicateType, got, tt.want)
		}
	}
}
