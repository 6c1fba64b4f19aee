package sbom

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// DefaultMaxSize is the size cap Parse applies unless told otherwise.
const DefaultMaxSize int64 = 256 << 20

// maxNesting bounds wrappers inside wrappers; a sigstore bundle holding a
// DSSE envelope holding an in-toto statement holding an SBOM is three.
const maxNesting = 4

// Option configures Parse.
type Option func(*options)

type options struct {
	maxSize int64
}

// WithMaxSize sets the size cap: a document longer than n bytes is refused
// with ErrTooLarge, and at most n+1 bytes are read. n <= 0 means
// DefaultMaxSize.
func WithMaxSize(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxSize = n
		}
	}
}

// Parse reads one SBOM from r: SPDX 2.2/2.3 JSON or CycloneDX 1.4–1.7 JSON,
// plain or as the predicate of an in-toto statement (v0.1 or v1), itself
// possibly the payload of a DSSE envelope, itself possibly inside a sigstore
// bundle. The document is decoded as a stream: only the purls and counts are
// kept, so memory stays far below the document's size. Errors wrap
// ErrUnsupportedFormat, ErrMalformed or ErrTooLarge.
func Parse(r io.Reader, opts ...Option) (*SBOM, error) {
	o := options{maxSize: DefaultMaxSize}
	for _, opt := range opts {
		opt(&o)
	}
	limit := o.maxSize
	if limit < math.MaxInt64 {
		limit++
	}
	cr := &countingReader{r: io.LimitReader(r, limit)}
	s, err := parseReader(cr, 0)
	if cr.n > o.maxSize {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, o.maxSize)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// parseReader sniffs the content of r and parses a JSON object; depth counts
// the wrappers around it.
func parseReader(r io.Reader, depth int) (*SBOM, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if err := sniff(br); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(br)
	tok, err := dec.Token()
	if err != nil {
		return nil, malformed(err)
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: a JSON %s, not an object", ErrUnsupportedFormat, jsonKind(tok))
	}
	d, err := walkObject(dec, depth)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the document")
		}
		return nil, malformed(err)
	}
	// dec is done: its buffer can be collected while wrapped documents are
	// decoded and parsed.
	return d.result(depth)
}

// sniff refuses, with a message naming it, content that is not JSON. It
// drops a UTF-8 byte-order mark.
func sniff(br *bufio.Reader) error {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(512)
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		if len(head) == 512 {
			return nil // a long run of blanks: let the decoder judge
		}
		return fmt.Errorf("%w: empty document", ErrMalformed)
	}
	switch c := trimmed[0]; {
	case c == '{' || c == '[':
		return nil
	case c == '<':
		lower := bytes.ToLower(trimmed)
		switch {
		case bytes.Contains(lower, []byte("cyclonedx")):
			return fmt.Errorf("%w: CycloneDX XML (only CycloneDX JSON is supported)", ErrUnsupportedFormat)
		case bytes.Contains(lower, []byte("spdx")):
			return fmt.Errorf("%w: SPDX RDF/XML (only SPDX 2.2/2.3 JSON is supported)", ErrUnsupportedFormat)
		}
		return fmt.Errorf("%w: XML document", ErrUnsupportedFormat)
	case bytes.HasPrefix(trimmed, []byte("SPDXVersion:")) || bytes.Contains(trimmed, []byte("\nSPDXVersion:")):
		return fmt.Errorf("%w: SPDX tag-value (only SPDX 2.2/2.3 JSON is supported)", ErrUnsupportedFormat)
	}
	return fmt.Errorf("%w: not JSON, XML or SPDX tag-value", ErrUnsupportedFormat)
}

// malformed wraps a decoding error in ErrMalformed.
func malformed(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: truncated JSON", ErrMalformed)
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

// jsonKind names the kind of the first token of a JSON value.
func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// document holds what the walk over one JSON object found. Keys of every
// format are collected, whatever their order; result decides at the end
// which format the object is.
type document struct {
	sbom SBOM

	spdxVersion string
	bomFormat   string
	specVersion string
	hasPackages bool
	hasComps    bool

	jsonLDContext string
	hasJSONLD     bool

	statementType string
	predicateType string
	hasPredicate  bool
	predicate     nested

	payloadType string
	payload     payload
	hasPayload  bool

	mediaType     string
	hasEnvelope   bool
	envelope      nested
	hasMessageSig bool

	// shapeErr is the first value of an unexpected JSON type under a key
	// that matters to some format; it is an error only if the object turns
	// out to be that format.
	shapeErr error
}

// walkObject reads the members of an object whose '{' has been read, up to
// and including its '}'.
func walkObject(dec *json.Decoder, depth int) (*document, error) {
	d := &document{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, malformed(err)
		}
		key, _ := tok.(string)
		switch key {
		case "spdxVersion":
			err = d.readString(dec, key, &d.spdxVersion)
		case "bomFormat":
			err = d.readString(dec, key, &d.bomFormat)
		case "specVersion":
			err = d.readString(dec, key, &d.specVersion)
		case "packages":
			d.hasPackages = true
			err = d.readArray(dec, key, d.readSPDXPackage)
		case "components":
			d.hasComps = true
			err = d.readArray(dec, key, d.readComponent)
		case "metadata":
			err = d.readMetadata(dec)
		case "@context":
			d.hasJSONLD = true
			err = d.readContext(dec)
		case "@graph":
			d.hasJSONLD = true
			err = skipValue(dec)
		case "_type":
			err = d.readString(dec, key, &d.statementType)
		case "predicateType":
			err = d.readString(dec, key, &d.predicateType)
		case "predicate":
			d.hasPredicate = true
			d.predicate, err = readNested(dec, depth)
		case "payloadType":
			err = d.readString(dec, key, &d.payloadType)
		case "payload":
			d.hasPayload = true
			if err = dec.Decode(&d.payload); err != nil {
				err = malformed(err)
			}
		case "mediaType":
			err = d.readString(dec, key, &d.mediaType)
		case "dsseEnvelope":
			d.hasEnvelope = true
			d.envelope, err = readNested(dec, depth)
		case "messageSignature":
			d.hasMessageSig = true
			err = skipValue(dec)
		default:
			err = skipValue(dec)
		}
		if err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, malformed(err)
	}
	return d, nil
}

// shape records an unexpected JSON type under key.
func (d *document) shape(key string, tok json.Token) {
	if d.shapeErr == nil {
		d.shapeErr = fmt.Errorf("%w: %q is a %s", ErrMalformed, key, jsonKind(tok))
	}
}

// readString reads a string value; other scalars are recorded as a shape
// error, containers are skipped and recorded.
func (d *document) readString(dec *json.Decoder, key string, dst *string) error {
	tok, err := dec.Token()
	if err != nil {
		return malformed(err)
	}
	if s, ok := tok.(string); ok {
		*dst = s
		return nil
	}
	d.shape(key, tok)
	return skipRest(dec, tok)
}

// readArray calls each for every element of an array value, decoding one
// element at a time so that the decoder never buffers the whole array. null
// is an empty array; another type is a shape error.
func (d *document) readArray(dec *json.Decoder, key string, each func(*json.Decoder) error) error {
	tok, err := dec.Token()
	if err != nil {
		return malformed(err)
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		d.shape(key, tok)
		return skipRest(dec, tok)
	}
	for dec.More() {
		if err := each(dec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // ']'
		return malformed(err)
	}
	return nil
}

// decodeElement decodes one value into v; a syntax error is fatal, a type
// mismatch (after which the decoder has consumed the value) a shape error.
func (d *document) decodeElement(dec *json.Decoder, key string, v any) error {
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		if d.shapeErr == nil {
			d.shapeErr = fmt.Errorf("%w: %s: %v", ErrMalformed, key, err)
		}
		return nil
	}
	return malformed(err)
}

// spdxPackage is the part of an SPDX 2.x package vexil reads.
type spdxPackage struct {
	ExternalRefs []spdxExternalRef `json:"externalRefs"`
}

type spdxExternalRef struct {
	ReferenceType    string `json:"referenceType"`
	ReferenceLocator string `json:"referenceLocator"`
}

func (d *document) readSPDXPackage(dec *json.Decoder) error {
	var p spdxPackage
	if err := d.decodeElement(dec, "packages", &p); err != nil {
		return err
	}
	d.sbom.Packages++
	for _, ref := range p.ExternalRefs {
		// The category is PACKAGE-MANAGER (2.3) or PACKAGE_MANAGER (2.2);
		// the type alone identifies a purl.
		if ref.ReferenceType == "purl" {
			d.sbom.addPurl(ref.ReferenceLocator)
		}
	}
	return nil
}

// cdxComponent is the part of a CycloneDX component vexil reads.
type cdxComponent struct {
	Purl       string         `json:"purl"`
	Components []cdxComponent `json:"components"`
}

func (d *document) readComponent(dec *json.Decoder) error {
	var c cdxComponent
	if err := d.decodeElement(dec, "components", &c); err != nil {
		return err
	}
	d.addComponent(&c)
	return nil
}

func (d *document) addComponent(c *cdxComponent) {
	d.sbom.Packages++
	d.sbom.addPurl(c.Purl)
	for i := range c.Components {
		d.addComponent(&c.Components[i])
	}
}

// readMetadata reads CycloneDX's metadata object for its component.
func (d *document) readMetadata(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return malformed(err)
	}
	if tok != json.Delim('{') {
		if tok != nil {
			d.shape("metadata", tok)
		}
		return skipRest(dec, tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return malformed(err)
		}
		if tok != "component" {
			if err := skipValue(dec); err != nil {
				return err
			}
			continue
		}
		var c *cdxComponent
		if err := d.decodeElement(dec, "metadata.component", &c); err != nil {
			return err
		}
		if c != nil {
			d.addComponent(c)
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return malformed(err)
	}
	return nil
}

// readContext keeps a JSON-LD @context when it is a string or the first
// string of an array.
func (d *document) readContext(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return malformed(err)
	}
	switch t := tok.(type) {
	case string:
		d.jsonLDContext = t
		return nil
	case json.Delim:
		if t == '[' {
			for dec.More() {
				tok, err := dec.Token()
				if err != nil {
					return malformed(err)
				}
				if s, ok := tok.(string); ok && d.jsonLDContext == "" {
					d.jsonLDContext = s
				}
				if err := skipRest(dec, tok); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return malformed(err)
			}
			return nil
		}
	}
	return skipRest(dec, tok)
}

// nested is a wrapped document as read by the walk over its wrapper: an
// object already walked, a string holding a document, or a value that is
// neither. It is resolved only once the wrapper's own decoder is done, so
// that the decoder's buffer is garbage by the time a large DSSE payload is
// decoded.
type nested struct {
	doc  *document
	text string
	bad  error
}

// resolve returns the SBOM of the wrapped document at depth.
func (n *nested) resolve(depth int) (*SBOM, error) {
	switch {
	case n.bad != nil:
		return nil, n.bad
	case n.doc != nil:
		return n.doc.result(depth)
	}
	text := n.text
	n.text = ""
	return parseReader(strings.NewReader(text), depth)
}

// readNested reads a wrapped document at the wrapper's depth.
func readNested(dec *json.Decoder, depth int) (nested, error) {
	if depth+1 > maxNesting {
		return nested{bad: fmt.Errorf("%w: wrappers nested more than %d deep", ErrUnsupportedFormat, maxNesting)}, skipValue(dec)
	}
	tok, err := dec.Token()
	if err != nil {
		return nested{}, malformed(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t != '{' {
			return nested{bad: fmt.Errorf("%w: a JSON array", ErrUnsupportedFormat)}, skipRest(dec, tok)
		}
		inner, err := walkObject(dec, depth+1)
		return nested{doc: inner}, err
	case string:
		return nested{text: t}, nil
	}
	return nested{bad: fmt.Errorf("%w: a JSON %s", ErrUnsupportedFormat, jsonKind(tok))}, nil
}

// skipper consumes a JSON value without keeping it.
type skipper struct{}

func (*skipper) UnmarshalJSON([]byte) error { return nil }

// skipValue consumes the next value. Arrays and objects are consumed one
// member at a time, so that a large one is never buffered whole.
func skipValue(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return malformed(err)
	}
	return skipRest(dec, tok)
}

// skipRest consumes the rest of the value whose first token is tok.
func skipRest(dec *json.Decoder, tok json.Token) error {
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	var s skipper
	for dec.More() {
		if delim == '{' {
			if _, err := dec.Token(); err != nil {
				return malformed(err)
			}
		}
		if err := dec.Decode(&s); err != nil {
			return malformed(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return malformed(err)
	}
	return nil
}

// result decides which format the object is and returns its SBOM.
func (d *document) result(depth int) (*SBOM, error) {
	switch {
	case d.spdxVersion != "":
		return d.spdx()
	case d.bomFormat != "":
		return d.cycloneDX()
	case d.hasJSONLD:
		if strings.Contains(strings.ToLower(d.jsonLDContext), "spdx") {
			return nil, fmt.Errorf("%w: SPDX 3 JSON-LD (context %q; only SPDX 2.2/2.3 JSON is supported)", ErrUnsupportedFormat, d.jsonLDContext)
		}
		return nil, fmt.Errorf("%w: JSON-LD document (context %q)", ErrUnsupportedFormat, d.jsonLDContext)
	case d.statementType != "" || d.predicateType != "":
		return d.inToto(depth)
	case d.payloadType != "" || d.hasPayload:
		return d.dsse(depth)
	case d.hasEnvelope || d.hasMessageSig || strings.Contains(d.mediaType, "sigstore.bundle"):
		return d.bundle(depth)
	case d.specVersion != "" && d.hasComps:
		return nil, fmt.Errorf("%w: CycloneDX-like JSON without bomFormat", ErrUnsupportedFormat)
	}
	return nil, fmt.Errorf("%w: JSON object that is neither SPDX, CycloneDX, an in-toto statement, a DSSE envelope nor a sigstore bundle", ErrUnsupportedFormat)
}

func (d *document) spdx() (*SBOM, error) {
	switch d.spdxVersion {
	case "SPDX-2.2", "SPDX-2.3":
	default:
		return nil, fmt.Errorf("%w: SPDX version %q (supported: SPDX-2.2, SPDX-2.3)", ErrUnsupportedFormat, d.spdxVersion)
	}
	if d.shapeErr != nil {
		return nil, d.shapeErr
	}
	d.sbom.Format = "spdx-" + strings.TrimPrefix(d.spdxVersion, "SPDX-")
	return &d.sbom, nil
}

func (d *document) cycloneDX() (*SBOM, error) {
	if d.bomFormat != "CycloneDX" {
		return nil, fmt.Errorf("%w: bomFormat %q", ErrUnsupportedFormat, d.bomFormat)
	}
	switch d.specVersion {
	case "1.4", "1.5", "1.6", "1.7":
	default:
		return nil, fmt.Errorf("%w: CycloneDX specVersion %q (supported: 1.4 to 1.7)", ErrUnsupportedFormat, d.specVersion)
	}
	if d.shapeErr != nil {
		return nil, d.shapeErr
	}
	d.sbom.Format = "cyclonedx-" + d.specVersion
	return &d.sbom, nil
}

func (d *document) inToto(depth int) (*SBOM, error) {
	switch d.statementType {
	case StatementV01, StatementV1:
	default:
		return nil, fmt.Errorf("%w: in-toto statement type %q", ErrUnsupportedFormat, d.statementType)
	}
	family := predicateFamily(d.predicateType)
	if strings.HasPrefix(d.predicateType, PredicateSPDX3) {
		return nil, fmt.Errorf("%w: SPDX 3 in-toto predicate (type %q; only SPDX 2.2/2.3 JSON is supported)", ErrUnsupportedFormat, d.predicateType)
	}
	if family == "" {
		return nil, fmt.Errorf("%w: in-toto predicate type %q is not an SPDX 2 or CycloneDX SBOM", ErrUnsupportedFormat, d.predicateType)
	}
	if !d.hasPredicate {
		return nil, fmt.Errorf("%w: in-toto statement without a predicate", ErrMalformed)
	}
	s, err := d.predicate.resolve(depth + 1)
	if err != nil {
		return nil, fmt.Errorf("in-toto predicate: %w", err)
	}
	if s.Wrapper != WrapperNone {
		return nil, fmt.Errorf("%w: in-toto predicate is itself a %s", ErrUnsupportedFormat, s.Wrapper)
	}
	if !strings.HasPrefix(s.Format, family+"-") {
		return nil, fmt.Errorf("%w: predicate type %q but the predicate is %s", ErrMalformed, d.predicateType, s.Format)
	}
	s.Wrapper = WrapperInToto
	s.PredicateType = d.predicateType
	return s, nil
}

func (d *document) dsse(depth int) (*SBOM, error) {
	if d.payloadType != MediaTypeInToto {
		return nil, fmt.Errorf("%w: DSSE payload type %q is not %s", ErrUnsupportedFormat, d.payloadType, MediaTypeInToto)
	}
	if depth+1 > maxNesting {
		return nil, fmt.Errorf("%w: wrappers nested more than %d deep", ErrUnsupportedFormat, maxNesting)
	}
	if d.payload.err != nil {
		return nil, fmt.Errorf("%w: DSSE payload: %v", ErrMalformed, d.payload.err)
	}
	data := d.payload.data
	d.payload.data = nil
	s, err := parseReader(bytes.NewReader(data), depth+1)
	if err != nil {
		return nil, fmt.Errorf("DSSE payload: %w", err)
	}
	if s.Wrapper != WrapperInToto {
		return nil, fmt.Errorf("%w: DSSE payload is not an in-toto statement", ErrUnsupportedFormat)
	}
	s.Wrapper = WrapperDSSE
	return s, nil
}

// payload is a DSSE payload, base64-decoded straight from the JSON
// decoder's buffer: a large one is never also held as a Go string.
type payload struct {
	data []byte
	err  error
}

// UnmarshalJSON decodes a JSON string of base64 in the standard or URL-safe
// alphabet, padded or not, as the DSSE protocol allows. Errors are kept for
// when the object turns out to be a DSSE envelope.
func (p *payload) UnmarshalJSON(raw []byte) error {
	if len(raw) < 2 || raw[0] != '"' {
		p.err = errors.New("not a string")
		return nil
	}
	src := raw[1 : len(raw)-1]
	if bytes.IndexByte(src, '\\') >= 0 { // escapes such as \/: unquote first
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			p.err = err
			return nil
		}
		src = []byte(s)
	}
	enc := base64.StdEncoding
	if bytes.ContainsAny(src, "-_") {
		enc = base64.URLEncoding
	}
	if len(src)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	data := make([]byte, enc.DecodedLen(len(src)))
	n, err := enc.Decode(data, src)
	p.data, p.err = data[:n], err
	return nil
}

func (d *document) bundle(depth int) (*SBOM, error) {
	if !d.hasEnvelope {
		return nil, fmt.Errorf("%w: sigstore bundle without a DSSE envelope", ErrUnsupportedFormat)
	}
	s, err := d.envelope.resolve(depth + 1)
	if err != nil {
		return nil, fmt.Errorf("sigstore bundle envelope: %w", err)
	}
	if s.Wrapper != WrapperDSSE {
		return nil, fmt.Errorf("%w: sigstore bundle dsseEnvelope is not a DSSE envelope", ErrUnsupportedFormat)
	}
	s.Wrapper = WrapperBundle
	return s, nil
}
