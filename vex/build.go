package vex

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	govex "github.com/openvex/go-vex/pkg/vex"
	"github.com/package-url/packageurl-go"
)

// Build returns the OpenVEX v0.2.0 document of one release, as DESIGN.md
// "Documents publish builds" fixes it:
//
//   - one statement per effective statement: statements about the same
//     vulnerability and the same subcomponents collapse into the latest
//     (ties: the smallest canonical bytes), or fail with ErrConflict when
//     their statuses differ;
//   - each statement's products are the release's digests (index and
//     platforms, sorted, de-duplicated), each `pkg:oci/<name>@sha256:<hex>`
//     with `hashes: {sha-256: <hex>}`, carrying the statement's
//     subcomponents (sorted, as written);
//   - statement timestamps as given, in UTC and truncated to the second (git
//     commit times are seconds); the document timestamp is the latest;
//   - version 1, @context Context, and @id
//     `<IDPrefix>/<product, path-escaped>/<index hex>/<content digest hex>`.
//
// Statements are sorted as ContentDigest sorts them, so the order of inputs
// never changes the bytes. A release without statements has no document:
// ErrNoStatements.
func Build(opts BuildOptions, rel Release, stmts []Statement) (*Document, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	products, err := releaseProducts(rel)
	if err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return nil, fmt.Errorf("release %s %s: %w", rel.Product, rel.Tag, ErrNoStatements)
	}

	type candidate struct {
		s      govex.Statement
		body   []byte // rendered for ties only
		source string
	}
	groups := map[string][]candidate{}
	var keys []string
	var errs []error
	for _, in := range stmts {
		s, err := in.openVEX(products)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		key := string(s.Vulnerability.Name) + "\x00" + subcomponentKey(s.Products)
		if _, ok := groups[key]; !ok {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], candidate{s: s, source: in.Source})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("release %s %s: %w", rel.Product, rel.Tag, errors.Join(errs...))
	}

	doc := &Document{Metadata: govex.Metadata{
		Context:    Context,
		Author:     opts.Author,
		AuthorRole: opts.Role,
		Tooling:    opts.Tooling,
		Version:    1,
	}}
	var latest time.Time
	for _, key := range keys {
		group := groups[key]
		best := group[0]
		for _, c := range group[1:] {
			if c.s.Status != best.s.Status {
				return nil, fmt.Errorf("release %s %s: %s (%s) and %s (%s) about %s: %w",
					rel.Product, rel.Tag, best.source, best.s.Status, c.source, c.s.Status, c.s.Vulnerability.Name, ErrConflict)
			}
			if c.s.Timestamp.Equal(*best.s.Timestamp) {
				if best.body == nil {
					best.body = appendStatement(nil, &best.s)
				}
				c.body = appendStatement(nil, &c.s)
				if bytes.Compare(c.body, best.body) < 0 {
					best = c
				}
			} else if c.s.Timestamp.After(*best.s.Timestamp) {
				best = c
			}
		}
		doc.Statements = append(doc.Statements, best.s)
		if best.s.Timestamp.After(latest) {
			latest = *best.s.Timestamp
		}
	}
	doc.Timestamp = &latest
	sorted, content, err := canonicalize(doc.Statements, doc.Timestamp)
	if err != nil {
		return nil, err
	}
	doc.Statements = sorted
	doc.ID = strings.Join([]string{strings.TrimRight(opts.IDPrefix, "/"), url.PathEscape(rel.Product), rel.Index.Encoded(), digest.FromBytes(content).Encoded()}, "/")
	return doc, nil
}

func (o BuildOptions) validate() error {
	if strings.TrimRight(o.IDPrefix, "/") == "" {
		return fmt.Errorf("build options: empty id_prefix: %w", ErrInvalidInput)
	}
	if o.Author == "" {
		return fmt.Errorf("build options: empty author: %w", ErrInvalidInput)
	}
	return nil
}

// releaseProducts returns one product per digest of rel, sorted by @id.
func releaseProducts(rel Release) ([]govex.Product, error) {
	if rel.Product == "" {
		return nil, fmt.Errorf("release product %q: %w", rel.Product, ErrInvalidInput)
	}
	digests := append([]digest.Digest{rel.Index}, rel.Platforms...)
	slices.Sort(digests)
	digests = slices.Compact(digests)
	products := make([]govex.Product, 0, len(digests))
	for _, d := range digests {
		p, err := product(rel.Repository, d)
		if err != nil {
			return nil, fmt.Errorf("release %s %s: %w", rel.Product, rel.Tag, err)
		}
		products = append(products, p)
	}
	return products, nil
}

// openVEX converts s into a go-vex statement about products, and checks it
// by go-vex's rules.
func (s Statement) openVEX(products []govex.Product) (govex.Statement, error) {
	where := s.Source
	if where == "" {
		where = s.Vulnerability
	}
	if s.Vulnerability == "" {
		return govex.Statement{}, fmt.Errorf("%s: empty vulnerability: %w", where, ErrInvalidInput)
	}
	if s.Timestamp.IsZero() {
		return govex.Statement{}, fmt.Errorf("%s: no timestamp: %w", where, ErrInvalidInput)
	}
	ts := s.Timestamp.UTC().Truncate(time.Second)

	var aliases []govex.VulnerabilityID
	for _, a := range s.Aliases {
		if a == "" {
			return govex.Statement{}, fmt.Errorf("%s: empty alias: %w", where, ErrInvalidInput)
		}
		if a != s.Vulnerability {
			aliases = append(aliases, govex.VulnerabilityID(a))
		}
	}
	slices.Sort(aliases)
	aliases = slices.Compact(aliases)

	subIDs := slices.Clone(s.Subcomponents)
	slices.Sort(subIDs)
	subIDs = slices.Compact(subIDs)
	var subs []govex.Subcomponent
	for _, id := range subIDs {
		if _, err := packageurl.FromString(id); err != nil {
			return govex.Statement{}, fmt.Errorf("%s: subcomponent %q: %w: %w", where, id, ErrInvalidInput, err)
		}
		subs = append(subs, govex.Subcomponent{Component: govex.Component{ID: id}})
	}
	ps := make([]govex.Product, len(products))
	for i, p := range products {
		ps[i] = govex.Product{Component: p.Component, Subcomponents: subs}
	}

	out := govex.Statement{
		Vulnerability:   govex.Vulnerability{Name: govex.VulnerabilityID(s.Vulnerability), Aliases: aliases},
		Timestamp:       &ts,
		Products:        ps,
		Status:          s.Status,
		StatusNotes:     s.StatusNotes,
		Justification:   govex.Justification(s.Justification),
		ImpactStatement: s.ImpactStatement,
		ActionStatement: s.ActionStatement,
	}
	if err := out.Validate(); err != nil {
		return govex.Statement{}, fmt.Errorf("%s: %w: %w", where, ErrInvalidInput, err)
	}
	return out, nil
}
