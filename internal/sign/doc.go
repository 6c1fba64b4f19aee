// Package sign is vexil's only importer of cosign and sigstore: it builds
// in-toto statements, signs them as DSSE envelopes in sigstore bundles v0.3
// (cosign key pair, KMS key, or keyless through Fulcio and Rekor) and verifies
// bundles, bare DSSE envelopes and cosign's legacy attestation layers.
//
// A key-signed bundle is compact JSON in protobuf field order:
//
//	{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
//	 "verificationMaterial":{"publicKey":{"hint":"<base64 sha256 of DER public key>"}},
//	 "dsseEnvelope":{"payload":"<base64 statement>","payloadType":"application/vnd.in-toto+json",
//	   "signatures":[{"sig":"<base64 ECDSA signature over the DSSE PAE>"}]}}
//
// cosign v2.6.5 verifies it offline, as a blob
//
//	cosign verify-blob-attestation --new-bundle-format --bundle B --key cosign.pub \
//	  --insecure-ignore-tlog --trusted-root F --type https://openvex.dev/ns/v0.2.0 BLOB
//
// or as an OCI 1.1 referrer of IMAGE@DIGEST
//
//	cosign verify-attestation --key cosign.pub --new-bundle-format --trusted-root F \
//	  --insecure-ignore-tlog --type https://openvex.dev/ns/v0.2.0 IMAGE@DIGEST
//
// where F may hold only
// {"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}.
//
// It knows nothing of registries (internal/oci) or of VEX (vex): the
// predicate is opaque JSON and the subject is a name and a digest. No other
// vexil package may import cosign, sigstore or sigstore-go (internal/cosigntest,
// a test helper, uses cosign's key generation).
package sign
