package statements

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies pins what doc.go promises: the authoring model never
// depends on the CLI, registry, git or signing libraries.
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	forbidden := []string{
		"github.com/spf13/cobra", "oras.land/oras-go", "github.com/go-git/go-git",
		"github.com/sigstore/", "github.com/vexil-dev/vexil/cmd", "github.com/vexil-dev/vexil/internal/oci",
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("statements depends on %s", dep)
			}
		}
	}
}
