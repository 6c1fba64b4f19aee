package pull

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/vex"
)

// annotationCosignPredicateType is the layer annotation cosign writes on
// each attestation of a legacy .att manifest.
const annotationCosignPredicateType = "predicateType"

// subject is a digest attestations are looked for on.
type subject struct {
	digest   digest.Digest
	platform string
}

// candidate is a referrer or .att layer that may hold a VEX attestation.
type candidate struct {
	subject  subject
	source   Source
	manifest ocispec.Descriptor
	// layer is known for .att layers (their manifest is already read),
	// nil for referrers.
	layer *ocispec.Descriptor
	// announced is the predicate type the annotations give, if any.
	announced string
	// untyped marks a referrer whose listing gives no artifact type to go
	// by (see untyped): only its manifest tells whether it is an
	// attestation, and one that is not is left out silently.
	untyped bool
}

// Discover resolves ref and finds every VEX attestation attached to its
// index digest and to each platform digest (Options.Platform keeps one):
// referrers whose artifact type is a sigstore bundle, a DSSE envelope or an
// in-toto statement, or is not given (see untyped), through the referrers
// API or the tag schema; and the layers of cosign's legacy
// sha256-<hex>.att manifests. Attestations whose
// annotations announce a predicate type other than OpenVEX, or, without
// annotations, whose statement is not OpenVEX, are not VEX and are left
// out silently. Each VEX attestation is verified (see Options) and parsed;
// the Result lists every one, with the reason for each rejected.
//
// Registry failures (other than a missing or corrupt attestation) fail the
// whole call.
func Discover(ctx context.Context, c *oci.Client, ref Reference, opts Options) (*Result, error) {
	var verifier *sign.Verifier
	switch {
	case opts.verifying():
		v, err := sign.NewVerifier(ctx, opts.Verify)
		if err != nil {
			return nil, err
		}
		verifier = v
	case !opts.AllowUnsigned:
		return nil, ErrUnverified
	}
	jobs := cmp.Or(opts.Jobs, oci.DefaultJobs)

	rel, err := c.Release(ctx, ref.Repository, ref.reference())
	if err != nil {
		return nil, err
	}
	if ref.Digest != "" && rel.Digest != ref.Digest {
		return nil, fmt.Errorf("resolving %s: %w: got %s", ref, oci.ErrDigestMismatch, rel.Digest)
	}
	subjects, err := subjectsOf(rel, opts.Platform)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	res := &Result{Reference: ref, Image: vex.Image{Repository: ref.Repository, Index: rel.Digest}}
	for _, s := range subjects[1:] {
		res.Image.Platforms = append(res.Image.Platforms, s.digest)
	}

	// probe once, before the subjects ask in parallel (the answer is
	// remembered per repository, but not shared while in flight)
	if _, err := c.ReferrersAPI(ctx, ref.Repository); err != nil {
		return nil, err
	}
	found := make([][]candidate, len(subjects))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, s := range subjects {
		g.Go(func() error {
			var err error
			found[i], err = find(gctx, c, ref.Repository, s)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	cands := slices.Concat(found...)
	out := make([]*Attestation, len(cands))
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, cand := range cands {
		g.Go(func() error {
			var err error
			out[i], err = read(gctx, c, ref.Repository, cand, verifier, opts.AllowUnsigned)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, a := range out {
		if a != nil {
			res.Attestations = append(res.Attestations, *a)
		}
	}
	order := make(map[digest.Digest]int, len(subjects))
	for i, s := range subjects {
		order[s.digest] = i
	}
	slices.SortStableFunc(res.Attestations, func(a, b Attestation) int {
		return cmp.Or(cmp.Compare(order[a.Subject], order[b.Subject]),
			cmp.Compare(a.Manifest, b.Manifest), cmp.Compare(a.Layer, b.Layer))
	})
	return res, nil
}

// subjectsOf returns the index digest and the platform digests kept by
// platform ("" keeps all). A single-arch image is its own only subject.
func subjectsOf(rel oci.Release, platform string) ([]subject, error) {
	out := []subject{{digest: rel.Digest}}
	var names []string
	for _, p := range rel.Platforms {
		names = append(names, p.String())
		if platform != "" && p.String() != platform && p.OS+"/"+p.Architecture != platform {
			continue
		}
		if p.Digest == rel.Digest {
			out[0].platform = p.String()
			continue
		}
		if !slices.ContainsFunc(out, func(s subject) bool { return s.digest == p.Digest }) {
			out = append(out, subject{digest: p.Digest, platform: p.String()})
		}
	}
	if platform != "" && len(out) == 1 && out[0].platform == "" {
		return nil, fmt.Errorf("%w %s: the image has [%s]", ErrNoPlatform, platform, strings.Join(names, " "))
	}
	return out, nil
}

// attestationType reports whether a referrer of this artifact type may be
// an attestation.
func attestationType(artifactType string) bool {
	return strings.HasPrefix(artifactType, "application/vnd.dev.sigstore.bundle") ||
		artifactType == oci.MediaTypeDSSE || artifactType == oci.MediaTypeInToto
}

// untyped reports whether a referrer's artifact type, as listed, says
// nothing: none at all, or the empty config's media type, which is what
// go-containerregistry (and so `cosign attest --new-bundle-format`) writes
// into the referrers tag schema for a manifest whose type is in its
// artifactType field.
func untyped(artifactType string) bool {
	return artifactType == "" || artifactType == ocispec.MediaTypeEmptyJSON
}

// announced returns the predicate type annotations give, or "".
func announced(ann map[string]string) string {
	return cmp.Or(ann[oci.AnnotationPredicateType], ann[oci.AnnotationBundlePredicateType], ann[annotationCosignPredicateType])
}

// find lists the candidates attached to one subject: its referrers and
// the layers of its cosign .att manifest.
func find(ctx context.Context, c *oci.Client, repo string, s subject) ([]candidate, error) {
	refs, src, err := c.Referrers(ctx, repo, s.digest, "")
	if err != nil {
		return nil, err
	}
	var out []candidate
	for _, d := range refs {
		pt := announced(d.Annotations)
		if !(attestationType(d.ArtifactType) || untyped(d.ArtifactType)) || (pt != "" && !IsOpenVEX(pt)) {
			continue
		}
		out = append(out, candidate{subject: s, source: Source(src), manifest: d, announced: pt, untyped: untyped(d.ArtifactType)})
	}

	tag := strings.Replace(s.digest.String(), ":", "-", 1) + ".att"
	desc, err := c.Resolve(ctx, repo, tag)
	if errors.Is(err, oci.ErrNotFound) {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	b, err := c.FetchManifest(ctx, repo, desc)
	if err != nil {
		return nil, err
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("reading %s:%s: %w: %w", repo, tag, oci.ErrInvalidManifest, err)
	}
	for _, l := range m.Layers {
		pt := announced(l.Annotations)
		if l.MediaType != oci.MediaTypeDSSE || (pt != "" && !IsOpenVEX(pt)) {
			continue
		}
		out = append(out, candidate{subject: s, source: SourceCosignTag, manifest: desc, layer: &l, announced: pt})
	}
	return out, nil
}

// read fetches, verifies and parses one candidate. It returns nil for a
// candidate that turns out not to be VEX, and an error only for a registry
// failure.
func read(ctx context.Context, c *oci.Client, repo string, cand candidate, v *sign.Verifier, allowUnsigned bool) (*Attestation, error) {
	a := &Attestation{
		Subject:       cand.subject.digest,
		Platform:      cand.subject.platform,
		Manifest:      cand.manifest.Digest,
		Source:        cand.source,
		PredicateType: cand.announced,
	}
	fail := func(err error) (*Attestation, error) {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		a.Err = err
		return a, nil
	}
	// fetchFail rejects the attestation when it alone is missing or
	// corrupt, and fails the call when the registry is.
	fetchFail := func(err error) (*Attestation, error) {
		if !rejection(err) {
			return nil, err
		}
		return fail(err)
	}

	layer := cand.layer
	if layer == nil {
		b, err := c.FetchManifest(ctx, repo, cand.manifest)
		if err != nil {
			return fetchFail(err)
		}
		var m ocispec.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return fail(fmt.Errorf("%w: %w", oci.ErrInvalidManifest, err))
		}
		i := slices.IndexFunc(m.Layers, func(l ocispec.Descriptor) bool { return formatOf(l.MediaType) != "" })
		switch {
		case i < 0 && cand.untyped:
			return nil, nil // not an attestation
		case i < 0:
			return fail(fmt.Errorf("%w in referrer %s", ErrNoLayer, cand.manifest.Digest))
		}
		layer = &m.Layers[i]
		if a.PredicateType == "" {
			a.PredicateType = cmp.Or(announced(layer.Annotations), announced(m.Annotations))
			if a.PredicateType != "" && !IsOpenVEX(a.PredicateType) {
				return nil, nil
			}
		}
	}
	a.Layer = layer.Digest
	a.Format = formatOf(layer.MediaType)
	data, err := c.FetchBlob(ctx, repo, *layer)
	if err != nil {
		return fetchFail(err)
	}
	if a.PredicateType == "" {
		// nothing announced it: look before verifying, so that other
		// attestations (SBOMs, provenance) are not reported as VEX
		if st, err := sign.Unsigned(data); err == nil && !IsOpenVEX(st.PredicateType) {
			return nil, nil
		}
	}

	var st *sign.Statement
	switch {
	case v != nil:
		ver, err := v.Verify(ctx, data)
		switch {
		case err == nil:
			st, a.Verified, a.Signer, a.Format = &ver.Statement, true, ver.Signer.String(), Format(ver.Format)
		case errors.Is(err, sign.ErrNoSignature) && allowUnsigned:
			if st, err = sign.Unsigned(data); err != nil {
				return fail(err)
			}
		default:
			return fail(err)
		}
	default:
		if st, err = sign.Unsigned(data); err != nil {
			return fail(err)
		}
	}
	if err := st.CheckSubject(a.Subject.String()); err != nil {
		return fail(err)
	}
	if !IsOpenVEX(st.PredicateType) {
		return fail(fmt.Errorf("%w: %q", ErrNotOpenVEX, st.PredicateType))
	}
	a.PredicateType = st.PredicateType
	doc, err := vex.Parse(st.Predicate)
	if err != nil {
		return fail(err)
	}
	a.Document = doc
	return a, nil
}

// formatOf returns the format a layer media type holds, or "".
func formatOf(mediaType string) Format {
	switch {
	case strings.HasPrefix(mediaType, "application/vnd.dev.sigstore.bundle"):
		return FormatBundle
	case mediaType == oci.MediaTypeDSSE:
		return FormatEnvelope
	case mediaType == oci.MediaTypeInToto:
		return FormatInToto
	}
	return ""
}
