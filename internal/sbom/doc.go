// Package sbom turns SPDX and CycloneDX JSON SBOMs, plain or wrapped in an
// in-toto statement, a DSSE envelope or a sigstore bundle, into sets of
// package URLs. It knows nothing of VEX or registries.
package sbom
