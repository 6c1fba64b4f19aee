package sbom

import "errors"

// Sentinel errors returned, wrapped with detail, by Parse and the purl
// lookups. Test for them with errors.Is.
var (
	// ErrUnsupportedFormat means the document is not SPDX 2.2/2.3 JSON or
	// CycloneDX 1.4–1.7 JSON, plain or wrapped; the message names what was
	// seen (SPDX 3.0 JSON-LD, SPDX tag-value, CycloneDX XML, ...).
	ErrUnsupportedFormat = errors.New("unsupported SBOM format")
	// ErrMalformed means the document claims a supported format but is not
	// well-formed: bad JSON, truncated, wrong field types, bad base64.
	ErrMalformed = errors.New("malformed SBOM")
	// ErrTooLarge means the document is larger than the size cap.
	ErrTooLarge = errors.New("SBOM too large")
	// ErrInvalidPurl means a purl given to a lookup does not parse.
	ErrInvalidPurl = errors.New("invalid purl")
)
