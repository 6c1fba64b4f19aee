package statements

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ruleSet names the rules a nodeReader reports, so that the same strict
// walker serves statement files and vexil.yaml.
type ruleSet struct {
	syntax, unknownKey, duplicateKey, typ, required string
}

func statementRules() ruleSet {
	return ruleSet{RuleSyntax, RuleUnknownKey, RuleDuplicateKey, RuleType, RuleRequired}
}

func configRules() ruleSet {
	return ruleSet{RuleConfigSyntax, RuleConfigUnknownKey, RuleConfigDuplicateKey, RuleConfigType, RuleConfigRequired}
}

// nodeReader walks a yaml.Node tree strictly and collects findings.
type nodeReader struct {
	file     string
	rules    ruleSet
	findings []Finding
}

func (r *nodeReader) report(p Position, rule string, format string, args ...any) {
	r.findings = append(r.findings, newFinding(r.file, p, rule, SeverityError, format, args...))
}

func newFinding(file string, p Position, rule string, sev Severity, format string, args ...any) Finding {
	if p.Line < 1 {
		p.Line = 1
	}
	if p.Column < 1 {
		p.Column = 1
	}
	return Finding{File: file, Line: p.Line, Column: p.Column, Rule: rule, Severity: sev, Message: fmt.Sprintf(format, args...)}
}

func pos(n *yaml.Node) Position { return Position{Line: n.Line, Column: n.Column} }

// field is one key of a mapping, with the node of its key and of its value.
type field struct {
	key          string
	keyNode, val *yaml.Node
}

// mapping checks that n is a mapping whose keys are strings, known and
// unique, and returns its fields in file order. Unknown and duplicate keys
// are reported and left out; ok is false when n is not a mapping.
func (r *nodeReader) mapping(n *yaml.Node, what string, known []string) (fields map[string]field, ok bool) {
	if n.Kind != yaml.MappingNode {
		r.report(pos(n), r.rules.typ, "%s must be a mapping, not %s", what, describe(n))
		return nil, false
	}
	fields = make(map[string]field, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			r.report(pos(k), r.rules.typ, "keys of %s must be strings, not %s", what, describe(k))
			continue
		}
		if prev, dup := fields[k.Value]; dup {
			r.report(pos(k), r.rules.duplicateKey, "key %q is already set at line %d", k.Value, prev.keyNode.Line)
			continue
		}
		if known != nil && !contains(known, k.Value) {
			msg := fmt.Sprintf("unknown key %q in %s", k.Value, what)
			if s := suggest(k.Value, known); s != "" {
				msg += fmt.Sprintf("; did you mean %s?", s)
			}
			r.report(pos(k), r.rules.unknownKey, "%s", msg)
			continue
		}
		fields[k.Value] = field{key: k.Value, keyNode: k, val: v}
	}
	return fields, true
}

// require reports each key of keys that fields lacks, at the mapping n.
func (r *nodeReader) require(n *yaml.Node, what string, fields map[string]field, keys ...string) bool {
	ok := true
	for _, k := range keys {
		if _, has := fields[k]; !has {
			r.report(pos(n), r.rules.required, "%s needs the key %q", what, k)
			ok = false
		}
	}
	return ok
}

// str returns the string value of a scalar; anything else is a type finding.
func (r *nodeReader) str(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		r.report(pos(n), r.rules.typ, "%s must be a string, not %s", what, describe(n))
		return "", false
	}
	return n.Value, true
}

// strList returns the strings of a sequence of strings with their positions.
func (r *nodeReader) strList(n *yaml.Node, what string) ([]string, []Position, bool) {
	if n.Kind != yaml.SequenceNode {
		r.report(pos(n), r.rules.typ, "%s must be a list of strings, not %s", what, describe(n))
		return nil, nil, false
	}
	ok := true
	vals := make([]string, 0, len(n.Content))
	ps := make([]Position, 0, len(n.Content))
	for _, item := range n.Content {
		s, good := r.str(item, "each entry of "+what)
		if !good {
			ok = false
			continue
		}
		vals = append(vals, s)
		ps = append(ps, pos(item))
	}
	return vals, ps, ok
}

// describe names the YAML type of a node for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	switch n.Tag {
	case "!!int", "!!float":
		return "a number"
	case "!!bool":
		return "a boolean"
	case "!!null":
		return "null"
	case "!!str":
		return "a string"
	case "!!timestamp":
		return "a timestamp"
	}
	return "a " + strings.TrimPrefix(n.Tag, "!!")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// suggest returns the entry of known closest to s, if it is close enough to
// be a typo.
func suggest(s string, known []string) string {
	if len(s) > 64 {
		return ""
	}
	best, bestD := "", len(s)/3+2
	for _, k := range known {
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkText reports content that is not text: empty, binary or invalid
// UTF-8. ok is false when the content should not be parsed.
func checkText(file string, data []byte) (Finding, bool) {
	if len(bytes.TrimSpace(data)) == 0 {
		return newFinding(file, Position{}, RuleEmptyFile, SeverityError, "the file is empty"), false
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return newFinding(file, offsetPos(data, i), RuleBinaryFile, SeverityError, "the file is binary (NUL byte at offset %d)", i), false
	}
	if !utf8.Valid(data) {
		i := firstInvalidUTF8(data)
		return newFinding(file, offsetPos(data, i), RuleInvalidUTF8, SeverityError, "invalid UTF-8 at offset %d", i), false
	}
	return Finding{}, true
}

func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// offsetPos converts a byte offset of data into a 1-based line and column
// (the column counts characters).
func offsetPos(data []byte, off int) Position {
	off = min(max(off, 0), len(data))
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return Position{Line: line, Column: 1 + utf8.RuneCount(data[start:off])}
}

// parseYAML parses data as exactly one YAML document without anchors or
// aliases and returns its root node, or findings.
func parseYAML(file string, data []byte, rules ruleSet) (root *yaml.Node, findings []Finding) {
	if f, ok := checkText(file, data); !ok {
		return nil, []Finding{f}
	}
	defer func() {
		// yaml.v3 has panicked on hostile input before; a panic is a
		// syntax finding, never a crash.
		if v := recover(); v != nil {
			root, findings = nil, []Finding{newFinding(file, Position{}, rules.syntax, SeverityError, "cannot parse: %v", v)}
		}
	}()
	var doc yaml.Node
	if hasDocumentMarker(data) {
		// Only a marker line can start a second document: read the
		// whole stream.
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, []Finding{newFinding(file, Position{}, RuleEmptyFile, SeverityError, "the file holds no YAML document")}
			}
			return nil, []Finding{yamlErrorFinding(file, err, rules.syntax)}
		}
		var second yaml.Node
		if err := dec.Decode(&second); err == nil {
			return nil, []Finding{newFinding(file, pos(&second), RuleMultipleDocuments, SeverityError, "the file holds more than one YAML document; write one statement per file")}
		} else if !errors.Is(err, io.EOF) {
			return nil, []Finding{yamlErrorFinding(file, err, rules.syntax)}
		}
	} else if err := yaml.Unmarshal(data, &doc); err != nil {
		// Without a marker there is one document; Unmarshal parses it
		// from the bytes, a third faster than a Decoder.
		return nil, []Finding{yamlErrorFinding(file, err, rules.syntax)}
	}
	if len(doc.Content) == 0 {
		return nil, []Finding{newFinding(file, Position{}, RuleEmptyFile, SeverityError, "the file holds no YAML content")}
	}
	if a := findAlias(doc.Content[0], 0); a != nil {
		return nil, []Finding{newFinding(file, pos(a), RuleYAMLAlias, SeverityError, "anchors and aliases are not allowed; write the value out")}
	}
	return doc.Content[0], nil
}

// hasDocumentMarker reports whether a line after the first starts with a
// YAML document marker, "---" or "...".
func hasDocumentMarker(data []byte) bool {
	for i := bytes.IndexByte(data, '\n'); i >= 0 && i+1 < len(data); {
		rest := data[i+1:]
		if bytes.HasPrefix(rest, []byte("---")) || bytes.HasPrefix(rest, []byte("...")) {
			if len(rest) == 3 || strings.IndexByte(" \t\r\n", rest[3]) >= 0 {
				return true
			}
		}
		next := bytes.IndexByte(rest, '\n')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return false
}

// findAlias returns the first node that is an alias or carries an anchor.
// It never follows aliases, so an alias bomb costs no more than its size.
func findAlias(n *yaml.Node, depth int) *yaml.Node {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return n
	}
	if depth > 1000 {
		return nil
	}
	for _, c := range n.Content {
		if a := findAlias(c, depth+1); a != nil {
			return a
		}
	}
	return nil
}

// yamlErrorFinding turns a yaml.v3 error ("yaml: line 3: ...") into a
// finding at that line.
func yamlErrorFinding(file string, err error, rule string) Finding {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				line, msg = n, tail
			}
		}
	}
	// yaml.v3 counts lines from 1 for scanner errors but from 0 for
	// parser errors (and then omits line 0); the parser's are these.
	if contains(yamlParserProblems(), msg) {
		line++
	}
	return newFinding(file, Position{Line: line}, rule, SeverityError, "%s", msg)
}

func yamlParserProblems() []string {
	return []string{
		"did not find expected ',' or ']'",
		"did not find expected ',' or '}'",
		"did not find expected '-' indicator",
		"did not find expected <document start>",
		"did not find expected <stream-start>",
		"did not find expected key",
		"did not find expected node content",
		"found duplicate %TAG directive",
		"found duplicate %YAML directive",
		"found incompatible YAML document",
		"found undefined tag handle",
	}
}
