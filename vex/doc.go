// Package vex builds, canonicalises and merges OpenVEX documents on go-vex:
// one deterministic document per release for publish, and one effective
// document per image for pull. It knows nothing of registries, git or
// signing, and never prints.
//
// publish calls Build for each release, publishes the bytes of Canonical
// and annotates them with ContentDigest; pull calls Parse on what it
// fetched, Merge for the image it resolved, and writes Canonical.
//
// It must not import statements, gitstore, internal/oci, internal/sign or
// cobra (TestImports pins this): callers convert their own models into
// Release, Statement and Image. Nothing here reads the clock: every time
// comes from the inputs.
//
// Products name image digests as `pkg:oci/<name>@sha256:<hex>` with no
// qualifiers, plus `hashes: {sha-256: <hex>}`, as DESIGN.md says. Both
// scanners hand their own identifiers to go-vex's (*VEX).Matches, and
// go-vex's PurlMatches accepts a scanner purl when type, namespace, name and
// version are equal and every qualifier of *our* purl appears in theirs; it
// percent-decodes, so a literal and an escaped colon compare equal. trivy
// generates `pkg:oci/<name>@sha256%3A<hex>?arch=..&repository_url=<repo>`
// for the digest it resolved (pkg/purl parseOCI); grype generates
// `pkg:oci/<name>@sha256:<hex>?repository_url=<registry>/<path minus name>`
// and also the bare hex, which go-vex compares with the product hashes
// (grype/vex/openvex identifiersFromDigests). A qualifier-free purl
// therefore matches both, and the hash matches grype once more. The literal
// colon is how the pinned packageurl-go v0.1.7 renders a digest version;
// TestScannersMatchProducts checks every form against go-vex itself.
package vex
