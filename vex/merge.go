package vex

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	govex "github.com/openvex/go-vex/pkg/vex"
	"github.com/package-url/packageurl-go"
)

// MergedIDPrefix starts the @id of every document Merge returns; the content
// digest hex follows.
const MergedIDPrefix = "urn:vexil:merged:sha256:"

// Merge turns every document about an image into one effective document
// that grype and trivy read the same way.
//
// Scanners disagree on overlapping statements: go-vex's (*VEX).Matches sorts
// matches oldest first; grype applies matches[0] (the oldest), trivy the
// last (the latest). Merge therefore leaves at most one statement per
// product, vulnerability and subcomponent set:
//
//   - a statement product is about a digest of the image when its @id or
//     purl identifier is an oci purl with the image's name and that digest
//     as version (or no version: every digest), with repository_url, when
//     present, equal to the repository or to its parent (grype writes the
//     latter), other qualifiers ignored; or a docker purl (Docker Scout's
//     form) with that digest as version, the image's name and, when
//     present, its path as namespace; or its @id is the digest, its hex,
//     or repository@digest; or its sha-256 hash is the digest's hex. Other
//     products (tag versions too: tags move), and statements with none
//     left, are dropped;
//   - for each digest, vulnerability and subcomponent set, the statement
//     with the latest timestamp (its own, else its document's) wins; at
//     equal timestamps the most cautious status wins (affected, then
//     under_investigation, fixed, not_affected), then the smallest
//     canonical bytes, then the author;
//   - a winning statement about the whole product (no subcomponents) also
//     removes older winners about subcomponents of the same vulnerability.
//
// Winners are written with products in the forms both scanners match
// (`pkg:oci/<name>@sha256:<hex>`, no qualifiers, with `hashes`), their
// subcomponents, and their own timestamp; the statement @id is dropped.
// The author lists the distinct authors of the documents that gave a
// winner; the timestamp is the latest statement timestamp; the @id is
// MergedIDPrefix and the content digest. No statement left:
// ErrNoStatements. Inputs are not modified.
func Merge(docs []*Document, image Image) (*Document, error) {
	name, err := purlName(image.Repository)
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	digests := append([]digest.Digest{image.Index}, image.Platforms...)
	for _, d := range digests {
		if err := checkDigest(d); err != nil {
			return nil, fmt.Errorf("image %s: %w", image.Repository, err)
		}
	}
	slices.Sort(digests)
	digests = slices.Compact(digests)
	m := matcher{repository: image.Repository, name: name, digests: digests, memo: map[memoKey][]bool{}}

	// Pick the winner of each cell from the source statements as they are;
	// only winners (and ties) are normalised and rendered.
	cells := map[cellKey]*mergeCandidate{}
	for i, doc := range docs {
		if doc == nil {
			continue
		}
		for j := range doc.Statements {
			src := &doc.Statements[j]
			ts := src.Timestamp
			if ts == nil || ts.IsZero() {
				ts = doc.Timestamp
			}
			for k := range src.Products {
				p := &src.Products[k]
				matched := m.matches(p.Component)
				if matched == nil {
					continue
				}
				if ts == nil || ts.IsZero() {
					return nil, fmt.Errorf("document %d (%s) statement %d: vulnerability %s: no timestamp: %w",
						i, doc.ID, j, src.Vulnerability.Name, ErrInvalidInput)
				}
				subKey := subcomponentKey(src.Products[k : k+1])
				for di, d := range digests {
					if !matched[di] {
						continue
					}
					key := cellKey{d, string(src.Vulnerability.Name), subKey}
					c := mergeCandidate{src: src, product: p, ts: ts.UTC(), author: doc.Author}
					if old, ok := cells[key]; !ok || c.beats(old) {
						won := c
						cells[key] = &won
					}
				}
			}
		}
	}

	// A whole-product winner supersedes older subcomponent winners.
	whole := map[cellKey]time.Time{}
	for key, c := range cells {
		if key.subs == "" {
			whole[cellKey{key.digest, key.vuln, ""}] = c.ts
		}
	}
	type group struct {
		c       *mergeCandidate
		digests []digest.Digest
	}
	groups := map[string]*group{}
	authors := map[string]bool{}
	for key, c := range cells {
		if t, ok := whole[cellKey{key.digest, key.vuln, ""}]; ok && key.subs != "" && c.ts.Before(t) {
			continue
		}
		if err := c.render(); err != nil {
			return nil, err
		}
		gk := string(c.body) + "\x00" + string(c.subsBytes)
		g, ok := groups[gk]
		if !ok {
			g = &group{c: c}
			groups[gk] = g
		}
		g.digests = append(g.digests, key.digest)
		if c.author != "" {
			authors[c.author] = true
		}
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("merging %d documents for %s@%s: %w", len(docs), image.Repository, image.Index, ErrNoStatements)
	}

	out := &Document{Metadata: govex.Metadata{Context: Context, Version: 1}}
	var latest time.Time
	for _, g := range groups {
		s := g.c.stmt
		s.Products = nil
		slices.Sort(g.digests)
		for _, d := range g.digests {
			p, err := product(image.Repository, d)
			if err != nil {
				return nil, err
			}
			p.Subcomponents = g.c.subs
			s.Products = append(s.Products, p)
		}
		out.Statements = append(out.Statements, s)
		if s.Timestamp.After(latest) {
			latest = *s.Timestamp
		}
	}
	out.Timestamp = &latest
	names := make([]string, 0, len(authors))
	for a := range authors {
		names = append(names, a)
	}
	slices.Sort(names)
	out.Author = strings.Join(names, ", ")
	if out.Author == "" {
		out.Author = govex.DefaultAuthor
	}
	sorted, content, err := canonicalize(out.Statements, out.Timestamp)
	if err != nil {
		return nil, err
	}
	out.Statements = sorted
	out.ID = MergedIDPrefix + digest.FromBytes(content).Encoded()
	return out, nil
}

// cellKey names what one merged statement is about: a digest of the image,
// a vulnerability and a set of subcomponents.
type cellKey struct {
	digest digest.Digest
	vuln   string
	subs   string
}

// mergeCandidate is one source statement's claim about a cell, through one
// of its products.
type mergeCandidate struct {
	src     *govex.Statement
	product *govex.Product
	ts      time.Time
	author  string

	// Set by render.
	stmt      govex.Statement // normalised, without @id and products
	subs      []govex.Subcomponent
	body      []byte // canonical bytes of stmt
	subsBytes []byte // canonical bytes of subs
}

// render normalises the candidate's statement and subcomponents, once.
func (c *mergeCandidate) render() error {
	if c.body != nil {
		return nil
	}
	src := *c.src
	src.ID = ""
	src.Products = nil
	ts := c.ts
	s, err := normaliseStatement(src, &ts)
	if err != nil {
		return err
	}
	s.Timestamp = &ts
	c.stmt = s
	c.body = appendStatement(nil, &c.stmt)
	if len(c.product.Subcomponents) > 0 {
		subs := make([]govex.Subcomponent, len(c.product.Subcomponents))
		for i, sc := range c.product.Subcomponents {
			subs[i] = govex.Subcomponent{Component: copyComponent(sc.Component)}
		}
		c.subs = sortComponents(subs, func(sc govex.Subcomponent) []byte {
			return appendComponent(nil, &sc.Component, nil)
		}, func(sc govex.Subcomponent) string { return sc.ID })
	}
	c.subsBytes = subcomponentBytes(c.subs)
	return nil
}

// caution ranks statuses for ties: the higher keeps a finding visible.
func caution(s govex.Status) int {
	switch s {
	case StatusAffected:
		return 3
	case StatusUnderInvestigation:
		return 2
	case StatusFixed:
		return 1
	default:
		return 0
	}
}

// beats reports whether c wins over old.
func (c *mergeCandidate) beats(old *mergeCandidate) bool {
	if !c.ts.Equal(old.ts) {
		return c.ts.After(old.ts)
	}
	if a, b := caution(c.src.Status), caution(old.src.Status); a != b {
		return a > b
	}
	if c.src == old.src && c.product == old.product {
		return false
	}
	// Rendering cannot fail here: both have a timestamp.
	_ = c.render()
	_ = old.render()
	if cmp := bytes.Compare(c.body, old.body); cmp != 0 {
		return cmp < 0
	}
	if cmp := bytes.Compare(c.subsBytes, old.subsBytes); cmp != 0 {
		return cmp < 0
	}
	return c.author < old.author
}

// matcher decides which digests of an image a statement product names.
type matcher struct {
	repository string
	name       string
	digests    []digest.Digest
	memo       map[memoKey][]bool
}

// memoKey holds the fields of a component that names reads.
type memoKey struct {
	id   string
	hash govex.Hash
	purl string
}

// matches returns, for each digest of the image, whether c names it; nil
// when it names none.
func (m matcher) matches(c govex.Component) []bool {
	// names reads only these three fields.
	key := memoKey{c.ID, c.Hashes[govex.SHA256], c.Identifiers[govex.PURL]}
	if got, ok := m.memo[key]; ok {
		return got
	}
	var out []bool
	for i, d := range m.digests {
		if m.names(c, d) {
			if out == nil {
				out = make([]bool, len(m.digests))
			}
			out[i] = true
		}
	}
	m.memo[key] = out
	return out
}

// names reports whether c names digest d of the image.
func (m matcher) names(c govex.Component, d digest.Digest) bool {
	switch c.ID {
	case d.String(), d.Encoded(), m.repository + "@" + d.String():
		return true
	}
	if h, ok := c.Hashes[govex.SHA256]; ok && (string(h) == d.Encoded() || string(h) == d.String()) {
		return true
	}
	return m.purl(c.ID, d) || m.purl(c.Identifiers[govex.PURL], d)
}

// purl reports whether id is a purl of the image at d: an oci purl (name
// and digest, or no version: every digest), or a docker purl with the
// digest as version (Docker Scout's form; its tag versions are mutable and
// never match).
func (m matcher) purl(id string, d digest.Digest) bool {
	switch {
	case strings.HasPrefix(id, "pkg:oci/"):
		p, err := packageurl.FromString(id)
		if err != nil || p.Namespace != "" || !strings.EqualFold(p.Name, m.name) {
			return false
		}
		if p.Version != "" && p.Version != d.String() {
			return false
		}
		repo, ok := p.Qualifiers.Map()["repository_url"]
		return !ok || repo == m.repository || repo == m.parent()
	case strings.HasPrefix(id, "pkg:docker/"):
		p, err := packageurl.FromString(id)
		if err != nil || p.Version != d.String() || !strings.EqualFold(p.Name, m.name) {
			return false
		}
		// The namespace is the repository path without registry and name.
		host, path, _ := strings.Cut(m.parent(), "/")
		if p.Namespace != "" && p.Namespace != path && p.Namespace != m.parent() {
			return false
		}
		repo, ok := p.Qualifiers.Map()["repository_url"]
		return !ok || repo == host || repo == m.repository || repo == m.parent()
	}
	return false
}

// parent is the repository without its last path segment: what grype
// writes as repository_url.
func (m matcher) parent() string { return strings.TrimSuffix(m.repository, "/"+m.name) }
