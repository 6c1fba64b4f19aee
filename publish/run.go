package publish

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/vexil-dev/vexil/internal/sign"
)

// Run publishes: it makes the Plan (every check rule first: a finding with
// an error stops it before anything is signed), signs each subject that is
// not up to date as an in-toto statement (subject: the repository and the
// subject digest; predicate: the document) with Signer, and pushes the
// sigstore bundle as an OCI 1.1 referrer of the subject, Jobs at a time.
// Afterwards every release tag must still resolve to the manifest it
// resolved to before (ErrReleaseChanged otherwise), and every pushed
// referrer must still be listed for its subject (one that a concurrent
// writer of a referrers tag schema index dropped is added again).
//
// The returned plan says what was done: ActionPushed or ActionUpToDate per
// subject. When some subjects fail, the error is an *IncompleteError
// naming those done and those not; running again completes the work with
// exactly one referrer per subject and content digest.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Signer == nil {
		return nil, ErrNoSigner
	}
	p, err := Plan(ctx, opts)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, rel := range p.Releases {
		total += len(rel.Subjects)
	}
	progress := serialize(opts.Progress, total)

	// Two tags of one image with the same document share their subjects:
	// push each subject and content digest once, and give the result to
	// every release that has it.
	type key struct {
		repo    string
		subject digest.Digest
		content digest.Digest
	}
	var todo []*pending
	first := map[key]*pending{}
	type share struct {
		from *pending
		rel  *Release
		to   *Subject
	}
	var shared []share
	for i := range p.Releases {
		rel := &p.Releases[i]
		for j := range rel.Subjects {
			s := &rel.Subjects[j]
			if s.Action == ActionUpToDate {
				progress(Event{Product: rel.Product, Tag: rel.Tag, Subject: *s})
				continue
			}
			k := key{s.Repository, s.Descriptor.Digest, rel.ContentDigest}
			if f, ok := first[k]; ok {
				shared = append(shared, share{f, rel, s})
				continue
			}
			t := &pending{rel: rel, subject: s, commit: p.Commit}
			first[k] = t
			todo = append(todo, t)
		}
	}

	// After a failure, start no new subject but let those under way
	// finish: a canceled request may still complete on the registry after
	// this run has returned, and race with the next run.
	var failed atomic.Bool
	forEach(ctx, jobs(opts), len(todo), func(i int) {
		t := todo[i]
		if failed.Load() {
			t.err = errNotStarted
			return
		}
		t.err = push(ctx, opts, t)
		if t.err != nil {
			failed.Store(true)
		}
		progress(Event{Product: t.rel.Product, Tag: t.rel.Tag, Subject: *t.subject, Err: t.err})
	})

	var errs []error
	for _, t := range todo {
		if t.err != nil && t.err != errNotStarted {
			errs = append(errs, t.err)
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		for _, err := range confirm(ctx, opts, todo) {
			if err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, sh := range shared {
		if sh.from.err == errNotStarted {
			continue
		}
		sh.to.Action, sh.to.Referrer = sh.from.subject.Action, sh.from.subject.Referrer
		progress(Event{Product: sh.rel.Product, Tag: sh.rel.Tag, Subject: *sh.to, Err: sh.from.err})
	}

	if err := guard(ctx, opts, p); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return p, nil
	}
	return p, incomplete(p, errs)
}

// errNotStarted marks a subject Run did not start after another failed.
var errNotStarted = errors.New("not started")

// pending is a subject to push.
type pending struct {
	rel     *Release
	subject *Subject
	// bundle is the signed bundle pushed, kept to push the same manifest
	// again if it is lost.
	bundle []byte
	commit string
	err    error
}

// push signs the statement of one subject and pushes it as a referrer.
func push(ctx context.Context, opts Options, t *pending) error {
	s, rel := t.subject, t.rel
	if err := ctx.Err(); err != nil {
		return err
	}
	st := sign.Statement{
		Subjects:      []sign.Subject{{Name: s.Repository, Digest: s.Descriptor.Digest.String()}},
		PredicateType: predicateType(opts),
		Predicate:     rel.Canonical,
	}
	bundle, err := sign.Attest(ctx, opts.Signer, st)
	if err != nil {
		return fmt.Errorf("signing the document of %s: %w", s.Reference(), err)
	}
	t.bundle = bundle
	d, err := pushBundle(ctx, opts, t)
	if err != nil {
		return err
	}
	s.Action, s.Referrer = ActionPushed, d
	return nil
}

// pushBundle pushes t's bundle as a referrer of its subject, annotated as
// DESIGN.md says.
func pushBundle(ctx context.Context, opts Options, t *pending) (digest.Digest, error) {
	s, rel := t.subject, t.rel
	pt := predicateType(opts)
	ann := map[string]string{
		AnnotationBundleContent:       BundleContentDSSE,
		AnnotationBundlePredicateType: pt,
		AnnotationPredicateType:       pt,
		AnnotationCreated:             rel.Document.Timestamp.UTC().Format(time.RFC3339),
		AnnotationRevision:            t.commit,
		AnnotationContentDigest:       rel.ContentDigest.String(),
	}
	desc, err := opts.Client.PushReferrer(ctx, s.Repository, s.Descriptor, ArtifactType, t.bundle, ArtifactType, ann)
	if err != nil {
		return "", err // it names the referrer, the repository and the subject
	}
	return desc.Digest, nil
}

// confirm lists the referrers of every pushed subject of a registry
// without the referrers API once more, and pushes again any referrer a
// concurrent writer dropped from its referrers tag schema index.
func confirm(ctx context.Context, opts Options, pushed []*pending) []error {
	errs := make([]error, len(pushed))
	forEach(ctx, jobs(opts), len(pushed), func(i int) {
		t := pushed[i]
		// the referrers API lists what the registry holds: only a tag
		// schema index can lose a referrer (the answer is cached)
		if api, err := opts.Client.ReferrersAPI(ctx, t.subject.Repository); err != nil || api {
			errs[i] = err
			return
		}
		for attempt := 0; ; attempt++ {
			listed, err := listedReferrer(ctx, opts, t)
			if err != nil {
				errs[i] = err
				return
			}
			if listed {
				return
			}
			if attempt == 2 {
				errs[i] = fmt.Errorf("%w: %s of %s", ErrReferrerLost, t.subject.Referrer, t.subject.Reference())
				t.subject.Action, t.subject.Referrer = ActionPush, ""
				return
			}
			if _, err := pushBundle(ctx, opts, t); err != nil {
				errs[i] = err
				return
			}
		}
	})
	return errs
}

// listedReferrer reports whether t's pushed referrer is listed for its
// subject.
func listedReferrer(ctx context.Context, opts Options, t *pending) (bool, error) {
	listed, _, err := opts.Client.Referrers(ctx, t.subject.Repository, t.subject.Descriptor.Digest, ArtifactType)
	if err != nil {
		return false, fmt.Errorf("listing the referrers of %s: %w", t.subject.Reference(), err)
	}
	for _, d := range listed {
		if d.Digest == t.subject.Referrer {
			return true, nil
		}
	}
	return false, nil
}

// guard resolves every release tag again: each must name the manifest it
// named before (the same digest, computed from the bytes received, so the
// same bytes).
func guard(ctx context.Context, opts Options, p *Result) error {
	errs := make([]error, len(p.Releases))
	forEach(ctx, jobs(opts), len(p.Releases), func(i int) {
		rel := &p.Releases[i]
		now, err := opts.Client.Resolve(ctx, rel.Repository, rel.Tag)
		if err != nil {
			errs[i] = fmt.Errorf("resolving %s:%s after publishing: %w", rel.Repository, rel.Tag, err)
			return
		}
		if now.Digest != rel.Index.Digest || now.Size != rel.Index.Size || now.MediaType != rel.Index.MediaType {
			errs[i] = fmt.Errorf("%w: %s:%s was %s (%d bytes), is now %s (%d bytes)",
				ErrReleaseChanged, rel.Repository, rel.Tag, rel.Index.Digest, rel.Index.Size, now.Digest, now.Size)
		}
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// incomplete wraps errs in an *IncompleteError listing the subjects of p
// that have their referrer and those that do not.
func incomplete(p *Result, errs []error) error {
	e := &IncompleteError{Err: errors.Join(errs...), First: errs[0], Failures: len(errs)}
	for _, rel := range p.Releases {
		for _, s := range rel.Subjects {
			if s.Action == ActionPushed || s.Action == ActionUpToDate {
				e.Done = append(e.Done, s.Reference())
			} else {
				e.NotDone = append(e.NotDone, s.Reference())
			}
		}
	}
	return e
}

func predicateType(opts Options) string {
	if pt := opts.Config.Publish.PredicateType; pt != "" {
		return pt
	}
	return sign.DefaultPredicateType
}

// serialize returns a function that numbers events and calls fn with
// them one at a time, or does nothing when fn is nil.
func serialize(fn func(Event), total int) func(Event) {
	if fn == nil {
		return func(Event) {}
	}
	var mu sync.Mutex
	done := 0
	return func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		done++
		e.Done, e.Total = done, total
		fn(e)
	}
}
