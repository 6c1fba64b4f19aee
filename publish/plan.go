package publish

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/statements"
	"github.com/vexil-dev/vexil/vex"
)

// Referrer shape, as DESIGN.md "Referrers publish pushes" fixes it.
const (
	// ArtifactType is the artifact type of every referrer publish pushes,
	// and the media type of its one layer: a sigstore bundle v0.3.
	ArtifactType = sign.BundleMediaType

	AnnotationBundleContent       = "dev.sigstore.bundle.content"
	AnnotationBundlePredicateType = "dev.sigstore.bundle.predicateType"
	AnnotationPredicateType       = "in-toto.io/predicate-type"
	AnnotationCreated             = ocispec.AnnotationCreated
	AnnotationRevision            = ocispec.AnnotationRevision
	// AnnotationContentDigest carries vex.ContentDigest of the document:
	// a subject that has a referrer with the same value is up to date.
	AnnotationContentDigest = "dev.vexil.content-digest"

	// BundleContentDSSE is the value of AnnotationBundleContent.
	BundleContentDSSE = "dsse-envelope"
)

// The values of publish.subjects in vexil.yaml.
const (
	SubjectsIndex     = "index"
	SubjectsPlatforms = "platforms"
)

// Options configure Documents, Plan and Run.
type Options struct {
	// Config is the loaded vexil.yaml; Config.Root is the VEX repository,
	// a git work tree.
	Config *statements.Config
	// Client reads releases and referrers, and pushes referrers.
	Client *oci.Client
	// Inventory answers the online rules of statements.Check (the SBOMs
	// of the releases); nil runs the offline rules only.
	Inventory statements.Inventory
	// Signer signs every subject's statement (Run only). Create it once:
	// a cosign key is decrypted when it is loaded.
	Signer sign.Signer
	// Jobs bounds the subjects listed, signed and pushed at once; 0 means
	// oci.DefaultJobs.
	Jobs int
	// AllowDirty publishes statement files with uncommitted changes,
	// timestamped by Now.
	AllowDirty bool
	// Now is the clock for statement files with uncommitted changes
	// (cmd/vexil reads SOURCE_DATE_EPOCH); git gives every other time.
	Now func() time.Time
	// Tooling is written into each document's tooling field.
	Tooling string
	// Progress, when set, is called once per subject as Run finishes it
	// (from any goroutine, one call at a time).
	Progress func(Event)
}

// Result is what publish would do (Plan), or what it did (Run).
type Result struct {
	// Commit is the git commit the documents come from.
	Commit string
	// Releases are every release of every product, by product and tag.
	Releases []Release
}

// Release is one release with its document and its subjects.
type Release struct {
	Product    string
	Repository string
	Tag        string
	// Index is the descriptor the tag resolved to (index or single
	// manifest), its digest computed from the bytes received.
	Index     ocispec.Descriptor
	Platforms []oci.Platform
	// Document is nil when no statement is about the release: nothing is
	// built or pushed for it.
	Document *vex.Document
	// Canonical is the document as published (vex.Canonical).
	Canonical []byte
	// ContentDigest is vex.ContentDigest of the document.
	ContentDigest digest.Digest
	// Subjects are the digests the document is attached to, as
	// publish.subjects selects: the index first, then each platform.
	Subjects []Subject
}

// Action says what publish does, or did, for a subject.
type Action string

// Actions of a Subject.
const (
	// ActionPush: no referrer with the document's content digest yet.
	ActionPush Action = "push"
	// ActionUpToDate: a referrer with the content digest exists.
	ActionUpToDate Action = "up-to-date"
	// ActionPushed: Run pushed the referrer.
	ActionPushed Action = "pushed"
)

// Subject is one digest a document is attached to.
type Subject struct {
	Repository string
	Descriptor ocispec.Descriptor
	// Platform is "os/architecture[/variant]", empty for the index.
	Platform string
	Action   Action
	// Referrer is the referrer manifest with the content digest: the one
	// found (ActionUpToDate) or pushed (ActionPushed).
	Referrer digest.Digest
}

// Reference returns "repository@digest".
func (s Subject) Reference() string { return s.Repository + "@" + s.Descriptor.Digest.String() }

// Event reports one subject Run finished.
type Event struct {
	Product string
	Tag     string
	Subject Subject
	// Err is set when the subject failed.
	Err error
	// Done counts the subjects finished so far, this one included, of
	// Total.
	Done, Total int
}

// Documents builds the document of every release: it runs every check
// rule (Inventory decides whether the online ones run), refuses
// uncommitted changes unless AllowDirty, resolves the releases and renders
// each document. It reads registries but never writes; subjects have no
// Action.
func Documents(ctx context.Context, opts Options) (*Result, error) {
	p, _, err := documents(ctx, opts)
	return p, err
}

// Plan is Documents plus, for every subject, whether it already has a
// referrer with the document's content digest: one referrers listing per
// subject.
func Plan(ctx context.Context, opts Options) (*Result, error) {
	p, _, err := documents(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := lookUp(ctx, opts, p); err != nil {
		return nil, err
	}
	return p, nil
}

// documents is Documents; it also returns the statements it loaded.
func documents(ctx context.Context, opts Options) (*Result, []statements.Statement, error) {
	cfg := opts.Config
	kinds, err := subjectKinds(cfg.Publish.Subjects)
	if err != nil {
		return nil, nil, err
	}
	stmts, findings, err := statements.LoadStatements(cfg.Root, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("loading statements: %w", err)
	}
	checked, err := statements.Check(ctx, cfg, stmts, statements.CheckOptions{Inventory: opts.Inventory})
	if err != nil {
		return nil, nil, fmt.Errorf("checking statements: %w", err)
	}
	all := append(findings, checked...)
	if statements.HasErrors(all) {
		statements.SortFindings(all)
		return nil, nil, &FindingsError{Findings: all}
	}
	statements.ResolveProducts(cfg, stmts)

	src, err := readSource(ctx, cfg, opts.AllowDirty, opts.Now)
	if err != nil {
		return nil, nil, err
	}
	plan := &Result{Commit: src.commit}
	products := make([]string, 0, len(cfg.Products))
	for name := range cfg.Products {
		products = append(products, name)
	}
	slices.Sort(products)
	bopts := vex.BuildOptions{IDPrefix: cfg.IDPrefix, Author: cfg.Author, Tooling: opts.Tooling}
	for _, name := range products {
		prod := cfg.Products[name]
		rels, err := opts.Client.Releases(ctx, prod.Repository, prod.Tags)
		if err != nil && !errors.Is(err, oci.ErrNotFound) {
			return nil, nil, fmt.Errorf("resolving the releases of %s: %w", name, err)
		}
		for _, r := range rels {
			rel, err := buildRelease(name, r, stmts, src, bopts, kinds)
			if err != nil {
				return nil, nil, err
			}
			plan.Releases = append(plan.Releases, rel)
		}
	}
	return plan, stmts, nil
}

// subjectKinds validates publish.subjects; empty means both.
func subjectKinds(kinds []string) (map[string]bool, error) {
	if len(kinds) == 0 {
		return map[string]bool{SubjectsIndex: true, SubjectsPlatforms: true}, nil
	}
	out := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		if k != SubjectsIndex && k != SubjectsPlatforms {
			return nil, fmt.Errorf("%w: %q is neither %q nor %q", ErrSubjects, k, SubjectsIndex, SubjectsPlatforms)
		}
		out[k] = true
	}
	return out, nil
}

// buildRelease renders the document of one release from the statements
// about it.
func buildRelease(product string, r oci.Release, stmts []statements.Statement, src *source, bopts vex.BuildOptions, kinds map[string]bool) (Release, error) {
	rel := Release{Product: product, Repository: r.Repository, Tag: r.Tag, Index: r.Descriptor(), Platforms: r.Platforms}
	vr := vex.Release{Product: product, Repository: r.Repository, Tag: r.Tag, Index: r.Digest}
	for _, p := range r.Platforms {
		vr.Platforms = append(vr.Platforms, p.Digest)
	}
	var vs []vex.Statement
	for i := range stmts {
		s := &stmts[i]
		if !selects(s, product, r.Tag) {
			continue
		}
		ts, ok := src.times[s.File]
		if !ok {
			return Release{}, fmt.Errorf("statement file %s: not in the git history of HEAD", s.File)
		}
		vs = append(vs, vex.Statement{
			Vulnerability:   s.Vulnerability,
			Aliases:         s.Aliases,
			Status:          vex.Status(s.Status),
			Justification:   s.Justification,
			ImpactStatement: s.ImpactStatement,
			ActionStatement: s.ActionStatement,
			StatusNotes:     s.StatusNotes,
			Subcomponents:   s.Subcomponents,
			Timestamp:       ts,
			Source:          s.File,
		})
	}
	doc, err := vex.Build(bopts, vr, vs)
	if errors.Is(err, vex.ErrNoStatements) {
		return rel, nil
	}
	if err != nil {
		return Release{}, fmt.Errorf("building the document of %s:%s: %w", r.Repository, r.Tag, err)
	}
	if rel.Canonical, err = vex.Canonical(doc); err != nil {
		return Release{}, fmt.Errorf("rendering the document of %s:%s: %w", r.Repository, r.Tag, err)
	}
	if rel.ContentDigest, err = vex.ContentDigest(doc); err != nil {
		return Release{}, fmt.Errorf("digesting the document of %s:%s: %w", r.Repository, r.Tag, err)
	}
	rel.Document = doc
	if kinds[SubjectsIndex] {
		rel.Subjects = append(rel.Subjects, Subject{Repository: r.Repository, Descriptor: rel.Index})
	}
	if kinds[SubjectsPlatforms] {
		for _, p := range r.Platforms {
			if p.Digest == r.Digest && kinds[SubjectsIndex] {
				continue // a single-arch image is its own platform
			}
			rel.Subjects = append(rel.Subjects, Subject{Repository: r.Repository, Descriptor: p.Descriptor(), Platform: p.String()})
		}
	}
	return rel, nil
}

// lookUp lists the referrers of every subject, Jobs at a time, and marks
// those that have one with the document's content digest up to date.
func lookUp(ctx context.Context, opts Options, p *Result) error {
	var refs []*Subject
	var cds []digest.Digest
	for i := range p.Releases {
		rel := &p.Releases[i]
		for j := range rel.Subjects {
			refs = append(refs, &rel.Subjects[j])
			cds = append(cds, rel.ContentDigest)
		}
	}
	// probe each repository's referrers API once, before the listings
	// race to probe it each
	probed := map[string]bool{}
	for _, s := range refs {
		if !probed[s.Repository] {
			probed[s.Repository] = true
			if _, err := opts.Client.ReferrersAPI(ctx, s.Repository); err != nil {
				return fmt.Errorf("probing %s: %w", s.Repository, err)
			}
		}
	}
	errs := make([]error, len(refs))
	forEach(ctx, jobs(opts), len(refs), func(i int) {
		s := refs[i]
		d, err := findReferrer(ctx, opts.Client, *s, cds[i])
		if err != nil {
			errs[i] = err
			return
		}
		s.Action, s.Referrer = ActionPush, ""
		if d != "" {
			s.Action, s.Referrer = ActionUpToDate, d
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// findReferrer returns the referrer of s with content digest cd, or "".
// With several (a concurrent run of the same commit), the smallest digest.
func findReferrer(ctx context.Context, c *oci.Client, s Subject, cd digest.Digest) (digest.Digest, error) {
	listed, _, err := c.Referrers(ctx, s.Repository, s.Descriptor.Digest, ArtifactType)
	if err != nil {
		return "", fmt.Errorf("listing the referrers of %s: %w", s.Reference(), err)
	}
	var found digest.Digest
	for _, d := range listed {
		if d.Annotations[AnnotationContentDigest] == cd.String() && (found == "" || d.Digest < found) {
			found = d.Digest
		}
	}
	return found, nil
}

func jobs(opts Options) int {
	if opts.Jobs > 0 {
		return opts.Jobs
	}
	return oci.DefaultJobs
}

// forEach calls fn for 0..n-1, jobs at a time, and stops starting new
// calls once ctx is done.
func forEach(ctx context.Context, jobs, n int, fn func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, jobs)
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}
