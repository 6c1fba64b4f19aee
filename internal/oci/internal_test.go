package oci

import (
	"context"
	"errors"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// An index cannot hash to a digest it contains, so only a lying registry
// serves one that lists itself; the walk must stop before any request.
func TestPlatformsSelfListing(t *testing.T) {
	c, err := New(Options{NoCache: true, Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	self := digest.FromString("pretend this is the index")
	for _, tc := range []struct {
		name      string
		ancestors []digest.Digest
		child     digest.Digest
	}{
		{"itself", nil, self},
		{"its parent", []digest.Digest{digest.FromString("parent")}, digest.FromString("parent")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[` +
				`{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"` + tc.child.String() + `","size":10}]}`)
			_, err := c.platforms(context.Background(), "127.0.0.1:1/never/contacted", ocispec.Descriptor{Digest: self}, b, tc.ancestors)
			if !errors.Is(err, ErrIndexCycle) {
				t.Errorf("got %v, want ErrIndexCycle", err)
			}
		})
	}
}

func TestPlainFormat(t *testing.T) {
	tests := []struct{ mediaType, want string }{
		{"application/spdx+json", FormatSPDX},
		{"text/spdx+json", FormatSPDX},
		{"text/spdx+json; charset=utf-8", FormatSPDX},
		{"application/vnd.spdx+json", FormatSPDX},
		{"Application/SPDX+JSON", FormatSPDX},
		{"text/spdx", FormatSPDX}, // tag-value as a rule: the parser says so
		{"application/vnd.cyclonedx+json", FormatCycloneDX},
		{"application/vnd.cyclonedx+json; version=1.6", FormatCycloneDX},
		{"application/vnd.cyclonedx", FormatCycloneDX},
		{"application/vnd.cyclonedx+xml", ""},
		{"text/spdx+xml", ""},
		{"application/spdx+rdf", ""},
		{"application/spdx+yaml", ""},
		{"application/vnd.cyclonedx+protobuf", ""},
		{"application/vnd.syft+json", ""},
		{"application/vnd.in-toto+json", ""},
		{"application/vnd.dev.sigstore.bundle.v0.3+json", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := plainFormat(tt.mediaType); got != tt.want {
			t.Errorf("plainFormat(%q): got %q, want %q", tt.mediaType, got, tt.want)
		}
	}
}
