package gittest

import (
	"bufio"
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
)

// benchVersion names the generated benchmark repository; change it when
// the generator changes so a stale cached copy is not reused.
const benchVersion = "v1"

// The sizes of the benchmark repository.
const (
	// BenchFiles is the number of statement files on main.
	BenchFiles = 10000
	// BenchCommits is the number of commits main reaches, merges and
	// side branch commits included.
	BenchCommits = 2000
	// BenchProducts is the number of products, each with its directory
	// statements/product-NN and its entry in vexil.yaml.
	BenchProducts = 30
	// BenchPR is the number of statement files the branch pr50 changes.
	BenchPR = 50
)

// BenchRepo returns the benchmark repository, generated once with git
// fast-import, repacked with deltas as a clone's pack is, and cached under
// os.TempDir. Its main branch has a vexil.yaml of BenchProducts products
// and BenchFiles statement files below statements/, written over
// BenchCommits commits, every 40th of them merging a side branch of two
// commits after one commit on main. The branch pr50, checked out, is one
// commit on main that changes the status of BenchPR statement files.
func BenchRepo(b *testing.B) string {
	b.Helper()
	Require(b)
	dir := filepath.Join(os.TempDir(), "vexil-bench-repo-"+benchVersion)
	if _, err := os.Stat(filepath.Join(dir, ".git", "vexil-complete")); err == nil {
		return dir
	}
	tmp, err := os.MkdirTemp(os.TempDir(), "vexil-bench-repo-tmp-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	Run(b, tmp, start, "init", "-q", "-b", "main")
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
	cmd.Dir, cmd.Stdin, cmd.Env = tmp, in, Env(tmp, start)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git fast-import: %v\n%s", err, out)
	}
	os.Remove(stream)
	Run(b, tmp, start, "repack", "-adfq", "--window=10", "--depth=50")
	Run(b, tmp, start, "checkout", "-q", "-f", "pr50")
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

// productAndVuln splits a path of benchPath.
func productAndVuln(path string) (product, vuln string) {
	return filepath.Base(filepath.Dir(path)), strings.TrimSuffix(filepath.Base(path), ".yaml")
}

// add adds a new statement file about vuln for product p into ops.
func (g *benchGen) add(ops map[string]int, p int, vuln string) {
	path := benchPath(p, vuln)
	ops[path] = g.statement(fmt.Sprintf("product-%02d", p), vuln, 0)
	g.files[path] = true
	g.names = nil
}

// change adds a statement file (until there are BenchFiles) or rewrites
// one, into ops.
func (g *benchGen) change(ops map[string]int) {
	p := g.rng.IntN(BenchProducts)
	if len(g.files) < BenchFiles && g.rng.IntN(2) == 0 {
		g.next++
		g.add(ops, p, fmt.Sprintf("CVE-2024-%05d", g.next))
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
	prod, vuln := productAndVuln(path)
	ops[path] = g.statement(prod, vuln, g.rng.IntN(1<<30)+1)
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
	for p := range BenchProducts {
		cfg = fmt.Appendf(cfg, "  product-%02d:\n    repository: registry.example.com/acme/product-%02d\n    tags: [\"v*\"]\n", p, p)
	}
	ops := map[string]int{"vexil.yaml": g.blob(string(cfg))}
	for len(g.files) < BenchFiles*3/4 {
		g.next++
		g.add(ops, g.next%BenchProducts, fmt.Sprintf("CVE-2023-%05d", g.next))
	}
	head := g.commit("refs/heads/main", 0, 0, ops)
	commits := 1
	for commits < BenchCommits-1 {
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
			commits += 4 // two on the side branch, one on main, the merge
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
	for len(g.files) < BenchFiles { // top up to exactly BenchFiles
		g.next++
		g.add(ops, g.next%BenchProducts, fmt.Sprintf("CVE-2025-%05d", g.next))
	}
	if len(g.files) != BenchFiles {
		return fmt.Errorf("generated %d statement files, want %d", len(g.files), BenchFiles)
	}
	head = g.commit("refs/heads/main", head, 0, ops)
	// pr50: one commit that changes the status of BenchPR files.
	names := make([]string, 0, len(g.files))
	for n := range g.files {
		names = append(names, n)
	}
	slices.Sort(names)
	ops = map[string]int{}
	for i := range BenchPR {
		path := names[i*len(names)/BenchPR]
		prod, vuln := productAndVuln(path)
		ops[path] = g.blob(fmt.Sprintf("vulnerability: %s\nproducts: [%s]\nstatus: not_affected\njustification: component_not_present\n",
			vuln, prod))
	}
	g.commit("refs/heads/pr50", head, 0, ops)
	g.w.WriteString("done\n")
	return g.w.Flush()
}

// ReportCost reports, for a benchmark that ran b.N times since its CPU
// time was cpuStart (from CPUTime), the CPU time per run in ms — steadier
// than wall time on shared cores — and the peak resident set size of the
// process in MB, which includes generating BenchRepo when it was not
// cached.
func ReportCost(b *testing.B, cpuStart time.Duration) {
	b.ReportMetric(float64((CPUTime()-cpuStart).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	if hwm, ok := PeakRSS(); ok {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MB")
	}
}

// CPUTime returns the user and system CPU time the process has used.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// PeakRSS reads the peak resident set size of the process, in bytes, from
// /proc/self/status; ok is false where there is none (not Linux).
func PeakRSS() (n int64, ok bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, found := strings.CutPrefix(line, "VmHWM:"); found {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
