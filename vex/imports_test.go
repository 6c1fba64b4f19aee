package vex_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports pins the package's place in the layers: vex knows nothing of
// the authoring model, git, registries, signing or the command line, and
// never prints.
func TestImports(t *testing.T) {
	forbidden := []string{
		"github.com/vexil-dev/vexil/statements",
		"github.com/vexil-dev/vexil/gitstore",
		"github.com/vexil-dev/vexil/internal/oci",
		"github.com/vexil-dev/vexil/internal/sign",
		"github.com/vexil-dev/vexil/publish",
		"github.com/vexil-dev/vexil/pull",
		"github.com/spf13/cobra",
		"oras.land/oras-go",
		"github.com/sigstore/",
		"github.com/go-git/",
		"log",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			for _, bad := range forbidden {
				if path == bad || strings.HasPrefix(path, strings.TrimSuffix(bad, "/")+"/") || (strings.HasSuffix(bad, "/") && strings.HasPrefix(path, bad)) {
					t.Errorf("%s imports %s", file, path)
				}
			}
		}
	}
	if checked < 7 {
		t.Errorf("checked %d files, want the package's 7 or more", checked)
	}
}
