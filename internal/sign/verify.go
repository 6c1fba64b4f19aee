package sign

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	sigopts "github.com/sigstore/sigstore/pkg/signature/options"
	"google.golang.org/protobuf/encoding/protojson"
)

// VerifyOptions say whom to trust: either a public key, or a keyless
// identity with a trusted root.
type VerifyOptions struct {
	// Key is a PEM public key file (cosign.pub) or a KMS URI.
	Key string

	// CertificateIdentity or CertificateIdentityRegexp, and
	// CertificateOIDCIssuer or CertificateOIDCIssuerRegexp, select keyless
	// signers, as cosign's flags of the same names.
	CertificateIdentity         string
	CertificateIdentityRegexp   string
	CertificateOIDCIssuer       string
	CertificateOIDCIssuerRegexp string

	// TrustedRoot is a sigstore trusted_root.json: required for keyless,
	// and for keys when RequireTlog is set.
	TrustedRoot string

	// RequireTlog requires a verified Rekor entry for key signatures too.
	// Off by default, like cosign's --insecure-ignore-tlog: vexil signs with
	// keys offline. Keyless signatures always need their Rekor entry.
	RequireTlog bool
}

// Format is the form an attestation came in.
type Format string

// Formats Verify accepts.
const (
	// FormatBundle is a sigstore bundle (v0.1 to v0.3) holding a DSSE envelope.
	FormatBundle Format = "sigstore-bundle"
	// FormatEnvelope is a bare DSSE envelope: what cosign's legacy
	// `sha256-<hex>.att` layers hold (application/vnd.dsse.envelope.v1+json).
	FormatEnvelope Format = "dsse-envelope"
)

// Identity says who signed: a key (by hint) or a certificate identity.
type Identity struct {
	// KeyHint is the base64 SHA-256 of the verifying public key (DER), for
	// key signatures.
	KeyHint string
	// Subject (the certificate's SAN) and Issuer (the OIDC issuer), for
	// keyless signatures.
	Subject string
	Issuer  string
}

// String describes the signer for people: "key <hint>" or
// "<subject> (issuer <issuer>)".
func (id Identity) String() string {
	if id.KeyHint != "" {
		return "key " + id.KeyHint
	}
	return fmt.Sprintf("%s (issuer %s)", id.Subject, id.Issuer)
}

// Verified is an attestation whose signature verified.
type Verified struct {
	Format    Format
	Statement Statement
	Signer    Identity
}

// Verifier verifies attestations against one set of VerifyOptions; keys and
// trusted roots are loaded once. It is safe for concurrent use.
type Verifier struct {
	keyless bool
	// signatureOnly is set for keys without a transparency log: the
	// signature is all there is to check, and sigstore-go's full Verify
	// would also decode the whole predicate into protobuf structs.
	signatureOnly bool
	keyHint       string
	verifier      *verify.Verifier
	policy        []verify.PolicyOption
	material      root.TrustedMaterial
}

// NewVerifier loads the key or trusted root the options name.
func NewVerifier(ctx context.Context, opts VerifyOptions) (*Verifier, error) {
	keyless := opts.CertificateIdentity != "" || opts.CertificateIdentityRegexp != "" ||
		opts.CertificateOIDCIssuer != "" || opts.CertificateOIDCIssuerRegexp != ""
	switch {
	case opts.Key != "" && keyless:
		return nil, fmt.Errorf("%w: a key and a certificate identity are exclusive", ErrOptions)
	case opts.Key == "" && !keyless:
		return nil, fmt.Errorf("%w: need a key or a certificate identity and issuer", ErrOptions)
	case keyless:
		return newKeylessVerifier(opts)
	}
	return newKeyVerifier(ctx, opts)
}

func newKeyVerifier(ctx context.Context, opts VerifyOptions) (*Verifier, error) {
	pub, err := loadPublicKey(ctx, opts.Key)
	if err != nil {
		return nil, err
	}
	hint, err := keyHint(pub)
	if err != nil {
		return nil, err
	}
	sv, err := signature.LoadDefaultVerifier(pub, sigopts.WithED25519ph())
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, opts.Key, err)
	}
	key := root.NewExpiringKey(sv, time.Time{}, time.Time{})
	keys := root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) { return key, nil })
	material := root.TrustedMaterial(keys)
	vopts := []verify.VerifierOption{verify.WithNoObserverTimestamps()}
	if opts.RequireTlog {
		if opts.TrustedRoot == "" {
			return nil, fmt.Errorf("%w: requiring the transparency log needs a trusted root", ErrOptions)
		}
		tr, err := root.NewTrustedRootFromPath(opts.TrustedRoot)
		if err != nil {
			return nil, fmt.Errorf("%w: trusted root %s: %w", ErrOptions, opts.TrustedRoot, err)
		}
		material = &keyAndRoot{TrustedMaterial: tr, keys: keys}
		vopts = append(vopts, verify.WithTransparencyLog(1))
	}
	v, err := verify.NewVerifier(material, vopts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	return &Verifier{signatureOnly: !opts.RequireTlog, keyHint: hint, verifier: v, material: material, policy: []verify.PolicyOption{verify.WithKey()}}, nil
}

func newKeylessVerifier(opts VerifyOptions) (*Verifier, error) {
	if (opts.CertificateIdentity == "") == (opts.CertificateIdentityRegexp == "") {
		return nil, fmt.Errorf("%w: need exactly one of certificate identity and certificate identity regexp", ErrOptions)
	}
	if (opts.CertificateOIDCIssuer == "") == (opts.CertificateOIDCIssuerRegexp == "") {
		return nil, fmt.Errorf("%w: need exactly one of certificate OIDC issuer and certificate OIDC issuer regexp", ErrOptions)
	}
	if opts.TrustedRoot == "" {
		return nil, fmt.Errorf("%w: keyless verification needs a trusted root", ErrOptions)
	}
	san, err := verify.NewSANMatcher(opts.CertificateIdentity, opts.CertificateIdentityRegexp)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate identity: %w", ErrOptions, err)
	}
	issuer, err := verify.NewIssuerMatcher(opts.CertificateOIDCIssuer, opts.CertificateOIDCIssuerRegexp)
	if err != nil {
		return nil, fmt.Errorf("%w: certificate OIDC issuer: %w", ErrOptions, err)
	}
	id, err := verify.NewCertificateIdentity(san, issuer, certificate.Extensions{})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	tr, err := root.NewTrustedRootFromPath(opts.TrustedRoot)
	if err != nil {
		return nil, fmt.Errorf("%w: trusted root %s: %w", ErrOptions, opts.TrustedRoot, err)
	}
	vopts := []verify.VerifierOption{verify.WithTransparencyLog(1), verify.WithIntegratedTimestamps(1)}
	if len(tr.CTLogs()) > 0 {
		vopts = append(vopts, verify.WithSignedCertificateTimestamps(1))
	}
	v, err := verify.NewVerifier(tr, vopts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOptions, err)
	}
	return &Verifier{keyless: true, verifier: v, material: tr, policy: []verify.PolicyOption{verify.WithCertificateIdentity(id)}}, nil
}

// loadPublicKey reads a PEM public key file or asks a KMS for its key.
func loadPublicKey(ctx context.Context, ref string) (crypto.PublicKey, error) {
	if IsKMS(ref) {
		sv, err := loadKMS(ctx, ref)
		if err != nil {
			return nil, err
		}
		pub, err := sv.PublicKey(sigopts.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrKey, ref, err)
		}
		return pub, nil
	}
	pemBytes, err := os.ReadFile(ref)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, ref, err)
	}
	return pub, nil
}

// Verify verifies one attestation with the options; see Verifier.Verify.
func Verify(ctx context.Context, data []byte, opts VerifyOptions) (*Verified, error) {
	v, err := NewVerifier(ctx, opts)
	if err != nil {
		return nil, err
	}
	return v.Verify(ctx, data)
}

// Verify checks an attestation — a sigstore bundle, or a bare DSSE envelope
// (cosign's legacy .att layer) — and returns its in-toto statement and
// signer. A bare envelope carries no certificate, so it verifies with a key
// only. Which subject the statement must be about is the caller's to check
// (Statement.CheckSubject).
func (v *Verifier) Verify(ctx context.Context, data []byte) (*Verified, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	format, candidates, err := decode(data)
	if err != nil {
		return nil, err
	}
	env := candidates[0].GetDsseEnvelope()
	if env.GetPayloadType() != PayloadType {
		return nil, fmt.Errorf("%w: %q, want %s", ErrPayloadType, env.GetPayloadType(), PayloadType)
	}
	var errs []error
	for _, pb := range candidates {
		id, err := v.verifyBundle(format, pb)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st, err := ParseStatement(env.GetPayload())
		if err != nil {
			return nil, err
		}
		return &Verified{Format: format, Statement: *st, Signer: id}, nil
	}
	return nil, errors.Join(errs...)
}

func (v *Verifier) verifyBundle(format Format, pb *protobundle.Bundle) (Identity, error) {
	hasCert := pb.GetVerificationMaterial().GetCertificate() != nil || pb.GetVerificationMaterial().GetX509CertificateChain() != nil
	switch {
	case v.keyless && !hasCert:
		return Identity{}, fmt.Errorf("%w: signed with a key, not a certificate", ErrIdentity)
	case !v.keyless && hasCert:
		return Identity{}, fmt.Errorf("%w: signed with a certificate, not with key %s", ErrSignature, v.keyHint)
	}
	b, err := sgbundle.NewBundle(pb)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %s: %w", ErrFormat, format, err)
	}
	if v.signatureOnly {
		if err := verifySignature(b, v.material); err != nil {
			return Identity{}, v.classify(b, err)
		}
		return Identity{KeyHint: v.keyHint}, nil
	}
	res, err := v.verifier.Verify(b, verify.NewPolicy(verify.WithoutArtifactUnsafe(), v.policy...))
	if err != nil {
		return Identity{}, v.classify(b, err)
	}
	if v.keyless {
		cert := res.Signature.Certificate
		return Identity{Subject: cert.SubjectAlternativeName, Issuer: cert.Issuer}, nil
	}
	return Identity{KeyHint: v.keyHint}, nil
}

// classify maps a sigstore-go failure onto the package's sentinels: a
// signature that does not verify with the trusted key or certificate is
// ErrSignature; an identity mismatch ErrIdentity; anything else (tlog,
// timestamps, chains) ErrVerification.
func (v *Verifier) classify(b *sgbundle.Bundle, err error) error {
	if _, ok := errors.AsType[*verify.ErrNoMatchingCertificateIdentity](err); ok {
		return fmt.Errorf("%w: %w", ErrIdentity, err)
	}
	if verifySignature(b, v.material) != nil {
		if vc, err := b.VerificationContent(); err == nil && !v.keyless {
			if pk := vc.PublicKey(); pk != nil && pk.Hint() != "" && pk.Hint() != v.keyHint {
				return fmt.Errorf("%w: signed by key %s, not %s", ErrSignature, pk.Hint(), v.keyHint)
			}
		}
		return fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return fmt.Errorf("%w: %w", ErrVerification, err)
}

// verifySignature checks the bundle's signature alone with sigstore-go,
// against the trusted key or the bundle's certificate.
func verifySignature(b *sgbundle.Bundle, material root.TrustedMaterial) error {
	sig, err := b.SignatureContent()
	if err != nil {
		return err
	}
	vc, err := b.VerificationContent()
	if err != nil {
		return err
	}
	return verify.VerifySignature(sig, vc, material)
}

// keyAndRoot is a trusted root (for its Rekor keys) that trusts one public
// key for signatures.
type keyAndRoot struct {
	root.TrustedMaterial
	keys root.TrustedMaterial
}

func (k *keyAndRoot) PublicKeyVerifier(hint string) (root.TimeConstrainedVerifier, error) {
	return k.keys.PublicKeyVerifier(hint)
}

// decode recognizes the input and returns the bundles to verify: the bundle
// itself, or for a bare envelope one key-only bundle per signature (a bundle
// holds exactly one).
func decode(data []byte) (Format, []*protobundle.Bundle, error) {
	var probe struct {
		MediaType   *string         `json:"mediaType"`
		PayloadType *string         `json:"payloadType"`
		Type        *string         `json:"_type"`
		Signatures  json.RawMessage `json:"signatures"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return "", nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	switch {
	case probe.MediaType != nil && strings.HasPrefix(*probe.MediaType, "application/vnd.dev.sigstore.bundle"):
		pb := new(protobundle.Bundle)
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, pb); err != nil {
			return "", nil, fmt.Errorf("%w: sigstore bundle: %w", ErrFormat, err)
		}
		env := pb.GetDsseEnvelope()
		if env == nil {
			return "", nil, fmt.Errorf("%w: sigstore bundle holds no DSSE envelope", ErrFormat)
		}
		if len(env.GetSignatures()) == 0 {
			return "", nil, fmt.Errorf("%w: DSSE envelope in bundle has no signatures", ErrNoSignature)
		}
		return FormatBundle, []*protobundle.Bundle{pb}, nil
	case probe.PayloadType != nil:
		var env struct {
			PayloadType string `json:"payloadType"`
			Payload     []byte `json:"payload"`
			Signatures  []struct {
				KeyID string `json:"keyid"`
				Sig   []byte `json:"sig"`
			} `json:"signatures"`
		}
		if err := json.Unmarshal(data, &env); err != nil {
			return "", nil, fmt.Errorf("%w: DSSE envelope: %w", ErrFormat, err)
		}
		var out []*protobundle.Bundle
		for _, s := range env.Signatures {
			if len(s.Sig) == 0 {
				continue
			}
			out = append(out, &protobundle.Bundle{
				MediaType: BundleMediaType,
				VerificationMaterial: &protobundle.VerificationMaterial{
					Content: &protobundle.VerificationMaterial_PublicKey{PublicKey: &protocommon.PublicKeyIdentifier{Hint: s.KeyID}},
				},
				Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
					Payload: env.Payload, PayloadType: env.PayloadType,
					Signatures: []*protodsse.Signature{{Sig: s.Sig, Keyid: s.KeyID}},
				}},
			})
		}
		if len(out) == 0 {
			return "", nil, fmt.Errorf("%w: DSSE envelope has no signatures", ErrNoSignature)
		}
		return FormatEnvelope, out, nil
	case probe.Type != nil:
		return "", nil, fmt.Errorf("%w: a plain in-toto statement", ErrNoSignature)
	}
	return "", nil, fmt.Errorf("%w: neither a sigstore bundle, a DSSE envelope nor an in-toto statement", ErrFormat)
}

// Unsigned returns the statement of an attestation without verifying
// anything, for callers that explicitly accept unsigned attestations: a
// plain in-toto statement, or the payload of a DSSE envelope, bare or in a
// sigstore bundle, signed or not.
func Unsigned(data []byte) (*Statement, error) {
	var doc struct {
		Type         *string `json:"_type"`
		PayloadType  string  `json:"payloadType"`
		Payload      []byte  `json:"payload"`
		DsseEnvelope *struct {
			PayloadType string `json:"payloadType"`
			Payload     []byte `json:"payload"`
		} `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	switch {
	case doc.Type != nil:
		return ParseStatement(data)
	case doc.DsseEnvelope != nil:
		doc.PayloadType, doc.Payload = doc.DsseEnvelope.PayloadType, doc.DsseEnvelope.Payload
	case doc.PayloadType == "":
		return nil, fmt.Errorf("%w: neither a sigstore bundle, a DSSE envelope nor an in-toto statement", ErrFormat)
	}
	if doc.PayloadType != PayloadType {
		return nil, fmt.Errorf("%w: %q, want %s", ErrPayloadType, doc.PayloadType, PayloadType)
	}
	return ParseStatement(doc.Payload)
}
