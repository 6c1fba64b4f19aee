package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/gittest"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/publish"
)

// publishRepo makes a VEX repository about acme/proxy of reg, committed
// with git, and a cosign key pair in it.
func publishRepo(t *testing.T, reg *registrytest.Registry) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"vexil.yaml": fmt.Sprintf(`author: Example Security <security@example.com>
id_prefix: https://vex.example.com
products:
  proxy:
    repository: %s
    tags: ["enterprise-2.19.*"]
`, reg.Ref("acme/proxy")),
		"statements/proxy/CVE-2023-44487.yaml": `vulnerability: CVE-2023-44487
products:
  - name: proxy
    tags: [enterprise-2.19.0]
subcomponents:
  - pkg:golang/golang.org/x/net
status: not_affected
justification: vulnerable_code_not_in_execute_path
`,
		".gitignore": "cosign.*\ncache/\n",
	}
	gittest.Write(t, dir, files)
	when := time.Date(2024, 1, 2, 12, 0, 0, 0, time.UTC)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "statements"}} {
		gittest.Run(t, dir, when, args...)
	}
	cosigntest.WriteKeyPair(t, dir, "pw")
	return dir
}

// vexilIn runs vexil in dir with the environment vars and returns its
// exit code, stdout and stderr.
func vexilIn(dir string, vars map[string]string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	env := &environment{In: strings.NewReader(""), Out: &out, Err: &errb, Getwd: func() (string, error) { return dir, nil },
		Getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// publish signs with the key and COSIGN_PASSWORD, prints a line per
// subject on stderr and a JSON summary; a re-run skips every subject; a
// wrong password and a failing registry get their exit codes and hints.
func TestPublishCommand(t *testing.T) {
	reg := registrytest.NewOlareg(t)
	if err := pushFixtures(context.Background(), reg.Host); err != nil {
		t.Fatal(err)
	}
	dir := publishRepo(t, reg)
	pw := map[string]string{"COSIGN_PASSWORD": "pw"}
	args := []string{"publish", "--plain-http", "--key", "cosign.key", "--cache-dir", filepath.Join(dir, "cache"), "-o", "json"}

	type summary struct {
		Product, Tag, Subject, Platform, Referrer, Status string
		ContentDigest                                     string `json:"content_digest"`
	}
	for _, want := range []struct{ status, line string }{{"pushed", "pushed     proxy:enterprise-2.19.0 "}, {"skipped", "up to date proxy:enterprise-2.19.0 "}} {
		code, stdout, stderr := vexilIn(dir, pw, args...)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		var got []summary
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		if len(got) != 3 {
			t.Fatalf("%d subjects in the summary, want 3:\n%s", len(got), stdout)
		}
		for i, s := range got {
			if s.Status != want.status || s.Product != "proxy" || s.Tag != "enterprise-2.19.0" ||
				!strings.HasPrefix(s.Subject, reg.Ref("acme/proxy")+"@sha256:") || !strings.HasPrefix(s.Referrer, "sha256:") ||
				!strings.HasPrefix(s.ContentDigest, "sha256:") || (i == 0) != (s.Platform == "") {
				t.Errorf("summary %d: %+v, want status %s", i, s, want.status)
			}
		}
		if n := strings.Count("\n"+stderr, "\n"+want.line); n != 3 {
			t.Errorf("%d progress lines %q, want 3:\n%s", n, want.line, stderr)
		}
	}

	code, _, stderr := vexilIn(dir, map[string]string{"COSIGN_PASSWORD": "wrong"}, "publish", "--plain-http", "--key", "cosign.key")
	if code != exitUsage || !strings.Contains(stderr, "hint: check --key and COSIGN_PASSWORD") {
		t.Errorf("wrong password: exit %d, want %d with a hint:\n%s", code, exitUsage, stderr)
	}

	// a new statement, and a registry that refuses every manifest PUT
	if err := os.WriteFile(filepath.Join(dir, "statements/proxy/CVE-2099-0001.yaml"), []byte("vulnerability: CVE-2099-0001\nproducts: [proxy]\nstatus: under_investigation\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reg.Inject(registrytest.Fault{Match: registrytest.OfKind(registrytest.KindManifestPut), Times: -1, Status: 500})
	code, _, stderr = vexilIn(dir, pw, "publish", "--plain-http", "--key", "cosign.key", "--allow-dirty", "--offline")
	t.Logf("failing registry:\n%s", stderr)
	if code != exitFailure || !strings.Contains(stderr, "subjects done") || !strings.Contains(stderr, "not done: ") ||
		!strings.Contains(stderr, "hint: run 'vexil publish' again: it pushes only what is missing") {
		t.Errorf("failing registry: exit %d, want %d naming what is not done:\n%s", code, exitFailure, stderr)
	}
}

func TestProgressBar(t *testing.T) {
	tests := []struct {
		done, total, width int
		want               string
	}{
		{0, 300, 10, "[>         ]   0/300"},
		{12, 300, 10, "[>         ]  12/300"},
		{150, 300, 10, "[=====>    ] 150/300"},
		{299, 300, 10, "[=========>] 299/300"},
		{300, 300, 10, "[==========] 300/300"},
		{0, 0, 4, "[>   ] 0/0"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d of %d", tt.done, tt.total), func(t *testing.T) {
			if got := progressBar(tt.done, tt.total, tt.width); got != tt.want {
				t.Errorf("progressBar(%d, %d, %d) = %q, want %q", tt.done, tt.total, tt.width, got, tt.want)
			}
		})
	}
}

// On a terminal each subject's line replaces the bar, which is drawn again
// under it and cleared at the end; elsewhere only the lines are written.
func TestProgressWriter(t *testing.T) {
	events := []publish.Event{
		{Product: "proxy", Tag: "v1", Done: 1, Total: 2, Subject: publish.Subject{Action: publish.ActionPushed, Referrer: "sha256:aaaaaaaaaaaaaaaa",
			Descriptor: ocispec.Descriptor{Digest: "sha256:1111111111111111"}}},
		{Product: "proxy", Tag: "v1", Done: 2, Total: 2, Subject: publish.Subject{Action: publish.ActionUpToDate, Referrer: "sha256:bbbbbbbbbbbbbbbb", Platform: "linux/arm64",
			Descriptor: ocispec.Descriptor{Digest: "sha256:2222222222222222"}}},
	}
	lines := "pushed     proxy:v1 index sha256:111111111111 (referrer sha256:aaaaaaaaaaaa)\n" +
		"up to date proxy:v1 linux/arm64 sha256:222222222222 (referrer sha256:bbbbbbbbbbbb)\n"
	for _, tt := range []struct {
		bar  bool
		want string
	}{
		{false, lines},
		{true, "\r\033[Kpushed     proxy:v1 index sha256:111111111111 (referrer sha256:aaaaaaaaaaaa)\n" +
			"[" + strings.Repeat("=", 15) + ">" + strings.Repeat(" ", 14) + "] 1/2" +
			"\r\033[Kup to date proxy:v1 linux/arm64 sha256:222222222222 (referrer sha256:bbbbbbbbbbbb)\n" +
			"[" + strings.Repeat("=", 30) + "] 2/2" +
			"\r\033[K"},
	} {
		t.Run(fmt.Sprintf("bar=%v", tt.bar), func(t *testing.T) {
			var b bytes.Buffer
			p := &progressWriter{w: &b, bar: tt.bar}
			for _, e := range events {
				p.event(e)
			}
			p.finish()
			if got := b.String(); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
