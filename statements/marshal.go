package statements

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Marshal renders a statement in the YAML statement file format: keys in
// the order of DESIGN.md, empty optional fields left out, a product without tags
// written as its plain name.
func Marshal(s Statement) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	add := func(key string, val *yaml.Node) {
		doc.Content = append(doc.Content, scalar(key), val)
	}
	addString := func(key, val string) {
		if val != "" {
			add(key, scalar(val))
		}
	}
	// vulnerability and status are required: written even when empty, so
	// that what Decode accepted comes back the same.
	add("vulnerability", scalar(s.Vulnerability))
	if len(s.Aliases) > 0 {
		add("aliases", flowList(s.Aliases))
	}
	if len(s.Products) > 0 {
		prods := &yaml.Node{Kind: yaml.SequenceNode}
		for _, p := range s.Products {
			if p.Name == "" {
				return nil, fmt.Errorf("marshaling statement about %s: product %q is not resolved to a product name", s.Vulnerability, p.Ref)
			}
			if len(p.Tags) == 0 {
				prods.Content = append(prods.Content, scalar(p.Name))
				continue
			}
			prods.Content = append(prods.Content, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				scalar("name"), scalar(p.Name),
				scalar("tags"), flowList(p.Tags),
			}})
		}
		add("products", prods)
	}
	if len(s.Subcomponents) > 0 {
		subs := &yaml.Node{Kind: yaml.SequenceNode}
		for _, sub := range s.Subcomponents {
			subs.Content = append(subs.Content, scalar(sub))
		}
		add("subcomponents", subs)
	}
	add("status", scalar(string(s.Status)))
	addString("justification", s.Justification)
	addString("impact_statement", s.ImpactStatement)
	addString("action_statement", s.ActionStatement)
	addString("status_notes", s.StatusNotes)

	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("marshaling statement about %s: %w", s.Vulnerability, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("marshaling statement about %s: %w", s.Vulnerability, err)
	}
	return buf.Bytes(), nil
}

func scalar(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
}

func flowList(vals []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, v := range vals {
		n.Content = append(n.Content, scalar(v))
	}
	return n
}
