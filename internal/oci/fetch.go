package oci

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/errcode"
)

// Media types of Docker's schema 2 manifests, which registries still serve.
const (
	mediaTypeDockerManifest     = "application/vnd.docker.distribution.manifest.v2+json"
	mediaTypeDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
	mediaTypeDockerConfig       = "application/vnd.docker.container.image.v1+json"
)

var manifestAccept = strings.Join([]string{
	ocispec.MediaTypeImageIndex,
	ocispec.MediaTypeImageManifest,
	mediaTypeDockerManifestList,
	mediaTypeDockerManifest,
}, ", ")

func isIndex(mediaType string) bool {
	return mediaType == ocispec.MediaTypeImageIndex || mediaType == mediaTypeDockerManifestList
}

func isManifest(mediaType string) bool {
	return mediaType == ocispec.MediaTypeImageManifest || mediaType == mediaTypeDockerManifest
}

// FetchManifest returns the bytes of the manifest desc names in repo,
// verified against desc's digest and size, from the cache when it holds them.
func (c *Client) FetchManifest(ctx context.Context, repo string, desc ocispec.Descriptor) ([]byte, error) {
	return c.fetch(ctx, repo, desc, "manifests")
}

// FetchBlob returns the bytes of the blob desc names in repo, verified
// against desc's digest and size, from the cache when it holds them. A
// descriptor larger than Options.MaxBlobSize fails with ErrTooLarge before
// any request; bytes that do not match fail with ErrDigestMismatch.
func (c *Client) FetchBlob(ctx context.Context, repo string, desc ocispec.Descriptor) ([]byte, error) {
	return c.fetch(ctx, repo, desc, "blobs")
}

func (c *Client) fetch(ctx context.Context, repo string, desc ocispec.Descriptor, kind string) ([]byte, error) {
	what := fmt.Sprintf("fetching %s@%s", repo, desc.Digest)
	if err := c.checkDescriptor(what, desc); err != nil {
		return nil, err
	}
	if c.cache != nil {
		if b := c.cache.get(desc); b != nil {
			c.log.DebugContext(ctx, "cache hit", "digest", desc.Digest)
			return b, nil
		}
	}
	var b []byte
	err := c.withBodyRetries(ctx, func() error {
		resp, err := c.getContent(ctx, repo, kind, desc, what)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, err = readSized(resp.Body, desc.Size)
		if err != nil {
			return c.cutBody(err, "%s", what)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != desc.Size {
		return nil, fmt.Errorf("%s: %w: got %d bytes, descriptor says %d", what, ErrDigestMismatch, len(b), desc.Size)
	}
	if got := desc.Digest.Algorithm().FromBytes(b); got != desc.Digest {
		return nil, fmt.Errorf("%s: %w: got %s", what, ErrDigestMismatch, got)
	}
	if c.cache != nil {
		if err := c.cache.put(desc.Digest, b); err != nil {
			c.log.WarnContext(ctx, "caching", "error", err)
		}
	}
	return b, nil
}

// checkDescriptor refuses, before any request, a descriptor that is not
// valid or whose size is over the limit.
func (c *Client) checkDescriptor(what string, desc ocispec.Descriptor) error {
	if err := desc.Digest.Validate(); err != nil {
		return fmt.Errorf("%s: %w: %w", what, ErrInvalidManifest, err)
	}
	if desc.Size > c.opts.MaxBlobSize {
		return fmt.Errorf("%s: %w: %d bytes, limit %d", what, ErrTooLarge, desc.Size, c.opts.MaxBlobSize)
	}
	if desc.Size < 0 {
		return fmt.Errorf("%s: %w: negative size %d", what, ErrDigestMismatch, desc.Size)
	}
	return nil
}

// getContent sends GET for the manifest or blob (kind) desc names and
// returns the 200 answer, unless the registry announces more bytes than
// desc says. Read its body through io.LimitReader(body, desc.Size+1).
func (c *Client) getContent(ctx context.Context, repo, kind string, desc ocispec.Descriptor, what string) (*http.Response, error) {
	resp, err := c.get(ctx, repo, kind, desc.Digest.String(), desc.MediaType)
	if err != nil {
		return nil, c.wrap(err, "%s", what)
	}
	if resp.ContentLength > desc.Size {
		resp.Body.Close()
		return nil, fmt.Errorf("%s: %w: registry sends %d bytes, descriptor says %d", what, ErrDigestMismatch, resp.ContentLength, desc.Size)
	}
	return resp, nil
}

// get sends GET /v2/<repo>/<kind>/<reference> and returns a 200 answer.
func (c *Client) get(ctx context.Context, repo, kind, reference, mediaType string) (*http.Response, error) {
	ref, err := registry.ParseReference(repo)
	if err != nil {
		return nil, fmt.Errorf("repository %q: %w", repo, err)
	}
	ctx = auth.AppendRepositoryScope(ctx, ref, auth.ActionPull)
	url := fmt.Sprintf("%s://%s/v2/%s/%s/%s", c.scheme(), ref.Host(), ref.Repository, kind, reference)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if kind == "manifests" {
		accept := manifestAccept
		if mediaType != "" && !strings.Contains(accept, mediaType) {
			accept = mediaType + ", " + accept
		}
		req.Header.Set("Accept", accept)
	}
	resp, err := c.auth.Do(req)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return resp, nil
	case http.StatusNotFound:
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: %w", kind[:len(kind)-1], reference, ErrNotFound)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return nil, fmt.Errorf("GET %s: %s: %s", req.URL.Redacted(), resp.Status, strings.TrimSpace(string(body)))
}

// Resolve fetches the manifest a tag names and returns its descriptor, the
// digest computed from the bytes received (a Docker-Content-Digest header
// that disagrees is ErrDigestMismatch). Tags move, so this never uses the
// cache; the bytes are cached by digest for later fetches.
func (c *Client) Resolve(ctx context.Context, repo, tag string) (ocispec.Descriptor, error) {
	desc, _, err := c.resolve(ctx, repo, tag)
	return desc, err
}

func (c *Client) resolve(ctx context.Context, repo, tag string) (ocispec.Descriptor, []byte, error) {
	what := fmt.Sprintf("resolving %s:%s", repo, tag)
	resp, err := c.get(ctx, repo, "manifests", tag, "")
	if err != nil {
		return ocispec.Descriptor{}, nil, c.wrap(err, "%s", what)
	}
	defer resp.Body.Close()
	if resp.ContentLength > c.opts.MaxBlobSize {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w: %d bytes", what, ErrTooLarge, resp.ContentLength)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBlobSize+1))
	if err != nil {
		return ocispec.Descriptor{}, nil, c.wrap(err, "%s", what)
	}
	if int64(len(b)) > c.opts.MaxBlobSize {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w: over %d bytes", what, ErrTooLarge, c.opts.MaxBlobSize)
	}
	d := digest.FromBytes(b)
	if h := resp.Header.Get("Docker-Content-Digest"); h != "" && h != d.String() {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s: %w: registry says %s, content is %s", what, ErrDigestMismatch, h, d)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if !isIndex(mt) && !isManifest(mt) {
		var probe struct {
			MediaType string `json:"mediaType"`
		}
		_ = json.Unmarshal(b, &probe)
		mt = probe.MediaType
	}
	desc := ocispec.Descriptor{MediaType: mt, Digest: d, Size: int64(len(b))}
	if c.cache != nil {
		if err := c.cache.put(d, b); err != nil {
			c.log.WarnContext(ctx, "caching", "error", err)
		}
	}
	return desc, b, nil
}

// ListTags returns every tag of repo, in the registry's order.
func (c *Client) ListTags(ctx context.Context, repo string) ([]string, error) {
	r, err := c.repository(repo)
	if err != nil {
		return nil, err
	}
	var tags []string
	err = r.Tags(ctx, "", func(page []string) error {
		tags = append(tags, page...)
		return nil
	})
	if err != nil {
		var resp *errcode.ErrorResponse
		if errors.As(err, &resp) && resp.StatusCode == http.StatusNotFound {
			err = fmt.Errorf("%w: %w", ErrNotFound, err)
		}
		return nil, c.wrap(err, "listing tags of %s", repo)
	}
	return tags, nil
}

// readSized reads at most size+1 bytes of r (one more than the descriptor
// says, so that a longer body is caught) into a buffer allocated once:
// checkDescriptor has bounded size by MaxBlobSize, and io.ReadAll would
// grow and copy its buffer again and again on a large SBOM or bundle. A
// shorter body returns what it had; any error but io.EOF (a connection cut
// mid-body) is returned as it is, for the caller to retry.
func readSized(r io.Reader, size int64) ([]byte, error) {
	buf := make([]byte, size+1)
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			return buf[:n], err
		}
	}
	return buf[:n], nil
}
