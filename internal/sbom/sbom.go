package sbom

import (
	"crypto/sha256"
	"encoding/hex"
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

	// byName maps the name part of a canonical purl (scheme, type,
	// namespace, name: see split) to the distinct canonical purls under it.
	// Keys are substrings of the purls they index, so each purl costs one
	// string.
	byName  map[string][]string
	count   int
	invalid []string
}

// split cuts a purl in packageurl-go's canonical form into its name part
// ("pkg:type/namespace/name"), its version and its qualifiers ("k=v&k=v",
// sorted by key), all still percent-encoded. The canonical form encodes
// every '@', '?', '&', '=' and '#' inside a component, so the first of each
// is a delimiter, and equal encoded parts mean equal decoded ones.
func split(canonical string) (name, version, qualifiers string) {
	rest, _, _ := strings.Cut(canonical, "#")
	rest, qualifiers, _ = strings.Cut(rest, "?")
	name, version, _ = strings.Cut(rest, "@")
	return name, version, qualifiers
}

// canonical parses purl and returns it in canonical form.
func canonical(purl string) (string, error) {
	p, err := packageurl.FromString(purl)
	if err != nil {
		return "", err
	}
	return p.ToString(), nil
}

// addPurl records one purl string from the document.
func (s *SBOM) addPurl(raw string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return
	}
	c, err := canonical(raw)
	if err != nil {
		s.invalid = append(s.invalid, raw)
		return
	}
	if s.byName == nil {
		s.byName = make(map[string][]string)
	}
	c = strings.Clone(c) // drop the builder's spare capacity
	name, _, _ := split(c)
	purls := s.byName[name]
	if slices.Contains(purls, c) {
		return
	}
	s.byName[name] = append(purls, c)
	s.count++
}

// FromPurls returns the SBOM that lists purls, in any form and order; it
// is how a caller rebuilds an SBOM from the Purls it kept of a parsed one
// without writing and parsing a document. Format, Wrapper, PredicateType
// and Packages are left for the caller to set. Purls that do not parse are
// kept as InvalidPurls and never match.
func FromPurls(purls []string) *SBOM {
	s := &SBOM{byName: make(map[string][]string, len(purls))}
	for _, p := range purls {
		s.addPurl(p)
	}
	return s
}

// FromCanonicalPurls is FromPurls for purls exactly as Purls returned
// them, sorted and distinct, from a build with this CanonicalFormID: it
// skips parsing each one again, which is most of
// the cost of FromPurls. It checks only their order and their shape (a
// "pkg:" scheme, no spaces or line breaks) and fails otherwise; a caller
// that cannot vouch for the rest must use FromPurls.
func FromCanonicalPurls(purls []string) (*SBOM, error) {
	s := &SBOM{byName: make(map[string][]string, len(purls))}
	for i, p := range purls {
		if !strings.HasPrefix(p, "pkg:") || strings.ContainsAny(p, " \t\r\n") {
			return nil, fmt.Errorf("%w %q: not in canonical form", ErrInvalidPurl, p)
		}
		if i > 0 && purls[i-1] >= p {
			return nil, fmt.Errorf("%w %q: purls not sorted and distinct", ErrInvalidPurl, p)
		}
		name, _, _ := split(p)
		s.byName[name] = append(s.byName[name], p)
		s.count++
	}
	return s, nil
}

// CanonicalFormID identifies how this build puts purls in canonical form:
// a digest of the canonical forms of purls that exercise packageurl-go's
// rules (type-specific case and separators, qualifier order and case,
// percent-encoding, subpaths). Canonical forms written under one ID are
// only trusted by FromCanonicalPurls under the same ID.
func CanonicalFormID() string {
	h := sha256.New()
	for _, p := range canonicalProbes {
		c, err := canonical(p)
		if err != nil {
			c = "error: " + err.Error()
		}
		h.Write([]byte(c + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalProbes are the purls CanonicalFormID canonicalises.
var canonicalProbes = [...]string{
	"pkg:golang/GitHub.com/Azure/Go-Ansiterm@v0.0.0-20250102033503-faa5f7b0171c",
	"PKG:GOLANG/golang.org/x/net@v0.17.0#http2",
	"pkg:pypi/Charset_Normalizer@3.3.2",
	"pkg:pypi/PyYAML@6.0.1",
	"pkg:npm/@babel/core@7.24.0",
	"pkg:npm/%40babel/Core@7.24.0",
	"pkg:maven/org.apache.logging.log4j/Log4j-Core@2.17.1?type=jar&classifier=sources",
	"pkg:apk/alpine/alpine-baselayout@3.6.5-r0?DISTRO=alpine-3.20.3&arch=x86_64",
	"pkg:deb/Debian/OpenSSL@3.0.11-1?arch=amd64&distro=debian-12",
	"pkg:oci/proxy@sha256:9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0?arch=amd64&repository_url=registry.example.com/acme/proxy",
	"pkg:generic/tricky@1.0%401?download_url=https://example.com/a%3Fb%3D1%26c%3D2&checksum=sha256:abc&empty=",
	"pkg:generic//double//slash/name@1",
	"pkg:github/Package-URL/PURL-Spec@244fd47e07d1004",
	"pkg:bitbucket/BirKenfeld/Pygments-Main@244fd47e07d1014",
	"pkg:nuget/EnterpriseLibrary.Common@6.0.1304",
	"pkg:gem/Ruby-Advisory-DB-Check@0.12.4",
	"pkg:cargo/Rand@0.7.2",
	"pkg:docker/Customer/DockerImage@sha256%3A244fd47e07d10?repository_url=gcr.io",
	"pkg:rpm/FedOra/curl@7.50.3-1.fc25?Arch=i386&distro=fedora-25",
	"pkg:swift/github.com/Alamofire/Alamofire@5.4.3",
	"pkg:hex/Phoenix_HTML@2.13.3",
	"pkg:composer/Laravel/Laravel@5.5.0",
	"pkg:conan/openssl@3.0.3?user=bincrafters&channel=stable",
	"pkg:huggingface/distilbert/distilbert-base-uncased@043235d6088ecd3dd5fb5ca3592b6913fd516027",
	"pkg:mlflow/CreditFraud@3?repository_url=https://westus2.api.azureml.ms/mlflow/v1.0/subscriptions/a50f2011",
	"pkg:generic/name%20with%20space@1.0+build%2Fmeta",
}

// Purls returns the distinct purls of the document, normalised by
// packageurl-go (type-specific case rules, sorted qualifiers), sorted.
func (s *SBOM) Purls() []string {
	out := make([]string, 0, s.count)
	for _, purls := range s.byName {
		out = append(out, purls...)
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
// carry more); subpaths are ignored. (Unlike PurlMatches, namespaces that
// differ only in empty segments, which the canonical form drops, are equal.)
// The lookup is a map access plus a scan of the few versions listed under
// that name. An SBOM is safe for concurrent lookups.
func (s *SBOM) Contains(purl string) (bool, error) {
	c, err := canonical(purl)
	if err != nil {
		return false, fmt.Errorf("%w %q: %v", ErrInvalidPurl, purl, err)
	}
	name, version, qualifiers := split(c)
	for _, have := range s.byName[name] {
		_, v, q := split(have)
		if (version == "" || version == v) && hasQualifiers(q, qualifiers) {
			return true, nil
		}
	}
	return false, nil
}

// Candidates returns the SBOM's purls with the same type, namespace and name
// as purl, whatever their version and qualifiers, sorted: what a release
// does ship when Contains says it does not ship purl.
func (s *SBOM) Candidates(purl string) ([]string, error) {
	c, err := canonical(purl)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrInvalidPurl, purl, err)
	}
	name, _, _ := split(c)
	out := slices.Clone(s.byName[name])
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return out, nil
}

// hasQualifiers reports whether every "k=v" of want is one of have's.
func hasQualifiers(have, want string) bool {
	for want != "" {
		var kv string
		kv, want, _ = strings.Cut(want, "&")
		found := false
		for rest := have; rest != "" && !found; {
			var h string
			h, rest, _ = strings.Cut(rest, "&")
			found = h == kv
		}
		if !found {
			return false
		}
	}
	return true
}
