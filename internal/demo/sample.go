package demo

import (
	"context"

	"github.com/vexil-dev/vexil/internal/fixture"
	"github.com/vexil-dev/vexil/internal/oci"
)

// Packages returns the purls the SBOMs of the sample release list.
func Packages() []string {
	return []string{
		"pkg:golang/golang.org/x/net@v0.17.0",
		"pkg:golang/golang.org/x/crypto@v0.14.0",
		"pkg:golang/stdlib@1.21.3",
	}
}

// PushSample pushes the sample release to repo under tag: an index of
// linux/amd64 and linux/arm64 images, each with an SBOM referrer listing
// Packages (SPDX for amd64, CycloneDX for arm64).
func PushSample(ctx context.Context, c *oci.Client, repo, tag string) (fixture.Release, error) {
	return fixture.PushRelease(ctx, c, repo, tag, fixture.Spec{Seed: 2026, Platforms: []fixture.PlatformSpec{
		{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: Packages()},
		{OS: "linux", Architecture: "arm64", SBOM: fixture.CycloneDX, Packages: Packages()},
	}})
}
