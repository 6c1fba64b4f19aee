package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/internal/fixture"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
)

// Sizes of BenchmarkCheckOnline: issue 3's performance target.
const (
	benchProducts   = 20
	benchReleases   = 5
	benchStatements = 1000
	benchPackages   = 3000
)

// benchPackageList is the SBOM of one platform of one release: mostly Go
// modules whose versions move from release to release, and Debian
// packages qualified by architecture, so every platform's SBOM differs.
func benchPackageList(product, release int, arch string) []string {
	pkgs := make([]string, 0, benchPackages)
	for i := range benchPackages - 100 {
		pkgs = append(pkgs, fmt.Sprintf("pkg:golang/example.com/p%d/mod%d@v1.%d.0", product, i, (i+release)%7))
	}
	for i := range 100 {
		pkgs = append(pkgs, fmt.Sprintf("pkg:deb/debian/lib%d@1.%d-1?arch=%s", i, release, arch))
	}
	return pkgs
}

// writeBenchRepo writes vexil.yaml and benchStatements statements about
// the products on host: version-less subcomponents (in every SBOM), some
// with tag selectors, and every tenth with a version that only some
// releases ship, so that the report has findings to aggregate.
func writeBenchRepo(b *testing.B, host string) (string, int) {
	root := b.TempDir()
	var cfg strings.Builder
	cfg.WriteString("author: Bench <bench@example.com>\nid_prefix: https://vex.example.com\nproducts:\n")
	for p := range benchProducts {
		fmt.Fprintf(&cfg, "  p%d:\n    repository: %s/acme/p%d\n    tags: [\"v1.*\"]\n", p, host, p)
	}
	write := func(name, content string) {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("vexil.yaml", cfg.String())
	wantErrors := 0
	per := benchStatements / benchProducts
	for p := range benchProducts {
		for j := range per {
			n := p*per + j
			var s strings.Builder
			fmt.Fprintf(&s, "vulnerability: CVE-2024-%d\n", 10000+n)
			if j%5 == 0 {
				fmt.Fprintf(&s, "products:\n  - name: p%d\n    tags: [\"v1.%d.*\"]\n", p, j%benchReleases)
			} else {
				fmt.Fprintf(&s, "products: [p%d]\n", p)
			}
			fmt.Fprintf(&s, "subcomponents:\n  - pkg:golang/example.com/p%d/mod%d\n  - pkg:deb/debian/lib%d\n", p, (j*37)%(benchPackages-100), j%100)
			if j%10 == 1 {
				// v1.0.0 of mod j ships in the releases r with (j+r)%7 == 0 only
				fmt.Fprintf(&s, "  - pkg:golang/example.com/p%d/mod%d@v1.0.0\n", p, j)
				wantErrors++
			}
			s.WriteString("status: not_affected\njustification: vulnerable_code_not_in_execute_path\n")
			write(fmt.Sprintf("statements/p%d/CVE-2024-%d.yaml", p, 10000+n), s.String())
		}
	}
	return root, wantErrors
}

// vmHWM returns the process's peak resident set size in bytes.
func vmHWM(tb testing.TB) float64 { return procStatus(tb, "VmHWM:") }

// procStatus returns a size field of /proc/self/status in bytes.
func procStatus(tb testing.TB, field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				tb.Fatal(err)
			}
			return float64(kb) * 1024
		}
	}
	tb.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// childEnv names the environment variables through which
// BenchmarkCheckOnline hands one check to TestCheckOnlineChild.
const (
	childRootEnv  = "VEXIL_BENCH_CHILD_ROOT"
	childCacheEnv = "VEXIL_BENCH_CHILD_CACHE"
	childOutEnv   = "VEXIL_BENCH_CHILD_OUT"
)

// childFigures is what one check costs the client alone, measured in a
// process of its own, without the in-process registry.
type childFigures struct {
	Exit int `json:"exit"`
	// StartRSS is the child's resident set before the check; PeakRSS its
	// peak (VmHWM) after.
	StartRSS float64 `json:"startRSS"`
	PeakRSS  float64 `json:"peakRSS"`
	// Bytes and Allocs are the heap allocations of the check.
	Bytes  uint64 `json:"bytes"`
	Allocs uint64 `json:"allocs"`
	// PeakHeap is the most heap in use seen by a sampler during the check.
	PeakHeap uint64 `json:"peakHeap"`
}

// TestCheckOnlineChild is not a test of its own: BenchmarkCheckOnline runs
// the test binary again with only this function, to measure one check's
// memory in a process that holds no registry. Otherwise it is skipped.
func TestCheckOnlineChild(t *testing.T) {
	root := os.Getenv(childRootEnv)
	if root == "" {
		t.Skip("run by BenchmarkCheckOnline only")
	}
	fig := childFigures{StartRSS: procStatus(t, "VmRSS:")}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	done := make(chan struct{})
	sampled := make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(samples)
			peak = max(peak, samples[0].Value.Uint64())
			select {
			case <-done:
				sampled <- peak
				return
			case <-tick.C:
			}
		}
	}()
	var stdout, stderr bytes.Buffer
	env := &environment{In: strings.NewReader(""), Out: &stdout, Err: &stderr, Getwd: func() (string, error) { return root, nil }}
	fig.Exit = run(context.Background(), env, []string{"check", "--plain-http", "--cache-dir", os.Getenv(childCacheEnv)})
	runtime.ReadMemStats(&after)
	close(done)
	fig.PeakHeap = <-sampled
	fig.PeakRSS = vmHWM(t)
	fig.Bytes, fig.Allocs = after.TotalAlloc-before.TotalAlloc, after.Mallocs-before.Mallocs
	b, err := json.Marshal(fig)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv(childOutEnv), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkInChild runs one check over root with cacheDir in a child process
// and returns what it cost the client alone.
func checkInChild(b *testing.B, root, cacheDir string) childFigures {
	b.Helper()
	out := filepath.Join(b.TempDir(), "figures.json")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckOnlineChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childRootEnv+"="+root, childCacheEnv+"="+cacheDir, childOutEnv+"="+out)
	if o, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("child check: %v\n%s", err, o)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		b.Fatal(err)
	}
	var fig childFigures
	if err := json.Unmarshal(data, &fig); err != nil {
		b.Fatal(err)
	}
	if fig.Exit != exitFindings {
		b.Fatalf("child check: exit %d, want %d", fig.Exit, exitFindings)
	}
	return fig
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheckOnline runs `vexil check` in-process over 1,000 statements
// about 20 products × 5 releases × 2 platforms whose SBOMs list 3,000
// packages each, on olareg behind the counting front: cold (empty cache)
// and warm (every blob cached). It reports the registry requests per run
// by kind and the process CPU time per run (user+system, the in-process
// registry's included) as cpu-ms/op. B/op, allocs/op and the process's
// RSS count the registry too (it holds ~200 SBOMs in memory), so after
// the loop one more check runs in a child process of the test binary that
// holds no registry, and what that check alone cost is reported:
// client-B/op and client-allocs/op (heap allocated), client-peak-heap-bytes
// (live heap, sampled every 5ms), client-peak-RSS-bytes (VmHWM) and
// client-start-RSS-bytes (the child's RSS before the check).
func BenchmarkCheckOnline(b *testing.B) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(b)
	pusher, err := oci.New(oci.Options{PlainHTTP: true, Anonymous: true, NoCache: true})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for p := range benchProducts {
		for r := range benchReleases {
			spec := fixture.Spec{Seed: uint64(p*100 + r), Platforms: []fixture.PlatformSpec{
				{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: benchPackageList(p, r, "amd64")},
				{OS: "linux", Architecture: "arm64", SBOM: fixture.CycloneDX, Packages: benchPackageList(p, r, "arm64")},
			}}
			if _, err := fixture.PushRelease(ctx, pusher, fmt.Sprintf("%s/acme/p%d", reg.Host, p), fmt.Sprintf("v1.%d.0", r), spec); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("pushed %d releases in %s", benchProducts*benchReleases, time.Since(start).Round(time.Millisecond))
	root, wantErrors := writeBenchRepo(b, reg.Host)

	check := func(b *testing.B, cacheDir string) {
		var stdout, stderr bytes.Buffer
		env := &environment{In: strings.NewReader(""), Out: &stdout, Err: &stderr, Getwd: func() (string, error) { return root, nil }}
		code := run(ctx, env, []string{"check", "--plain-http", "--cache-dir", cacheDir})
		if code != exitFindings {
			b.Fatalf("exit %d, want %d\n%s", code, exitFindings, stderr.String())
		}
		if got := strings.Count(stdout.String(), ": subcomponent-not-in-sbom: "); got != wantErrors {
			b.Fatalf("got %d subcomponent-not-in-sbom findings, want %d\n%s", got, wantErrors, stdout.String())
		}
	}
	report := func(b *testing.B, cpu time.Duration, counts map[registrytest.Kind]int, child childFigures) {
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		for k, v := range counts {
			b.ReportMetric(float64(v)/float64(b.N), strings.ReplaceAll(string(k), " ", "-")+"/op")
		}
		b.ReportMetric(float64(child.Bytes), "client-B/op")
		b.ReportMetric(float64(child.Allocs), "client-allocs/op")
		b.ReportMetric(float64(child.PeakHeap), "client-peak-heap-bytes")
		b.ReportMetric(child.PeakRSS, "client-peak-RSS-bytes")
		b.ReportMetric(child.StartRSS, "client-start-RSS-bytes")
	}
	b.Run("cold", func(b *testing.B) {
		reg.ResetCounts()
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			check(b, b.TempDir())
		}
		cpu = cpuTime() - cpu
		counts := reg.Counts()
		report(b, cpu, counts, checkInChild(b, root, b.TempDir()))
	})
	b.Run("warm", func(b *testing.B) {
		dir := b.TempDir()
		check(b, dir)
		reg.ResetCounts()
		b.ReportAllocs()
		cpu := cpuTime()
		for b.Loop() {
			check(b, dir)
		}
		cpu = cpuTime() - cpu
		if n := reg.Count(registrytest.KindBlobGet); n != 0 {
			b.Errorf("warm: %d blob GETs, want 0", n)
		}
		counts := reg.Counts()
		report(b, cpu, counts, checkInChild(b, root, dir))
	})
}
