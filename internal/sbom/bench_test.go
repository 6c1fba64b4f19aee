package sbom_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/package-url/packageurl-go"
	spdxjson "github.com/spdx/tools-golang/json"

	"github.com/vexil-dev/vexil/internal/sbom"
	"github.com/vexil-dev/vexil/internal/sbom/sbomtest"
)

// benchSize is the size of the generated documents the benchmarks parse.
const benchSize = 50 << 20

// benchPurls returns n distinct purls of mixed ecosystems.
func benchPurls(n int) []string {
	purls := make([]string, n)
	for i := range purls {
		switch i % 5 {
		case 0:
			purls[i] = fmt.Sprintf("pkg:golang/github.com/org%d/module-%d@v1.%d.0", i%97, i, i%13)
		case 1:
			purls[i] = fmt.Sprintf("pkg:npm/%%40scope%d/package-%d@%d.2.3", i%89, i, i%7)
		case 2:
			purls[i] = fmt.Sprintf("pkg:pypi/Python_Package_%d@0.%d.1", i, i%11)
		case 3:
			purls[i] = fmt.Sprintf("pkg:apk/wolfi/lib-%d@1.%d-r0?arch=x86_64&distro=wolfi-20230201", i, i%5)
		default:
			purls[i] = fmt.Sprintf("pkg:maven/org.example.group%d/artifact-%d@2.%d.1", i%31, i, i%9)
		}
	}
	return purls
}

// writeBenchDoc writes a generated document of about benchSize bytes to a
// file in a temporary directory and returns its path and purl count. The
// document is read from a file, as vexil reads cached blobs, so that the
// input itself does not sit in the heap being measured.
func writeBenchDoc(b *testing.B, gen func(io.Writer, []string) error) (string, int) {
	b.Helper()
	const sample = 1000
	cw := &countingWriter{}
	if err := gen(cw, benchPurls(sample)); err != nil {
		b.Fatal(err)
	}
	n := int(int64(sample) * benchSize / cw.n)
	path := filepath.Join(b.TempDir(), "sbom.json")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := gen(f, benchPurls(n)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, n
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// runBench parses the file at path b.N times with parse, which returns the
// number of distinct purls, and reports the peak heap seen while parsing.
func runBench(b *testing.B, path string, want int, parse func(io.Reader) (int, error)) {
	b.Helper()
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(info.Size())
	runtime.GC()
	stop := samplePeakHeap()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		got, err := parse(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("got %d purls, want %d", got, want)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(stop())/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(want), "packages")
}

// samplePeakHeap samples the bytes of heap objects, live or not yet
// collected, every 200µs until the returned function is called, which
// returns the peak above the level at the start.
func samplePeakHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := read(); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		if p := peak.Load(); p > base {
			return p - base
		}
		return 0
	}
}

// purlSet normalises purls as Parse does, for the library variants to do
// the same work.
type purlSet map[string]struct{}

func (s purlSet) add(raw string) {
	if p, err := packageurl.FromString(raw); err == nil {
		s[p.ToString()] = struct{}{}
	}
}

func parseOurs(r io.Reader) (int, error) {
	s, err := sbom.Parse(r)
	if err != nil {
		return 0, err
	}
	return len(s.Purls()), nil
}

func parseToolsGolang(r io.Reader) (int, error) {
	doc, err := spdxjson.Read(r)
	if err != nil {
		return 0, err
	}
	set := purlSet{}
	for _, p := range doc.Packages {
		for _, ref := range p.PackageExternalReferences {
			if ref.RefType == "purl" {
				set.add(ref.Locator)
			}
		}
	}
	return len(set), nil
}

func parseCycloneDXGo(r io.Reader) (int, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(r, cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return 0, err
	}
	set := purlSet{}
	var walk func([]cdx.Component)
	walk = func(cs []cdx.Component) {
		for i := range cs {
			set.add(cs[i].PackageURL)
			if cs[i].Components != nil {
				walk(*cs[i].Components)
			}
		}
	}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		walk([]cdx.Component{*bom.Metadata.Component})
	}
	if bom.Components != nil {
		walk(*bom.Components)
	}
	return len(set), nil
}

func genCycloneDX16(w io.Writer, purls []string) error {
	return sbomtest.GenerateCycloneDX(w, "1.6", purls)
}

func BenchmarkParseSPDX50MB(b *testing.B) {
	path, n := writeBenchDoc(b, sbomtest.GenerateSPDX)
	runBench(b, path, n, parseOurs)
}

func BenchmarkParseSPDX50MBToolsGolang(b *testing.B) {
	path, n := writeBenchDoc(b, sbomtest.GenerateSPDX)
	runBench(b, path, n, parseToolsGolang)
}

func BenchmarkParseCycloneDX50MB(b *testing.B) {
	path, n := writeBenchDoc(b, genCycloneDX16)
	runBench(b, path, n, parseOurs)
}

func BenchmarkParseCycloneDX50MBCycloneDXGo(b *testing.B) {
	path, n := writeBenchDoc(b, genCycloneDX16)
	runBench(b, path, n, parseCycloneDXGo)
}

// BenchmarkParseBundle50MB parses the 50 MB CycloneDX document as a
// sigstore bundle: in-toto statement, base64 in a DSSE envelope, in a bundle.
func BenchmarkParseBundle50MB(b *testing.B) {
	path, n := writeBenchDoc(b, func(w io.Writer, purls []string) error {
		var doc bytes.Buffer
		if err := sbomtest.GenerateCycloneDX(&doc, "1.6", purls); err != nil {
			return err
		}
		st, err := sbomtest.InToto(sbomtest.Statement{Type: sbom.StatementV1, PredicateType: sbom.PredicateCycloneDX, SubjectName: "r", SubjectSHA256: "00"}, doc.Bytes())
		if err != nil {
			return err
		}
		env, err := sbomtest.DSSE(sbom.MediaTypeInToto, st)
		if err != nil {
			return err
		}
		bundle, err := sbomtest.Bundle(env)
		if err != nil {
			return err
		}
		_, err = w.Write(bundle)
		return err
	})
	runBench(b, path, n, parseOurs)
}

// BenchmarkContains looks up purls in a 3,000-package SBOM, the size the
// issue's check benchmark uses.
func BenchmarkContains(b *testing.B) {
	purls := benchPurls(3000)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(sbomtest.GenerateSPDX(pw, purls)) }()
	s, err := sbom.Parse(pr)
	if err != nil {
		b.Fatal(err)
	}
	queries := []string{
		"pkg:golang/github.com/org35/module-1005@v1.4.0",
		"pkg:golang/github.com/org35/module-1005",
		"pkg:apk/wolfi/lib-2998?arch=x86_64",
		"pkg:pypi/python-package-2997@0.5.1",
		"pkg:npm/left-pad@1.3.0",
	}
	want := []bool{true, true, true, true, false}
	b.ReportAllocs()
	for b.Loop() {
		for i, q := range queries {
			ok, err := s.Contains(q)
			if err != nil || ok != want[i] {
				b.Fatalf("Contains(%q): got %v, %v; want %v", q, ok, err, want[i])
			}
		}
	}
}
