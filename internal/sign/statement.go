package sign

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Media and statement types of what this package produces.
const (
	// StatementType is the in-toto Statement v1 `_type`.
	StatementType = "https://in-toto.io/Statement/v1"
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"
	// BundleMediaType is the media type of a sigstore bundle v0.3.
	BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// DefaultPredicateType is the OpenVEX v0.2.0 predicate type.
	DefaultPredicateType = "https://openvex.dev/ns/v0.2.0"

	// statementTypeV01 is the `_type` cosign's legacy attestations carry.
	statementTypeV01 = "https://in-toto.io/Statement/v0.1"
)

// Subject is what a statement is about: a repository name and a digest in
// OCI form, "sha256:<hex>".
type Subject struct {
	Name   string
	Digest string
}

// Statement is an in-toto statement: subjects, a predicate type and the
// predicate as raw JSON.
type Statement struct {
	Subjects      []Subject
	PredicateType string
	// Predicate is the JSON value of the predicate, byte for byte as given
	// (without surrounding white space).
	Predicate []byte
}

// Encode returns the statement as in-toto Statement v1 JSON. The bytes are a
// function of the statement alone: keys in a fixed order, no insignificant
// white space outside the predicate, the predicate embedded unchanged, and
// no HTML escaping.
func (s Statement) Encode() ([]byte, error) {
	if len(s.Subjects) == 0 {
		return nil, fmt.Errorf("%w: no subject", ErrStatement)
	}
	if s.PredicateType == "" {
		return nil, fmt.Errorf("%w: empty predicate type", ErrStatement)
	}
	predicate := bytes.TrimSpace(s.Predicate)
	if len(predicate) == 0 || predicate[0] != '{' || !json.Valid(predicate) {
		return nil, fmt.Errorf("%w: predicate is not a JSON object", ErrStatement)
	}
	var b bytes.Buffer
	b.WriteString(`{"_type":`)
	writeString(&b, StatementType)
	b.WriteString(`,"subject":[`)
	for i, sub := range s.Subjects {
		alg, hexDigest, err := splitDigest(sub.Digest)
		if err != nil {
			return nil, err
		}
		if sub.Name == "" {
			return nil, fmt.Errorf("%w: subject %s has no name", ErrStatement, sub.Digest)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"name":`)
		writeString(&b, sub.Name)
		b.WriteString(`,"digest":{`)
		writeString(&b, alg)
		b.WriteByte(':')
		writeString(&b, hexDigest)
		b.WriteString(`}}`)
	}
	b.WriteString(`],"predicateType":`)
	writeString(&b, s.PredicateType)
	b.WriteString(`,"predicate":`)
	b.Write(predicate)
	b.WriteByte('}')
	return b.Bytes(), nil
}

// HasDigest reports whether one of the statement's subjects has the digest
// ("sha256:<hex>").
func (s Statement) HasDigest(digest string) bool {
	return slices.ContainsFunc(s.Subjects, func(sub Subject) bool { return sub.Digest == digest })
}

// CheckSubject returns an error wrapping ErrSubject unless one of the
// statement's subjects has the digest ("sha256:<hex>"): an attestation copied
// from one image to another must not be accepted.
func (s Statement) CheckSubject(digest string) error {
	if s.HasDigest(digest) {
		return nil
	}
	got := make([]string, 0, len(s.Subjects))
	for _, sub := range s.Subjects {
		got = append(got, sub.Digest)
	}
	return fmt.Errorf("%w: attached to %s, statement is about [%s]", ErrSubject, digest, strings.Join(got, " "))
}

// ParseStatement decodes an in-toto statement (v1, or v0.1 as cosign's
// legacy attestations carry). Subject digests come back in OCI form,
// "<algorithm>:<hex>", one Subject per digest, algorithms in sorted order.
func ParseStatement(payload []byte) (*Statement, error) {
	var raw struct {
		Type    string `json:"_type"`
		Subject []struct {
			Name   string            `json:"name"`
			Digest map[string]string `json:"digest"`
		} `json:"subject"`
		PredicateType string          `json:"predicateType"`
		Predicate     json.RawMessage `json:"predicate"`
	}
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStatement, err)
	}
	if raw.Type != StatementType && raw.Type != statementTypeV01 {
		return nil, fmt.Errorf("%w: _type %q is not %s", ErrStatement, raw.Type, StatementType)
	}
	if raw.PredicateType == "" {
		return nil, fmt.Errorf("%w: no predicateType", ErrStatement)
	}
	st := &Statement{PredicateType: raw.PredicateType, Predicate: []byte(raw.Predicate)}
	for _, sub := range raw.Subject {
		algs := make([]string, 0, len(sub.Digest))
		for alg := range sub.Digest {
			algs = append(algs, alg)
		}
		slices.Sort(algs)
		for _, alg := range algs {
			st.Subjects = append(st.Subjects, Subject{Name: sub.Name, Digest: alg + ":" + sub.Digest[alg]})
		}
	}
	if len(st.Subjects) == 0 {
		return nil, fmt.Errorf("%w: no subject digest", ErrStatement)
	}
	return st, nil
}

// splitDigest splits "sha256:<hex>" and checks the hex length of the
// algorithms OCI registries use.
func splitDigest(digest string) (alg, hexDigest string, err error) {
	alg, hexDigest, ok := strings.Cut(digest, ":")
	size := map[string]int{"sha256": 64, "sha512": 128}[alg]
	if !ok || size == 0 {
		return "", "", fmt.Errorf("%w: digest %q is not sha256:<hex> or sha512:<hex>", ErrStatement, digest)
	}
	if _, err := hex.DecodeString(hexDigest); err != nil || len(hexDigest) != size || strings.ToLower(hexDigest) != hexDigest {
		return "", "", fmt.Errorf("%w: digest %q has no %d lowercase hex digits", ErrStatement, digest, size)
	}
	return alg, hexDigest, nil
}

// writeString writes s as a JSON string without HTML escaping.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a string always encodes
	b.Truncate(b.Len() - 1) // Encode appends a newline
}
