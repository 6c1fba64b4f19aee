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
//     latter), other qualifiers ignored; or its @id is the digest, its hex,
//     or repository@digest; or its sha-256 hash is the digest's hex. Other
//     products, and statements with none left, are dropped;
//   - for each digest, vulnerability and subcomponent set, the statement
//     with the latest timestamp (its own, else its document's) wins; at
//     equal timestamps the most cautious status wins (affected, then
//     under_investigation, fixed, not_affected), then the smallest
//     canonical bytes;
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
	m := matcher{repository: image.Repository, name: name}

	cells := map[string]*mergeCandidate{}
	for i, doc := range docs {
		if doc == nil {
			continue
		}
		for j := range doc.Statements {
			src := &doc.Statements[j]
			if !m.anyProduct(src.Products, digests) {
				continue
			}
			s, err := normaliseStatement(*src, doc.Timestamp)
			if err != nil {
				return nil, fmt.Errorf("document %d (%s) statement %d: %w", i, doc.ID, j, err)
			}
			body := s
			body.ID = ""
			body.Products = nil
			bodyBytes, err := statementBytes(&body)
			if err != nil {
				return nil, err
			}
			for _, p := range s.Products {
				subs := p.Subcomponents
				subKey := subcomponentKey([]govex.Product{p})
				for _, d := range digests {
					if !m.matches(p.Component, d) {
						continue
					}
					c := &mergeCandidate{
						digest: d, vuln: string(s.Vulnerability.Name), subKey: subKey,
						stmt: body, subs: subs, body: bodyBytes, author: doc.Author,
					}
					key := c.digest.String() + "\x00" + c.vuln + "\x00" + c.subKey
					if old, ok := cells[key]; !ok || c.beats(old) {
						cells[key] = c
					}
				}
			}
		}
	}

	// A whole-product winner supersedes older subcomponent winners.
	whole := map[string]time.Time{}
	for _, c := range cells {
		if c.subKey == "" {
			whole[c.digest.String()+"\x00"+c.vuln] = *c.stmt.Timestamp
		}
	}
	type group struct {
		c       *mergeCandidate
		digests []digest.Digest
	}
	groups := map[string]*group{}
	authors := map[string]bool{}
	for _, c := range cells {
		if t, ok := whole[c.digest.String()+"\x00"+c.vuln]; ok && c.subKey != "" && c.stmt.Timestamp.Before(t) {
			continue
		}
		subBytes, err := compactJSON(c.subs)
		if err != nil {
			return nil, err
		}
		key := string(c.body) + "\x00" + string(subBytes)
		g, ok := groups[key]
		if !ok {
			g = &group{c: c}
			groups[key] = g
		}
		g.digests = append(g.digests, c.digest)
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
	sortStatements(out.Statements)
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
	content, err := ContentDigest(out)
	if err != nil {
		return nil, err
	}
	out.ID = MergedIDPrefix + content.Encoded()
	return out, nil
}

// mergeCandidate is one statement's claim about one digest, vulnerability
// and subcomponent set.
type mergeCandidate struct {
	digest digest.Digest
	vuln   string
	subKey string
	stmt   govex.Statement // normalised, no @id, no products
	subs   []govex.Subcomponent
	body   []byte // canonical bytes of stmt
	author string
}

// caution ranks statuses for ties: the higher keeps a finding visible.
var caution = map[govex.Status]int{
	StatusAffected:           3,
	StatusUnderInvestigation: 2,
	StatusFixed:              1,
	StatusNotAffected:        0,
}

// beats reports whether c wins over old.
func (c *mergeCandidate) beats(old *mergeCandidate) bool {
	if !c.stmt.Timestamp.Equal(*old.stmt.Timestamp) {
		return c.stmt.Timestamp.After(*old.stmt.Timestamp)
	}
	if a, b := caution[c.stmt.Status], caution[old.stmt.Status]; a != b {
		return a > b
	}
	if cmp := bytes.Compare(c.body, old.body); cmp != 0 {
		return cmp < 0
	}
	sc, _ := compactJSON(c.subs)
	so, _ := compactJSON(old.subs)
	return bytes.Compare(sc, so) < 0
}

// matcher decides whether a statement product names a digest of an image.
type matcher struct {
	repository string
	name       string
}

func (m matcher) anyProduct(products []govex.Product, digests []digest.Digest) bool {
	for _, p := range products {
		for _, d := range digests {
			if m.matches(p.Component, d) {
				return true
			}
		}
	}
	return false
}

func (m matcher) matches(c govex.Component, d digest.Digest) bool {
	switch c.ID {
	case d.String(), d.Encoded(), m.repository + "@" + d.String():
		return true
	}
	if m.purl(c.ID, d) || m.purl(c.Identifiers[govex.PURL], d) {
		return true
	}
	if h, ok := c.Hashes[govex.SHA256]; ok && (string(h) == d.Encoded() || string(h) == d.String()) {
		return true
	}
	return false
}

// purl reports whether id is an oci purl of the image at d (or at every
// digest, without version).
func (m matcher) purl(id string, d digest.Digest) bool {
	if !strings.HasPrefix(id, "pkg:oci/") {
		return false
	}
	p, err := packageurl.FromString(id)
	if err != nil || p.Type != "oci" || p.Namespace != "" || !strings.EqualFold(p.Name, m.name) {
		return false
	}
	if p.Version != "" && p.Version != d.String() {
		return false
	}
	if repo, ok := p.Qualifiers.Map()["repository_url"]; ok {
		parent := strings.TrimSuffix(m.repository, "/"+m.name)
		if repo != m.repository && repo != parent {
			return false
		}
	}
	return true
}
