package inventory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"
	"golang.org/x/sync/errgroup"

	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/sbom"
)

// Product is a product to list: a repository and the tag globs whose tags
// are its releases.
type Product struct {
	Name       string
	Repository string
	Tags       []string
	// SBOMs asks for the SBOMs of every platform of every release; without
	// it only the releases and their platforms are resolved.
	SBOMs bool
	// SBOMTags, when not empty, narrows SBOMs to the releases whose tag
	// matches one of these globs (path.Match); the others are marked
	// SBOMsSkipped.
	SBOMTags []string
}

// wantsSBOMs reports whether the SBOMs of p's release tag are to be read.
func (p *Product) wantsSBOMs(tag string) bool {
	if !p.SBOMs {
		return false
	}
	if len(p.SBOMTags) == 0 {
		return true
	}
	for _, g := range p.SBOMTags {
		if ok, _ := path.Match(g, tag); ok {
			return true
		}
	}
	return false
}

// Options configure Load.
type Options struct {
	// Jobs bounds the releases resolved and the platforms searched at
	// once; 0 means oci.DefaultJobs.
	Jobs int
	// MaxSBOMSize caps each SBOM document; 0 means sbom.DefaultMaxSize.
	MaxSBOMSize int64
	// Progress, when set, is called (from any goroutine, one call at a
	// time) after each product's releases are resolved and after each
	// platform's SBOMs are read.
	Progress func(Event)
	// Logger receives warnings (a referrer listing that names a missing
	// manifest); nil discards them.
	Logger *slog.Logger
	// CacheDir, when set, keeps the purls of each SBOM parsed, by layer
	// digest, under CacheDir/purls, so that a later Load neither fetches
	// nor parses it again. Pass the oci.Client's cache directory.
	CacheDir string
}

// Event reports progress: the releases of Product are resolved (Tag
// empty), or the SBOMs of one platform of a release are read.
type Event struct {
	Product  string
	Tag      string
	Platform string
	// Releases is the number of releases of Product (for the first kind).
	Releases int
	// SBOMs is the number of SBOMs of the platform (for the second kind).
	SBOMs int
}

// Releases are the releases of one product.
type Releases struct {
	Product    string `json:"product"`
	Repository string `json:"repository"`
	// Tags are the product's tag globs.
	Tags []string `json:"tags"`
	// Missing says the registry has no such repository: no releases.
	Missing  bool      `json:"missing,omitempty"`
	Releases []Release `json:"releases"`
}

// Release is one tag of a product's repository that matches its globs.
type Release struct {
	Tag string `json:"tag"`
	// Digest is the index digest, or the manifest digest of a single-arch
	// image.
	Digest    digest.Digest `json:"digest"`
	Platforms []Platform    `json:"platforms"`
	// SBOMsSkipped says the product asked for SBOMs but its SBOMTags left
	// this release out: its platforms have none because none were read.
	SBOMsSkipped bool `json:"sbomsSkipped,omitempty"`
}

// Platform is one platform manifest of a release and its SBOMs.
type Platform struct {
	// Platform is "os/architecture[/variant]".
	Platform string        `json:"platform"`
	Digest   digest.Digest `json:"digest"`
	// SBOMs are the SBOMs found for the platform, in discovery order;
	// empty when it has none (or they were not asked for).
	SBOMs []SBOM `json:"sboms"`
}

// SBOM is one SBOM of a platform: where it was found and what it holds.
type SBOM struct {
	// Source says how it was found: oci.SourceReferrersAPI,
	// oci.SourceReferrersTag or oci.SourceBuildKit.
	Source oci.Source `json:"source"`
	// Index says the SBOM is attached to the release's index rather than
	// to the platform: the platform has none of its own.
	Index bool `json:"index,omitempty"`
	// Manifest is the referrer or attestation manifest holding it.
	Manifest digest.Digest `json:"manifest"`
	// Layer is the blob holding the (possibly wrapped) document.
	Layer digest.Digest `json:"layer"`
	// Format is the parsed format and version ("spdx-2.3",
	// "cyclonedx-1.6"), or, when the document could not be read, the
	// format its media types announced ("spdx", "cyclonedx").
	Format string `json:"format"`
	// Wrapper is the outermost wrapper: "", "in-toto", "dsse" or
	// "sigstore-bundle".
	Wrapper string `json:"wrapper,omitempty"`
	// Packages counts the packages the document lists.
	Packages int `json:"packages"`
	// Error says why the document could not be read; it wraps
	// sbom.ErrUnsupportedFormat, sbom.ErrMalformed, sbom.ErrTooLarge, or
	// an oci error (size limit, digest mismatch, missing blob).
	Error error `json:"-"`
	// Problem is Error's text, for JSON.
	Problem string `json:"error,omitempty"`

	doc *sbom.SBOM
}

// Readable reports whether the document was parsed.
func (s *SBOM) Readable() bool { return s.doc != nil }

// Contains reports whether the SBOM lists a package purl designates, with
// sbom.SBOM.Contains semantics (a version-less purl matches any version).
// An unreadable SBOM contains nothing.
func (s *SBOM) Contains(purl string) (bool, error) {
	if s.doc == nil {
		return false, nil
	}
	return s.doc.Contains(purl)
}

// Candidates returns the SBOM's purls with the same type, namespace and
// name as purl, whatever their version: what the release ships instead.
func (s *SBOM) Candidates(purl string) ([]string, error) {
	if s.doc == nil {
		return nil, nil
	}
	return s.doc.Candidates(purl)
}

// Load resolves the releases of products and, for those that ask, reads
// the SBOMs of each platform. The result has one Releases per product, in
// the order given; releases are sorted by tag. A repository the registry
// does not have is Missing, not an error; an SBOM that cannot be read is
// recorded on it (SBOM.Error). Registry failures (unreachable, a release
// that does not resolve) are errors.
func Load(ctx context.Context, c *oci.Client, products []Product, opts Options) ([]Releases, error) {
	jobs := cmp.Or(opts.Jobs, oci.DefaultJobs)
	l := &loader{c: c, opts: opts, parsed: map[digest.Digest]*parsed{}}
	if opts.CacheDir != "" {
		l.purls = newPurlCache(opts.CacheDir)
	}
	if l.opts.Logger == nil {
		l.opts.Logger = slog.New(slog.DiscardHandler)
	}
	if l.opts.MaxSBOMSize <= 0 {
		l.opts.MaxSBOMSize = sbom.DefaultMaxSize
	}
	out := make([]Releases, len(products))
	// First the tags of every product, then every release, then every
	// platform: each stage is one pool of at most jobs requests.
	tags := make([][]string, len(products))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, p := range products {
		out[i] = Releases{Product: p.Name, Repository: p.Repository, Tags: slices.Clone(p.Tags), Releases: []Release{}}
		g.Go(func() error {
			all, err := c.ListTags(gctx, p.Repository)
			if errors.Is(err, oci.ErrNotFound) {
				out[i].Missing = true
				return nil
			}
			if err != nil {
				return fmt.Errorf("product %s: %w", p.Name, err)
			}
			tags[i], err = oci.MatchTags(all, p.Tags)
			if err != nil {
				return fmt.Errorf("product %s: %w", p.Name, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	type releaseJob struct {
		product, release int
		rel              oci.Release
	}
	var rjobs []*releaseJob
	for i := range products {
		out[i].Releases = make([]Release, len(tags[i]))
		for j := range tags[i] {
			rjobs = append(rjobs, &releaseJob{product: i, release: j})
		}
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, j := range rjobs {
		g.Go(func() error {
			p, tag := products[j.product], tags[j.product][j.release]
			rel, err := c.Release(gctx, p.Repository, tag)
			if err != nil {
				return fmt.Errorf("product %s: %w", p.Name, err)
			}
			j.rel = rel
			r := Release{Tag: tag, Digest: rel.Digest, Platforms: make([]Platform, len(rel.Platforms)), SBOMsSkipped: p.SBOMs && !p.wantsSBOMs(tag)}
			for k, pl := range rel.Platforms {
				r.Platforms[k] = Platform{Platform: pl.String(), Digest: pl.Digest, SBOMs: []SBOM{}}
			}
			out[j.product].Releases[j.release] = r
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i := range products {
		l.progress(Event{Product: products[i].Name, Releases: len(out[i].Releases)})
	}

	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, j := range rjobs {
		p := products[j.product]
		if !p.wantsSBOMs(j.rel.Tag) {
			continue
		}
		for k, pl := range j.rel.Platforms {
			g.Go(func() error {
				sboms, err := l.sboms(gctx, j.rel, pl)
				if err != nil {
					return fmt.Errorf("product %s: %w", p.Name, err)
				}
				out[j.product].Releases[j.release].Platforms[k].SBOMs = sboms
				l.progress(Event{Product: p.Name, Tag: j.rel.Tag, Platform: pl.String(), SBOMs: len(sboms)})
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	// A platform without an SBOM of its own is covered by those attached
	// to the release's index, if any.
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, j := range rjobs {
		p := products[j.product]
		r := &out[j.product].Releases[j.release]
		if !p.wantsSBOMs(j.rel.Tag) || !needsIndex(r) {
			continue
		}
		g.Go(func() error {
			index := oci.Platform{MediaType: j.rel.MediaType, Digest: j.rel.Digest, Size: j.rel.Size}
			sboms, err := l.sboms(gctx, j.rel, index)
			if err != nil {
				return fmt.Errorf("product %s: %w", p.Name, err)
			}
			for k := range sboms {
				sboms[k].Index = true
			}
			for k := range r.Platforms {
				if len(r.Platforms[k].SBOMs) == 0 {
					r.Platforms[k].SBOMs = slices.Clone(sboms)
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// needsIndex reports whether a platform of r, other than the release's
// own manifest (a single-arch image), has no SBOM.
func needsIndex(r *Release) bool {
	for _, p := range r.Platforms {
		if len(p.SBOMs) == 0 && p.Digest != r.Digest {
			return true
		}
	}
	return false
}

// loader holds the state of one Load.
type loader struct {
	c    *oci.Client
	opts Options

	progressMu sync.Mutex
	mu         sync.Mutex
	// parsed holds each layer parsed so far: releases often share SBOMs
	// (a rebuilt tag, the same image under two tags).
	parsed map[digest.Digest]*parsed
	// purls is the on-disk record of parsed layers; nil without a cache.
	purls *purlCache
}

// parsed is the outcome of parsing one layer, shared by every platform
// that has it.
type parsed struct {
	once sync.Once
	doc  *sbom.SBOM
	err  error
}

func (l *loader) progress(e Event) {
	if l.opts.Progress == nil {
		return
	}
	l.progressMu.Lock()
	defer l.progressMu.Unlock()
	l.opts.Progress(e)
}

// sboms finds and reads the SBOMs of one platform of rel.
func (l *loader) sboms(ctx context.Context, rel oci.Release, p oci.Platform) ([]SBOM, error) {
	cands, err := l.c.SBOMCandidates(ctx, rel, p)
	// a listed SBOM the registry does not have is an SBOM that cannot be
	// read, not a platform without one
	dangling := danglingSBOMs(err)
	if len(dangling) > 0 {
		l.opts.Logger.WarnContext(ctx, "referrers the registry does not have", "error", err)
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		unread, err := l.unreadReferrers(ctx, rel.Repository, p, dangling)
		if err != nil || len(dangling) == 0 {
			return unread, err
		}
		return append(dangling, unread...), nil
	}
	out := make([]SBOM, 0, len(cands)+len(dangling))
	out = append(out, dangling...)
	for _, cand := range cands {
		s := SBOM{Source: cand.Source, Manifest: cand.Manifest, Layer: cand.Layer.Digest, Format: cand.Format}
		doc, err := l.parse(ctx, rel.Repository, cand)
		switch {
		case err == nil:
			s.doc = doc
			s.Format, s.Wrapper, s.Packages = doc.Format, doc.Wrapper, doc.Packages
		case isDocumentProblem(err):
			s.Error, s.Problem = err, err.Error()
		default:
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// unreadReferrers returns, for a platform where oci found no SBOM it
// reads, the referrers whose artifact type still names SPDX or CycloneDX
// (CycloneDX XML, SPDX tag-value or RDF, ...), each as an SBOM in an
// unsupported format: the release has an SBOM, just not one vexil reads.
func (l *loader) unreadReferrers(ctx context.Context, repo string, p oci.Platform, dangling []SBOM) ([]SBOM, error) {
	listed, src, err := l.c.Referrers(ctx, repo, p.Digest, "")
	if err != nil {
		return nil, err
	}
	out := []SBOM{}
	for _, d := range listed {
		format := sbomFamily(d.ArtifactType)
		if format == "" || slices.ContainsFunc(dangling, func(s SBOM) bool { return s.Manifest == d.Digest }) {
			continue
		}
		err := fmt.Errorf("referrer %s: %w: artifact type %s", d.Digest, sbom.ErrUnsupportedFormat, d.ArtifactType)
		out = append(out, SBOM{Source: src, Manifest: d.Digest, Format: format, Error: err, Problem: err.Error()})
	}
	slices.SortFunc(out, func(a, b SBOM) int { return cmp.Compare(a.Manifest, b.Manifest) })
	return out, nil
}

// danglingSBOMs returns, for each referrer err says the registry does not
// have, an SBOM that cannot be read, sorted by manifest digest.
func danglingSBOMs(err error) []SBOM {
	if !errors.Is(err, oci.ErrMissingReferrer) {
		return nil
	}
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	var out []SBOM
	for _, e := range errs {
		var m *oci.MissingReferrerError
		if !errors.As(e, &m) {
			continue
		}
		format := cmp.Or(sbomFamily(m.ArtifactType), "sbom")
		out = append(out, SBOM{Source: m.Source, Manifest: m.Manifest, Format: format, Error: m, Problem: m.Error()})
	}
	slices.SortFunc(out, func(a, b SBOM) int { return cmp.Compare(a.Manifest, b.Manifest) })
	return out
}

// sbomFamily returns "spdx" or "cyclonedx" when an artifact type names
// one, whatever its encoding, else "".
func sbomFamily(artifactType string) string {
	t := strings.ToLower(artifactType)
	switch {
	case strings.Contains(t, "cyclonedx"):
		return "cyclonedx"
	case strings.Contains(t, "spdx"):
		return "spdx"
	}
	return ""
}

// isDocumentProblem tells an SBOM that cannot be read (a finding about
// the release) from a failure to talk to the registry (an error).
func isDocumentProblem(err error) bool {
	for _, e := range []error{
		sbom.ErrUnsupportedFormat, sbom.ErrMalformed, sbom.ErrTooLarge,
		oci.ErrTooLarge, oci.ErrDigestMismatch, oci.ErrNotFound, oci.ErrInvalidManifest,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// parse reads and parses the layer of cand once per Load.
func (l *loader) parse(ctx context.Context, repo string, cand oci.Candidate) (*sbom.SBOM, error) {
	l.mu.Lock()
	p, ok := l.parsed[cand.Layer.Digest]
	if !ok {
		p = &parsed{}
		l.parsed[cand.Layer.Digest] = p
	}
	l.mu.Unlock()
	p.once.Do(func() {
		p.doc, p.err = l.read(ctx, repo, cand)
		if p.err != nil && !isDocumentProblem(p.err) {
			// a registry failure is not the layer's fault: let another
			// platform try again (the Load fails anyway)
			l.mu.Lock()
			delete(l.parsed, cand.Layer.Digest)
			l.mu.Unlock()
		}
	})
	return p.doc, p.err
}

// read returns the parsed layer: from the purl cache, or streamed
// through the parser (then recorded in the purl cache). A blob cache entry
// that turns out corrupt is removed by oci as it is read, so one more try
// fetches it from the registry.
func (l *loader) read(ctx context.Context, repo string, cand oci.Candidate) (*sbom.SBOM, error) {
	if l.purls != nil {
		if doc := l.purls.get(cand.Layer.Digest); doc != nil {
			return doc, nil
		}
	}
	doc, err := l.readOnce(ctx, repo, cand)
	if errors.Is(err, oci.ErrDigestMismatch) {
		doc, err = l.readOnce(ctx, repo, cand)
	}
	if err == nil && l.purls != nil {
		if perr := l.purls.put(cand.Layer.Digest, doc); perr != nil {
			l.opts.Logger.WarnContext(ctx, "caching the purls of an SBOM", "layer", cand.Layer.Digest, "error", perr)
		}
	}
	return doc, err
}

func (l *loader) readOnce(ctx context.Context, repo string, cand oci.Candidate) (*sbom.SBOM, error) {
	what := fmt.Sprintf("layer %s", cand.Layer.Digest)
	if cand.Layer.Size > l.opts.MaxSBOMSize {
		// not a byte fetched: the descriptor says it is over the cap (and
		// oci refuses bytes past the size the descriptor gives)
		return nil, fmt.Errorf("%s: %w: %d bytes, limit %d", what, sbom.ErrTooLarge, cand.Layer.Size, l.opts.MaxSBOMSize)
	}
	r, err := l.c.OpenBlob(ctx, repo, cand.Layer)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	doc, perr := sbom.Parse(r, sbom.WithMaxSize(l.opts.MaxSBOMSize))
	// read to the end: the digest is only verified there, and the bytes
	// are only trusted once it is
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if perr != nil {
		return nil, fmt.Errorf("%s: %w", what, perr)
	}
	return doc, nil
}
