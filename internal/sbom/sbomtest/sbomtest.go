// Package sbomtest writes valid SBOM documents, and the in-toto, DSSE and
// sigstore bundle wrappers around them, for the tests and benchmarks of
// other packages. Output is deterministic: the same purls give the same
// bytes. The DSSE signatures it writes are placeholders: nothing here signs.
package sbomtest

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/package-url/packageurl-go"
)

// created is the fixed creation time of every generated document.
const created = "2026-01-01T00:00:00Z"

// nameVersion returns a package name and version for purl, or purl itself
// and "" when it does not parse.
func nameVersion(purl string) (name, version string) {
	p, err := packageurl.FromString(purl)
	if err != nil {
		return purl, ""
	}
	if p.Namespace != "" {
		return p.Namespace + "/" + p.Name, p.Version
	}
	return p.Name, p.Version
}

// quote returns s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// digest returns a hex SHA-256 over purls, to make ids that depend on them.
func digest(purls []string) string {
	h := sha256.New()
	for _, p := range purls {
		io.WriteString(h, p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// cpe returns a syft-like CPE for a package.
func cpe(name, version string) string {
	n := name
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	if version == "" {
		version = "*"
	}
	return "cpe:2.3:a:" + n + ":" + n + ":" + version + ":*:*:*:*:*:*:*"
}

// GenerateSPDX writes an SPDX 2.3 JSON document shaped like syft's: one
// package per purl, each with a CPE and a purl external reference, and a
// DESCRIBES relationship per package. Parsing it gives len(purls) packages.
func GenerateSPDX(w io.Writer, purls []string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	sum := digest(purls)
	fmt.Fprintf(bw, `{
 "spdxVersion": "SPDX-2.3",
 "dataLicense": "CC0-1.0",
 "SPDXID": "SPDXRef-DOCUMENT",
 "name": "sbomtest",
 "documentNamespace": "https://vexil.dev/sbomtest/%s",
 "creationInfo": {
  "licenseListVersion": "3.25",
  "creators": ["Organization: vexil", "Tool: vexil-sbomtest"],
  "created": %q
 },
 "packages": [`, sum, created)
	for i, purl := range purls {
		if i > 0 {
			bw.WriteString(",")
		}
		name, version := nameVersion(purl)
		fmt.Fprintf(bw, `
  {
   "name": %s,
   "SPDXID": "SPDXRef-Package-%d",
   "versionInfo": %s,
   "supplier": "NOASSERTION",
   "downloadLocation": "NOASSERTION",
   "filesAnalyzed": false,
   "sourceInfo": "acquired package info from the sbomtest generator: /usr/lib/sbomtest/%d",
   "licenseConcluded": "NOASSERTION",
   "licenseDeclared": "NOASSERTION",
   "copyrightText": "NOASSERTION",
   "externalRefs": [
    {"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": %s},
    {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": %s}
   ]
  }`, quote(name), i, quote(version), i, quote(cpe(name, version)), quote(purl))
	}
	bw.WriteString("\n ],\n \"relationships\": [")
	for i := range purls {
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n  {\"spdxElementId\": \"SPDXRef-DOCUMENT\", \"relationshipType\": \"DESCRIBES\", \"relatedSpdxElement\": \"SPDXRef-Package-%d\"}", i)
	}
	bw.WriteString("\n ]\n}\n")
	return bw.Flush()
}

// GenerateCycloneDX writes a CycloneDX JSON document of specVersion ("1.4"
// to "1.7") shaped like syft's: one library component per purl with a CPE
// and syft-style properties, and a dependencies entry per component.
// Parsing it gives len(purls) packages.
func GenerateCycloneDX(w io.Writer, specVersion string, purls []string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	sum := digest(purls)
	tools := `{"components": [{"type": "application", "author": "vexil", "name": "sbomtest", "version": "0"}]}`
	if specVersion == "1.4" {
		tools = `[{"vendor": "vexil", "name": "sbomtest", "version": "0"}]`
	}
	fmt.Fprintf(bw, `{
 "$schema": "http://cyclonedx.org/schema/bom-%s.schema.json",
 "bomFormat": "CycloneDX",
 "specVersion": %q,
 "serialNumber": "urn:uuid:%s-%s-%s-%s-%s",
 "version": 1,
 "metadata": {
  "timestamp": %q,
  "tools": %s
 },
 "components": [`, specVersion, specVersion, sum[0:8], sum[8:12], sum[12:16], sum[16:20], sum[20:32], created, tools)
	for i, purl := range purls {
		if i > 0 {
			bw.WriteString(",")
		}
		name, version := nameVersion(purl)
		fmt.Fprintf(bw, `
  {
   "bom-ref": "pkg-%d",
   "type": "library",
   "name": %s,
   "version": %s,
   "cpe": %s,
   "purl": %s,
   "properties": [
    {"name": "syft:package:foundBy", "value": "sbomtest-cataloger"},
    {"name": "syft:package:type", "value": "library"},
    {"name": "syft:location:0:layerID", "value": "sha256:%s"},
    {"name": "syft:location:0:path", "value": "/usr/lib/sbomtest/%d"}
   ]
  }`, i, quote(name), quote(version), quote(cpe(name, version)), quote(purl), sum, i)
	}
	bw.WriteString("\n ],\n \"dependencies\": [")
	for i := range purls {
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n  {\"ref\": \"pkg-%d\"}", i)
	}
	bw.WriteString("\n ]\n}\n")
	return bw.Flush()
}

// Statement describes the in-toto statement InToto writes around a
// predicate.
type Statement struct {
	// Type is the statement type, e.g. sbom.StatementV1.
	Type string
	// PredicateType is e.g. sbom.PredicateSPDX or sbom.PredicateCycloneDX.
	PredicateType string
	// SubjectName is the subject's name, e.g. a repository.
	SubjectName string
	// SubjectSHA256 is the subject's digest as hex, without "sha256:".
	SubjectSHA256 string
}

// InToto returns an in-toto statement whose predicate is the JSON document
// predicate, embedded as an object.
func InToto(st Statement, predicate []byte) ([]byte, error) {
	if !json.Valid(predicate) {
		return nil, fmt.Errorf("in-toto predicate for %s is not JSON", st.PredicateType)
	}
	v := struct {
		Type          string          `json:"_type"`
		Subject       []any           `json:"subject"`
		PredicateType string          `json:"predicateType"`
		Predicate     json.RawMessage `json:"predicate"`
	}{
		Type: st.Type,
		Subject: []any{map[string]any{
			"name":   st.SubjectName,
			"digest": map[string]string{"sha256": st.SubjectSHA256},
		}},
		PredicateType: st.PredicateType,
		Predicate:     predicate,
	}
	return json.Marshal(v)
}

// envelope is a DSSE envelope.
type envelope struct {
	PayloadType string      `json:"payloadType"`
	Payload     string      `json:"payload"`
	Signatures  []signature `json:"signatures"`
}

type signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// placeholderSig is the signature DSSE and Bundle write: not a signature.
var placeholderSig = base64.StdEncoding.EncodeToString([]byte("sbomtest: not a signature"))

// DSSE returns a DSSE envelope around payload with a placeholder signature.
func DSSE(payloadType string, payload []byte) ([]byte, error) {
	return json.Marshal(envelope{
		PayloadType: payloadType,
		Payload:     base64.StdEncoding.EncodeToString(payload),
		Signatures:  []signature{{Sig: placeholderSig}},
	})
}

// Bundle returns a sigstore bundle v0.3 holding the DSSE envelope env (as
// DSSE returns it), with a public-key hint and no transparency log entry.
func Bundle(env []byte) ([]byte, error) {
	var e envelope
	if err := json.Unmarshal(env, &e); err != nil {
		return nil, fmt.Errorf("reading DSSE envelope: %w", err)
	}
	return json.Marshal(map[string]any{
		"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
		"verificationMaterial": map[string]any{
			"publicKey":   map[string]string{"hint": "sbomtest"},
			"tlogEntries": []any{},
		},
		"dsseEnvelope": e,
	})
}
