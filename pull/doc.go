// Package pull is the consumer's job: discover the VEX attestations of an
// image, verify them, and merge them into one document for scanners. It
// never prints.
//
// Discover finds, on the index digest and on each platform digest of an
// image, every OpenVEX attestation in the shapes tools write today: sigstore
// bundle v0.3 referrers (vexil publish, cosign --new-bundle-format), DSSE
// envelope referrers, plain in-toto referrers (Docker Scout), through the
// OCI 1.1 referrers API or the referrers tag schema, and cosign's legacy
// `sha256-<hex>.att` tags. Each one is verified (a key or a keyless
// identity, through internal/sign), its statement must name the digest it
// is attached to, its predicate type must be OpenVEX and its predicate a
// valid OpenVEX document; one that fails is kept in the result with the
// reason and left out of the merge. Pull merges what is left with vex.Merge.
//
// Every manifest and blob is fetched once, Options.Jobs at a time, and
// verified in parallel (a cosign .att manifest is resolved by tag and then
// read by digest: twice when the client's cache is off). It talks to registries only through internal/oci and
// verifies only through internal/sign; it must not import cobra, oras-go or
// sigstore.
package pull
