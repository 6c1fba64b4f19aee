package vex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	govex "github.com/openvex/go-vex/pkg/vex"
)

// Canonical returns the exact bytes vexil publishes for doc: the fields
// go-vex's JSON encoding writes (times in UTC, RFC 3339; the document's to
// the second, statements' with any fraction; empty optional fields
// omitted), every object's keys in byte order, strings escaped as
// encoding/json escapes them without HTML escaping, two-space indentation
// and a final newline. The same document gives the same bytes on every
// machine, in every time zone and with every map order.
func Canonical(doc *Document) ([]byte, error) {
	if doc == nil || doc.Timestamp == nil {
		return nil, fmt.Errorf("rendering document: no timestamp: %w", ErrInvalidInput)
	}
	compact := appendDocument(make([]byte, 0, 512+1024*len(doc.Statements)), doc)
	var buf bytes.Buffer
	buf.Grow(len(compact) * 2)
	if err := json.Indent(&buf, compact, "", "  "); err != nil {
		return nil, fmt.Errorf("rendering document %s: %w", doc.ID, err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// ContentDigest returns "sha256:<hex>" of the canonical statements of doc,
// the `dev.vexil.content-digest` annotation and the last element of the
// document @id. Document fields (@id, author, role, tooling, timestamp,
// version) are not part of it.
//
// The canonical statements are a JSON array, compact, object keys in byte
// order, strings escaped as encoding/json does without HTML escaping, of
// every statement, with the fields go-vex writes, after:
//   - its timestamp is its own, else the document's; all its times are in
//     UTC, RFC 3339 with nanoseconds when there are any;
//   - vulnerability aliases are sorted and de-duplicated;
//   - each product's subcomponents, then the products, are sorted by @id,
//     then by their canonical bytes, and de-duplicated;
//
// and the array is sorted by vulnerability name, then the sorted
// subcomponent @ids (joined by newlines), then status, then the statement's
// canonical bytes.
func ContentDigest(doc *Document) (digest.Digest, error) {
	if doc == nil {
		return "", fmt.Errorf("content digest: nil document: %w", ErrInvalidInput)
	}
	_, content, err := canonicalize(doc.Statements, doc.Timestamp)
	if err != nil {
		return "", fmt.Errorf("content digest of %s: %w", doc.ID, err)
	}
	return digest.FromBytes(content), nil
}

// canonicalize returns stmts normalised and in canonical order, and the
// canonical statements ContentDigest hashes. stmts is not modified.
func canonicalize(stmts []govex.Statement, docTimestamp *time.Time) ([]govex.Statement, []byte, error) {
	type keyed struct {
		s          govex.Statement
		vuln, subs string
		body       []byte
	}
	all := make([]keyed, 0, len(stmts))
	size := 2
	for i := range stmts {
		s, err := normaliseStatement(stmts[i], docTimestamp)
		if err != nil {
			return nil, nil, fmt.Errorf("statement %d: %w", i, err)
		}
		body := appendStatement(make([]byte, 0, 1024), &s)
		size += len(body) + 1
		all = append(all, keyed{s, string(s.Vulnerability.Name), subcomponentKey(s.Products), body})
	}
	slices.SortFunc(all, func(a, b keyed) int {
		if c := strings.Compare(a.vuln, b.vuln); c != 0 {
			return c
		}
		if c := strings.Compare(a.subs, b.subs); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.s.Status), string(b.s.Status)); c != 0 {
			return c
		}
		return bytes.Compare(a.body, b.body)
	})
	out := make([]govex.Statement, len(all))
	content := make([]byte, 0, size)
	content = append(content, '[')
	for i, k := range all {
		if i > 0 {
			content = append(content, ',')
		}
		content = append(content, k.body...)
		out[i] = k.s
	}
	return out, append(content, ']'), nil
}

// normaliseStatement returns a copy of s in the canonical form: effective
// timestamp, times in UTC, aliases sorted, subcomponents and products
// sorted. It shares no slice or map with s.
func normaliseStatement(s govex.Statement, docTimestamp *time.Time) (govex.Statement, error) {
	out := s
	ts := s.Timestamp
	if ts == nil || ts.IsZero() {
		ts = docTimestamp
	}
	if ts == nil || ts.IsZero() {
		return out, fmt.Errorf("vulnerability %s: no timestamp: %w", s.Vulnerability.Name, ErrInvalidInput)
	}
	out.Timestamp = utc(ts)
	out.LastUpdated = utc(s.LastUpdated)
	out.ActionStatementTimestamp = utc(s.ActionStatementTimestamp)
	out.Vulnerability.Aliases = slices.Clone(s.Vulnerability.Aliases)
	slices.Sort(out.Vulnerability.Aliases)
	out.Vulnerability.Aliases = slices.Compact(out.Vulnerability.Aliases)

	out.Products = make([]govex.Product, len(s.Products))
	for i, p := range s.Products {
		np := govex.Product{Component: copyComponent(p.Component)}
		if len(p.Subcomponents) > 0 {
			np.Subcomponents = make([]govex.Subcomponent, len(p.Subcomponents))
			for j, sc := range p.Subcomponents {
				np.Subcomponents[j] = govex.Subcomponent{Component: copyComponent(sc.Component)}
			}
			np.Subcomponents = sortComponents(np.Subcomponents, func(sc govex.Subcomponent) []byte {
				return appendComponent(nil, &sc.Component, nil)
			}, func(sc govex.Subcomponent) string { return sc.ID })
		}
		out.Products[i] = np
	}
	out.Products = sortComponents(out.Products, func(p govex.Product) []byte {
		return appendComponent(nil, &p.Component, p.Subcomponents)
	}, func(p govex.Product) string { return p.ID })
	return out, nil
}

// sortComponents sorts by @id, and by canonical bytes (rendered only for
// equal @ids), and drops exact duplicates.
func sortComponents[T any](list []T, render func(T) []byte, id func(T) string) []T {
	if len(list) < 2 {
		return list
	}
	slices.SortStableFunc(list, func(a, b T) int {
		if c := strings.Compare(id(a), id(b)); c != 0 {
			return c
		}
		return bytes.Compare(render(a), render(b))
	})
	return slices.CompactFunc(list, func(a, b T) bool {
		return id(a) == id(b) && bytes.Equal(render(a), render(b))
	})
}

// copyComponent returns c with its maps copied.
func copyComponent(c govex.Component) govex.Component {
	out := c
	if c.Hashes != nil {
		out.Hashes = make(map[govex.Algorithm]govex.Hash, len(c.Hashes))
		for k, v := range c.Hashes {
			out.Hashes[k] = v
		}
	}
	if c.Identifiers != nil {
		out.Identifiers = make(map[govex.IdentifierType]string, len(c.Identifiers))
		for k, v := range c.Identifiers {
			out.Identifiers[k] = v
		}
	}
	return out
}

// subcomponentKey is the sorted, de-duplicated list of the subcomponent
// @ids of products, one per line; "" when the statement is about whole
// products.
func subcomponentKey(products []govex.Product) string {
	if len(products) == 1 {
		switch subs := products[0].Subcomponents; len(subs) {
		case 0:
			return ""
		case 1:
			return subs[0].ID
		}
	}
	var ids []string
	for _, p := range products {
		for _, sc := range p.Subcomponents {
			ids = append(ids, sc.ID)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	slices.Sort(ids)
	return strings.Join(slices.Compact(ids), "\n")
}

// subcomponentBytes renders a subcomponent list canonically.
func subcomponentBytes(subs []govex.Subcomponent) []byte {
	b := []byte{'['}
	for i := range subs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendComponent(b, &subs[i].Component, nil)
	}
	return append(b, ']')
}

// utc returns a copy of t in UTC, or nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
