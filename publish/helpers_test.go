package publish_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/fixture"
	"github.com/vexil-dev/vexil/internal/gittest"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/publish"
	"github.com/vexil-dev/vexil/statements"
)

const password = "test-password"

// releaseSpec is a two-platform release; seed varies its digests.
func releaseSpec(seed uint64) fixture.Spec {
	return fixture.Spec{Seed: seed, Platforms: []fixture.PlatformSpec{
		{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: []string{"pkg:golang/golang.org/x/net@v0.17.0"}},
		{OS: "linux", Architecture: "arm64", SBOM: fixture.SPDX, Packages: []string{"pkg:golang/golang.org/x/net@v0.17.0"}},
	}}
}

// pushReleases pushes tags of repo, each a release of releaseSpec.
func pushReleases(t testing.TB, reg *registrytest.Registry, repo string, tags ...string) []fixture.Release {
	t.Helper()
	c := newClient(t, 0)
	var out []fixture.Release
	for i, tag := range tags {
		rel, err := fixture.PushRelease(context.Background(), c, reg.Ref(repo), tag, releaseSpec(uint64(i+1)))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rel)
	}
	return out
}

// newClient returns a plain-HTTP client without cache; retries < 0 turns
// retries off.
func newClient(t testing.TB, retries int) *oci.Client {
	t.Helper()
	c, err := oci.New(oci.Options{PlainHTTP: true, Anonymous: true, NoCache: true, Retries: retries, Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// config is a vexil.yaml for one product, proxy, in repository.
func config(repository string) string {
	return fmt.Sprintf(`author: ACME Security <security@acme.example>
id_prefix: https://vex.acme.example
products:
  proxy:
    repository: %s
    tags: ["v1.*"]
publish:
  predicate_type: https://openvex.dev/ns/v0.2.0
  subjects: [index, platforms]
`, repository)
}

const stmtNet = `vulnerability: CVE-2023-44487
aliases: [GHSA-qppj-fm5r-hxr3]
products: [proxy]
subcomponents:
  - pkg:golang/golang.org/x/net@v0.17.0
status: not_affected
justification: vulnerable_code_not_in_execute_path
`

const stmtCrypto = `vulnerability: CVE-2024-45337
products:
  - name: proxy
    tags: ["v1.0"]
status: under_investigation
`

// gitRepo makes a git repository in a new temporary directory with one
// commit per element of commits (path -> content), committed at
// 2024-01-0N 12:00:00 UTC, and returns its directory.
func gitRepo(t testing.TB, commits ...map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, 0, "init", "-q", "-b", "main")
	for i, files := range commits {
		gittest.Write(t, dir, files)
		git(t, dir, 0, "add", "-A")
		git(t, dir, i+1, "commit", "-q", "-m", fmt.Sprintf("commit %d", i+1))
	}
	return dir
}

// git runs the git CLI in dir; day > 0 dates the commit 2024-01-<day>.
func git(t testing.TB, dir string, day int, args ...string) string {
	t.Helper()
	return gittest.Run(t, dir, time.Date(2024, 1, max(day, 1), 12, 0, 0, 0, time.UTC), args...)
}

// vexRepo makes a VEX repository for repository: vexil.yaml on day 1,
// the net statement on day 2, the crypto statement on day 3.
func vexRepo(t testing.TB, repository string) string {
	t.Helper()
	return gitRepo(t,
		map[string]string{"vexil.yaml": config(repository)},
		map[string]string{"statements/proxy/CVE-2023-44487.yaml": stmtNet},
		map[string]string{"statements/proxy/CVE-2024-45337.yaml": stmtCrypto},
	)
}

func loadConfig(t testing.TB, dir string) *statements.Config {
	t.Helper()
	cfg, findings, err := statements.LoadConfig(filepath.Join(dir, statements.ConfigFileName))
	if err != nil {
		t.Fatal(err)
	}
	if statements.HasErrors(findings) {
		t.Fatalf("config findings: %v", findings)
	}
	return cfg
}

// keyPair writes a cosign key pair into a new directory and loads the
// signer.
func keyPair(t testing.TB) (signer *sign.KeySigner, pub string) {
	t.Helper()
	key, pub := cosigntest.WriteKeyPair(t, t.TempDir(), password)
	s, err := sign.LoadKey(context.Background(), key, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	return s, pub
}

// vexilReferrers lists the referrers of subject with publish's artifact
// type, fetching each manifest.
func vexilReferrers(t testing.TB, c *oci.Client, repo string, subject ocispec.Descriptor) []ocispec.Manifest {
	t.Helper()
	ctx := context.Background()
	listed, _, err := c.Referrers(ctx, repo, subject.Digest, publish.ArtifactType)
	if err != nil {
		t.Fatal(err)
	}
	var out []ocispec.Manifest
	for _, d := range listed {
		b, err := c.FetchManifest(ctx, repo, d)
		if err != nil {
			t.Fatal(err)
		}
		var m ocispec.Manifest
		if err := jsonUnmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// subjects returns every subject reference of a result, sorted.
func subjects(r *publish.Result) []string {
	var out []string
	for _, rel := range r.Releases {
		for _, s := range rel.Subjects {
			out = append(out, s.Reference())
		}
	}
	slices.Sort(out)
	return out
}

// actions counts the subjects of r by action.
func actions(r *publish.Result) map[publish.Action]int {
	out := map[publish.Action]int{}
	for _, rel := range r.Releases {
		for _, s := range rel.Subjects {
			out[s.Action]++
		}
	}
	return out
}

// fixtureRelease pushes releaseSpec(seed) to acme/proxy as tag and returns
// its index descriptor.
func fixtureRelease(ctx context.Context, c *oci.Client, reg *registrytest.Registry, tag string, seed uint64) (ocispec.Descriptor, error) {
	rel, err := fixture.PushRelease(ctx, c, reg.Ref("acme/proxy"), tag, releaseSpec(seed))
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	return ocispec.Descriptor{MediaType: rel.MediaType, Digest: rel.Digest}, nil
}

func slicesEqual(a, b []string) bool { return slices.Equal(a, b) }
