package pull_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/pull"
	"github.com/vexil-dev/vexil/vex"
)

// The benchmark's image: 50 VEX referrers of 200 statements each, spread
// over the index and both platforms.
const (
	benchReferrers  = 50
	benchStatements = 200
)

// heavyImage is an olareg registry holding the benchmark's image.
type heavyImage struct {
	reg *registrytest.Registry
	rel oci.Release
	pub string
}

// newHeavyImage pushes the benchmark's image to a new olareg and resets
// its counters.
func newHeavyImage(tb testing.TB) heavyImage {
	tb.Helper()
	reg := registrytest.NewOlareg(tb)
	c := client(tb)
	rel := image(tb, reg, c)
	signer, pub := keyPair(tb)
	subjects := append([]oci.Platform{{Digest: rel.Digest, MediaType: rel.MediaType, Size: rel.Size}}, rel.Platforms...)
	statuses := []vex.Status{vex.StatusUnderInvestigation, vex.StatusNotAffected, vex.StatusAffected, vex.StatusFixed}
	for i := range benchReferrers {
		stmts := make([]statement, benchStatements)
		for j := range stmts {
			// documents overlap by half: the merge has work to do
			stmts[j] = statement{fmt.Sprintf("CVE-2024-%05d", i*benchStatements/2+j), statuses[(i+j)%len(statuses)], at(1).Add(time.Duration(i) * time.Hour)}
		}
		doc := document(tb, rel, stmts...)
		s := subjects[i%len(subjects)]
		pushBundle(tb, c, rel.Repository, s.Descriptor(), attest(tb, signer, rel.Repository, s.Digest, predicateType, doc), predicateType)
	}
	reg.ResetCounts()
	return heavyImage{reg: reg, rel: rel, pub: pub}
}

// TestEachFetchedOnce pulls the heavy image and counts requests: one
// referrers probe, one listing and one .att lookup per subject, and every
// manifest and blob fetched exactly once.
func TestEachFetchedOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("signs and pushes 50 documents")
	}
	img := newHeavyImage(t)
	res, err := pull.Pull(context.Background(), client(t), pull.Reference{Repository: img.rel.Repository, Tag: "v1"}, pull.Options{Verify: sign.VerifyOptions{Key: img.pub}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Accepted()) != benchReferrers {
		t.Errorf("accepted %d, want %d", len(res.Accepted()), benchReferrers)
	}
	if got, want := len(res.Document.Statements), benchStatements/2*(benchReferrers+1); got != want {
		t.Errorf("merged %d statements, want %d", got, want)
	}
	got := img.reg.Counts()
	want := map[registrytest.Kind]int{
		// the tag, then 50 referrers and 3 .att lookups (404)
		registrytest.KindManifestGet: 1 + benchReferrers + 3,
		// one layer per referrer; configs are never read
		registrytest.KindBlobGet: benchReferrers,
		// one probe, one listing per subject
		registrytest.KindReferrers: 1 + 3,
	}
	if len(got) != len(want) {
		t.Errorf("requests %s, want %s", registrytest.CountsString(got), registrytest.CountsString(want))
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d requests, want %d", k, got[k], n)
		}
	}
}

// BenchmarkPull pulls an image with 50 VEX referrers of 200 statements
// each from an in-process olareg, caching nothing, with 1 and 8 jobs.
func BenchmarkPull(b *testing.B) {
	img := newHeavyImage(b)
	for _, jobs := range []int{1, 8} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			c := client(b)
			ref := pull.Reference{Repository: img.rel.Repository, Tag: "v1"}
			opts := pull.Options{Verify: sign.VerifyOptions{Key: img.pub}, Jobs: jobs}
			img.reg.ResetCounts()
			var peak uint64
			n := 0
			cpu := cpuTime()
			for b.Loop() {
				res, err := pull.Pull(context.Background(), c, ref, opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Accepted()) != benchReferrers {
					b.Fatalf("accepted %d, want %d", len(res.Accepted()), benchReferrers)
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
				n++
			}
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(n), "cpu-ms/op")
			counts := img.reg.Counts()
			for k, v := range counts {
				b.ReportMetric(float64(v)/float64(n), strings.ReplaceAll(string(k), " ", "-")+"/op")
			}
			b.ReportMetric(float64(img.reg.Total())/float64(n), "requests/op")
			b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-inuse")
		})
	}
}
