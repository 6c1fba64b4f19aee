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

// Canonical returns the exact bytes vexil publishes for doc: go-vex's JSON
// rendering (timestamps in UTC, RFC 3339; empty optional fields omitted)
// re-encoded with every object's keys sorted, two-space indentation, no
// HTML escaping and a final newline. The same document gives the same bytes
// on every machine and with every map order.
func Canonical(doc *Document) ([]byte, error) {
	if doc == nil || doc.Timestamp == nil {
		return nil, fmt.Errorf("rendering document: no timestamp: %w", ErrInvalidInput)
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("rendering document %s: %w", doc.ID, err)
	}
	out, err := sortedJSON(raw, true)
	if err != nil {
		return nil, fmt.Errorf("rendering document %s: %w", doc.ID, err)
	}
	return out, nil
}

// ContentDigest returns "sha256:<hex>" of the canonical statements of doc,
// the `dev.vexil.content-digest` annotation and the last element of the
// document @id. Document fields (@id, author, role, tooling, timestamp,
// version) are not part of it.
//
// The canonical statements are a JSON array, compact, keys sorted, no HTML
// escaping, of every statement as go-vex renders it after:
//   - its timestamp is the statement's, else the document's, in UTC;
//   - last_updated and action_statement_timestamp are in UTC;
//   - vulnerability aliases are sorted;
//   - each product's subcomponents are sorted by their canonical bytes,
//     and products are sorted by theirs;
//
// and the array is sorted by vulnerability name, then the sorted list of
// subcomponent @ids, then status, then the statement's canonical bytes.
func ContentDigest(doc *Document) (digest.Digest, error) {
	content, err := canonicalStatements(doc)
	if err != nil {
		return "", err
	}
	return digest.FromBytes(content), nil
}

// canonicalStatements renders the statements of doc as ContentDigest
// defines them.
func canonicalStatements(doc *Document) ([]byte, error) {
	if doc == nil {
		return nil, fmt.Errorf("canonical statements: nil document: %w", ErrInvalidInput)
	}
	type keyed struct {
		vuln, subs, status string
		body               []byte
	}
	all := make([]keyed, 0, len(doc.Statements))
	for i := range doc.Statements {
		s, err := normaliseStatement(doc.Statements[i], doc.Timestamp)
		if err != nil {
			return nil, fmt.Errorf("statement %d of %s: %w", i, doc.ID, err)
		}
		body, err := statementBytes(&s)
		if err != nil {
			return nil, fmt.Errorf("statement %d of %s: %w", i, doc.ID, err)
		}
		all = append(all, keyed{string(s.Vulnerability.Name), subcomponentKey(s.Products), string(s.Status), body})
	}
	slices.SortFunc(all, func(a, b keyed) int {
		if c := strings.Compare(a.vuln, b.vuln); c != 0 {
			return c
		}
		if c := strings.Compare(a.subs, b.subs); c != 0 {
			return c
		}
		if c := strings.Compare(a.status, b.status); c != 0 {
			return c
		}
		return bytes.Compare(a.body, b.body)
	})
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, k := range all {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(k.body)
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}

// normaliseStatement returns a copy of s in the canonical form: effective
// timestamp, times in UTC, aliases sorted, subcomponents and products sorted.
// It shares no slice or map with s.
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

	out.Products = make([]govex.Product, 0, len(s.Products))
	type keyedProduct struct {
		p    govex.Product
		body []byte
	}
	keyedProducts := make([]keyedProduct, 0, len(s.Products))
	for _, p := range s.Products {
		np := govex.Product{Component: copyComponent(p.Component)}
		type keyedSub struct {
			s    govex.Subcomponent
			body []byte
		}
		subs := make([]keyedSub, 0, len(p.Subcomponents))
		for _, sc := range p.Subcomponents {
			c := govex.Subcomponent{Component: copyComponent(sc.Component)}
			body, err := compactJSON(c)
			if err != nil {
				return out, err
			}
			subs = append(subs, keyedSub{c, body})
		}
		slices.SortFunc(subs, func(a, b keyedSub) int { return bytes.Compare(a.body, b.body) })
		subs = slices.CompactFunc(subs, func(a, b keyedSub) bool { return bytes.Equal(a.body, b.body) })
		for _, sc := range subs {
			np.Subcomponents = append(np.Subcomponents, sc.s)
		}
		body, err := compactJSON(np)
		if err != nil {
			return out, err
		}
		keyedProducts = append(keyedProducts, keyedProduct{np, body})
	}
	slices.SortFunc(keyedProducts, func(a, b keyedProduct) int { return bytes.Compare(a.body, b.body) })
	keyedProducts = slices.CompactFunc(keyedProducts, func(a, b keyedProduct) bool { return bytes.Equal(a.body, b.body) })
	for _, kp := range keyedProducts {
		out.Products = append(out.Products, kp.p)
	}
	return out, nil
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
	var ids []string
	for _, p := range products {
		for _, sc := range p.Subcomponents {
			ids = append(ids, sc.ID)
		}
	}
	slices.Sort(ids)
	return strings.Join(slices.Compact(ids), "\n")
}

// statementBytes renders one statement as go-vex does, compact with sorted
// keys.
func statementBytes(s *govex.Statement) ([]byte, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("rendering statement %s: %w", s.Vulnerability.Name, err)
	}
	return sortedJSON(raw, false)
}

// compactJSON renders v compact with sorted keys.
func compactJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return sortedJSON(raw, false)
}

// sortedJSON re-encodes a JSON value with sorted object keys, numbers as
// written, no HTML escaping; indented with a final newline, or compact.
func sortedJSON(raw []byte, indent bool) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	out := buf.Bytes()
	if !indent {
		out = bytes.TrimSuffix(out, []byte("\n"))
	}
	return out, nil
}

// utc returns a copy of t in UTC, or nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
