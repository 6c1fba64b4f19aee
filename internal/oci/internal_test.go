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
