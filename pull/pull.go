package pull

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/vex"
)

// PredicateTypeOpenVEX is the unversioned OpenVEX predicate type, what
// `cosign attest --type openvex` writes; versioned ones extend it with
// "/v<version>".
const PredicateTypeOpenVEX = "https://openvex.dev/ns"

// IsOpenVEX reports whether an in-toto predicate type names OpenVEX:
// https://openvex.dev/ns or https://openvex.dev/ns/<anything>.
func IsOpenVEX(predicateType string) bool {
	return predicateType == PredicateTypeOpenVEX || strings.HasPrefix(predicateType, PredicateTypeOpenVEX+"/")
}

// Options configure Discover and Pull.
type Options struct {
	// Verify says whom to trust: a key, or a keyless identity with a
	// trusted root. It may be empty only with AllowUnsigned.
	Verify sign.VerifyOptions
	// AllowUnsigned accepts attestations that carry no signature at all
	// (plain in-toto referrers, unsigned envelopes). With no key or
	// identity in Verify, every attestation is accepted unverified.
	AllowUnsigned bool
	// Platform keeps only the platform "os/arch[/variant]" of an index
	// (the index digest itself is always a subject); empty keeps all.
	Platform string
	// Jobs bounds the parallel registry requests and verifications; 0
	// means oci.DefaultJobs.
	Jobs int
}

// verifying reports whether Options name a key or a keyless identity.
func (o Options) verifying() bool {
	v := o.Verify
	return v.Key != "" || v.CertificateIdentity != "" || v.CertificateIdentityRegexp != "" ||
		v.CertificateOIDCIssuer != "" || v.CertificateOIDCIssuerRegexp != ""
}

// Source says where an attestation was found.
type Source string

// Sources of attestations.
const (
	// SourceReferrersAPI is the OCI 1.1 referrers API.
	SourceReferrersAPI Source = Source(oci.SourceReferrersAPI)
	// SourceReferrersTag is the referrers tag schema (sha256-<hex>).
	SourceReferrersTag Source = Source(oci.SourceReferrersTag)
	// SourceCosignTag is cosign's legacy attestation tag
	// (sha256-<hex>.att), one attestation per layer.
	SourceCosignTag Source = "cosign-att"
)

// Format is the form an attestation came in.
type Format string

// Formats of attestations.
const (
	FormatBundle   Format = Format(sign.FormatBundle)
	FormatEnvelope Format = Format(sign.FormatEnvelope)
	// FormatInToto is a plain, unsigned in-toto statement (Docker Scout's
	// referrers).
	FormatInToto Format = "in-toto"
)

// Attestation is one VEX attestation found on an image, accepted or not.
type Attestation struct {
	// Subject is the digest the attestation is attached to.
	Subject digest.Digest
	// Platform is the subject's platform, "os/arch[/variant]", or "" for
	// the index.
	Platform string
	// Manifest is the referrer manifest (or cosign .att manifest) that
	// holds it, and Layer the layer within it.
	Manifest digest.Digest
	Layer    digest.Digest
	Source   Source
	Format   Format
	// PredicateType is the statement's predicate type once read, else
	// the one the annotations announce.
	PredicateType string
	// Signer says who signed it (a key hint or a certificate identity);
	// empty unless Verified.
	Signer string
	// Verified reports that its signature verified; an attestation
	// accepted through AllowUnsigned is not Verified.
	Verified bool
	// Document is the OpenVEX document it carries; nil when rejected.
	Document *vex.Document
	// Err says why it was rejected; nil when accepted.
	Err error
}

// Accepted reports whether the attestation goes into the merge.
func (a Attestation) Accepted() bool { return a.Err == nil }

// Statements returns the number of statements of its document.
func (a Attestation) Statements() int {
	if a.Document == nil {
		return 0
	}
	return len(a.Document.Statements)
}

// Result is what Discover found and Pull merged.
type Result struct {
	// Reference is what was asked for.
	Reference Reference
	// Image is the repository and the digests attestations were looked
	// for on: the index and the platforms kept.
	Image vex.Image
	// Attestations lists every VEX attestation found, accepted or not, the
	// index's first, then each platform's in the index's order, each
	// subject's by manifest digest and layer.
	Attestations []Attestation
	// Document is the merged document of the accepted attestations; only
	// Pull sets it.
	Document *vex.Document
}

// Accepted returns the attestations that go into the merge.
func (r *Result) Accepted() []Attestation {
	return slices.DeleteFunc(slices.Clone(r.Attestations), func(a Attestation) bool { return !a.Accepted() })
}

// Rejected returns the attestations left out, each with its reason.
func (r *Result) Rejected() []Attestation {
	return slices.DeleteFunc(slices.Clone(r.Attestations), Attestation.Accepted)
}

// Pull discovers and verifies the VEX attestations of ref (see Discover)
// and merges the accepted ones with vex.Merge into one document that
// holds, per product and vulnerability, only the latest statement. It
// fails with ErrNoAttestations when there are none, with ErrNoneAccepted
// when none passed (the Result then lists why), and with vex.ErrNoStatements
// when none of their statements is about the image.
func Pull(ctx context.Context, c *oci.Client, ref Reference, opts Options) (*Result, error) {
	res, err := Discover(ctx, c, ref, opts)
	if err != nil {
		return res, err
	}
	var docs []*vex.Document
	for _, a := range res.Attestations {
		if a.Accepted() {
			docs = append(docs, a.Document)
		}
	}
	switch {
	case len(res.Attestations) == 0:
		return res, fmt.Errorf("%s: %w", ref, ErrNoAttestations)
	case len(docs) == 0:
		return res, fmt.Errorf("%s: %w (%d rejected)", ref, ErrNoneAccepted, len(res.Attestations))
	}
	res.Document, err = vex.Merge(docs, res.Image)
	if err != nil {
		return res, fmt.Errorf("merging the VEX of %s: %w", ref, err)
	}
	return res, nil
}

// rejection reports whether a fetch error is about one attestation (it is
// missing, too large, corrupt) rather than the registry as a whole.
func rejection(err error) bool {
	return errors.Is(err, oci.ErrNotFound) || errors.Is(err, oci.ErrDigestMismatch) ||
		errors.Is(err, oci.ErrTooLarge) || errors.Is(err, oci.ErrInvalidManifest)
}
