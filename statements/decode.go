package statements

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// The OpenVEX statuses.
const (
	StatusNotAffected        Status = "not_affected"
	StatusAffected           Status = "affected"
	StatusFixed              Status = "fixed"
	StatusUnderInvestigation Status = "under_investigation"
)

// Justifications lists the five justifications of the OpenVEX
// specification for a not_affected status.
func Justifications() []string {
	return []string{
		"component_not_present",
		"vulnerable_code_not_present",
		"vulnerable_code_not_in_execute_path",
		"vulnerable_code_cannot_be_controlled_by_adversary",
		"inline_mitigations_already_exist",
	}
}

// statementKeys lists the keys of a statement file in the order Marshal
// writes them.
func statementKeys() []string {
	return []string{
		"vulnerability", "aliases", "products", "subcomponents", "status",
		"justification", "impact_statement", "action_statement", "status_notes",
	}
}

// IsOpenVEXFile reports whether a file name is that of an OpenVEX JSON
// document rather than a YAML statement file.
func IsOpenVEXFile(name string) bool { return strings.HasSuffix(name, ".openvex.json") }

// IsStatementFile reports whether LoadStatements reads a file of this name.
func IsStatementFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") || IsOpenVEXFile(name)
}

// Decode decodes the bytes of one statement file: a YAML statement file,
// or an OpenVEX JSON document when file ends in .openvex.json. file is the
// slash-separated path, relative to the repository root, that statements
// and findings carry. Statements whose structure is broken (missing keys,
// wrong types) are left out and reported. Findings come sorted, at most
// MaxFindingsPerFile of them and a too-many-findings finding (LimitFindings).
func Decode(file string, data []byte) ([]Statement, []Finding) {
	var stmts []Statement
	var findings []Finding
	if IsOpenVEXFile(file) {
		stmts, findings = decodeOpenVEX(file, data)
	} else {
		stmts, findings = decodeYAML(file, data)
	}
	SortFindings(findings)
	return stmts, LimitFindings(findings, MaxFindingsPerFile)
}

func decodeYAML(file string, data []byte) ([]Statement, []Finding) {
	root, findings := parseYAML(file, data, statementRules())
	if root == nil {
		return nil, findings
	}
	r := &nodeReader{file: file, rules: statementRules()}
	s, ok := r.statement(root)
	if !ok {
		return nil, r.findings
	}
	return []Statement{s}, r.findings
}

// statement decodes a YAML statement mapping.
func (r *nodeReader) statement(n *yaml.Node) (Statement, bool) {
	s := Statement{File: r.file, Pos: pos(n)}
	ok := r.statementFields(n, statementKeys(), &s, func(key string, val *yaml.Node) (good bool) {
		switch key {
		case "vulnerability":
			s.Vulnerability, good = r.str(val, key)
		case "aliases":
			s.Aliases, s.AliasPos, good = r.strList(val, key)
		case "products":
			s.Products, good = r.selectors(val)
		case "subcomponents":
			s.Subcomponents, s.SubcomponentPos, good = r.strList(val, key)
		}
		return good
	})
	return s, ok
}

// statementFields decodes the statement mapping n, whose keys are known,
// into s: it requires vulnerability, products and status, records the
// position of every value, decodes the status and the fields that go with
// it, and hands every other key to decode. ok is false when the statement
// is broken.
func (r *nodeReader) statementFields(n *yaml.Node, known []string, s *Statement, decode func(key string, val *yaml.Node) bool) bool {
	fields, ok := r.mapping(n, "a statement", known)
	if !ok {
		return false
	}
	ok = r.require(n, "a statement", fields, "vulnerability", "products", "status")
	s.FieldPos = make(map[string]Position, len(fields))
	for key, f := range fields {
		s.FieldPos[key] = pos(f.val)
		good := true
		switch key {
		case "status":
			var v string
			v, good = r.str(f.val, key)
			s.Status = Status(v)
		case "justification":
			s.Justification, good = r.str(f.val, key)
		case "impact_statement":
			s.ImpactStatement, good = r.str(f.val, key)
		case "action_statement":
			s.ActionStatement, good = r.str(f.val, key)
		case "status_notes":
			s.StatusNotes, good = r.str(f.val, key)
		default:
			good = decode(key, f.val)
		}
		ok = ok && good
	}
	return ok
}

// selectors decodes the products list: each entry is a product name or a
// mapping with name and tags.
func (r *nodeReader) selectors(n *yaml.Node) ([]ProductSelector, bool) {
	if n.Kind != yaml.SequenceNode {
		r.report(pos(n), r.rules.typ, "products must be a list, not %s", describe(n))
		return nil, false
	}
	if len(n.Content) == 0 {
		r.report(pos(n), r.rules.required, "products must list at least one product")
		return nil, false
	}
	ok := true
	sels := make([]ProductSelector, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind == yaml.ScalarNode {
			name, good := r.str(item, "a product")
			if good {
				sels = append(sels, ProductSelector{Name: name, Pos: pos(item)})
			}
			ok = ok && good
			continue
		}
		fields, good := r.mapping(item, "a product", productSelectorKeys())
		if !good {
			ok = false
			continue
		}
		if !r.require(item, "a product", fields, "name") {
			ok = false
			continue
		}
		sel := ProductSelector{Pos: pos(item)}
		sel.Name, good = r.str(fields["name"].val, "a product name")
		ok = ok && good
		if f, has := fields["tags"]; has {
			sel.Tags, sel.TagsPos, good = r.strList(f.val, "tags")
			if good && len(sel.Tags) == 0 {
				r.report(pos(f.val), r.rules.required, "tags must list at least one glob; leave tags out to select every release")
				good = false
			}
			ok = ok && good
		}
		sels = append(sels, sel)
	}
	return sels, ok
}

func productSelectorKeys() []string { return []string{"name", "tags"} }
