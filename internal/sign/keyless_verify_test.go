package sign_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/sign"
)

// virtualKeyless signs statement keylessly with sigstore-go's virtual
// sigstore (cosigntest.KeylessBundle) and writes the trusted root to a file.
func virtualKeyless(t *testing.T, identity, issuer string, statement []byte) (bundle []byte, trustedRoot string) {
	t.Helper()
	bundle, tr, err := cosigntest.KeylessBundle(identity, issuer, statement)
	if err != nil {
		t.Fatal(err)
	}
	trustedRoot = filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(trustedRoot, tr, 0o644); err != nil {
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
