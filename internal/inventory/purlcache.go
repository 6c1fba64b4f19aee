package inventory

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/opencontainers/go-digest"

	"github.com/vexil-dev/vexil/internal/sbom"
)

// purlCache keeps what parsing each SBOM layer gave — its purls, format,
// wrapper and package count — on disk, keyed by the layer's digest, so
// that a check with a warm cache neither fetches nor re-parses an SBOM
// (parsing a 3,000-package SBOM costs far more than reading its purls).
// An entry is a JSON header line followed by the purls, one a line, in
// packageurl-go's canonical form (which percent-encodes any line break);
// it is read back with sbom.FromCanonicalPurls, so matching stays sbom's,
// without parsing each purl again. The header holds the SHA-256 of the purl
// lines and the sbom.CanonicalFormID they were written under: an entry that
// does not match, of another entry version, or written by a build that
// canonicalises purls otherwise, is removed and the layer parsed again, never
// trusted.
type purlCache struct {
	dir string
	// canonicalForm is sbom.CanonicalFormID, recorded in each entry.
	canonicalForm string
}

// newPurlCache returns the purl cache under dir.
func newPurlCache(dir string) *purlCache {
	return &purlCache{dir: dir, canonicalForm: sbom.CanonicalFormID()}
}

// purlEntryVersion changes whenever the entry format does, and whenever
// internal/sbom comes to read different purls out of the same document
// (entries written by the older parser are then parsed again).
const purlEntryVersion = 3

// purlHeader is the first line of an entry.
type purlHeader struct {
	Version       int    `json:"v"`
	Format        string `json:"format"`
	Wrapper       string `json:"wrapper,omitempty"`
	PredicateType string `json:"predicateType,omitempty"`
	Packages      int    `json:"packages"`
	// CanonicalForm is sbom.CanonicalFormID where the purls were written.
	CanonicalForm string `json:"canonical"`
	SHA256        string `json:"sha256"`
}

// path returns the entry's file for layer.
func (c *purlCache) path(layer digest.Digest) string {
	return filepath.Join(c.dir, "purls", string(layer.Algorithm()), layer.Encoded()+".json")
}

// get returns the SBOM recorded for layer, or nil.
func (c *purlCache) get(layer digest.Digest) *sbom.SBOM {
	if layer.Validate() != nil {
		return nil
	}
	p := c.path(layer)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	doc, err := c.decodeEntry(b)
	if err != nil {
		os.Remove(p) // corrupt or stale: parse the layer again
		return nil
	}
	return doc
}

// decodeEntry returns the SBOM an entry records, or why it cannot be
// trusted.
func (c *purlCache) decodeEntry(b []byte) (*sbom.SBOM, error) {
	line, body, ok := bytes.Cut(b, []byte("\n"))
	if !ok {
		return nil, errors.New("no header")
	}
	var h purlHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	if h.Version != purlEntryVersion || h.CanonicalForm != c.canonicalForm || h.SHA256 != hex.EncodeToString(sum[:]) {
		return nil, errors.New("version or checksum mismatch")
	}
	var purls []string
	if len(body) > 0 {
		purls = strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	}
	doc, err := sbom.FromCanonicalPurls(purls)
	if err != nil {
		return nil, err
	}
	doc.Format, doc.Wrapper, doc.PredicateType, doc.Packages = h.Format, h.Wrapper, h.PredicateType, h.Packages
	return doc, nil
}

// put records doc for layer; failing to is not an error of the check.
func (c *purlCache) put(layer digest.Digest, doc *sbom.SBOM) error {
	if err := layer.Validate(); err != nil {
		return err
	}
	body, err := encodePurls(doc.Purls())
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	line, err := json.Marshal(purlHeader{
		Version: purlEntryVersion, Format: doc.Format, Wrapper: doc.Wrapper,
		PredicateType: doc.PredicateType, Packages: doc.Packages, CanonicalForm: c.canonicalForm, SHA256: hex.EncodeToString(sum[:]),
	})
	if err != nil {
		return err
	}
	p := c.path(layer)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, err = tmp.Write(append(append(line, '\n'), body...))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return os.Rename(tmp.Name(), p)
}

// encodePurls writes purls one a line.
func encodePurls(purls []string) ([]byte, error) {
	n := 0
	for _, p := range purls {
		if strings.ContainsAny(p, "\r\n") {
			return nil, fmt.Errorf("purl %q spans lines", p)
		}
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	for _, p := range purls {
		b = append(append(b, p...), '\n')
	}
	return b, nil
}
