package vex

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	govex "github.com/openvex/go-vex/pkg/vex"
)

// This file renders go-vex's model as canonical JSON directly: the fields
// and omissions of go-vex's own JSON encoding (its MarshalJSON methods and
// struct tags), object keys in byte order, strings escaped as
// encoding/json escapes them with HTML escaping off, no whitespace. The
// content digest depends on these bytes, not on go-vex's encoder, so a
// go-vex upgrade that reorders fields republishes nothing.

// appendDocument appends doc as compact canonical JSON.
func appendDocument(b []byte, doc *Document) []byte {
	b = append(b, `{"@context":`...)
	b = appendString(b, doc.Context)
	b = append(b, `,"@id":`...)
	b = appendString(b, doc.ID)
	b = append(b, `,"author":`...)
	b = appendString(b, doc.Author)
	if doc.LastUpdated != nil {
		b = append(b, `,"last_updated":`...)
		b = appendString(b, doc.LastUpdated.UTC().Format(time.RFC3339))
	}
	if doc.AuthorRole != "" {
		b = append(b, `,"role":`...)
		b = appendString(b, doc.AuthorRole)
	}
	b = append(b, `,"statements":[`...)
	for i := range doc.Statements {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStatement(b, &doc.Statements[i])
	}
	b = append(b, ']')
	if doc.Supplier != "" {
		b = append(b, `,"supplier":`...)
		b = appendString(b, doc.Supplier)
	}
	b = append(b, `,"timestamp":`...)
	if doc.Timestamp != nil {
		b = appendString(b, doc.Timestamp.UTC().Format(time.RFC3339))
	} else {
		b = append(b, `""`...)
	}
	if doc.Tooling != "" {
		b = append(b, `,"tooling":`...)
		b = appendString(b, doc.Tooling)
	}
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(doc.Version), 10)
	return append(b, '}')
}

// appendStatement appends s as compact canonical JSON.
func appendStatement(b []byte, s *govex.Statement) []byte {
	f := fields{b: append(b, '{')}
	f.str("@id", s.ID)
	f.str("action_statement", s.ActionStatement)
	f.time("action_statement_timestamp", s.ActionStatementTimestamp)
	f.str("impact_statement", s.ImpactStatement)
	f.str("justification", string(s.Justification))
	f.time("last_updated", s.LastUpdated)
	if len(s.Products) > 0 {
		f.key("products")
		f.b = append(f.b, '[')
		for i := range s.Products {
			if i > 0 {
				f.b = append(f.b, ',')
			}
			f.b = appendComponent(f.b, &s.Products[i].Component, s.Products[i].Subcomponents)
		}
		f.b = append(f.b, ']')
	}
	f.key("status")
	f.b = appendString(f.b, string(s.Status))
	f.str("status_notes", s.StatusNotes)
	f.time("timestamp", s.Timestamp)
	f.key("vulnerability")
	f.b = appendVulnerability(f.b, &s.Vulnerability)
	return append(f.b, '}')
}

func appendVulnerability(b []byte, v *govex.Vulnerability) []byte {
	f := fields{b: append(b, '{')}
	f.str("@id", v.ID)
	if len(v.Aliases) > 0 {
		f.key("aliases")
		f.b = append(f.b, '[')
		for i, a := range v.Aliases {
			if i > 0 {
				f.b = append(f.b, ',')
			}
			f.b = appendString(f.b, string(a))
		}
		f.b = append(f.b, ']')
	}
	f.str("description", v.Description)
	f.str("name", string(v.Name))
	return append(f.b, '}')
}

// appendComponent appends a product (with its subcomponents) or, with
// subs nil, a subcomponent.
func appendComponent(b []byte, c *govex.Component, subs []govex.Subcomponent) []byte {
	f := fields{b: append(b, '{')}
	f.str("@id", c.ID)
	if len(c.Hashes) > 0 {
		f.key("hashes")
		keys := make([]string, 0, len(c.Hashes))
		for k := range c.Hashes {
			keys = append(keys, string(k))
		}
		slices.Sort(keys)
		f.b = appendStringMap(f.b, keys, func(k string) string { return string(c.Hashes[govex.Algorithm(k)]) })
	}
	if len(c.Identifiers) > 0 {
		f.key("identifiers")
		keys := make([]string, 0, len(c.Identifiers))
		for k := range c.Identifiers {
			keys = append(keys, string(k))
		}
		slices.Sort(keys)
		f.b = appendStringMap(f.b, keys, func(k string) string { return c.Identifiers[govex.IdentifierType(k)] })
	}
	if len(subs) > 0 {
		f.key("subcomponents")
		f.b = append(f.b, '[')
		for i := range subs {
			if i > 0 {
				f.b = append(f.b, ',')
			}
			f.b = appendComponent(f.b, &subs[i].Component, nil)
		}
		f.b = append(f.b, ']')
	}
	f.str("supplier", c.Supplier)
	return append(f.b, '}')
}

func appendStringMap(b []byte, keys []string, value func(string) string) []byte {
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, value(k))
	}
	return append(b, '}')
}

// fields appends the members of one object, the caller writing them in
// key order.
type fields struct {
	b     []byte
	count int
}

func (f *fields) key(k string) {
	if f.count > 0 {
		f.b = append(f.b, ',')
	}
	f.count++
	f.b = appendString(f.b, k)
	f.b = append(f.b, ':')
}

// str writes a string member, omitted when empty.
func (f *fields) str(k, v string) {
	if v != "" {
		f.key(k)
		f.b = appendString(f.b, v)
	}
}

// time writes a statement time member, omitted when nil, in UTC with
// go-vex's statement precision (RFC 3339 with nanoseconds).
func (f *fields) time(k string, t *time.Time) {
	if t != nil {
		f.key(k)
		f.b = appendString(f.b, t.UTC().Format(time.RFC3339Nano))
	}
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string exactly as encoding/json does
// with HTML escaping off: short escapes for \" \\ \b \f \n \r \t, \u00XX
// for other control characters, \u2028 and \u2029 escaped, invalid UTF-8
// replaced by \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
