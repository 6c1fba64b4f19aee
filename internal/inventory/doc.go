// Package inventory lists what a VEX repository's products have shipped:
// for each product, the releases whose tags match its globs, each
// platform of each release, and the SBOMs attached to each platform,
// parsed into purl sets. It resolves releases and finds SBOMs with
// internal/oci and parses them with internal/sbom, a bounded number of
// requests at a time, and returns plain values that `vexil releases`
// prints and the online rules of `vexil check` ask. With a cache
// directory it also keeps what parsing each SBOM layer gave (its purls,
// format and package count), keyed by the layer digest and checksummed,
// so that a warm check neither fetches nor re-parses an SBOM.
//
// It knows nothing of VEX: it must not import statements, vex, publish or
// pull (statements defines the small interface it needs, and cmd/vexil
// adapts an Inventory to it). It never prints.
package inventory
