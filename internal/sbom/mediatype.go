package sbom

import "strings"

// Media types under which SBOMs, plain or wrapped, are stored as OCI
// artifacts and layers.
const (
	// MediaTypeSPDX is SPDX 2.x JSON.
	MediaTypeSPDX = "application/spdx+json"
	// MediaTypeSPDXText is the form cosign attach sbom uses for SPDX JSON.
	MediaTypeSPDXText = "text/spdx+json"
	// MediaTypeCycloneDX is CycloneDX JSON; it may carry a version parameter.
	MediaTypeCycloneDX = "application/vnd.cyclonedx+json"
	// MediaTypeInToto is an in-toto statement (BuildKit attestation layers).
	MediaTypeInToto = "application/vnd.in-toto+json"
	// MediaTypeDSSE is a DSSE envelope.
	MediaTypeDSSE = "application/vnd.dsse.envelope.v1+json"
	// MediaTypeBundle is a sigstore bundle v0.3.
	MediaTypeBundle = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// MediaTypeBundleV01 is a sigstore bundle v0.1.
	MediaTypeBundleV01 = "application/vnd.dev.sigstore.bundle+json;version=0.1"
	// MediaTypeBundleV02 is a sigstore bundle v0.2.
	MediaTypeBundleV02 = "application/vnd.dev.sigstore.bundle+json;version=0.2"
	// MediaTypeBundleV03Param is the parameter form of a sigstore bundle v0.3.
	MediaTypeBundleV03Param = "application/vnd.dev.sigstore.bundle+json;version=0.3"
)

// In-toto statement types and the predicate types of SBOM attestations.
const (
	// StatementV01 is the in-toto statement type BuildKit and cosign v2 write.
	StatementV01 = "https://in-toto.io/Statement/v0.1"
	// StatementV1 is the current in-toto statement type.
	StatementV1 = "https://in-toto.io/Statement/v1"

	// PredicateSPDX is the unversioned SPDX predicate type (cosign, BuildKit).
	PredicateSPDX = "https://spdx.dev/Document"
	// PredicateSPDX22 is the SPDX 2.2 predicate type.
	PredicateSPDX22 = "https://spdx.dev/Document/v2.2"
	// PredicateSPDX23 is the SPDX 2.3 predicate type of the in-toto spec.
	PredicateSPDX23 = "https://spdx.dev/Document/v2.3"
	// PredicateSPDX3 is the SPDX 3 predicate type; its documents are not
	// supported and Parse says so.
	PredicateSPDX3 = "https://spdx.dev/Document/v3"
	// PredicateCycloneDX is the unversioned CycloneDX predicate type; versioned
	// forms append "/v1.x".
	PredicateCycloneDX = "https://cyclonedx.org/bom"
)

// IsSBOMPredicateType reports whether predicateType names an SPDX 2.x or a
// CycloneDX predicate, versioned or not. SPDX 3 is not included.
func IsSBOMPredicateType(predicateType string) bool {
	return predicateFamily(predicateType) != ""
}

// predicateFamily returns "spdx" or "cyclonedx" for an SBOM predicate type
// and "" for any other.
func predicateFamily(pt string) string {
	pt = strings.TrimSuffix(pt, "/")
	switch {
	case pt == PredicateSPDX, pt == PredicateSPDX22, pt == PredicateSPDX23:
		return familySPDX
	case pt == PredicateCycloneDX, strings.HasPrefix(pt, PredicateCycloneDX+"/v1."):
		return familyCycloneDX
	}
	return ""
}
