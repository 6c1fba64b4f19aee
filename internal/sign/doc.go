// Package sign is vexil's only importer of cosign and sigstore: it builds
// in-toto statements, signs them as DSSE envelopes in sigstore bundles v0.3
// (cosign key pair, KMS key, or keyless through Fulcio and Rekor) and verifies
// bundles, bare DSSE envelopes and cosign's legacy attestation layers.
//
// It knows nothing of registries (internal/oci) or of VEX (vex): the
// predicate is opaque JSON and the subject is a name and a digest. No other
// vexil package may import cosign, sigstore or sigstore-go.
package sign
