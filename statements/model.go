package statements

import "path"

// Status is an OpenVEX status: not_affected, affected, fixed or
// under_investigation. The values are those of go-vex's vex.Status.
type Status string

// ProductSelector names a product of vexil.yaml and, optionally, narrows it
// to the releases whose tag matches one of Tags (globs, path.Match syntax).
// No Tags means every release of the product.
type ProductSelector struct {
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`

	// Ref is the product as an OpenVEX document names it (an @id, a purl
	// or an image reference) when the selector comes from one; Name is
	// empty until ResolveProducts maps Ref to a product of vexil.yaml.
	Ref string `json:"ref,omitempty"`

	Pos     Position   `json:"-"` // where the selector starts
	TagsPos []Position `json:"-"` // where each tag glob is written
}

// Selects reports whether the selector targets the release tagged tag:
// every release when it has no tag globs, else those whose tag matches one
// of them. The globs are checked when the statement is decoded; a bad one
// selects nothing.
func (sel *ProductSelector) Selects(tag string) bool {
	if len(sel.Tags) == 0 {
		return true
	}
	for _, g := range sel.Tags {
		if ok, _ := path.Match(g, tag); ok {
			return true
		}
	}
	return false
}

// Statement is one VEX statement as a security engineer wrote it, with the
// place of each field in its file so that every rule can point at it.
type Statement struct {
	// File is the path of the statement file, slash-separated and relative
	// to the root of the VEX repository.
	File string `json:"file"`
	// Index is the statement's index in its file: always 0 for a YAML
	// statement file, the index in `statements` for an OpenVEX document.
	Index int `json:"index"`

	Vulnerability   string            `json:"vulnerability"`
	Aliases         []string          `json:"aliases,omitempty"`
	Products        []ProductSelector `json:"products"`
	Subcomponents   []string          `json:"subcomponents,omitempty"`
	Status          Status            `json:"status"`
	Justification   string            `json:"justification,omitempty"`
	ImpactStatement string            `json:"impact_statement,omitempty"`
	ActionStatement string            `json:"action_statement,omitempty"`
	StatusNotes     string            `json:"status_notes,omitempty"`

	// Pos is where the statement starts in its file.
	Pos Position `json:"-"`
	// FieldPos maps a key as written in the file (for example
	// "justification") to the position of its value.
	FieldPos map[string]Position `json:"-"`
	// SubcomponentPos holds the position of each Subcomponents entry.
	SubcomponentPos []Position `json:"-"`
	// AliasPos holds the position of each Aliases entry.
	AliasPos []Position `json:"-"`
}

// At returns the position of the named field's value, or of the statement
// itself when the field is not written.
func (s *Statement) At(field string) Position {
	if p, ok := s.FieldPos[field]; ok {
		return p
	}
	return s.Pos
}

// Config is the content of vexil.yaml.
type Config struct {
	Author   string             `json:"author"`
	IDPrefix string             `json:"id_prefix"`
	Products map[string]Product `json:"products"`
	Publish  PublishConfig      `json:"publish"`

	// File is the path vexil.yaml was read from; Root is its directory,
	// the root of the VEX repository.
	File string `json:"-"`
	Root string `json:"-"`
}

// Product is one product of vexil.yaml: an image repository and the tag
// globs whose tags are its releases.
type Product struct {
	Repository string   `json:"repository"`
	Tags       []string `json:"tags"`

	Pos     Position   `json:"-"`
	TagsPos []Position `json:"-"`
}

// PublishConfig is the `publish` section of vexil.yaml.
type PublishConfig struct {
	// PredicateType is the in-toto predicate type of published
	// attestations; DefaultPredicateType when empty.
	PredicateType string `json:"predicate_type"`
	// Subjects lists where documents are attached: "index", "platforms".
	Subjects []string `json:"subjects"`
}

// DefaultPredicateType is the predicate type of OpenVEX v0.2.0 documents.
const DefaultPredicateType = "https://openvex.dev/ns/v0.2.0"
