package registrytest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/olareg/olareg"
	"github.com/olareg/olareg/config"
)

// Registry is a running test registry behind a counting, fault-injecting
// front. Clients must talk plain HTTP to Host.
type Registry struct {
	// Host is the front's host:port on 127.0.0.1.
	Host string
	// Name says which registry is behind the front: "olareg" or
	// "distribution".
	Name string
	// ReferrersAPI reports whether the registry serves the OCI 1.1
	// referrers API (olareg does, distribution does not).
	ReferrersAPI bool

	mu     sync.Mutex
	counts map[Kind]int
	total  int
	faults []*Fault
}

// Ref returns "host:port/repo".
func (r *Registry) Ref(repo string) string { return r.Host + "/" + repo }

func newRegistry(t testing.TB, name string, referrers bool, backend *url.URL) *Registry {
	t.Helper()
	reg := &Registry{Name: name, ReferrersAPI: referrers, counts: map[Kind]int{}}
	srv := httptest.NewServer(newFront(reg, backend))
	t.Cleanup(srv.Close)
	reg.Host = strings.TrimPrefix(srv.URL, "http://")
	return reg
}

// NewOlareg starts an in-process olareg registry with in-memory storage and
// the full OCI 1.1 referrers API, behind a front. Both stop on t.Cleanup.
func NewOlareg(t testing.TB) *Registry {
	t.Helper()
	handler := olareg.New(config.Config{Storage: config.ConfigStorage{StoreType: config.StoreMem}})
	backend := httptest.NewServer(handler)
	t.Cleanup(func() {
		backend.Close()
		_ = handler.Close()
	})
	u, err := url.Parse(backend.URL)
	if err != nil {
		t.Fatalf("registrytest: parsing olareg url %q: %v", backend.URL, err)
	}
	return newRegistry(t, "olareg", true, u)
}

var distribution struct {
	once sync.Once
	path string
	err  error
}

// distributionBinary builds (once per test process) and returns the path of
// the distribution registry pinned as a tool in go.mod.
func distributionBinary() (string, error) {
	distribution.once.Do(func() {
		goBin, err := exec.LookPath("go")
		if err != nil {
			distribution.err = fmt.Errorf("the go command is needed to build the distribution registry (go tool -n github.com/distribution/distribution/v3/cmd/registry): %w", err)
			return
		}
		var stderr bytes.Buffer
		cmd := exec.Command(goBin, "tool", "-n", "github.com/distribution/distribution/v3/cmd/registry")
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			distribution.err = fmt.Errorf("building the distribution registry with go tool -n: %w: %s", err, stderr.String())
			return
		}
		distribution.path = strings.TrimSpace(string(out))
	})
	return distribution.path, distribution.err
}

const distributionConfig = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: false
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: %s
`

// NewDistribution starts a distribution v3 registry process (which has no
// referrers API) on a free loopback port with its storage in a temporary
// directory and deletes disabled, behind a front. It waits until /v2/
// answers and stops the process on t.Cleanup.
func NewDistribution(t testing.TB) *Registry {
	t.Helper()
	bin, err := distributionBinary()
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	dir := t.TempDir()
	addr, err := freeAddr()
	if err != nil {
		t.Fatalf("registrytest: finding a free port: %v", err)
	}
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, distributionConfig, filepath.Join(dir, "storage"), addr), 0o600); err != nil {
		t.Fatalf("registrytest: writing registry config: %v", err)
	}
	var output bytes.Buffer
	cmd := exec.Command(bin, "serve", cfg)
	cmd.Stdout = &output
	cmd.Stderr = &output
	cmd.Env = append(os.Environ(), "OTEL_SDK_DISABLED=true", "OTEL_TRACES_EXPORTER=none")
	if err := cmd.Start(); err != nil {
		t.Fatalf("registrytest: starting %s: %v", bin, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	if err := waitReady(addr, exited, &waitErr); err != nil {
		t.Fatalf("registrytest: distribution registry on %s: %v\n%s", addr, err, output.String())
	}
	return newRegistry(t, "distribution", false, &url.URL{Scheme: "http", Host: addr})
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func waitReady(addr string, exited <-chan struct{}, waitErr *error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v2/", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-exited:
			return fmt.Errorf("process exited before answering: %v", *waitErr)
		case <-ctx.Done():
			return fmt.Errorf("not answering /v2/ after 30s")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Each runs fn as a subtest against each registry: olareg (referrers API)
// and distribution (referrers tag schema).
func Each(t *testing.T, fn func(t *testing.T, reg *Registry)) {
	t.Helper()
	for _, start := range []struct {
		name string
		new  func(testing.TB) *Registry
	}{{"olareg", NewOlareg}, {"distribution", NewDistribution}} {
		t.Run(start.name, func(t *testing.T) { fn(t, start.new(t)) })
	}
}
