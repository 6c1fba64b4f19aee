package sign_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/olareg/olareg"
	"github.com/olareg/olareg/config"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/sign"
)

// registry is an in-process OCI 1.1 registry (olareg) on a loopback port,
// spoken to with plain HTTP: this package must not import oras-go, and the
// test only needs a few uploads.
type registry struct {
	t    *testing.T
	host string
	srv  *httptest.Server
}

func newRegistry(t *testing.T) *registry {
	t.Helper()
	reg := olareg.New(config.Config{Storage: config.ConfigStorage{StoreType: config.StoreMem}})
	srv := httptest.NewServer(reg)
	t.Cleanup(func() { srv.Close(); _ = reg.Close() })
	return &registry{t: t, host: strings.TrimPrefix(srv.URL, "http://"), srv: srv}
}

func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (r *registry) do(method, target, contentType string, body []byte) *http.Response {
	r.t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	return resp
}

// blob uploads content (POST then PUT) and returns its descriptor.
func (r *registry) blob(repo, mediaType string, content []byte) map[string]any {
	r.t.Helper()
	resp := r.do(http.MethodPost, r.srv.URL+"/v2/"+repo+"/blobs/uploads/", "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		r.t.Fatalf("starting upload: %s", resp.Status)
	}
	loc, err := url.Parse(r.srv.URL)
	if err != nil {
		r.t.Fatal(err)
	}
	loc, err = loc.Parse(resp.Header.Get("Location"))
	if err != nil {
		r.t.Fatal(err)
	}
	q := loc.Query()
	q.Set("digest", digestOf(content))
	loc.RawQuery = q.Encode()
	resp = r.do(http.MethodPut, loc.String(), "application/octet-stream", content)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		r.t.Fatalf("finishing upload: %s", resp.Status)
	}
	return map[string]any{"mediaType": mediaType, "digest": digestOf(content), "size": len(content)}
}

// manifest pushes an OCI image manifest by digest and returns its descriptor.
func (r *registry) manifest(repo string, m map[string]any) map[string]any {
	r.t.Helper()
	m["schemaVersion"] = 2
	m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
	body, err := json.Marshal(m)
	if err != nil {
		r.t.Fatal(err)
	}
	resp := r.do(http.MethodPut, r.srv.URL+"/v2/"+repo+"/manifests/"+digestOf(body), "application/vnd.oci.image.manifest.v1+json", body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		r.t.Fatalf("pushing manifest: %s", resp.Status)
	}
	return map[string]any{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digestOf(body), "size": len(body)}
}

func (r *registry) get(path string, into any) []byte {
	r.t.Helper()
	resp := r.do(http.MethodGet, r.srv.URL+path, "", nil)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		r.t.Fatalf("GET %s: %s %v", path, resp.Status, err)
	}
	if into != nil {
		if err := json.Unmarshal(body, into); err != nil {
			r.t.Fatal(err)
		}
	}
	return body
}

// image pushes a small single-platform image and returns its digest.
func (r *registry) image(repo string) string {
	cfg := r.blob(repo, "application/vnd.oci.image.config.v1+json", []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`))
	return r.manifest(repo, map[string]any{"config": cfg, "layers": []any{}})["digest"].(string)
}

// TestCosignVerifiesReferrer pushes a bundle as an OCI 1.1 referrer in the
// shape DESIGN.md fixes, and has the real cosign CLI verify it the way the
// design documents (cosign v2: --new-bundle-format --trusted-root).
func TestCosignVerifiesReferrer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the cosign CLI")
	}
	ctx := context.Background()
	dir := t.TempDir()
	keyPath, pubPath := cosigntest.WriteKeyPair(t, dir, password)
	_, otherPub := cosigntest.WriteKeyPair(t, t.TempDir(), password)
	root := cosigntest.TrustedRootFile(t)
	signer, err := sign.LoadKey(ctx, keyPath, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	reg := newRegistry(t)
	const repoPath = "acme/proxy"
	imageDigest := reg.image(repoPath)
	otherDigest := reg.manifest(repoPath, map[string]any{
		"config": reg.blob(repoPath, "application/vnd.oci.image.config.v1+json", []byte(`{"architecture":"arm64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)),
		"layers": []any{},
	})["digest"].(string)

	// attach pushes a bundle about subjectDigest as a referrer of attachTo.
	attach := func(subjectDigest, attachTo string) {
		bundle, err := sign.Attest(ctx, signer, sign.Statement{
			Subjects:      []sign.Subject{{Name: reg.host + "/" + repoPath, Digest: subjectDigest}},
			PredicateType: sign.DefaultPredicateType,
			Predicate:     []byte(document),
		})
		if err != nil {
			t.Fatal(err)
		}
		reg.manifest(repoPath, map[string]any{
			"artifactType": sign.BundleMediaType,
			"config":       reg.blob(repoPath, "application/vnd.oci.empty.v1+json", []byte("{}")),
			"layers":       []any{reg.blob(repoPath, sign.BundleMediaType, bundle)},
			"subject":      map[string]any{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": attachTo, "size": 0},
			"annotations": map[string]string{
				"dev.sigstore.bundle.content":       "dsse-envelope",
				"dev.sigstore.bundle.predicateType": sign.DefaultPredicateType,
				"in-toto.io/predicate-type":         sign.DefaultPredicateType,
			},
		})
	}
	attach(imageDigest, imageDigest)
	// A valid attestation about the first image, copied onto the second.
	attach(imageDigest, otherDigest)

	verify := func(key, ref string) []string {
		return []string{"verify-attestation", "--key", key, "--new-bundle-format", "--trusted-root", root,
			"--insecure-ignore-tlog", "--allow-http-registry", "--type", sign.DefaultPredicateType, reg.host + "/" + repoPath + "@" + ref}
	}
	tests := []struct {
		name string
		args []string
		ok   bool
		out  string
	}{
		{"ok", verify(pubPath, imageDigest), true, "The signatures were verified against the specified public key"},
		{"other key", verify(otherPub, imageDigest), false, "no matching attestations"},
		{"copied to another image", verify(pubPath, otherDigest), false, "no matching attestations"},
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

// TestVerifyCosignAttLayer verifies the layer of a legacy `sha256-<hex>.att`
// attestation pushed by the real `cosign attest`.
func TestVerifyCosignAttLayer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the cosign CLI")
	}
	ctx := context.Background()
	dir := t.TempDir()
	keyPath, pubPath := cosigntest.WriteKeyPair(t, dir, password)
	_, otherPub := cosigntest.WriteKeyPair(t, t.TempDir(), password)
	reg := newRegistry(t)
	const repoPath = "acme/proxy"
	imageDigest := reg.image(repoPath)
	predicatePath := filepath.Join(dir, "vex.openvex.json")
	if err := os.WriteFile(predicatePath, []byte(document), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"attest", "--key", keyPath, "--tlog-upload=false", "--yes", "--allow-http-registry",
		"--type", "openvex", "--predicate", predicatePath, reg.host + "/" + repoPath + "@" + imageDigest}
	if out, err := cosigntest.Run(t, dir, password, args...); err != nil {
		t.Fatalf("cosign %s: %v\n%s", strings.Join(args, " "), err, out)
	}

	var att struct {
		Layers []struct {
			MediaType   string            `json:"mediaType"`
			Digest      string            `json:"digest"`
			Annotations map[string]string `json:"annotations"`
		} `json:"layers"`
	}
	reg.get("/v2/"+repoPath+"/manifests/"+strings.Replace(imageDigest, ":", "-", 1)+".att", &att)
	if len(att.Layers) != 1 || att.Layers[0].MediaType != "application/vnd.dsse.envelope.v1+json" {
		t.Fatalf(".att layers = %+v, want one application/vnd.dsse.envelope.v1+json", att.Layers)
	}
	layer := reg.get("/v2/"+repoPath+"/blobs/"+att.Layers[0].Digest, nil)

	v, err := sign.Verify(ctx, layer, sign.VerifyOptions{Key: pubPath})
	if err != nil {
		t.Fatalf("Verify(.att layer): %v\n%s", err, layer)
	}
	if v.Format != sign.FormatEnvelope || v.Statement.PredicateType != "https://openvex.dev/ns" {
		t.Errorf("Verify = format %q, predicate type %q; want %q, %q", v.Format, v.Statement.PredicateType, sign.FormatEnvelope, "https://openvex.dev/ns")
	}
	if err := v.Statement.CheckSubject(imageDigest); err != nil {
		t.Error(err)
	}
	if _, err := sign.Verify(ctx, layer, sign.VerifyOptions{Key: otherPub}); !errors.Is(err, sign.ErrSignature) {
		t.Errorf("Verify with another key = %v, want ErrSignature", err)
	}
}
