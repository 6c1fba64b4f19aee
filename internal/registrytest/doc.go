// Package registrytest starts real OCI registries for tests: an in-process
// olareg (full OCI 1.1 referrers API) and a distribution v3 registry process
// (no referrers API, so clients fall back to the referrers tag schema). Both
// sit behind a front on 127.0.0.1 that counts requests by kind and injects
// faults (an error status or a dropped connection at the Nth request).
//
// It is test support: it calls t.Fatal and t.Cleanup and must only be
// imported from _test.go files or other test-support packages. It imports
// neither oras-go nor anything of vexil.
package registrytest
