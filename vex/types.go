package vex

import (
	"fmt"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	govex "github.com/openvex/go-vex/pkg/vex"
)

// Context is the @context of every document this package writes.
const Context = "https://openvex.dev/ns/v0.2.0"

// Document is an OpenVEX v0.2.0 document, go-vex's model. Render it with
// Canonical, never with json.Marshal, to get the published bytes.
type Document = govex.VEX

// Status is an OpenVEX status.
type Status = govex.Status

// The four OpenVEX statuses.
const (
	StatusNotAffected        = govex.StatusNotAffected
	StatusAffected           = govex.StatusAffected
	StatusFixed              = govex.StatusFixed
	StatusUnderInvestigation = govex.StatusUnderInvestigation
)

// Release is one released image of a product: a tag of its repository
// resolved to the index digest and the platform manifest digests.
type Release struct {
	// Product is the product's name in vexil.yaml; it is part of the
	// document @id.
	Product string
	// Repository is the image repository without tag or digest, for
	// example registry.example.com/acme/proxy. Its last path segment is
	// the purl name.
	Repository string
	// Tag is the release's tag; it is not written into the document.
	Tag string
	// Index is the digest of the image index (or of the single manifest).
	Index digest.Digest
	// Platforms are the digests of the platform manifests.
	Platforms []digest.Digest
}

// Statement is one effective statement, as the statements package decoded
// it from a statement file, about the release it is built into.
type Statement struct {
	Vulnerability   string
	Aliases         []string
	Status          Status
	Justification   string
	ImpactStatement string
	ActionStatement string
	StatusNotes     string
	// Subcomponents are purls, written into the document as they are.
	Subcomponents []string
	// Timestamp is the commit time of the last commit that changed the
	// statement's file. It is kept in UTC and to the second.
	Timestamp time.Time
	// Source names the statement file, for errors.
	Source string
}

// BuildOptions are the document-wide settings of Build, from vexil.yaml.
type BuildOptions struct {
	// IDPrefix starts every document @id, for example
	// https://vex.example.com.
	IDPrefix string
	// Author is the document author.
	Author string
	// Role is the author's role; omitted when empty.
	Role string
	// Tooling names the tool that wrote the document; omitted when empty.
	// It changes the document bytes, not the content digest.
	Tooling string
}

// Image is what a consumer scans: a repository and the digests it resolves
// to. Merge keeps only the statements about these digests.
type Image struct {
	// Repository is the image repository without tag or digest.
	Repository string
	// Index is the digest the reference resolves to (an index, or a single
	// manifest); scanners report this one.
	Index digest.Digest
	// Platforms are the platform manifest digests of the index.
	Platforms []digest.Digest
}

// ProductID returns the product @id of a digest of repository:
// pkg:oci/<last path segment>@sha256:<hex>, without qualifiers. This is how
// packageurl-go renders it (a colon is safe in a purl version), and what
// matches both grype's and trivy's image purls.
func ProductID(repository string, d digest.Digest) (string, error) {
	name, err := purlName(repository)
	if err != nil {
		return "", err
	}
	if err := checkDigest(d); err != nil {
		return "", err
	}
	return "pkg:oci/" + name + "@" + d.String(), nil
}

// purlName returns the last path segment of repository.
func purlName(repository string) (string, error) {
	if repository == "" || strings.ContainsAny(repository, "@ ") || strings.HasSuffix(repository, "/") {
		return "", fmt.Errorf("repository %q: %w", repository, ErrInvalidInput)
	}
	i := strings.LastIndexByte(repository, '/')
	name := repository[i+1:]
	if i < 0 || name == "" || name != strings.ToLower(name) || strings.Contains(name, ":") {
		return "", fmt.Errorf("repository %q has no lowercase image name: %w", repository, ErrInvalidInput)
	}
	return name, nil
}

// checkDigest accepts sha256:<64 lowercase hex> only.
func checkDigest(d digest.Digest) error {
	if err := d.Validate(); err != nil || d.Algorithm() != digest.SHA256 {
		return fmt.Errorf("%q: %w", d, ErrInvalidDigest)
	}
	return nil
}

// product returns the product of one image digest.
func product(repository string, d digest.Digest) (govex.Product, error) {
	id, err := ProductID(repository, d)
	if err != nil {
		return govex.Product{}, err
	}
	return govex.Product{Component: govex.Component{
		ID:     id,
		Hashes: map[govex.Algorithm]govex.Hash{govex.SHA256: govex.Hash(d.Encoded())},
	}}, nil
}
