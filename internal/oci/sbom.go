package oci

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Artifact and layer media types of SBOMs, plain and wrapped.
const (
	MediaTypeSPDX           = "application/spdx+json"
	MediaTypeCycloneDX      = "application/vnd.cyclonedx+json"
	MediaTypeInToto         = "application/vnd.in-toto+json"
	MediaTypeDSSE           = "application/vnd.dsse.envelope.v1+json"
	MediaTypeSigstoreBundle = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// mediaTypeSigstoreBundleParam is the older spelling of the bundle type.
	mediaTypeSigstoreBundleParam = "application/vnd.dev.sigstore.bundle+json;version=0.3"
)

// Annotations that carry the predicate type of a wrapped attestation.
const (
	AnnotationPredicateType       = "in-toto.io/predicate-type"
	AnnotationBundlePredicateType = "dev.sigstore.bundle.predicateType"
)

// SBOM formats of a Candidate.
const (
	FormatSPDX      = "spdx"
	FormatCycloneDX = "cyclonedx"
)

// Candidate is a layer that holds an SBOM, plain or wrapped in an in-toto
// statement, a DSSE envelope or a sigstore bundle. The caller fetches the
// layer with FetchBlob and parses it.
type Candidate struct {
	Source Source
	// Manifest is the referrer or attestation manifest holding the layer.
	Manifest digest.Digest
	Layer    ocispec.Descriptor
	// ArtifactType is the referrer's artifact type; for a BuildKit
	// attestation, the layer's media type.
	ArtifactType string
	// PredicateType is the in-toto predicate type of a wrapped SBOM, empty
	// for a plain one.
	PredicateType string
	// Format is FormatSPDX or FormatCycloneDX.
	Format string
}

// SBOMFormat returns the SBOM format an in-toto predicate type names, or "".
func SBOMFormat(predicateType string) string {
	switch {
	case strings.HasPrefix(predicateType, "https://spdx.dev/Document"):
		return FormatSPDX
	case strings.HasPrefix(predicateType, "https://cyclonedx.org/bom"):
		return FormatCycloneDX
	}
	return ""
}

func baseType(mt string) string {
	if b, _, err := mime.ParseMediaType(mt); err == nil {
		return b
	}
	return mt
}

// plainFormat returns the SBOM format a plain SBOM's artifact or layer
// media type names, or "". Tools spell SPDX JSON many ways (cosign attach
// sbom writes text/spdx+json; others application/vnd.spdx+json or plain
// text/spdx), so any type naming SPDX or CycloneDX counts unless it names
// an encoding other than JSON (XML, RDF, YAML): the parser reads the
// content and says so if it is not JSON after all.
func plainFormat(mt string) string {
	base := strings.ToLower(baseType(mt))
	for _, other := range []string{"xml", "rdf", "yaml", "protobuf"} {
		if strings.Contains(base, other) {
			return ""
		}
	}
	switch {
	case strings.Contains(base, "cyclonedx"):
		return FormatCycloneDX
	case strings.Contains(base, "spdx"):
		return FormatSPDX
	}
	return ""
}

func isWrapper(mt string) bool {
	switch mt {
	case MediaTypeInToto, MediaTypeDSSE, MediaTypeSigstoreBundle, mediaTypeSigstoreBundleParam:
		return true
	}
	return baseType(mt) == MediaTypeInToto || baseType(mt) == MediaTypeDSSE
}

func predicateType(annotations map[string]string) string {
	if pt := annotations[AnnotationPredicateType]; pt != "" {
		return pt
	}
	return annotations[AnnotationBundlePredicateType]
}

// SBOMCandidates finds the SBOMs of one platform of a release, in
// DESIGN.md's order, stopping at the first source that has any: the
// platform manifest's referrers (through the referrers API, or the tag
// schema on registries without it), then BuildKit attestation manifests in
// the release's index that point at the platform. Within a source,
// candidates are sorted by manifest digest.
//
// To find SBOMs attached to the index itself, pass a Platform whose Digest
// is the release's (the BuildKit step is then skipped).
//
// A referrers listing that names a manifest the registry does not have does
// not stop the search: the candidates found are returned together with an
// error joining one *MissingReferrerError per missing manifest.
func (c *Client) SBOMCandidates(ctx context.Context, rel Release, p Platform) ([]Candidate, error) {
	repo := rel.Repository
	listed, src, err := c.Referrers(ctx, repo, p.Digest, "")
	if err != nil {
		return nil, err
	}
	var out []Candidate
	var missing []error
	for _, d := range listed {
		cands, err := c.referrerCandidates(ctx, repo, src, d)
		if errors.Is(err, ErrNotFound) {
			missing = append(missing, &MissingReferrerError{Repository: repo, Source: src, Manifest: d.Digest, ArtifactType: d.ArtifactType, Subject: p.Digest})
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, cands...)
	}
	if len(out) == 0 && rel.Digest != p.Digest && isIndex(rel.MediaType) {
		out, err = c.buildKitCandidates(ctx, rel, p)
		if err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b Candidate) int {
		return cmp.Or(cmp.Compare(a.Manifest, b.Manifest), cmp.Compare(a.Layer.Digest, b.Layer.Digest))
	})
	return out, errors.Join(missing...)
}

// referrerCandidates returns the SBOM layers of one referrer, fetching its
// manifest only when the listing says it may hold an SBOM.
func (c *Client) referrerCandidates(ctx context.Context, repo string, src Source, d ocispec.Descriptor) ([]Candidate, error) {
	plain := plainFormat(d.ArtifactType)
	wrapped := isWrapper(d.ArtifactType)
	if plain == "" && !wrapped {
		return nil, nil
	}
	if wrapped {
		if pt := predicateType(d.Annotations); pt != "" && SBOMFormat(pt) == "" {
			return nil, nil // an attestation, but not of an SBOM (VEX, provenance)
		}
	}
	b, err := c.FetchManifest(ctx, repo, ocispec.Descriptor{MediaType: d.MediaType, Digest: d.Digest, Size: d.Size})
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: referrer %s@%s: %w", ErrInvalidManifest, repo, d.Digest, err)
	}
	var out []Candidate
	for _, l := range m.Layers {
		cand := Candidate{Source: src, Manifest: d.Digest, Layer: l, ArtifactType: d.ArtifactType}
		if plain != "" {
			cand.Format = plain
			if f := plainFormat(l.MediaType); f != "" {
				cand.Format = f
			}
		} else {
			cand.PredicateType = cmp.Or(predicateType(l.Annotations), predicateType(m.Annotations), predicateType(d.Annotations))
			cand.Format = SBOMFormat(cand.PredicateType)
			if cand.Format == "" {
				continue
			}
		}
		out = append(out, cand)
		break // one SBOM per referrer: its first layer that is one
	}
	return out, nil
}

// buildKitCandidates returns the SBOM layers of the attestation manifests
// in rel's index that point at p.
func (c *Client) buildKitCandidates(ctx context.Context, rel Release, p Platform) ([]Candidate, error) {
	b, err := c.FetchManifest(ctx, rel.Repository, rel.Descriptor())
	if err != nil {
		return nil, err
	}
	var index ocispec.Index
	if err := json.Unmarshal(b, &index); err != nil {
		return nil, fmt.Errorf("%w: index %s@%s: %w", ErrInvalidManifest, rel.Repository, rel.Digest, err)
	}
	var out []Candidate
	for _, d := range index.Manifests {
		if d.Annotations[AnnotationReferenceType] != ReferenceTypeAttestation || d.Annotations[AnnotationReferenceDigest] != p.Digest.String() {
			continue
		}
		mb, err := c.FetchManifest(ctx, rel.Repository, d)
		if err != nil {
			return nil, err
		}
		var m ocispec.Manifest
		if err := json.Unmarshal(mb, &m); err != nil {
			return nil, fmt.Errorf("%w: attestation manifest %s@%s: %w", ErrInvalidManifest, rel.Repository, d.Digest, err)
		}
		for _, l := range m.Layers {
			if baseType(l.MediaType) != MediaTypeInToto {
				continue
			}
			pt := l.Annotations[AnnotationPredicateType]
			if f := SBOMFormat(pt); f != "" {
				out = append(out, Candidate{Source: SourceBuildKit, Manifest: d.Digest, Layer: l, ArtifactType: l.MediaType, PredicateType: pt, Format: f})
			}
		}
	}
	return out, nil
}
