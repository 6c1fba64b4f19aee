// Package vex builds, canonicalises and merges OpenVEX documents on go-vex:
// one deterministic document per release for publish, and one effective
// document per image for pull. It knows nothing of registries, git or
// signing, and never prints.
//
// It must not import statements, gitstore, internal/oci, internal/sign or
// cobra: callers convert their own models into Release, Statement and Image.
//
// Products name image digests as `pkg:oci/<name>@sha256:<hex>` with no
// qualifiers, plus `hashes: {sha-256: <hex>}`. Both scanners hand their own
// identifiers to go-vex's (*VEX).Matches, and go-vex's PurlMatches accepts a
// scanner purl when type, namespace, name and version are equal and every
// qualifier of *our* purl appears in theirs; it decodes `%3A`, so the literal
// and the escaped colon compare equal. trivy generates
// `pkg:oci/<name>@sha256%3A<hex>?arch=..&repository_url=<registry>/<path>`
// for the digest it resolved; grype generates
// `pkg:oci/<name>@sha256:<hex>?repository_url=<registry>/<path minus name>`
// and also the bare hex, which go-vex compares with the product hashes. A
// qualifier-free purl therefore matches both, and the hash matches grype.
package vex
