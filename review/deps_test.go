package review

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestImports pins what doc.go promises: review reads git only through
// gitstore and statements only through statements, and imports nothing
// else of ours or of anyone else's but the standard library.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := []string{"github.com/vexil-dev/vexil/gitstore", "github.com/vexil-dev/vexil/statements"}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.Contains(strings.Split(path, "/")[0], ".") && !slices.Contains(allowed, path) {
				t.Errorf("%s imports %s; want only the standard library and %v", name, path, allowed)
			}
		}
	}
	if checked < 5 {
		t.Errorf("checked %d files, want the whole package", checked)
	}
}
