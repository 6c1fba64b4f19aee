// Package publish is the release-time job: plan the documents per release
// and subject, sign them, and push them as OCI 1.1 referrers, idempotently
// and without ever changing a release. It never prints; progress goes
// through hooks.
//
// Documents resolves every product's releases and builds one document per
// release with vex.Build, from the statements of the git commit checked
// out: each statement's timestamp is the commit time of the last commit
// that changed its file (review.Timestamps, one walk over the history),
// so the same commit gives the same bytes on every machine. Plan adds, per
// subject (the index and each platform manifest, as publish.subjects
// says), one referrers listing: a subject with a referrer whose
// dev.vexil.content-digest annotation equals the document's is up to date.
// Run signs the rest with one sign.Signer and pushes each sigstore bundle
// with oci.Client.PushReferrer in DESIGN.md's shape, Jobs at a time, then
// checks that every release tag still resolves to the manifest it resolved
// to before and, on registries without the referrers API, that every pushed
// referrer is still listed in its tag schema index.
//
// Every rule of statements.Check runs before anything is read from the
// registries or signed; Options.Inventory decides whether the rules
// against the SBOMs run too. Uncommitted statement files are refused
// unless Options.AllowDirty.
//
// It imports statements, review, vex, gitstore, internal/oci and internal/sign,
// and never cobra, oras-go, go-git or cosign directly (internal/layering
// pins this).
package publish
