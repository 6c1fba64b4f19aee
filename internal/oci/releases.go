package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// BuildKit's annotations on the attestation manifests it puts in an index.
const (
	AnnotationReferenceType   = "vnd.docker.reference.type"
	AnnotationReferenceDigest = "vnd.docker.reference.digest"
	ReferenceTypeAttestation  = "attestation-manifest"
)

// Platform is one platform manifest of a release.
type Platform struct {
	OS           string
	Architecture string
	Variant      string
	MediaType    string
	Digest       digest.Digest
	Size         int64
}

// String returns "os/architecture[/variant]".
func (p Platform) String() string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// Descriptor returns the descriptor of the platform manifest.
func (p Platform) Descriptor() ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: p.MediaType, Digest: p.Digest, Size: p.Size}
}

// Release is a tag of a repository resolved to its manifests.
type Release struct {
	Repository string
	Tag        string
	// Digest is the index digest, or the manifest digest of a single-arch
	// image.
	Digest    digest.Digest
	MediaType string
	Size      int64
	// Platforms are the platform manifests, in the index's order; a
	// single-arch image has one, whose digest is Digest. Attestation
	// manifests (platform unknown/unknown) are not platforms.
	Platforms []Platform
}

// Descriptor returns the descriptor of the release's index (or manifest).
func (r Release) Descriptor() ocispec.Descriptor {
	return ocispec.Descriptor{MediaType: r.MediaType, Digest: r.Digest, Size: r.Size}
}

// digestTag matches the tags of the referrers tag schema (sha256-<hex>) and
// cosign's sha256-<hex>.sig/.att/.sbom: never releases.
var digestTag = regexp.MustCompile(`^sha256-[0-9a-f]{64}($|\.)`)

// MatchTags returns the tags that match any of globs (path.Match syntax),
// sorted, leaving out referrers tag schema and cosign tags
// (sha256-<hex>[.suffix]). A malformed glob is an error.
func MatchTags(tags, globs []string) ([]string, error) {
	var out []string
	for _, g := range globs {
		if _, err := path.Match(g, ""); err != nil {
			return nil, fmt.Errorf("tag glob %q: %w", g, err)
		}
	}
	for _, t := range tags {
		if digestTag.MatchString(t) {
			continue
		}
		for _, g := range globs {
			if ok, _ := path.Match(g, t); ok {
				out = append(out, t)
				break
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Releases lists the tags of repo that match globs and resolves each,
// Options.Jobs at a time. The result is sorted by tag.
func (c *Client) Releases(ctx context.Context, repo string, globs []string) ([]Release, error) {
	tags, err := c.ListTags(ctx, repo)
	if err != nil {
		return nil, err
	}
	tags, err = MatchTags(tags, globs)
	if err != nil {
		return nil, err
	}
	out := make([]Release, len(tags))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Jobs)
	for i, tag := range tags {
		g.Go(func() error {
			rel, err := c.Release(gctx, repo, tag)
			out[i] = rel
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// Release resolves one tag of repo.
func (c *Client) Release(ctx context.Context, repo, tag string) (Release, error) {
	desc, b, err := c.resolve(ctx, repo, tag)
	if err != nil {
		return Release{}, err
	}
	rel := Release{Repository: repo, Tag: tag, Digest: desc.Digest, MediaType: desc.MediaType, Size: desc.Size}
	switch {
	case isIndex(desc.MediaType):
		rel.Platforms, err = c.platforms(ctx, repo, desc, b, nil)
	case isManifest(desc.MediaType):
		var p Platform
		p, err = c.imagePlatform(ctx, repo, desc, b)
		rel.Platforms = []Platform{p}
	default:
		err = fmt.Errorf("%w: media type %q", ErrInvalidManifest, desc.MediaType)
	}
	if err != nil {
		return Release{}, fmt.Errorf("resolving %s:%s: %w", repo, tag, err)
	}
	return rel, nil
}

// platforms returns the platform manifests an index lists, flattening
// nested indexes. ancestors are the indexes above this one.
func (c *Client) platforms(ctx context.Context, repo string, desc ocispec.Descriptor, b []byte, ancestors []digest.Digest) ([]Platform, error) {
	if len(ancestors) >= maxIndexDepth {
		return nil, fmt.Errorf("%w: %s is at depth %d (limit %d)", ErrIndexTooDeep, desc.Digest, len(ancestors)+1, maxIndexDepth)
	}
	ancestors = append(ancestors, desc.Digest)
	var index ocispec.Index
	if err := json.Unmarshal(b, &index); err != nil {
		return nil, fmt.Errorf("%w: index %s: %w", ErrInvalidManifest, desc.Digest, err)
	}
	var out []Platform
	for _, m := range index.Manifests {
		if slices.Contains(ancestors, m.Digest) {
			return nil, fmt.Errorf("%w: %s lists %s", ErrIndexCycle, desc.Digest, m.Digest)
		}
		switch {
		case isIndex(m.MediaType):
			child, err := c.FetchManifest(ctx, repo, m)
			if err != nil {
				return nil, err
			}
			nested, err := c.platforms(ctx, repo, m, child, ancestors)
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
		case isAttestation(m):
			continue
		default:
			p := Platform{MediaType: m.MediaType, Digest: m.Digest, Size: m.Size}
			if m.Platform != nil {
				p.OS, p.Architecture, p.Variant = m.Platform.OS, m.Platform.Architecture, m.Platform.Variant
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func isAttestation(m ocispec.Descriptor) bool {
	if m.Annotations[AnnotationReferenceType] == ReferenceTypeAttestation {
		return true
	}
	return m.Platform != nil && m.Platform.OS == "unknown" && m.Platform.Architecture == "unknown"
}

// imagePlatform reads the platform of a single-arch image from its config.
func (c *Client) imagePlatform(ctx context.Context, repo string, desc ocispec.Descriptor, b []byte) (Platform, error) {
	p := Platform{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}
	var m ocispec.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return p, fmt.Errorf("%w: manifest %s: %w", ErrInvalidManifest, desc.Digest, err)
	}
	if m.Config.MediaType != ocispec.MediaTypeImageConfig && m.Config.MediaType != mediaTypeDockerConfig {
		return p, nil // an artifact, not an image: no platform to tell
	}
	cb, err := c.FetchBlob(ctx, repo, m.Config)
	if err != nil {
		return p, err
	}
	var cfg ocispec.Platform
	if err := json.Unmarshal(cb, &cfg); err != nil {
		return p, fmt.Errorf("%w: config %s: %w", ErrInvalidManifest, m.Config.Digest, err)
	}
	p.OS, p.Architecture, p.Variant = cfg.OS, cfg.Architecture, cfg.Variant
	return p, nil
}
