// Package publish is the release-time job: plan the documents per release
// and subject, sign them, and push them as OCI 1.1 referrers, idempotently
// and without ever changing a release. It never prints; progress goes
// through hooks.
package publish
