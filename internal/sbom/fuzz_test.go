package sbom_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/vexil-dev/vexil/internal/sbom"
)

// FuzzParse checks that Parse never panics and that every failure wraps one
// of the package's sentinels. The seeds are every fixture in testdata, so
// plain go test runs them.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		if info, err := os.Stat(name); err != nil || info.IsDir() {
			continue // testdata/fuzz holds the fuzzer's own corpus
		}
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"predicate": {"predicate": {"predicate": {"predicate": {"predicate": {}}}}}}`))
	f.Add([]byte(`{"dsseEnvelope": {"payloadType": "application/vnd.in-toto+json", "payload": "e30="}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := sbom.Parse(bytes.NewReader(doc), sbom.WithMaxSize(1<<20))
		if err != nil {
			if s != nil {
				t.Errorf("non-nil SBOM with error %v", err)
			}
			if !errors.Is(err, sbom.ErrUnsupportedFormat) && !errors.Is(err, sbom.ErrMalformed) && !errors.Is(err, sbom.ErrTooLarge) {
				t.Errorf("error wraps no sentinel: %v", err)
			}
			return
		}
		if s.Format == "" || s.Packages < 0 {
			t.Errorf("inconsistent SBOM: format %q, %d packages", s.Format, s.Packages)
		}
		for _, p := range s.Purls() {
			if ok, err := s.Contains(p); err != nil || !ok {
				t.Errorf("Contains(%q) of its own purl: %v, %v", p, ok, err)
			}
		}
	})
}
