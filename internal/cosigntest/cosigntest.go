// Package cosigntest gives tests the real cosign CLI (the v2 tool pinned in
// go.mod), cosign key pairs and a minimal sigstore trusted root. It is for
// tests only.
package cosigntest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sigstore/cosign/v2/pkg/cosign"
)

// ToolPath is the import path of the cosign CLI pinned as a go.mod tool.
const ToolPath = "github.com/sigstore/cosign/v2/cmd/cosign"

// EmptyTrustedRoot is a sigstore trusted root that trusts no authority:
// enough for cosign to verify key signatures with --insecure-ignore-tlog.
const EmptyTrustedRoot = `{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`

// binary locates (building it the first time, which takes minutes cold) the
// cosign CLI once per test process; every test shares the answer.
var binary = sync.OnceValues(func() (string, error) {
	var stderr bytes.Buffer
	cmd := exec.Command("go", "tool", "-n", ToolPath)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", &toolError{err: err, stderr: stderr.String()}
	}
	return strings.TrimSpace(string(out)), nil
})

type toolError struct {
	err    error
	stderr string
}

func (e *toolError) Error() string {
	return "go tool -n " + ToolPath + ": " + e.err.Error() + ": " + e.stderr
}

// Binary returns the path of the real cosign CLI, built by
// `go tool -n github.com/sigstore/cosign/v2/cmd/cosign` once per test
// process. It fails the test when cosign cannot be built.
func Binary(t testing.TB) string {
	t.Helper()
	path, err := binary()
	if err != nil {
		t.Fatalf("building cosign: %v", err)
	}
	return path
}

// Run runs the cosign CLI in dir with args and COSIGN_PASSWORD=password, and
// returns its combined output and error. The environment keeps cosign
// offline: no TUF updates, no experimental features from the host.
func Run(t testing.TB, dir, password string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = append(os.Environ(),
		"COSIGN_PASSWORD="+password,
		"HOME="+home,
		"TUF_ROOT="+filepath.Join(home, "tuf"),
		"SIGSTORE_NO_CACHE=true",
		"COSIGN_EXPERIMENTAL=0",
	)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// GenerateKeyPair runs the real `cosign generate-key-pair` in dir with
// password and returns the paths of cosign.key and cosign.pub.
func GenerateKeyPair(t testing.TB, dir, password string) (keyPath, pubPath string) {
	t.Helper()
	if out, err := Run(t, dir, password, "generate-key-pair"); err != nil {
		t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
	}
	return filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
}

// WriteKeyPair writes a cosign key pair (an encrypted sigstore private key,
// byte-compatible with what `cosign generate-key-pair` writes) to
// dir/cosign.key and dir/cosign.pub using cosign's library, without the CLI.
func WriteKeyPair(t testing.TB, dir, password string) (keyPath, pubPath string) {
	t.Helper()
	keys, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(password), nil })
	if err != nil {
		t.Fatalf("generating key pair: %v", err)
	}
	keyPath, pubPath = filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
	if err := os.WriteFile(keyPath, keys.PrivateBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, keys.PublicBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return keyPath, pubPath
}

// TrustedRootFile writes EmptyTrustedRoot to a file in a fresh temporary
// directory and returns its path.
func TrustedRootFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(path, []byte(EmptyTrustedRoot), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
