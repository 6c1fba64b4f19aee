package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"slices"
	"time"

	"github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// Source says where a referrer or SBOM was found.
type Source string

// Sources of referrers and SBOMs.
const (
	SourceReferrersAPI Source = "referrers-api"
	SourceReferrersTag Source = "referrers-tag"
	SourceBuildKit     Source = "buildkit-attestation"
)

// pushVerifyAttempts bounds how often PushReferrer re-adds a referrer that
// concurrent writers dropped from a tag schema index.
const pushVerifyAttempts = 8

// tagSchemaSettle is the least pause (plus up to as much jitter) before
// each check that a referrer is still in its tag schema index.
const tagSchemaSettle = 50 * time.Millisecond

const zeroDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// ReferrersAPI reports whether repo's registry serves the OCI 1.1 referrers
// API. The answer is probed once per repository and remembered; concurrent
// callers share the one probe in flight.
func (c *Client) ReferrersAPI(ctx context.Context, repo string) (bool, error) {
	return c.referrers.do(ctx, repo, func() (bool, error) { return c.probeReferrersAPI(ctx, repo) })
}

// probeReferrersAPI asks repo's registry for the referrers of a digest no
// manifest has: an image index answer means the API is there.
func (c *Client) probeReferrersAPI(ctx context.Context, repo string) (bool, error) {
	ref, err := registry.ParseReference(repo)
	if err != nil {
		return false, fmt.Errorf("repository %q: %w", repo, err)
	}
	pctx := auth.AppendRepositoryScope(ctx, ref, auth.ActionPull)
	url := fmt.Sprintf("%s://%s/v2/%s/referrers/%s", c.scheme(), ref.Host(), ref.Repository, zeroDigest)
	req, err := http.NewRequestWithContext(pctx, http.MethodGet, url, nil)
	if err != nil {
		return false, fmt.Errorf("probing the referrers API of %s: %w", repo, err)
	}
	resp, err := c.auth.Do(req)
	if err != nil {
		return false, c.wrap(err, "probing the referrers API of %s", repo)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var v bool
	switch resp.StatusCode {
	case http.StatusOK:
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		v = mt == ocispec.MediaTypeImageIndex
	case http.StatusNotFound:
		if bytes.Contains(body, []byte("NAME_UNKNOWN")) {
			// the repository does not exist (yet): no answer to remember
			return false, fmt.Errorf("probing the referrers API of %s: repository %w", repo, ErrNotFound)
		}
		v = false
	default:
		return false, fmt.Errorf("probing the referrers API of %s: %s", repo, resp.Status)
	}
	r, err := c.repository(repo)
	if err != nil {
		return false, err
	}
	_ = r.SetReferrersCapability(v) // already set to the same answer is fine
	return v, nil
}

// Referrers lists the manifests in repo whose subject is the given digest,
// through the referrers API or, on registries without it, the referrers tag
// schema (sha256-<hex>); the Source says which answered. With a non-empty
// artifactType only referrers of that type are returned (filtered here too,
// since some registries ignore the filter).
func (c *Client) Referrers(ctx context.Context, repo string, subject digest.Digest, artifactType string) ([]ocispec.Descriptor, Source, error) {
	api, err := c.ReferrersAPI(ctx, repo)
	if err != nil {
		return nil, "", err
	}
	src := SourceReferrersTag
	if api {
		src = SourceReferrersAPI
	}
	r, err := c.repository(repo)
	if err != nil {
		return nil, src, err
	}
	var out []ocispec.Descriptor
	err = r.Referrers(ctx, ocispec.Descriptor{Digest: subject}, artifactType, func(page []ocispec.Descriptor) error {
		for _, d := range page {
			if artifactType == "" || d.ArtifactType == artifactType {
				out = append(out, d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, src, c.wrap(err, "listing referrers of %s@%s", repo, subject)
	}
	return out, src, nil
}

// PushReferrer pushes an OCI image manifest with artifactType, the empty
// config, one layer (layer, of layerMediaType), the given annotations and
// subject, to repo, and returns its descriptor. On a registry without the
// referrers API it also adds the manifest to the subject's referrers tag
// schema index; that index is read-modify-write, so PushReferrer re-reads it
// and adds the manifest again if a concurrent writer dropped it. The old
// index is never deleted (registries refuse deletes by default). Pushing the
// same manifest again changes nothing.
func (c *Client) PushReferrer(ctx context.Context, repo string, subject ocispec.Descriptor, artifactType string, layer []byte, layerMediaType string, annotations map[string]string) (ocispec.Descriptor, error) {
	api, err := c.ReferrersAPI(ctx, repo)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	r, err := c.repository(repo)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	// every referrer shares the empty config: check for it once per
	// repository. The layer (a fresh signature, as a rule) is pushed without
	// asking first, since asking would nearly always cost a request for a miss.
	config, err := c.emptyConfig.do(ctx, repo, func() (ocispec.Descriptor, error) {
		return c.PushBlob(ctx, repo, ocispec.MediaTypeEmptyJSON, ocispec.DescriptorEmptyJSON.Data)
	})
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	layerDesc, err := c.uploadBlob(ctx, r, repo, layerMediaType, layer)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	m := ocispec.Manifest{
		Versioned:    specs.Versioned{SchemaVersion: 2},
		MediaType:    ocispec.MediaTypeImageManifest,
		ArtifactType: artifactType,
		Config:       config,
		Layers:       []ocispec.Descriptor{layerDesc},
		Subject:      &ocispec.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size},
		Annotations:  annotations,
	}
	b, err := json.Marshal(m)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("encoding referrer manifest: %w", err)
	}
	desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: digest.FromBytes(b), Size: int64(len(b))}
	start := time.Now()
	if err := r.Manifests().Push(ctx, desc, bytes.NewReader(b)); err != nil {
		return ocispec.Descriptor{}, c.wrap(err, "pushing referrer %s of %s@%s", desc.Digest, repo, subject.Digest)
	}
	if api {
		return desc, nil
	}
	// Another writer that read the index before this push may still write
	// its own version without this referrer, for about as long as one push
	// takes: check after a pause longer than that, twice, and add the
	// referrer again whenever it is missing. (Without a compare-and-swap
	// this narrows the race; it cannot close it.)
	settle := max(tagSchemaSettle, 2*time.Since(start))
	seen := 0
	for lost := 0; ; {
		select {
		case <-ctx.Done():
			return ocispec.Descriptor{}, ctx.Err()
		case <-time.After(settle + rand.N(settle)):
		}
		listed, _, err := c.Referrers(ctx, repo, subject.Digest, "")
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		if slices.ContainsFunc(listed, func(d ocispec.Descriptor) bool { return d.Digest == desc.Digest }) {
			if seen++; seen == 2 {
				return desc, nil
			}
			continue
		}
		seen = 0
		if lost++; lost == pushVerifyAttempts {
			return ocispec.Descriptor{}, fmt.Errorf("pushing referrer %s of %s@%s: %w", desc.Digest, repo, subject.Digest, ErrReferrerLost)
		}
		c.log.DebugContext(ctx, "referrer dropped from the tag schema index by a concurrent writer; adding it again", "referrer", desc.Digest, "subject", subject.Digest)
		// pushing the manifest again makes oras-go add it to the index anew
		if err := r.Manifests().Push(ctx, desc, bytes.NewReader(b)); err != nil {
			return ocispec.Descriptor{}, c.wrap(err, "pushing referrer %s of %s@%s", desc.Digest, repo, subject.Digest)
		}
	}
}
