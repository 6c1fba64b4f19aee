package pull_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
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
// annotations is read and kept when its statement is OpenVEX, and skipped
// silently when it is not (an SBOM attestation is not a VEX failure).
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

		res, err := pull.Pull(ctx, c, pull.Reference{Repository: repo, Tag: "v1"}, pull.Options{Verify: sign.VerifyOptions{Key: pub}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[digest.Digest]struct {
			format        pull.Format
			predicateType string
		}{
			env.Digest:  {pull.FormatEnvelope, predicateType},
			bare.Digest: {pull.FormatBundle, "https://openvex.dev/ns"},
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
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	c := client(t)
	rel := image(t, reg, c)
	signer, pub := keyPair(t)
	doc := document(t, rel, statement{"CVE-2024-0001", vex.StatusFixed, at(1)})
	pushBundle(t, c, rel.Repository, rel.Descriptor(), attest(t, signer, rel.Repository, rel.Digest, predicateType, doc), predicateType)

	fault := reg.Inject(registrytest.Fault{Match: registrytest.OfKind(registrytest.KindBlobGet), Status: http.StatusInternalServerError})
	res, err := pull.Pull(ctx, c, pull.Reference{Repository: rel.Repository, Tag: "v1"}, pull.Options{Verify: sign.VerifyOptions{Key: pub}})
	if err == nil || res != nil || errors.Is(err, pull.ErrNoneAccepted) || reg.Fired(fault) != 1 {
		t.Errorf("got %v (result %v, fault fired %d times), want a registry error and no result", err, res, reg.Fired(fault))
	}
	if err != nil && !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Errorf("error %q does not name the registry's answer", err)
	}
}
