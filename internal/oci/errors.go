package oci

import (
	"errors"
	"fmt"

	"github.com/opencontainers/go-digest"
)

// Sentinel errors, for errors.Is. Errors returned by this package wrap them
// and name the repository, reference or digest concerned.
var (
	// ErrDigestMismatch: fetched bytes do not match the descriptor's digest
	// or size.
	ErrDigestMismatch = errors.New("content does not match its digest")
	// ErrTooLarge: a blob or manifest is larger than Options.MaxBlobSize.
	ErrTooLarge = errors.New("content larger than the size limit")
	// ErrNotFound: the registry has no such tag, manifest or blob.
	ErrNotFound = errors.New("not found")
	// ErrUnreachable: the registry could not be reached (connection
	// refused, DNS failure, connection dropped after every retry).
	ErrUnreachable = errors.New("registry unreachable")
	// ErrIndexCycle: an image index lists itself, directly or through
	// nested indexes.
	ErrIndexCycle = errors.New("image index lists itself")
	// ErrIndexTooDeep: image indexes nest deeper than the limit.
	ErrIndexTooDeep = errors.New("image indexes nest too deep")
	// ErrInvalidManifest: a manifest or index could not be decoded or has
	// an unexpected media type.
	ErrInvalidManifest = errors.New("invalid manifest")
	// ErrMissingReferrer: a referrers listing names a manifest the registry
	// does not have.
	ErrMissingReferrer = errors.New("referrers listing names a missing manifest")
	// ErrReferrerLost: after pushing, the referrers tag schema index kept
	// losing the new referrer to concurrent writers.
	ErrReferrerLost = errors.New("referrer missing from the referrers index after retries")
)

// MissingReferrerError is one entry of a referrers listing whose manifest
// the registry does not have. It wraps ErrMissingReferrer.
type MissingReferrerError struct {
	Repository string
	// Source is the listing that named it.
	Source Source
	// Manifest is the missing manifest, of ArtifactType as listed.
	Manifest     digest.Digest
	ArtifactType string
	Subject      digest.Digest
}

func (e *MissingReferrerError) Error() string {
	return fmt.Sprintf("%s: %s@%s (subject %s)", ErrMissingReferrer, e.Repository, e.Manifest, e.Subject)
}

// Unwrap returns ErrMissingReferrer.
func (e *MissingReferrerError) Unwrap() error { return ErrMissingReferrer }
