package publish_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/publish"
)

// benchReleases is how many releases (of 3 subjects each) the benchmark
// publishes.
const benchReleases = 100

// benchRegistries are the registries BenchmarkPublish publishes to: with
// the referrers API, and with the tag schema, where each subject also
// costs the read-modify-write of its sha256-<hex> index.
var benchRegistries = []struct {
	name string
	new  func(testing.TB) *registrytest.Registry
}{{"olareg", registrytest.NewOlareg}, {"distribution", registrytest.NewDistribution}}

// benchSetup starts a registry with newReg, pushes benchReleases releases
// to it and makes a VEX repository about them.
func benchSetup(b *testing.B, newReg func(testing.TB) *registrytest.Registry) (*registrytest.Registry, publish.Options) {
	b.Helper()
	reg := newReg(b)
	tags := make([]string, benchReleases)
	for i := range tags {
		tags[i] = fmt.Sprintf("v1.%03d", i)
	}
	pushReleases(b, reg, "acme/proxy", tags...)
	dir := vexRepo(b, reg.Ref("acme/proxy"))
	signer, _ := keyPair(b)
	return reg, publish.Options{Config: loadConfig(b, dir), Client: newClient(b, 0), Signer: signer, Jobs: 16, Tooling: "vexil"}
}

// reportPerSubject reports the requests of each kind per subject, and
// all of them.
func reportPerSubject(b *testing.B, counts map[registrytest.Kind]int, subjects int) {
	total := 0
	for k, n := range counts {
		b.ReportMetric(float64(n)/float64(subjects), strings.ReplaceAll(string(k), " ", "-")+"/subject")
		total += n
	}
	b.ReportMetric(float64(total)/float64(subjects), "requests/subject")
}

// BenchmarkPublish publishes 100 releases x 3 subjects to each of
// benchRegistries, then publishes the same commit again.
func BenchmarkPublish(b *testing.B) {
	for _, r := range benchRegistries {
		b.Run(r.name, func(b *testing.B) { benchPublish(b, r.new) })
	}
}

func benchPublish(b *testing.B, newReg func(testing.TB) *registrytest.Registry) {
	ctx := context.Background()
	b.Run("first", func(b *testing.B) {
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			reg, opts := benchSetup(b, newReg)
			reg.ResetCounts()
			b.StartTimer()
			start, cpuStart := time.Now(), cpuTime()
			res, err := publish.Run(ctx, opts)
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			cpuRun := cpuTime() - cpuStart
			cpu += cpuRun
			n := len(subjects(res))
			if n != 3*benchReleases {
				b.Fatalf("%d subjects, want %d", n, 3*benchReleases)
			}
			b.Logf("%d subjects in %v (CPU %v, the registry's included): %s", n, time.Since(start), cpuRun, registrytest.CountsString(reg.Counts()))
			reportPerSubject(b, reg.Counts(), n)
			b.StartTimer()
		}
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	})
	b.Run("rerun", func(b *testing.B) {
		reg, opts := benchSetup(b, newReg)
		if _, err := publish.Run(ctx, opts); err != nil {
			b.Fatal(err)
		}
		var cpu time.Duration
		for b.Loop() {
			reg.ResetCounts()
			start := cpuTime()
			res, err := publish.Run(ctx, opts)
			cpu += cpuTime() - start
			if err != nil {
				b.Fatal(err)
			}
			counts := reg.Counts()
			n := len(subjects(res))
			pushes := counts[registrytest.KindManifestPut] + counts[registrytest.KindBlobPost] + counts[registrytest.KindBlobPut] + counts[registrytest.KindBlobPatch]
			// a listing is a referrers API call or, with the tag schema,
			// a GET of the sha256-<hex> tag: every manifest GET but the
			// two resolutions of each release tag (before and after)
			listings := counts[registrytest.KindReferrers] + counts[registrytest.KindManifestGet] - 2*benchReleases
			if pushes != 0 || listings > n {
				b.Fatalf("re-run: %s for %d subjects", registrytest.CountsString(counts), n)
			}
			b.StopTimer()
			b.Logf("re-run of %d subjects: %s", n, registrytest.CountsString(counts))
			reportPerSubject(b, counts, n)
			b.StartTimer()
		}
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	})
}

// BenchmarkSign signs one subject's statement (a document of three
// statements over three digests) with a key decrypted once.
func BenchmarkSign(b *testing.B) {
	ctx := context.Background()
	_, opts := benchSetup(b, registrytest.NewOlareg)
	res, err := publish.Documents(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	rel := res.Releases[0]
	st := sign.Statement{Subjects: []sign.Subject{{Name: rel.Repository, Digest: rel.Index.Digest.String()}},
		PredicateType: sign.DefaultPredicateType, Predicate: rel.Canonical}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sign.Attest(ctx, opts.Signer, st); err != nil {
			b.Fatal(err)
		}
	}
}
