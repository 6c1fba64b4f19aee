package demo_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/internal/demo"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/sign"
)

// TestCommit writes two commits and reads them back with gitstore (go-git)
// and, when there is one, the git binary.
func TestCommit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 := t1.Add(48 * time.Hour)
	write("vexil.yaml", "author: A\n")
	write("statements/proxy/CVE-1.yaml", "status: under_investigation\n")
	write("statements/b.yaml", "x\n")
	if err := os.MkdirAll(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	first, err := demo.Commit(dir, "first", demo.Author{Name: "Demo", Email: "demo@example.com", When: t1})
	if err != nil {
		t.Fatal(err)
	}
	write("statements/proxy/CVE-1.yaml", "status: not_affected\n")
	second, err := demo.Commit(dir, "second", demo.Author{Name: "Demo", Email: "demo@example.com", When: t2})
	if err != nil {
		t.Fatal(err)
	}

	repo, err := gitstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	head, err := repo.Resolve(ctx, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if head.String() != second {
		t.Errorf("HEAD %s, want %s", head, second)
	}
	last, err := repo.LastChanges(ctx, head, "statements")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{"statements/proxy/CVE-1.yaml": t2, "statements/b.yaml": t1}
	if len(last) != len(want) {
		t.Errorf("last changes of %d files, want %d: %v", len(last), len(want), last)
	}
	for p, w := range want {
		if got := last[p].Time; !got.Equal(w) {
			t.Errorf("%s: last changed %s, want %s", p, got, w)
		}
	}
	st, err := repo.Status(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 0 {
		t.Errorf("status %v, want a clean work tree", st)
	}

	git, err := exec.LookPath("git")
	if err != nil {
		t.Log("no git binary: skipping git fsck")
		return
	}
	out, err := exec.Command(git, "-C", dir, "fsck", "--strict").CombinedOutput()
	if err != nil {
		t.Errorf("git fsck: %v\n%s", err, out)
	}
	out, err = exec.Command(git, "-C", dir, "log", "--format=%H %s").Output()
	if got, want := strings.TrimSpace(string(out)), second+" second\n"+first+" first"; err != nil || got != want {
		t.Errorf("git log: %v: got %q, want %q", err, got, want)
	}
}

// TestKeyPair: the key pair loads with internal/sign and what it signs
// verifies with the public key.
func TestKeyPair(t *testing.T) {
	ctx := context.Background()
	keyPath, pubPath, err := demo.WriteKeyPair(t.TempDir(), []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sign.LoadKey(ctx, keyPath, []byte("wrong")); !errors.Is(err, sign.ErrKey) {
		t.Errorf("wrong password: got %v, want %v", err, sign.ErrKey)
	}
	s, err := sign.LoadKey(ctx, keyPath, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	st := sign.Statement{Subjects: []sign.Subject{{Name: "r", Digest: "sha256:" + strings.Repeat("a", 64)}}, PredicateType: "https://openvex.dev/ns/v0.2.0", Predicate: []byte(`{}`)}
	b, err := sign.Attest(ctx, s, st)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sign.Verify(ctx, b, sign.VerifyOptions{Key: pubPath})
	if err != nil {
		t.Fatal(err)
	}
	if v.Signer.KeyHint != s.Hint() {
		t.Errorf("signer %s, want key %s", v.Signer, s.Hint())
	}
}

// TestRegistry: the sample release goes in, resolves, and the registry
// stops; a non-loopback address is refused.
func TestRegistry(t *testing.T) {
	ctx := context.Background()
	if _, err := demo.StartRegistry("0.0.0.0:0"); !errors.Is(err, demo.ErrNotLoopback) {
		t.Errorf("0.0.0.0: got %v, want %v", err, demo.ErrNotLoopback)
	}
	reg, err := demo.StartRegistry("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := oci.New(oci.Options{PlainHTTP: true, NoCache: true, Anonymous: true, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := demo.PushSample(ctx, c, reg.Ref("acme/proxy"), "2.19.1")
	if err != nil {
		t.Fatal(err)
	}
	rel, err := c.Release(ctx, reg.Ref("acme/proxy"), "2.19.1")
	if err != nil {
		t.Fatal(err)
	}
	if rel.Digest != pushed.Digest || len(rel.Platforms) != 2 {
		t.Errorf("resolved %s with %d platforms, want %s with 2", rel.Digest, len(rel.Platforms), pushed.Digest)
	}
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Release(ctx, reg.Ref("acme/proxy"), "2.19.1"); !errors.Is(err, oci.ErrUnreachable) {
		t.Errorf("after Close: got %v, want %v", err, oci.ErrUnreachable)
	}
}
