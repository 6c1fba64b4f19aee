package oci

import (
	"bytes"
	"context"
	"errors"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote"
)

// PushBlob uploads data to repo unless the registry already has it, and
// returns its descriptor.
func (c *Client) PushBlob(ctx context.Context, repo, mediaType string, data []byte) (ocispec.Descriptor, error) {
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
	r, err := c.repository(repo)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	ok, err := r.Blobs().Exists(ctx, desc)
	if err != nil {
		return ocispec.Descriptor{}, c.wrap(err, "checking blob %s@%s", repo, desc.Digest)
	}
	if ok {
		return desc, nil
	}
	return c.uploadBlob(ctx, r, repo, mediaType, data)
}

// uploadBlob uploads data to repo without asking whether the registry has
// it already; uploading a blob the registry has changes nothing.
func (c *Client) uploadBlob(ctx context.Context, r *remote.Repository, repo, mediaType string, data []byte) (ocispec.Descriptor, error) {
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
	if err := r.Blobs().Push(ctx, desc, bytes.NewReader(data)); err != nil {
		return ocispec.Descriptor{}, c.wrap(err, "pushing blob %s@%s", repo, desc.Digest)
	}
	return desc, nil
}

// PushManifest uploads a manifest or index to repo and points each of tags
// at it. A manifest with a subject is also added to the subject's referrers
// tag schema index on registries without the referrers API (the old index
// is left in place: registries refuse deletes by default).
func (c *Client) PushManifest(ctx context.Context, repo, mediaType string, data []byte, tags ...string) (ocispec.Descriptor, error) {
	desc := ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(data), Size: int64(len(data))}
	// settle the referrers capability first, so oras-go knows whether to
	// maintain the tag schema index; an unknown repository stays unknown and
	// oras-go decides from the push answer
	if _, err := c.ReferrersAPI(ctx, repo); err != nil && !isNotFound(err) {
		return ocispec.Descriptor{}, err
	}
	r, err := c.repository(repo)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if len(tags) == 0 {
		if err := r.Manifests().Push(ctx, desc, bytes.NewReader(data)); err != nil {
			return ocispec.Descriptor{}, c.wrap(err, "pushing manifest %s@%s", repo, desc.Digest)
		}
	}
	for _, tag := range tags {
		if err := r.Manifests().PushReference(ctx, desc, bytes.NewReader(data), tag); err != nil {
			return ocispec.Descriptor{}, c.wrap(err, "pushing manifest %s@%s as %s", repo, desc.Digest, tag)
		}
	}
	return desc, nil
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
