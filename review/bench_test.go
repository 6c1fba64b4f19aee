package review

import (
	"context"
	"testing"

	"github.com/vexil-dev/vexil/internal/gittest"
)

// BenchmarkRun measures `vexil check --base main` with HEAD on a branch
// that changes 50 statement files, in gittest.BenchRepo (10,000 statement
// files, 2,000 commits with merges), checked out: open the repository,
// resolve, find the merge base, diff, read the working tree status
// (hashing every statement file), load the statements it needs, check the
// changed ones and compute the impact.
func BenchmarkRun(b *testing.B) {
	dir := gittest.BenchRepo(b)
	cfg := config(b, dir)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := gittest.CPUTime()
	for b.Loop() {
		res, err := Run(ctx, Options{Config: cfg, Base: "main"})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Files) != gittest.BenchPR || len(res.Impact) != gittest.BenchPR || len(res.Findings) != 0 {
			b.Fatalf("got %d files, %d changes, findings %q; want %d, %d and none",
				len(res.Files), len(res.Impact), findingStrings(res.Findings[:min(3, len(res.Findings))]), gittest.BenchPR, gittest.BenchPR)
		}
	}
	b.StopTimer()
	gittest.ReportCost(b, cpu)
}
