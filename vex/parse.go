package vex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	govex "github.com/openvex/go-vex/pkg/vex"
)

// Parse decodes an OpenVEX v0.2.0 document read back from a registry or a
// file. It rejects what is not OpenVEX (not a JSON object, no
// https://openvex.dev/ns @context: ErrNotOpenVEX), other OpenVEX versions
// (ErrUnsupportedVersion), and documents that break the spec: no @id,
// author or timestamp, no statements array, a statement without
// vulnerability name, products or a valid status, or one that breaks the
// status rules (go-vex's Validate). Every problem is reported. Fields the
// spec does not define are ignored, as vexctl and Docker Scout documents
// may carry them.
func Parse(data []byte) (*Document, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("parsing document: not a JSON object: %w", ErrNotOpenVEX)
	}
	var probe struct {
		Context    *string          `json:"@context"`
		Statements *json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("parsing document: %w: %w", ErrNotOpenVEX, err)
	}
	switch {
	case probe.Context == nil || !strings.HasPrefix(*probe.Context, govex.Context):
		return nil, fmt.Errorf("parsing document: @context is not %s: %w", Context, ErrNotOpenVEX)
	case *probe.Context != Context:
		return nil, fmt.Errorf("parsing document: @context %q: %w", *probe.Context, ErrUnsupportedVersion)
	}

	doc := &Document{}
	if err := json.Unmarshal(data, doc); err != nil {
		return nil, fmt.Errorf("parsing document: %w: %w", ErrNotOpenVEX, err)
	}
	var errs []error
	if doc.ID == "" {
		errs = append(errs, errors.New("no @id"))
	}
	if doc.Author == "" {
		errs = append(errs, errors.New("no author"))
	}
	if doc.Timestamp == nil || doc.Timestamp.IsZero() {
		errs = append(errs, errors.New("no timestamp"))
	}
	if probe.Statements == nil || bytes.Equal(bytes.TrimSpace(*probe.Statements), []byte("null")) {
		errs = append(errs, errors.New("no statements"))
	}
	for i := range doc.Statements {
		if err := checkStatement(&doc.Statements[i]); err != nil {
			errs = append(errs, fmt.Errorf("statement %d: %w", i, err))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("parsing document %s: %w: %w", doc.ID, ErrNotOpenVEX, errors.Join(errs...))
	}
	return doc, nil
}

// checkStatement applies the spec's statement rules.
func checkStatement(s *govex.Statement) error {
	var errs []error
	if s.Vulnerability.Name == "" {
		errs = append(errs, errors.New("no vulnerability name"))
	}
	if len(s.Products) == 0 {
		errs = append(errs, errors.New("no products"))
	}
	for j, p := range s.Products {
		if p.ID == "" && len(p.Identifiers) == 0 && len(p.Hashes) == 0 {
			errs = append(errs, fmt.Errorf("product %d has no @id, identifiers or hashes", j))
		}
	}
	if err := s.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
