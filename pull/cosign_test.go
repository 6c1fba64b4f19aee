package pull_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/pull"
	"github.com/vexil-dev/vexil/vex"
)

// TestCosignLegacyAttestation: `cosign attest --type openvex` (the real
// CLI, v2 pinned in go.mod) writes a sha256-<hex>.att tag holding a DSSE
// envelope; pull discovers and verifies it.
func TestCosignLegacyAttestation(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the cosign CLI")
	}
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := client(t)
		rel := image(t, reg, c)
		dir := t.TempDir()
		keyPath, pubPath := cosigntest.WriteKeyPair(t, dir, password)
		docPath := filepath.Join(dir, "doc.openvex.json")
		if err := os.WriteFile(docPath, document(t, rel, statement{"CVE-2024-0001", vex.StatusNotAffected, at(1)}), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := cosigntest.Run(t, dir, password, "attest", "--yes", "--type", "openvex", "--predicate", docPath,
			"--key", keyPath, "--tlog-upload=false", "--allow-insecure-registry", "--allow-http-registry",
			rel.Repository+"@"+rel.Digest.String())
		if err != nil {
			t.Fatalf("cosign attest: %v\n%s", err, out)
		}
		tags, err := c.ListTags(ctx, rel.Repository)
		if err != nil {
			t.Fatal(err)
		}
		att := "sha256-" + rel.Digest.Encoded() + ".att"
		if !strings.Contains(" "+strings.Join(tags, " ")+" ", " "+att+" ") {
			t.Fatalf("tags %v, want %s", tags, att)
		}

		res, err := pull.Pull(ctx, c, pull.Reference{Repository: rel.Repository, Tag: "v1"}, pull.Options{Verify: sign.VerifyOptions{Key: pubPath}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Attestations) != 1 {
			t.Fatalf("got %d attestations, want 1", len(res.Attestations))
		}
		a := res.Attestations[0]
		if a.Err != nil || !a.Verified || a.Source != pull.SourceCosignTag || a.Format != pull.FormatEnvelope ||
			a.PredicateType != "https://openvex.dev/ns" || a.Subject != rel.Digest || a.Statements() != 1 {
			t.Errorf("got err %v verified %v source %s format %s predicate %s subject %s statements %d, "+
				"want accepted, verified, %s, %s, https://openvex.dev/ns, %s, 1",
				a.Err, a.Verified, a.Source, a.Format, a.PredicateType, a.Subject, a.Statements(),
				pull.SourceCosignTag, pull.FormatEnvelope, rel.Digest)
		}
		if got := res.Document.Statements[0].Status; got != vex.StatusNotAffected {
			t.Errorf("merged status %s, want not_affected", got)
		}

		_, otherPub := cosigntest.WriteKeyPair(t, t.TempDir(), password)
		res, err = pull.Pull(ctx, c, pull.Reference{Repository: rel.Repository, Tag: "v1"}, pull.Options{Verify: sign.VerifyOptions{Key: otherPub}})
		if err == nil || len(res.Rejected()) != 1 {
			t.Errorf("another key: got %v, want the .att rejected", err)
		}
	})
}

// TestCosignBundleReferrer: `cosign attest --new-bundle-format` (the real
// CLI) pushes a sigstore bundle as an OCI 1.1 referrer, without the
// annotations vexil publish writes; pull discovers and verifies it, and
// rejects it under another key.
func TestCosignBundleReferrer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the cosign CLI")
	}
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := client(t)
		rel := image(t, reg, c)
		dir := t.TempDir()
		keyPath, pubPath := cosigntest.WriteKeyPair(t, dir, password)
		docPath := filepath.Join(dir, "doc.openvex.json")
		if err := os.WriteFile(docPath, document(t, rel, statement{"CVE-2024-0001", vex.StatusFixed, at(1)}), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := cosigntest.Run(t, dir, password, "attest", "--yes", "--new-bundle-format", "--type", "openvex", "--predicate", docPath,
			"--key", keyPath, "--tlog-upload=false", "--allow-insecure-registry", "--allow-http-registry",
			rel.Repository+"@"+rel.Digest.String())
		if err != nil {
			t.Fatalf("cosign attest: %v\n%s", err, out)
		}

		ref := pull.Reference{Repository: rel.Repository, Tag: "v1"}
		res, err := pull.Pull(ctx, c, ref, pull.Options{Verify: sign.VerifyOptions{Key: pubPath}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Attestations) != 1 {
			t.Fatalf("got %d attestations, want 1", len(res.Attestations))
		}
		a := res.Attestations[0]
		wantSource := pull.SourceReferrersTag
		if reg.ReferrersAPI {
			wantSource = pull.SourceReferrersAPI
		}
		if a.Err != nil || !a.Verified || a.Source != wantSource || a.Format != pull.FormatBundle ||
			a.PredicateType != "https://openvex.dev/ns" || a.Subject != rel.Digest || a.Statements() != 1 {
			t.Errorf("got err %v verified %v source %s format %s predicate %s subject %s statements %d, "+
				"want accepted, verified, %s, %s, https://openvex.dev/ns, %s, 1",
				a.Err, a.Verified, a.Source, a.Format, a.PredicateType, a.Subject, a.Statements(),
				wantSource, pull.FormatBundle, rel.Digest)
		}

		_, otherPub := cosigntest.WriteKeyPair(t, t.TempDir(), password)
		res, err = pull.Pull(ctx, c, ref, pull.Options{Verify: sign.VerifyOptions{Key: otherPub}})
		if !errors.Is(err, pull.ErrNoneAccepted) || len(res.Rejected()) != 1 || !errors.Is(res.Rejected()[0].Err, sign.ErrSignature) {
			t.Errorf("another key: got %v, want the bundle rejected with %v", err, sign.ErrSignature)
		}
	})
}
