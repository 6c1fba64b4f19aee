package sign_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/sign"
)

// blob writes a file standing in for the image: cosign's blob commands
// check the statement's subject against its SHA-256.
func blob(t *testing.T, dir, content string) (path, digest string) {
	t.Helper()
	path = filepath.Join(dir, "subject-"+content)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(content))
	return path, "sha256:" + hex.EncodeToString(sum[:])
}

// TestCosignVerifiesBundle has the real cosign CLI verify what KeySigner
// writes, offline, with a key pair made by `cosign generate-key-pair`.
func TestCosignVerifiesBundle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the cosign CLI")
	}
	ctx := context.Background()
	dir := t.TempDir()
	keyPath, pubPath := cosigntest.GenerateKeyPair(t, dir, password)
	otherDir := t.TempDir()
	_, otherPub := cosigntest.WriteKeyPair(t, otherDir, password)
	root := cosigntest.TrustedRootFile(t)

	signer, err := sign.LoadKey(ctx, keyPath, []byte(password))
	if err != nil {
		t.Fatalf("LoadKey(cosign CLI key): %v", err)
	}
	subject, digest := blob(t, dir, "release")
	otherSubject, _ := blob(t, dir, "other-release")
	bundle, err := sign.Attest(ctx, signer, statement(digest))
	if err != nil {
		t.Fatal(err)
	}
	bundlePath := filepath.Join(dir, "vex.sigstore.json")
	if err := os.WriteFile(bundlePath, bundle, 0o644); err != nil {
		t.Fatal(err)
	}

	verify := func(key, typ, artifact string) []string {
		return []string{"verify-blob-attestation", "--new-bundle-format", "--bundle", bundlePath,
			"--key", key, "--insecure-ignore-tlog", "--trusted-root", root, "--type", typ, artifact}
	}
	tests := []struct {
		name string
		args []string
		ok   bool
		out  string
	}{
		{"ok", verify(pubPath, sign.DefaultPredicateType, subject), true, "Verified OK"},
		{"other key", verify(otherPub, sign.DefaultPredicateType, subject), false, "failed to verify signature"},
		{"unversioned openvex type", verify(pubPath, "openvex", subject), false, "invalid predicate type, expected openvex got https://openvex.dev/ns/v0.2.0"},
		{"other subject", verify(pubPath, sign.DefaultPredicateType, otherSubject), false, "provided artifact digest does not match any digest in statement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := cosigntest.Run(t, dir, "", tt.args...)
			if (err == nil) != tt.ok || !strings.Contains(out, tt.out) {
				t.Errorf("cosign %s: err = %v, want ok=%v and output containing %q; output:\n%s", strings.Join(tt.args, " "), err, tt.ok, tt.out, out)
			}
		})
	}
}

// TestVerifyCosignAttestations verifies what the real `cosign attest-blob`
// writes, offline: a bundle v0.3 and the bare DSSE envelope (the content of
// a legacy .att layer, with an in-toto v0.1 statement).
func TestVerifyCosignAttestations(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the cosign CLI")
	}
	ctx := context.Background()
	dir := t.TempDir()
	keyPath, pubPath := cosigntest.WriteKeyPair(t, dir, password)
	_, otherPub := cosigntest.WriteKeyPair(t, t.TempDir(), password)
	subject, digest := blob(t, dir, "release")
	predicatePath := filepath.Join(dir, "vex.openvex.json")
	if err := os.WriteFile(predicatePath, []byte(document), 0o644); err != nil {
		t.Fatal(err)
	}
	attest := func(newBundle bool, out string) {
		t.Helper()
		args := []string{"attest-blob", "--key", keyPath, "--tlog-upload=false", "--yes",
			"--type", sign.DefaultPredicateType, "--predicate", predicatePath, "--output-signature", filepath.Join(dir, out+".dsse.json")}
		if newBundle {
			args = append(args, "--new-bundle-format", "--bundle", filepath.Join(dir, out+".sigstore.json"))
		}
		if out, err := cosigntest.Run(t, dir, password, append(args, subject)...); err != nil {
			t.Fatalf("cosign %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	attest(true, "new")
	attest(false, "legacy")

	var wantPredicate any
	if err := json.Unmarshal([]byte(document), &wantPredicate); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file   string
		format sign.Format
	}{
		{"new.sigstore.json", sign.FormatBundle},
		{"new.dsse.json", sign.FormatEnvelope},
		{"legacy.dsse.json", sign.FormatEnvelope},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			v, err := sign.Verify(ctx, data, sign.VerifyOptions{Key: pubPath})
			if err != nil {
				t.Fatalf("Verify: %v\n%s", err, data)
			}
			if v.Format != tt.format {
				t.Errorf("Format = %q, want %q", v.Format, tt.format)
			}
			if v.Statement.PredicateType != sign.DefaultPredicateType {
				t.Errorf("PredicateType = %q, want %q", v.Statement.PredicateType, sign.DefaultPredicateType)
			}
			if err := v.Statement.CheckSubject(digest); err != nil {
				t.Error(err)
			}
			var gotPredicate any
			if err := json.Unmarshal(v.Statement.Predicate, &gotPredicate); err != nil || !reflect.DeepEqual(gotPredicate, wantPredicate) {
				t.Errorf("Predicate = %s, want %s (%v)", v.Statement.Predicate, document, err)
			}
			if _, err := sign.Verify(ctx, data, sign.VerifyOptions{Key: otherPub}); !errors.Is(err, sign.ErrSignature) {
				t.Errorf("Verify with another key = %v, want ErrSignature", err)
			}
		})
	}
}
