package statements

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writeBenchRepo generates a VEX repository of n statement files across
// the given number of products.
func writeBenchRepo(tb testing.TB, n, products int) string {
	tb.Helper()
	root := tb.TempDir()
	var cfg bytes.Buffer
	cfg.WriteString("author: Bench <bench@example.com>\nid_prefix: https://vex.example.com\nproducts:\n")
	for p := range products {
		fmt.Fprintf(&cfg, "  product-%02d:\n    repository: registry.example.com/acme/product-%02d\n    tags: [\"v1.*\", \"v2.*\"]\n", p, p)
	}
	if err := os.WriteFile(filepath.Join(root, ConfigFileName), cfg.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		p := i % products
		dir := filepath.Join(root, StatementsDir, fmt.Sprintf("product-%02d", p))
		if i < products {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				tb.Fatal(err)
			}
		}
		var s Statement
		s.Vulnerability = fmt.Sprintf("CVE-2024-%05d", i)
		s.Aliases = []string{fmt.Sprintf("GO-2024-%04d", i)}
		s.Products = []ProductSelector{{Name: fmt.Sprintf("product-%02d", p)}}
		if i%3 == 0 {
			s.Products[0].Tags = []string{"v1.*"}
		}
		s.Subcomponents = []string{fmt.Sprintf("pkg:golang/example.com/module%d@v1.%d.0", i%97, i%7)}
		switch i % 4 {
		case 0:
			s.Status, s.Justification = StatusNotAffected, "vulnerable_code_not_in_execute_path"
			s.ImpactStatement = "The vulnerable function is never called by this product."
		case 1:
			s.Status, s.ActionStatement = StatusAffected, "Upgrade to the next release."
		case 2:
			s.Status = StatusFixed
		case 3:
			s.Status, s.StatusNotes = StatusUnderInvestigation, "Triage in progress."
		}
		data, err := Marshal(s)
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.Vulnerability+".yaml"), data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return root
}

// BenchmarkCheckOffline measures what `vexil check --offline` does over a
// repository of 10,000 statement files across 30 products: load the
// configuration, load every statement, run every offline rule. It reports
// the peak resident set of the process (VmHWM) as peak-RSS-MB, and the
// CPU time (user and system) per run as cpu-ms/op, which the load of a
// shared machine skews less than wall time.
func BenchmarkCheckOffline(b *testing.B) {
	root := writeBenchRepo(b, 10000, 30)
	ctx := context.Background()
	b.ReportAllocs()
	cpuBefore := cpuTime()
	for b.Loop() {
		cfg, cfgFindings, err := LoadConfig(filepath.Join(root, ConfigFileName))
		if err != nil || len(cfgFindings) != 0 {
			b.Fatalf("LoadConfig: %v %v", err, cfgFindings)
		}
		stmts, findings, err := LoadStatements(root, nil)
		if err != nil || len(findings) != 0 {
			b.Fatalf("LoadStatements: %v %v", err, findings)
		}
		if len(stmts) != 10000 {
			b.Fatalf("got %d statements, want 10000", len(stmts))
		}
		findings, err = Check(ctx, cfg, stmts, CheckOptions{})
		if err != nil || len(findings) != 0 {
			b.Fatalf("Check: %v, %d findings, first %v", err, len(findings), findings[:min(1, len(findings))])
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpuBefore).Milliseconds())/float64(b.N), "cpu-ms/op")
	if hwm, ok := peakRSS(); ok {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-RSS-MB")
	}
}

// peakRSS reads the peak resident set size of this process, in bytes,
// from /proc/self/status (Linux only).
func peakRSS() (int64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
