package sbom

import (
	"mime"
	"strings"
)

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

// mediaTypeOf returns the lower-case base type and the version parameter of mt.
func mediaTypeOf(mt string) (base, version string) {
	base, params, err := mime.ParseMediaType(mt)
	if err != nil {
		base, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(mt)), ";")
		return strings.TrimSpace(base), ""
	}
	return base, params["version"]
}

// IsSBOMArtifactType reports whether mediaType is that of a plain SPDX or
// CycloneDX JSON SBOM, as an OCI artifactType or layer media type. Parameters
// such as CycloneDX's ";version=1.6" are ignored.
func IsSBOMArtifactType(mediaType string) bool {
	base, _ := mediaTypeOf(mediaType)
	switch base {
	case MediaTypeSPDX, MediaTypeSPDXText, MediaTypeCycloneDX:
		return true
	}
	return false
}

// IsAttestationArtifactType reports whether mediaType is that of an in-toto
// statement, a DSSE envelope or a sigstore bundle (any version): containers
// that may hold an SBOM, to be told apart by their predicate type (see
// IsSBOMPredicateType) or by parsing.
func IsAttestationArtifactType(mediaType string) bool {
	base, version := mediaTypeOf(mediaType)
	switch base {
	case MediaTypeInToto, MediaTypeDSSE, MediaTypeBundle:
		return true
	case "application/vnd.dev.sigstore.bundle+json":
		return version == "0.1" || version == "0.2" || version == "0.3"
	}
	return false
}

// IsBundleMediaType reports whether mediaType is a sigstore bundle, v0.1 to
// v0.3, in either spelling.
func IsBundleMediaType(mediaType string) bool {
	base, version := mediaTypeOf(mediaType)
	if base == MediaTypeBundle {
		return true
	}
	return base == "application/vnd.dev.sigstore.bundle+json" &&
		(version == "0.1" || version == "0.2" || version == "0.3")
}

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
