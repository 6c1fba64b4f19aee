package statements

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/package-url/packageurl-go"
	"go.yaml.in/yaml/v3"
)

// maxJSONDepth bounds the nesting of an OpenVEX document; real documents
// nest five levels deep.
const maxJSONDepth = 64

// jsonSyntaxError is a JSON syntax problem at a byte offset.
type jsonSyntaxError struct {
	off int
	msg string
}

func (e *jsonSyntaxError) Error() string { return e.msg }

// jsonParser turns a JSON document into a yaml.Node tree carrying the
// line and column of every value, so that the strict walker used for YAML
// also walks JSON (duplicate keys included, which encoding/json accepts).
type jsonParser struct {
	data []byte
	dec  *json.Decoder
	// lastEnd is the offset just after the previous token.
	lastEnd int
	// at tracks positions incrementally: tokens come in file order, so
	// converting offsets costs linear time overall.
	at positionTracker
}

func parseJSON(data []byte) (*yaml.Node, error) {
	p := &jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &jsonSyntaxError{off: p.start(), msg: "unexpected data after the document"}
	}
	return n, nil
}

// start returns the offset where the next token begins.
func (p *jsonParser) start() int {
	i := p.lastEnd
	for i < len(p.data) && strings.IndexByte(" \t\r\n,:", p.data[i]) >= 0 {
		i++
	}
	return i
}

func (p *jsonParser) token() (json.Token, int, error) {
	off := p.start()
	tok, err := p.dec.Token()
	p.lastEnd = int(p.dec.InputOffset())
	if err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, int(se.Offset), &jsonSyntaxError{off: int(se.Offset), msg: se.Error()}
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, len(p.data), &jsonSyntaxError{off: len(p.data), msg: "unexpected end of JSON input"}
		}
		return nil, off, &jsonSyntaxError{off: off, msg: err.Error()}
	}
	return tok, off, nil
}

func (p *jsonParser) node(kind yaml.Kind, tag, value string, off int) *yaml.Node {
	at := p.at.position(p.data, off)
	return &yaml.Node{Kind: kind, Tag: tag, Value: value, Line: at.Line, Column: at.Column}
}

func (p *jsonParser) value(depth int) (*yaml.Node, error) {
	tok, off, err := p.token()
	if err != nil {
		return nil, err
	}
	return p.valueFrom(tok, off, depth)
}

func (p *jsonParser) valueFrom(tok json.Token, off, depth int) (*yaml.Node, error) {
	if depth > maxJSONDepth {
		return nil, &jsonSyntaxError{off: off, msg: fmt.Sprintf("nesting deeper than %d levels", maxJSONDepth)}
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := p.node(yaml.MappingNode, "!!map", "", off)
			for {
				kt, koff, err := p.token()
				if err != nil {
					return nil, err
				}
				if kt == json.Delim('}') {
					return n, nil
				}
				k, ok := kt.(string)
				if !ok {
					return nil, &jsonSyntaxError{off: koff, msg: "object key must be a string"}
				}
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, p.node(yaml.ScalarNode, "!!str", k, koff), val)
			}
		case '[':
			n := p.node(yaml.SequenceNode, "!!seq", "", off)
			for {
				it, ioff, err := p.token()
				if err != nil {
					return nil, err
				}
				if it == json.Delim(']') {
					return n, nil
				}
				val, err := p.valueFrom(it, ioff, depth+1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, val)
			}
		}
		return nil, &jsonSyntaxError{off: off, msg: fmt.Sprintf("unexpected %q", string(v))}
	case string:
		return p.node(yaml.ScalarNode, "!!str", v, off), nil
	case json.Number:
		tag := "!!float"
		if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			tag = "!!int"
		}
		return p.node(yaml.ScalarNode, tag, string(v), off), nil
	case bool:
		return p.node(yaml.ScalarNode, "!!bool", strconv.FormatBool(v), off), nil
	case nil:
		return p.node(yaml.ScalarNode, "!!null", "null", off), nil
	}
	return nil, &jsonSyntaxError{off: off, msg: fmt.Sprintf("unexpected token %v", tok)}
}

// positionTracker converts increasing byte offsets into positions in
// time linear in the size of the data.
type positionTracker struct {
	off int
	pos Position
}

func (t *positionTracker) position(data []byte, off int) Position {
	if t.pos.Line == 0 || off < t.off {
		t.off, t.pos = 0, Position{Line: 1, Column: 1}
	}
	off = min(off, len(data))
	for t.off < off {
		if data[t.off] == '\n' {
			t.pos.Line++
			t.pos.Column = 1
			t.off++
			continue
		}
		_, n := utf8.DecodeRune(data[t.off:])
		t.off += n
		t.pos.Column++
	}
	return t.pos
}

func openVEXDocumentKeys() []string {
	return []string{"@context", "@id", "author", "role", "timestamp", "last_updated", "version", "tooling", "statements"}
}

func openVEXStatementKeys() []string {
	return []string{
		"@id", "version", "vulnerability", "timestamp", "last_updated", "products", "status", "supplier",
		"status_notes", "justification", "impact_statement", "action_statement", "action_statement_timestamp",
	}
}

func openVEXVulnerabilityKeys() []string { return []string{"@id", "name", "description", "aliases"} }
func openVEXProductKeys() []string       { return []string{"@id", "identifiers", "hashes", "subcomponents"} }
func openVEXComponentKeys() []string     { return []string{"@id", "identifiers", "hashes"} }
func openVEXIdentifierKeys() []string    { return []string{"purl", "cpe22", "cpe23"} }

// decodeOpenVEX decodes an OpenVEX JSON document into statements, one per
// entry of its statements list, with Index set. Products are kept as
// references (ProductSelector.Ref) for ResolveProducts.
func decodeOpenVEX(file string, data []byte) ([]Statement, []Finding) {
	if f, ok := checkText(file, data); !ok {
		return nil, []Finding{f}
	}
	root, err := parseJSON(data)
	if err != nil {
		var se *jsonSyntaxError
		off := len(data)
		if errors.As(err, &se) {
			off = se.off
		}
		return nil, []Finding{newFinding(file, offsetPos(data, off), RuleSyntax, SeverityError, "%s", strings.TrimPrefix(err.Error(), "json: "))}
	}
	r := &nodeReader{file: file, rules: statementRules()}
	doc, ok := r.mapping(root, "an OpenVEX document", openVEXDocumentKeys())
	if !ok {
		return nil, r.findings
	}
	r.require(root, "an OpenVEX document", doc, "@context", "statements")
	for key, f := range doc {
		switch key {
		case "@context":
			if v, ok := r.str(f.val, key); ok && !strings.HasPrefix(v, "https://openvex.dev/ns") {
				r.report(pos(f.val), RuleType, "@context %q is not an OpenVEX context (https://openvex.dev/ns/...)", v)
			}
		case "version":
			if f.val.Tag != "!!int" {
				r.report(pos(f.val), RuleType, "version must be an integer, not %s", describe(f.val))
			}
		case "statements":
		default:
			r.str(f.val, key)
		}
	}
	f, has := doc["statements"]
	if !has {
		return nil, r.findings
	}
	if f.val.Kind != yaml.SequenceNode {
		r.report(pos(f.val), RuleType, "statements must be a list, not %s", describe(f.val))
		return nil, r.findings
	}
	var out []Statement
	for i, sn := range f.val.Content {
		if s, ok := r.openVEXStatement(sn); ok {
			s.Index = i
			out = append(out, s)
		}
	}
	return out, r.findings
}

func (r *nodeReader) openVEXStatement(n *yaml.Node) (Statement, bool) {
	s := Statement{File: r.file, Pos: pos(n)}
	ok := r.statementFields(n, openVEXStatementKeys(), &s, func(key string, val *yaml.Node) bool {
		switch key {
		case "vulnerability":
			return r.openVEXVulnerability(val, &s)
		case "products":
			return r.openVEXProducts(val, &s)
		case "version":
			if val.Tag != "!!int" {
				r.report(pos(val), RuleType, "version must be an integer, not %s", describe(val))
			}
			return true
		}
		_, good := r.str(val, key)
		return good
	})
	return s, ok
}

// openVEXVulnerability decodes a vulnerability object (or, as older
// documents write it, a plain string).
func (r *nodeReader) openVEXVulnerability(n *yaml.Node, s *Statement) bool {
	if n.Kind == yaml.ScalarNode {
		v, ok := r.str(n, "vulnerability")
		s.Vulnerability = v
		return ok
	}
	fields, ok := r.mapping(n, "vulnerability", openVEXVulnerabilityKeys())
	if !ok {
		return false
	}
	if _, has := fields["name"]; !has {
		if _, has := fields["@id"]; !has {
			r.report(pos(n), RuleRequired, "vulnerability needs the key \"name\"")
			return false
		}
	}
	for key, f := range fields {
		switch key {
		case "aliases":
			var good bool
			s.Aliases, s.AliasPos, good = r.strList(f.val, "vulnerability aliases")
			ok = ok && good
		default:
			v, good := r.str(f.val, "vulnerability "+key)
			ok = ok && good
			if key == "name" || (key == "@id" && s.Vulnerability == "") {
				s.Vulnerability = v
				s.FieldPos["vulnerability"] = pos(f.val)
			}
		}
	}
	return ok
}

func (r *nodeReader) openVEXProducts(n *yaml.Node, s *Statement) bool {
	if n.Kind != yaml.SequenceNode {
		r.report(pos(n), RuleType, "products must be a list, not %s", describe(n))
		return false
	}
	if len(n.Content) == 0 {
		r.report(pos(n), RuleRequired, "products must list at least one product")
		return false
	}
	ok := true
	seenSub := map[string]bool{}
	for _, pn := range n.Content {
		fields, good := r.mapping(pn, "a product", openVEXProductKeys())
		if !good {
			ok = false
			continue
		}
		ref, good := r.componentRef(pn, fields)
		if !good {
			ok = false
			continue
		}
		s.Products = append(s.Products, ProductSelector{Ref: ref, Pos: pos(pn)})
		f, has := fields["subcomponents"]
		if !has {
			continue
		}
		if f.val.Kind != yaml.SequenceNode {
			r.report(pos(f.val), RuleType, "subcomponents must be a list, not %s", describe(f.val))
			ok = false
			continue
		}
		for _, cn := range f.val.Content {
			cf, good := r.mapping(cn, "a subcomponent", openVEXComponentKeys())
			if !good {
				ok = false
				continue
			}
			sub, good := r.componentRef(cn, cf)
			if !good {
				ok = false
				continue
			}
			// A YAML statement has one subcomponent list for all its
			// products; a document's per-product lists are merged.
			if !seenSub[sub] {
				seenSub[sub] = true
				s.Subcomponents = append(s.Subcomponents, sub)
				s.SubcomponentPos = append(s.SubcomponentPos, pos(cn))
			}
		}
	}
	return ok
}

// componentRef returns the identifier of an OpenVEX component: its purl
// if it has one, else its @id.
func (r *nodeReader) componentRef(n *yaml.Node, fields map[string]field) (string, bool) {
	ok := true
	var id, purl string
	if f, has := fields["@id"]; has {
		id, ok = r.str(f.val, "@id")
	}
	if f, has := fields["identifiers"]; has {
		ids, good := r.mapping(f.val, "identifiers", openVEXIdentifierKeys())
		ok = ok && good
		for key, idf := range ids {
			v, good := r.str(idf.val, "identifiers "+key)
			ok = ok && good
			if key == "purl" {
				purl = v
			}
		}
	}
	if f, has := fields["hashes"]; has {
		hs, good := r.mapping(f.val, "hashes", nil)
		ok = ok && good
		for key, hf := range hs {
			_, good := r.str(hf.val, "hash "+key)
			ok = ok && good
		}
	}
	if !ok {
		return "", false
	}
	if purl != "" {
		return purl, true
	}
	if id == "" {
		r.report(pos(n), RuleRequired, "a component needs an \"@id\" or an identifiers.purl")
		return "", false
	}
	return id, true
}

// ResolveProduct maps a product reference from an OpenVEX document to a
// product of vexil.yaml: a product name, a pkg:oci purl or an image
// reference whose repository is the product's (keeping its tag, if any).
func (c *Config) ResolveProduct(ref string) (ProductSelector, bool) {
	if _, ok := c.Products[ref]; ok {
		return ProductSelector{Name: ref}, true
	}
	repo, tag, ok := imageRepository(ref)
	if !ok {
		return ProductSelector{}, false
	}
	match := ""
	for name, p := range c.Products {
		if p.Repository == repo || (!strings.Contains(repo, "/") && lastSegment(p.Repository) == repo) {
			if match != "" {
				return ProductSelector{}, false // ambiguous
			}
			match = name
		}
	}
	if match == "" {
		return ProductSelector{}, false
	}
	sel := ProductSelector{Name: match}
	if tag != "" {
		sel.Tags = []string{tag}
	}
	return sel, true
}

// ResolveProducts maps the product references of statements decoded from
// OpenVEX documents to products of vexil.yaml, in place, and reports those
// that match none.
func ResolveProducts(cfg *Config, stmts []Statement) []Finding {
	var findings []Finding
	for i := range stmts {
		findings = append(findings, resolveStatement(cfg, &stmts[i])...)
	}
	return findings
}

func resolveStatement(cfg *Config, s *Statement) []Finding {
	var findings []Finding
	for j := range s.Products {
		p := &s.Products[j]
		if p.Name != "" || p.Ref == "" {
			continue
		}
		sel, ok := cfg.ResolveProduct(p.Ref)
		if !ok {
			findings = append(findings, newFinding(s.File, p.Pos, RuleProductUnmapped, SeverityError,
				"product %q matches no product of %s (by name, or by repository for pkg:oci purls and image references)", p.Ref, ConfigFileName))
			continue
		}
		p.Name, p.Tags = sel.Name, sel.Tags
		p.TagsPos = nil
		for range p.Tags {
			p.TagsPos = append(p.TagsPos, p.Pos)
		}
	}
	return findings
}

// imageRepository extracts the repository and tag of a pkg:oci purl or an
// image reference.
func imageRepository(ref string) (repo, tag string, ok bool) {
	if strings.HasPrefix(ref, "pkg:") {
		p, err := packageurl.FromString(ref)
		if err != nil || p.Type != "oci" {
			return "", "", false
		}
		q := p.Qualifiers.Map()
		repo = q["repository_url"]
		if repo == "" {
			repo = p.Name
		} else if u, err := url.Parse("//" + repo); err == nil && u.Host != "" {
			repo = strings.TrimSuffix(u.Host+u.Path, "/")
		}
		return repo, q["tag"], repo != ""
	}
	if strings.ContainsAny(ref, " \t") || strings.Contains(ref, "://") {
		return "", "", false
	}
	repo, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndexByte(repo, ':'); i > strings.LastIndexByte(repo, '/') {
		repo, tag = repo[:i], repo[i+1:]
	}
	return repo, tag, strings.Contains(repo, "/")
}

func lastSegment(repo string) string {
	return repo[strings.LastIndexByte(repo, '/')+1:]
}
