package gitstore

import (
	"context"
	"testing"

	"github.com/vexil-dev/vexil/internal/gittest"
)

// BenchmarkLastChanges walks the history of gittest.BenchRepo (2,000
// commits with merges, packed with deltas as a clone is) for its 10,000
// statement files, from a freshly opened repository each time: no warm
// object cache.
func BenchmarkLastChanges(b *testing.B) {
	dir := gittest.BenchRepo(b)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := gittest.CPUTime()
	for b.Loop() {
		repo, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		head, err := repo.Resolve(ctx, "main")
		if err != nil {
			b.Fatal(err)
		}
		got, err := repo.LastChanges(ctx, head, "statements")
		repo.Close()
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != gittest.BenchFiles {
			b.Fatalf("got %d files, want %d", len(got), gittest.BenchFiles)
		}
	}
	b.StopTimer()
	gittest.ReportCost(b, cpu)
}

// BenchmarkChanges50 finds the 50 files the branch pr50 changes since its
// merge base with main, in the same repository.
func BenchmarkChanges50(b *testing.B) {
	dir := gittest.BenchRepo(b)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := gittest.CPUTime()
	for b.Loop() {
		repo, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		head, err := repo.Resolve(ctx, "pr50")
		if err != nil {
			b.Fatal(err)
		}
		base, err := repo.Resolve(ctx, "main")
		if err != nil {
			b.Fatal(err)
		}
		mb, err := repo.MergeBase(ctx, base, head)
		if err != nil {
			b.Fatal(err)
		}
		changes, err := repo.Changes(ctx, mb, head, "statements")
		repo.Close()
		if err != nil {
			b.Fatal(err)
		}
		if len(changes) != gittest.BenchPR {
			b.Fatalf("got %d changes, want %d", len(changes), gittest.BenchPR)
		}
	}
	b.StopTimer()
	gittest.ReportCost(b, cpu)
}
