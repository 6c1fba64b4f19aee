package sbom_test

import (
	"testing"

	"github.com/vexil-dev/vexil/internal/sbom"
)

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
