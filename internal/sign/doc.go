// Package sign is vexil's only importer of cosign and sigstore: it signs
// in-toto statements as DSSE envelopes in sigstore bundles (key pair, KMS,
// keyless) and verifies them.
package sign
