package oci_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/vexil-dev/vexil/internal/fixture"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
)

// BenchmarkDiscover resolves 5 products × 5 releases × 2 platforms and
// fetches every SBOM, cold (empty cache) and warm, on olareg; it reports
// the registry requests per run by kind.
func BenchmarkDiscover(b *testing.B) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(b)
	pkgs := make([]string, 3000)
	for i := range pkgs {
		pkgs[i] = fmt.Sprintf("pkg:golang/example.com/mod%d@v1.%d.0", i, i%17)
	}
	spec := fixture.Spec{Platforms: []fixture.PlatformSpec{
		{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: pkgs},
		{OS: "linux", Architecture: "arm64", SBOM: fixture.BuildKit, Packages: pkgs},
	}}
	pusher := newClient(b, "", func(o *oci.Options) { o.NoCache = true })
	const products, releases = 5, 5
	for p := range products {
		for r := range releases {
			push(b, pusher, reg.Ref(fmt.Sprintf("acme/p%d", p)), fmt.Sprintf("v1.%d.0", r), spec)
		}
	}
	run := func(b *testing.B, c *oci.Client) {
		for p := range products {
			repo := reg.Ref(fmt.Sprintf("acme/p%d", p))
			rels, err := c.Releases(ctx, repo, []string{"v1.*"})
			if err != nil {
				b.Fatal(err)
			}
			for _, rel := range rels {
				for _, pl := range rel.Platforms {
					cands, err := c.SBOMCandidates(ctx, rel, pl)
					if err != nil || len(cands) != 1 {
						b.Fatalf("%s %s: %d candidates, %v", rel.Tag, pl, len(cands), err)
					}
					if _, err := c.FetchBlob(ctx, repo, cands[0].Layer); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	}
	report := func(b *testing.B) {
		for k, v := range reg.Counts() {
			b.ReportMetric(float64(v)/float64(b.N), strings.ReplaceAll(string(k), " ", "-")+"/op")
		}
	}
	b.Run("cold", func(b *testing.B) {
		reg.ResetCounts()
		for b.Loop() {
			run(b, newClient(b, b.TempDir()))
		}
		report(b)
	})
	b.Run("warm", func(b *testing.B) {
		dir := b.TempDir()
		run(b, newClient(b, dir))
		runtime.GC()
		reg.ResetCounts()
		for b.Loop() {
			run(b, newClient(b, dir))
		}
		report(b)
	})
}
