package pull_test

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

	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/pull"
	"github.com/vexil-dev/vexil/vex"
)

// keylessBundle signs an in-toto statement as a keyless attestation with
// sigstore-go's in-memory Fulcio and Rekor, the way a CI job with an OIDC
// token does, and returns the sigstore bundle and the path of a
// trusted_root.json that trusts that Fulcio and Rekor. (internal/sign's
// TestVerifyKeyless builds its bundles the same way.)
func keylessBundle(t *testing.T, identity, issuer string, statement []byte) (bundle []byte, trustedRoot string) {
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
	// A bundle's log entry names its kind and version, and carries the
	// signed entry timestamp; the virtual Rekor leaves both to the caller.
	tle := entries[0].TransparencyLogEntry()
	var body struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(tle.GetCanonicalizedBody(), &body); err != nil {
		t.Fatal(err)
	}
	tle.KindVersion = &protorekor.KindVersion{Kind: body.Kind, Version: body.APIVersion}
	set, err := vs.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(tle.GetCanonicalizedBody()),
		IntegratedTime: tle.GetIntegratedTime(), LogIndex: tle.GetLogIndex(), LogID: hex.EncodeToString(tle.GetLogId().GetKeyId()),
	})
	if err != nil {
		t.Fatal(err)
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	bundle, err = protojson.Marshal(&protobundle.Bundle{
		MediaType: sign.BundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TlogEntries: []*protorekor.TransparencyLogEntry{tle},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: env.PayloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The virtual log is keyed by its hex key ID; a trusted root holds the
	// raw bytes.
	logs := map[string]*root.TransparencyLog{}
	for id, l := range vs.RekorLogs() {
		if l.ID, err = hex.DecodeString(id); err != nil {
			t.Fatal(err)
		}
		logs[id] = l
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, vs.FulcioCertificateAuthorities(), nil, vs.TimestampingAuthorities(), logs)
	if err != nil {
		t.Fatal(err)
	}
	data, err := tr.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	trustedRoot = filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(trustedRoot, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return bundle, trustedRoot
}

// TestKeyless publishes a keyless-signed VEX attestation (a Fulcio
// certificate and a Rekor entry, from sigstore-go's virtual sigstore) and
// pulls it with a certificate identity, an OIDC issuer and a trusted root:
// the right identity is accepted and named as the signer; another
// identity, another issuer or another root rejects it, so nothing is
// merged.
func TestKeyless(t *testing.T) {
	const (
		identity = "https://github.com/acme/vex/.github/workflows/publish.yaml@refs/heads/main"
		issuer   = "https://token.actions.githubusercontent.com"
	)
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	c := client(t)
	rel := image(t, reg, c)
	doc := document(t, rel, statement{"CVE-2024-0001", vex.StatusNotAffected, at(1)})
	bundle, trustedRoot := keylessBundle(t, identity, issuer, attest(t, nil, rel.Repository, rel.Digest, predicateType, doc))
	_, otherRoot := keylessBundle(t, identity, issuer, attest(t, nil, rel.Repository, rel.Digest, predicateType, doc))
	referrer := pushBundle(t, c, rel.Repository, rel.Descriptor(), bundle, predicateType)
	ref := pull.Reference{Repository: rel.Repository, Tag: "v1"}

	tests := []struct {
		name string
		opts sign.VerifyOptions
		want error // nil: accepted
	}{
		{"identity and issuer", sign.VerifyOptions{CertificateIdentity: identity, CertificateOIDCIssuer: issuer, TrustedRoot: trustedRoot}, nil},
		{"regexps", sign.VerifyOptions{CertificateIdentityRegexp: `^https://github\.com/acme/vex/`, CertificateOIDCIssuerRegexp: `^https://token\.actions\.githubusercontent\.com$`, TrustedRoot: trustedRoot}, nil},
		{"another identity", sign.VerifyOptions{CertificateIdentity: "https://github.com/evil/vex/.github/workflows/publish.yaml@refs/heads/main", CertificateOIDCIssuer: issuer, TrustedRoot: trustedRoot}, sign.ErrIdentity},
		{"another issuer", sign.VerifyOptions{CertificateIdentity: identity, CertificateOIDCIssuer: "https://accounts.google.com", TrustedRoot: trustedRoot}, sign.ErrIdentity},
		{"another root", sign.VerifyOptions{CertificateIdentity: identity, CertificateOIDCIssuer: issuer, TrustedRoot: otherRoot}, sign.ErrVerification},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := pull.Pull(ctx, c, ref, pull.Options{Verify: tt.opts})
			if res == nil || len(res.Attestations) != 1 {
				t.Fatalf("got %v, %v: want one attestation", res, err)
			}
			a := res.Attestations[0]
			if a.Manifest != referrer {
				t.Errorf("attestation %s, want %s", a.Manifest, referrer)
			}
			if tt.want != nil {
				if !errors.Is(a.Err, tt.want) || !errors.Is(err, pull.ErrNoneAccepted) || res.Document != nil {
					t.Errorf("got reason %v, error %v, want %v and %v with no document", a.Err, err, tt.want, pull.ErrNoneAccepted)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if wantSigner := identity + " (issuer " + issuer + ")"; a.Err != nil || !a.Verified || a.Signer != wantSigner || a.Format != pull.FormatBundle {
				t.Errorf("got err %v verified %v signer %q format %s, want accepted, verified, %q, %s",
					a.Err, a.Verified, a.Signer, a.Format, wantSigner, pull.FormatBundle)
			}
			if n := len(res.Document.Statements); n != 1 || res.Document.Statements[0].Status != vex.StatusNotAffected {
				t.Errorf("merged %d statements, want 1 not_affected", n)
			}
		})
	}
}
