package pull_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/pull"
	"github.com/vexil-dev/vexil/vex"
)

// TestShapes: a bare DSSE envelope referrer verifies; a bundle without
// annotations, or whose listing gives no artifact type, is read and kept
// when its statement is OpenVEX, and skipped silently when it is not (an
// SBOM attestation is not a VEX failure), as is an untyped plain SBOM.
func TestShapes(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := client(t)
		rel := image(t, reg, c)
		repo := rel.Repository
		signer, pub := keyPair(t)
		doc := document(t, rel, statement{"CVE-2024-0001", vex.StatusFixed, at(1)})

		bundle := attest(t, signer, repo, rel.Digest, predicateType, doc)
		var b struct {
			DSSEEnvelope json.RawMessage `json:"dsseEnvelope"`
		}
		if err := json.Unmarshal(bundle, &b); err != nil {
			t.Fatal(err)
		}
		env, err := c.PushReferrer(ctx, repo, rel.Descriptor(), oci.MediaTypeDSSE, b.DSSEEnvelope, oci.MediaTypeDSSE,
			map[string]string{oci.AnnotationPredicateType: predicateType})
		if err != nil {
			t.Fatal(err)
		}
		bare, err := c.PushReferrer(ctx, repo, rel.Descriptor(), sign.BundleMediaType, attest(t, signer, repo, rel.Digest, "https://openvex.dev/ns", doc), sign.BundleMediaType, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.PushReferrer(ctx, repo, rel.Descriptor(), sign.BundleMediaType, attest(t, signer, repo, rel.Digest, "https://spdx.dev/Document", []byte(`{"spdxVersion":"SPDX-2.3"}`)), sign.BundleMediaType, nil); err != nil {
			t.Fatal(err)
		}
		// Referrers listed with no artifact type, or with the empty
		// config's (go-containerregistry's tag schema entries): read, and
		// kept only when they hold an OpenVEX attestation.
		untyped, err := c.PushReferrer(ctx, repo, rel.Descriptor(), "application/vnd.oci.empty.v1+json", attest(t, signer, repo, rel.Digest, predicateType, doc), sign.BundleMediaType, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.PushReferrer(ctx, repo, rel.Descriptor(), "application/vnd.oci.empty.v1+json", attest(t, signer, repo, rel.Digest, "https://spdx.dev/Document", []byte(`{"spdxVersion":"SPDX-2.3"}`)), sign.BundleMediaType, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PushReferrer(ctx, repo, rel.Descriptor(), "application/vnd.oci.empty.v1+json", []byte(`{"spdxVersion":"SPDX-2.3"}`), "application/spdx+json", nil); err != nil {
			t.Fatal(err)
		}

		res, err := pull.Pull(ctx, c, pull.Reference{Repository: repo, Tag: "v1"}, pull.Options{Verify: sign.VerifyOptions{Key: pub}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[digest.Digest]struct {
			format        pull.Format
			predicateType string
		}{
			env.Digest:     {pull.FormatEnvelope, predicateType},
			bare.Digest:    {pull.FormatBundle, "https://openvex.dev/ns"},
			untyped.Digest: {pull.FormatBundle, predicateType},
		}
		if len(res.Attestations) != len(want) {
			t.Fatalf("got %d attestations, want %d", len(res.Attestations), len(want))
		}
		for _, a := range res.Attestations {
			w := want[a.Manifest]
			if a.Err != nil || !a.Verified || a.Format != w.format || a.PredicateType != w.predicateType {
				t.Errorf("%s: err %v verified %v format %s predicate %s, want accepted, verified, %s, %s",
					a.Manifest, a.Err, a.Verified, a.Format, a.PredicateType, w.format, w.predicateType)
			}
		}
	})
}

// TestRegistryFailure: a registry that fails while attestations are read
// fails the pull (exit 3 in the CLI) instead of rejecting them, which
// would read as "not verified".
func TestRegistryFailure(t *testing.T) {
	p := publish(t)
	fault := p.reg.Inject(registrytest.Fault{Match: registrytest.OfKind(registrytest.KindBlobGet), Status: http.StatusInternalServerError})
	res, err := p.pull()
	if err == nil || res != nil || errors.Is(err, pull.ErrNoneAccepted) || p.reg.Fired(fault) != 1 {
		t.Errorf("got %v (result %v, fault fired %d times), want a registry error and no result", err, res, p.reg.Fired(fault))
	}
	if err != nil && !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Errorf("error %q does not name the registry's answer", err)
	}
}

// TestTamperedLayer: a registry that serves an attestation layer with one
// byte changed (same length, so only the digest can tell) gets that
// attestation rejected as a digest mismatch; the others still merge.
func TestTamperedLayer(t *testing.T) {
	p := publish(t)
	amd := p.rel.Platforms[0]
	bundle := attest(t, p.signer, p.rel.Repository, amd.Digest, predicateType, p.doc)
	bad := pushBundle(t, p.c, p.rel.Repository, amd.Descriptor(), bundle, predicateType)

	// change one base64 character of the signed payload
	i := bytes.Index(bundle, []byte(`"payload":"`))
	if i < 0 {
		t.Fatalf("the bundle has no payload: %s", bundle)
	}
	changed := bytes.Clone(bundle)
	i += len(`"payload":"`) + 20
	changed[i] = map[bool]byte{true: 'B', false: 'A'}[changed[i] == 'A']
	fault := p.reg.Inject(registrytest.Fault{
		Match: func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+digest.FromBytes(bundle).String())
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(changed)))
			_, _ = w.Write(changed)
		}),
	})
	res, err := p.pull()
	if err != nil {
		t.Fatal(err)
	}
	if p.reg.Fired(fault) != 1 {
		t.Fatalf("the tampered layer was served %d times, want 1", p.reg.Fired(fault))
	}
	if len(res.Attestations) != 2 {
		t.Fatalf("got %d attestations, want 2", len(res.Attestations))
	}
	for _, a := range res.Attestations {
		switch a.Manifest {
		case p.referrer:
			if a.Err != nil {
				t.Errorf("untouched attestation: got %v, want accepted", a.Err)
			}
		case bad:
			if !errors.Is(a.Err, oci.ErrDigestMismatch) || a.Document != nil {
				t.Errorf("tampered layer: got %v, want %v and no document", a.Err, oci.ErrDigestMismatch)
			}
		default:
			t.Errorf("unexpected attestation %s", a.Manifest)
		}
	}
}
