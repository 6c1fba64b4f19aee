package pull_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/fixture"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/pull"
	"github.com/vexil-dev/vexil/vex"
)

const password = "demo-password"

// spec is a two-platform release with a sigstore-bundle SBOM referrer on
// amd64 (an attestation that is not VEX) and an SPDX referrer on arm64.
var spec = fixture.Spec{Seed: 11, Platforms: []fixture.PlatformSpec{
	{OS: "linux", Architecture: "amd64", SBOM: fixture.Bundle, Packages: []string{"pkg:golang/golang.org/x/net@v0.17.0"}},
	{OS: "linux", Architecture: "arm64", SBOM: fixture.SPDX, Packages: []string{"pkg:golang/golang.org/x/net@v0.17.0"}},
}}

// client returns a client for test registries that caches nothing, so
// request counts are the protocol's.
func client(t testing.TB) *oci.Client {
	t.Helper()
	c, err := oci.New(oci.Options{PlainHTTP: true, NoCache: true, Anonymous: true, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// keyPair writes a cosign key pair into a fresh directory and returns the
// loaded signer and the public key path.
func keyPair(t testing.TB) (*sign.KeySigner, string) {
	t.Helper()
	keyPath, pubPath := cosigntest.WriteKeyPair(t, t.TempDir(), password)
	s, err := sign.LoadKey(context.Background(), keyPath, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	return s, pubPath
}

// image pushes the spec's release to reg as acme/proxy:v1 and returns it
// resolved.
func image(t testing.TB, reg *registrytest.Registry, c *oci.Client) oci.Release {
	t.Helper()
	ctx := context.Background()
	repo := reg.Ref("acme/proxy")
	if _, err := fixture.PushRelease(ctx, c, repo, "v1", spec); err != nil {
		t.Fatal(err)
	}
	rel, err := c.Release(ctx, repo, "v1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rel.Platforms) != 2 {
		t.Fatalf("release has %d platforms, want 2", len(rel.Platforms))
	}
	return rel
}

// statement is one statement of a test document.
type statement struct {
	vuln   string
	status vex.Status
	at     time.Time
}

// document returns the canonical OpenVEX document of rel with stmts.
func document(t testing.TB, rel oci.Release, stmts ...statement) []byte {
	t.Helper()
	var vs []vex.Statement
	for _, s := range stmts {
		v := vex.Statement{Vulnerability: s.vuln, Status: s.status, Timestamp: s.at}
		switch s.status {
		case vex.StatusNotAffected:
			v.Justification = "vulnerable_code_not_in_execute_path"
		case vex.StatusAffected:
			v.ActionStatement = "Upgrade to v2."
		}
		vs = append(vs, v)
	}
	var platforms []digest.Digest
	for _, p := range rel.Platforms {
		platforms = append(platforms, p.Digest)
	}
	doc, err := vex.Build(vex.BuildOptions{IDPrefix: "https://vex.example.com", Author: "Example Security"},
		vex.Release{Product: "proxy", Repository: rel.Repository, Tag: rel.Tag, Index: rel.Digest, Platforms: platforms}, vs)
	if err != nil {
		t.Fatal(err)
	}
	b, err := vex.Canonical(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// attest signs an in-toto statement about subject with s (nil: unsigned,
// the plain statement) and returns the bytes.
func attest(t testing.TB, s sign.Signer, repo string, subject digest.Digest, predicateType string, predicate []byte) []byte {
	t.Helper()
	st := sign.Statement{
		Subjects:      []sign.Subject{{Name: repo, Digest: subject.String()}},
		PredicateType: predicateType,
		Predicate:     predicate,
	}
	if s == nil {
		b, err := st.Encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b, err := sign.Attest(context.Background(), s, st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pushBundle pushes a sigstore bundle as a referrer of subject in the shape
// DESIGN.md fixes, with annotations announcing announced, and returns the
// referrer digest.
func pushBundle(t testing.TB, c *oci.Client, repo string, subject ocispec.Descriptor, bundle []byte, announced string) digest.Digest {
	t.Helper()
	desc, err := c.PushReferrer(context.Background(), repo, subject, sign.BundleMediaType, bundle, sign.BundleMediaType, map[string]string{
		"dev.sigstore.bundle.content":       "dsse-envelope",
		"dev.sigstore.bundle.predicateType": announced,
		"in-toto.io/predicate-type":         announced,
		"org.opencontainers.image.created":  "2026-01-01T00:00:00Z",
	})
	if err != nil {
		t.Fatal(err)
	}
	return desc.Digest
}

// pushInToto pushes a plain in-toto statement as a referrer the way Docker
// Scout does, and returns the referrer digest.
func pushInToto(t testing.TB, c *oci.Client, repo string, subject ocispec.Descriptor, statement []byte, predicateType string) digest.Digest {
	t.Helper()
	desc, err := c.PushReferrer(context.Background(), repo, subject, oci.MediaTypeInToto, statement, oci.MediaTypeInToto, map[string]string{
		oci.AnnotationPredicateType: predicateType,
	})
	if err != nil {
		t.Fatal(err)
	}
	return desc.Digest
}

// tamper returns the bundle with its DSSE payload replaced by payload and
// the signature kept.
func tamper(t testing.TB, bundle, payload []byte) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	env := b["dsseEnvelope"].(map[string]any)
	enc, _ := json.Marshal(payload)
	var s string
	_ = json.Unmarshal(enc, &s)
	env["payload"] = s
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func at(day int) time.Time { return time.Date(2026, 1, day, 12, 0, 0, 0, time.UTC) }

// published is an olareg holding the spec's release with one signed VEX
// attestation on its index: CVE-2024-0001 fixed.
type published struct {
	reg      *registrytest.Registry
	c        *oci.Client
	rel      oci.Release
	signer   *sign.KeySigner
	pub      string
	doc      []byte
	referrer digest.Digest
}

// publish pushes the spec's release and its attestation to a new olareg.
func publish(t testing.TB) published {
	t.Helper()
	p := published{reg: registrytest.NewOlareg(t), c: client(t)}
	p.rel = image(t, p.reg, p.c)
	p.signer, p.pub = keyPair(t)
	p.doc = document(t, p.rel, statement{"CVE-2024-0001", vex.StatusFixed, at(1)})
	p.referrer = pushBundle(t, p.c, p.rel.Repository, p.rel.Descriptor(), attest(t, p.signer, p.rel.Repository, p.rel.Digest, predicateType, p.doc), predicateType)
	return p
}

// pull pulls the release, trusting the key.
func (p published) pull() (*pull.Result, error) {
	return pull.Pull(context.Background(), p.c, pull.Reference{Repository: p.rel.Repository, Tag: "v1"}, pull.Options{Verify: sign.VerifyOptions{Key: p.pub}})
}
