package sbom

import (
	"fmt"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"
)

// Wrappers an SBOM can arrive in; SBOM.Wrapper holds the outermost one.
const (
	// WrapperNone is a plain SPDX or CycloneDX document.
	WrapperNone = ""
	// WrapperInToto is an in-toto statement whose predicate is the SBOM.
	WrapperInToto = "in-toto"
	// WrapperDSSE is a DSSE envelope whose payload is such a statement.
	WrapperDSSE = "dsse"
	// WrapperBundle is a sigstore bundle holding such an envelope.
	WrapperBundle = "sigstore-bundle"
)

const (
	familySPDX      = "spdx"
	familyCycloneDX = "cyclonedx"
)

// SBOM is what vexil keeps of an SBOM: its format, how it was wrapped, how
// many packages it lists and the set of their package URLs, indexed for
// matching.
type SBOM struct {
	// Format is the document format and version: "spdx-2.3",
	// "cyclonedx-1.6", ...
	Format string
	// Wrapper is the outermost wrapper: WrapperNone, WrapperInToto,
	// WrapperDSSE or WrapperBundle.
	Wrapper string
	// PredicateType is the in-toto predicate type when wrapped, else "".
	PredicateType string
	// Packages counts the packages (SPDX) or components (CycloneDX, nested
	// ones and metadata.component included) the document lists, with or
	// without a purl.
	Packages int

	// byName maps "type/namespace/name" of a normalised purl to each
	// distinct version and qualifier set seen under it.
	byName  map[string][]variant
	count   int
	invalid []string
}

// variant is one distinct normalised purl under a type/namespace/name.
type variant struct {
	purl       string
	version    string
	qualifiers packageurl.Qualifiers
}

// nameKey is the index key of a parsed purl.
func nameKey(p *packageurl.PackageURL) string {
	return p.Type + "/" + p.Namespace + "/" + p.Name
}

// addPurl records one purl string from the document.
func (s *SBOM) addPurl(raw string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return
	}
	p, err := packageurl.FromString(raw)
	if err != nil {
		s.invalid = append(s.invalid, raw)
		return
	}
	if s.byName == nil {
		s.byName = make(map[string][]variant)
	}
	canonical := p.ToString()
	key := nameKey(&p)
	vs := s.byName[key]
	for _, v := range vs {
		if v.purl == canonical {
			return
		}
	}
	s.byName[key] = append(vs, variant{purl: canonical, version: p.Version, qualifiers: p.Qualifiers})
	s.count++
}

// Purls returns the distinct purls of the document, normalised by
// packageurl-go (type-specific case rules, sorted qualifiers), sorted.
func (s *SBOM) Purls() []string {
	out := make([]string, 0, s.count)
	for _, vs := range s.byName {
		for _, v := range vs {
			out = append(out, v.purl)
		}
	}
	slices.Sort(out)
	return out
}

// InvalidPurls returns, in document order, the purl strings of the document
// that do not parse; they never match.
func (s *SBOM) InvalidPurls() []string {
	return slices.Clone(s.invalid)
}

// Contains reports whether the SBOM lists a package that purl designates,
// with go-vex's PurlMatches semantics, purl being the general side: type,
// namespace and name must be equal after normalisation; a purl without a
// version matches any version, one with a version only that version; each
// qualifier of purl must be present with the same value (the SBOM's purl may
// carry more); subpaths are ignored. The lookup is a map access plus a scan
// of the few versions listed under that name.
func (s *SBOM) Contains(purl string) (bool, error) {
	q, err := packageurl.FromString(purl)
	if err != nil {
		return false, fmt.Errorf("%w %q: %v", ErrInvalidPurl, purl, err)
	}
	for _, v := range s.byName[nameKey(&q)] {
		if matches(&q, &v) {
			return true, nil
		}
	}
	return false, nil
}

// Candidates returns the SBOM's purls with the same type, namespace and name
// as purl, whatever their version and qualifiers, sorted: what a release
// does ship when Contains says it does not ship purl.
func (s *SBOM) Candidates(purl string) ([]string, error) {
	q, err := packageurl.FromString(purl)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrInvalidPurl, purl, err)
	}
	vs := s.byName[nameKey(&q)]
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.purl)
	}
	slices.Sort(out)
	return out, nil
}

// matches is go-vex's PurlMatches(q, v) for a q and v that share type,
// namespace and name.
func matches(q *packageurl.PackageURL, v *variant) bool {
	if q.Version != "" && q.Version != v.version {
		return false
	}
	for _, want := range q.Qualifiers {
		found := false
		for _, have := range v.qualifiers {
			if have.Key == want.Key {
				found = have.Value == want.Value
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
