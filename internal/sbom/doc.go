// Package sbom turns SPDX and CycloneDX JSON SBOMs, plain or wrapped in an
// in-toto statement, a DSSE envelope or a sigstore bundle, into sets of
// package URLs, and answers whether an SBOM contains a purl with go-vex's
// matching rules. It knows nothing of VEX or registries and imports neither
// oras-go, cosign nor go-vex; it never prints.
//
// Parse decodes the document as a stream with encoding/json, keeping only
// purls and counts: on a 50 MB SBOM it is faster than spdx/tools-golang and
// cyclonedx-go and needs a small fraction of their memory. README.md holds
// the measurements behind that choice.
//
// Subpackage sbomtest writes valid documents for other packages' tests.
package sbom
