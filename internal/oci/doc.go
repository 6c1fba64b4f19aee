// Package oci is vexil's only importer of oras-go. It resolves releases
// (tags, index and platform manifests), lists and pushes referrers through
// the referrers API or the referrers tag schema, finds the SBOM layers of a
// platform (referrers, tag schema, BuildKit attestations), fetches manifests
// and blobs verified against their digests with a digest-keyed disk cache,
// retries transient failures, and reads registry credentials from the Docker
// config and credential helpers.
//
// It knows nothing of VEX and does not parse SBOMs (it matches media types
// and annotations only): it must not import vexil's domain packages
// (statements, vex, publish, pull) nor internal/sbom or internal/sign. It
// never prints; it logs to the *slog.Logger in Options.
package oci
