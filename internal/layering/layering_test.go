package layering

import (
	"bytes"
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/vexil-dev/vexil"

// owners lists, for each risky dependency (an import path prefix), the only
// packages of ours allowed to import it directly.
var owners = []struct {
	dep     string
	allowed []string
}{
	{"oras.land/oras-go", []string{"internal/oci"}},
	{"github.com/sigstore/", []string{"internal/sign", "internal/cosigntest"}},
	{"github.com/go-git/", []string{"gitstore"}},
	{"github.com/spf13/cobra", []string{"cmd/vexil"}},
	{"github.com/spf13/pflag", []string{"cmd/vexil"}},
	{"github.com/olareg/", []string{"internal/registrytest", "internal/demo"}},
}

// knowsNothingOfVEX lists packages that must not import our VEX domain.
var knowsNothingOfVEX = []string{"gitstore", "internal/oci", "internal/sbom"}

var vexDomain = []string{"statements", "vex", "publish", "pull", "review"}

type pkg struct {
	ImportPath string
	Imports    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("decoding go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages, want the whole module", len(pkgs))
	}
	return pkgs
}

func rel(importPath string) string {
	return strings.TrimPrefix(strings.TrimPrefix(importPath, module), "/")
}

func TestRiskyDependenciesHaveOneOwner(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, imp := range p.Imports {
			for _, o := range owners {
				if strings.HasPrefix(imp, o.dep) && !slices.Contains(o.allowed, rel(p.ImportPath)) {
					t.Errorf("%s imports %s; only %v may", rel(p.ImportPath), imp, o.allowed)
				}
			}
		}
	}
}

func TestLibrariesKnowNothingOfVEX(t *testing.T) {
	for _, p := range listPackages(t) {
		if !slices.Contains(knowsNothingOfVEX, rel(p.ImportPath)) {
			continue
		}
		for _, imp := range p.Imports {
			if slices.Contains(vexDomain, rel(imp)) && strings.HasPrefix(imp, module) {
				t.Errorf("%s imports %s; it must know nothing of VEX", rel(p.ImportPath), imp)
			}
		}
	}
}

func TestOnlyTheCommandImportsTheCommand(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, imp := range p.Imports {
			if imp == module+"/cmd/vexil" {
				t.Errorf("%s imports the command package", rel(p.ImportPath))
			}
		}
	}
}
