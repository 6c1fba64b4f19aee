package review

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/statements"
)

// benchVersion names the generated benchmark repository; change it when
// the generator changes so a stale cached copy is not reused.
const benchVersion = "v1"

// Sizes of the generated benchmark repository, as gitstore's benchmark.
const (
	benchFiles    = 10000
	benchCommits  = 2000
	benchProducts = 30
	benchPR       = 50 // statement files the pr50 branch changes
)

// BenchmarkRun measures `vexil check --base main` with HEAD on a branch
// that changes 50 statement files, in a repository of 10,000 statement
// files and 2,000 commits (with merges), checked out: open the
// repository, resolve, find the merge base, diff, read the working tree
// status (hashing every statement file), load every statement, check the
// changed ones and compute the impact.
func BenchmarkRun(b *testing.B) {
	dir := benchRepo(b)
	cfg := config(b, dir)
	ctx := context.Background()
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		res, err := Run(ctx, Options{Config: cfg, Base: "main"})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Files) != benchPR || len(res.Impact) != benchPR || len(res.Findings) != 0 {
			b.Fatalf("got %d files, %d changes, findings %q; want %d, %d and none",
				len(res.Files), len(res.Impact), findingStrings(res.Findings[:min(3, len(res.Findings))]), benchPR, benchPR)
		}
	}
	b.StopTimer()
	// CPU time is steadier than wall time on shared cores.
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
	if hwm, ok := peakRSS(); ok {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MB")
	}
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS reads the peak resident set size of this process, in bytes,
// from /proc/self/status (Linux only). It includes generating the
// repository when it was not cached.
func peakRSS() (int64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

// benchRepo returns the generated repository, made once with git
// fast-import and cached under os.TempDir, with pr50 checked out.
func benchRepo(b *testing.B) string {
	b.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git CLI not installed")
	}
	dir := filepath.Join(os.TempDir(), "vexil-review-bench-"+benchVersion)
	if _, err := os.Stat(filepath.Join(dir, ".git", "vexil-complete")); err == nil {
		return dir
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "vexil-review-bench-tmp-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	runGit(b, tmp, 0, "init", "-q", "-b", "main")
	stream := filepath.Join(tmp, ".git", "import")
	if err := writeBenchStream(stream); err != nil {
		b.Fatal(err)
	}
	in, err := os.Open(stream)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	cmd := exec.Command("git", "fast-import", "--quiet", "--done", "--force")
	cmd.Dir, cmd.Stdin = tmp, in
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git fast-import: %v\n%s", err, out)
	}
	os.Remove(stream)
	runGit(b, tmp, 0, "checkout", "-q", "-f", "pr50")
	if err := os.WriteFile(filepath.Join(tmp, ".git", "vexil-complete"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %s in %v", dir, time.Since(start))
	return dir
}

// benchGen writes a git fast-import stream of the benchmark history.
type benchGen struct {
	w     *bufio.Writer
	rng   *rand.Rand
	clock time.Time
	mark  int
	files map[string]bool // paths on main
	names []string        // sorted paths on main, rebuilt lazily
	next  int             // the next vulnerability number
}

func (g *benchGen) newMark() int { g.mark++; return g.mark }

// statement writes a blob of a statement file and returns its mark.
func (g *benchGen) statement(product, vuln string, rev int) int {
	var body string
	if rev == 0 {
		body = fmt.Sprintf("vulnerability: %s\nproducts: [%s]\nstatus: under_investigation\n", vuln, product)
	} else {
		body = fmt.Sprintf("vulnerability: %s\nproducts: [%s]\nstatus: affected\naction_statement: Upgrade to revision %d.\n", vuln, product, rev)
	}
	return g.blob(body)
}

func (g *benchGen) blob(body string) int {
	m := g.newMark()
	fmt.Fprintf(g.w, "blob\nmark :%d\ndata %d\n%s\n", m, len(body), body)
	return m
}

// commit writes a commit of ops (path -> blob mark) on ref.
func (g *benchGen) commit(ref string, from int, merge int, ops map[string]int) int {
	g.clock = g.clock.Add(time.Minute)
	m := g.newMark()
	msg := "change"
	fmt.Fprintf(g.w, "commit %s\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\ndata %d\n%s\n",
		ref, m, g.clock.Unix(), len(msg), msg)
	if from > 0 {
		fmt.Fprintf(g.w, "from :%d\n", from)
	}
	if merge > 0 {
		fmt.Fprintf(g.w, "merge :%d\n", merge)
	}
	paths := make([]string, 0, len(ops))
	for p := range ops {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		fmt.Fprintf(g.w, "M 100644 :%d %s\n", ops[p], p)
	}
	g.w.WriteString("\n")
	return m
}

func benchPath(product int, vuln string) string {
	return fmt.Sprintf("statements/product-%02d/%s.yaml", product, vuln)
}

// change adds a statement file (until there are benchFiles) or rewrites
// one, into ops.
func (g *benchGen) change(ops map[string]int) {
	p := g.rng.IntN(benchProducts)
	if len(g.files) < benchFiles && g.rng.IntN(2) == 0 {
		g.next++
		vuln := fmt.Sprintf("CVE-2024-%05d", g.next)
		path := benchPath(p, vuln)
		ops[path] = g.statement(fmt.Sprintf("product-%02d", p), vuln, 0)
		g.files[path] = true
		g.names = nil
		return
	}
	if g.names == nil {
		g.names = make([]string, 0, len(g.files))
		for n := range g.files {
			g.names = append(g.names, n)
		}
		slices.Sort(g.names)
	}
	path := g.names[g.rng.IntN(len(g.names))]
	var prod, vuln string
	fmt.Sscanf(filepath.Base(filepath.Dir(path))+" "+filepath.Base(path), "%s %s", &prod, &vuln)
	ops[path] = g.statement(prod, vuln[:len(vuln)-len(".yaml")], g.rng.IntN(1<<30)+1)
}

func writeBenchStream(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	g := &benchGen{w: bufio.NewWriterSize(f, 1<<20), rng: rand.New(rand.NewPCG(7, 7)),
		clock: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), files: make(map[string]bool)}
	var cfg []byte
	cfg = append(cfg, "products:\n"...)
	for p := range benchProducts {
		cfg = fmt.Appendf(cfg, "  product-%02d:\n    repository: registry.example.com/acme/product-%02d\n    tags: [\"v*\"]\n", p, p)
	}
	ops := map[string]int{statements.ConfigFileName: g.blob(string(cfg))}
	for len(g.files) < benchFiles*3/4 {
		g.next++
		p := g.next % benchProducts
		vuln := fmt.Sprintf("CVE-2023-%05d", g.next)
		path := benchPath(p, vuln)
		ops[path] = g.statement(fmt.Sprintf("product-%02d", p), vuln, 0)
		g.files[path] = true
	}
	head := g.commit("refs/heads/main", 0, 0, ops)
	commits := 1
	for commits < benchCommits-1 {
		if commits%40 == 20 {
			// A side branch of two commits, merged after one main commit.
			side := head
			merged := map[string]int{}
			for range 2 {
				ops := map[string]int{}
				for k := g.rng.IntN(3); k >= 0; k-- {
					g.change(ops)
				}
				side = g.commit("refs/heads/side", side, 0, ops)
				for p, m := range ops {
					merged[p] = m
				}
			}
			ops := map[string]int{}
			g.change(ops)
			head = g.commit("refs/heads/main", head, 0, ops)
			head = g.commit("refs/heads/main", head, side, merged)
			commits += 4
			continue
		}
		ops := map[string]int{}
		for k := g.rng.IntN(3); k >= 0; k-- {
			g.change(ops)
		}
		head = g.commit("refs/heads/main", head, 0, ops)
		commits++
	}
	ops = map[string]int{}
	for len(g.files) < benchFiles { // top up to exactly benchFiles
		g.next++
		p := g.next % benchProducts
		vuln := fmt.Sprintf("CVE-2025-%05d", g.next)
		path := benchPath(p, vuln)
		ops[path] = g.statement(fmt.Sprintf("product-%02d", p), vuln, 0)
		g.files[path] = true
	}
	head = g.commit("refs/heads/main", head, 0, ops)
	// pr50: one commit that changes the status of benchPR files.
	names := make([]string, 0, len(g.files))
	for n := range g.files {
		names = append(names, n)
	}
	slices.Sort(names)
	ops = map[string]int{}
	for i := range benchPR {
		path := names[i*len(names)/benchPR]
		var prod, vuln string
		fmt.Sscanf(filepath.Base(filepath.Dir(path))+" "+filepath.Base(path), "%s %s", &prod, &vuln)
		ops[path] = g.blob(fmt.Sprintf("vulnerability: %s\nproducts: [%s]\nstatus: not_affected\njustification: component_not_present\n",
			vuln[:len(vuln)-len(".yaml")], prod))
	}
	g.commit("refs/heads/pr50", head, 0, ops)
	g.w.WriteString("done\n")
	return g.w.Flush()
}
