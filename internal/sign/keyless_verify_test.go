package sign_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/vexil-dev/vexil/internal/sign"
)

// virtualKeyless signs statement as a keyless attestation with sigstore-go's
// in-memory Fulcio and Rekor (ca.VirtualSigstore), and returns the bundle
// JSON and a trusted_root.json trusting those.
func virtualKeyless(t *testing.T, identity, issuer string, statement []byte) (bundle []byte, trustedRoot string) {
	t.Helper()
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	entity, err := vs.AttestAtTime(identity, issuer, statement, time.Now().Add(5*time.Minute), true)
	if err != nil {
		t.Fatal(err)
	}
	vc, err := entity.VerificationContent()
	if err != nil {
		t.Fatal(err)
	}
	sc, err := entity.SignatureContent()
	if err != nil {
		t.Fatal(err)
	}
	entries, err := entity.TlogEntries()
	if err != nil {
		t.Fatal(err)
	}
	env := sc.EnvelopeContent().RawEnvelope()
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		t.Fatal(err)
	}
	// The virtual Rekor's entry lacks the kind and version a bundle carries;
	// they are in its body.
	tle := entries[0].TransparencyLogEntry()
	var body struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(tle.GetCanonicalizedBody(), &body); err != nil {
		t.Fatal(err)
	}
	tle.KindVersion = &protorekor.KindVersion{Kind: body.Kind, Version: body.APIVersion}
	// ... and its signed entry timestamp (the integrated time keyless
	// verification relies on), which the virtual Rekor signs on request.
	logID := hex.EncodeToString(tle.GetLogId().GetKeyId())
	set, err := vs.RekorSignPayload(tlog.RekorPayload{
		Body: base64.StdEncoding.EncodeToString(tle.GetCanonicalizedBody()), IntegratedTime: tle.GetIntegratedTime(),
		LogIndex: tle.GetLogIndex(), LogID: logID,
	})
	if err != nil {
		t.Fatal(err)
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	pb := &protobundle.Bundle{
		MediaType: sign.BundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TlogEntries: []*protorekor.TransparencyLogEntry{tle},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: env.PayloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	}
	bundle, err = protojson.Marshal(pb)
	if err != nil {
		t.Fatal(err)
	}
	// No CT logs: the virtual Fulcio embeds no SCTs.
	// The virtual log's ID is its hex key ID as bytes; a trusted root holds
	// the raw key ID.
	logs := map[string]*root.TransparencyLog{}
	for id, l := range vs.RekorLogs() {
		raw, err := hex.DecodeString(id)
		if err != nil {
			t.Fatal(err)
		}
		l.ID = raw
		logs[id] = l
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, vs.FulcioCertificateAuthorities(), nil, vs.TimestampingAuthorities(), logs)
	if err != nil {
		t.Fatal(err)
	}
	trJSON, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	trustedRoot = filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(trustedRoot, trJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	return bundle, trustedRoot
}

// TestVerifyKeyless verifies a keyless bundle (certificate, Rekor entry with
// inclusion proof) made by sigstore-go's virtual sigstore: the whole keyless
// verification path, offline.
func TestVerifyKeyless(t *testing.T) {
	ctx := context.Background()
	const (
		identity = "https://github.com/acme/vex/.github/workflows/publish.yaml@refs/heads/main"
		issuer   = "https://token.actions.githubusercontent.com"
	)
	bundle, trustedRoot := virtualKeyless(t, identity, issuer, mustEncode(t, statement(digestA)))
	_, pubPath := keyPair(t)

	tests := []struct {
		name string
		opts sign.VerifyOptions
		want error
	}{
		{"exact identity", sign.VerifyOptions{CertificateIdentity: identity, CertificateOIDCIssuer: issuer, TrustedRoot: trustedRoot}, nil},
		{"identity regexp", sign.VerifyOptions{CertificateIdentityRegexp: `^https://github\.com/acme/`, CertificateOIDCIssuerRegexp: `^https://token\.actions\.`, TrustedRoot: trustedRoot}, nil},
		{"other identity", sign.VerifyOptions{CertificateIdentity: "https://github.com/evil/vex/.github/workflows/publish.yaml@refs/heads/main", CertificateOIDCIssuer: issuer, TrustedRoot: trustedRoot}, sign.ErrIdentity},
		{"other issuer", sign.VerifyOptions{CertificateIdentity: identity, CertificateOIDCIssuer: "https://accounts.google.com", TrustedRoot: trustedRoot}, sign.ErrIdentity},
		{"untrusted root", sign.VerifyOptions{CertificateIdentity: identity, CertificateOIDCIssuer: issuer, TrustedRoot: otherRoot(t)}, sign.ErrVerification},
		{"a key instead", sign.VerifyOptions{Key: pubPath}, sign.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := sign.Verify(ctx, bundle, tt.opts)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if err != nil {
				return
			}
			if v.Signer != (sign.Identity{Subject: identity, Issuer: issuer}) {
				t.Errorf("Signer = %+v, want %s from %s", v.Signer, identity, issuer)
			}
			if v.Signer.String() != identity+" (issuer "+issuer+")" {
				t.Errorf("Signer.String() = %q", v.Signer.String())
			}
			if err := v.Statement.CheckSubject(digestA); err != nil || string(v.Statement.Predicate) != document {
				t.Errorf("Statement = %+v, %v", v.Statement, err)
			}
		})
	}

	tampered := tamper(t, bundle)
	if _, err := sign.Verify(ctx, tampered, tests[0].opts); !errors.Is(err, sign.ErrSignature) {
		t.Errorf("Verify(tampered keyless) = %v, want ErrSignature", err)
	}
}

// otherRoot is the trusted root of another virtual sigstore.
func otherRoot(t *testing.T) string {
	_, path := virtualKeyless(t, "x@example.com", "https://issuer.example.com", mustEncode(t, statement(digestB)))
	return path
}
