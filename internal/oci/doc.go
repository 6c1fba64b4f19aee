// Package oci is vexil's only importer of oras-go. It resolves releases
// (tags, index and platform manifests), lists and pushes referrers through
// the referrers API or the referrers tag schema, fetches blobs with a
// digest-keyed disk cache, and reads registry credentials. It knows nothing
// of VEX.
package oci
