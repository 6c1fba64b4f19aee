package oci_test

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports pins the layering DESIGN.md asks for: oci imports no vexil
// package, and the test support around it leaves oras-go to oci.
func TestImports(t *testing.T) {
	for _, tc := range []struct {
		dir       string
		forbidden []string
	}{
		{".", []string{"github.com/vexil-dev/vexil/"}},
		{"../fixture", []string{"oras.land/", "github.com/vexil-dev/vexil/internal/sbom\x00"}},
		{"../registrytest", []string{"oras.land/", "github.com/vexil-dev/vexil/"}},
	} {
		pkg, err := build.ImportDir(tc.dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pkg.Imports {
			for _, f := range tc.forbidden {
				if strings.HasPrefix(imp+"\x00", f) {
					t.Errorf("%s imports %s", pkg.ImportPath, imp)
				}
			}
		}
	}
}
