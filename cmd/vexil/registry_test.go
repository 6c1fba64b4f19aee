package main

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/vexil-dev/vexil/internal/fixture"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sbom/sbomtest"
)

// testRegistries starts registries for scripts, each script its own, so
// that request counts are the script's alone. They stop when TestScripts
// ends.
type testRegistries struct {
	t *testing.T
}

func newTestRegistries(t *testing.T) *testRegistries { return &testRegistries{t: t} }

// registryKey is the key of a script's *scriptRegistry in its Values.
type registryKey struct{}

// scriptRegistry is the registry one script started.
type scriptRegistry struct{ reg *registrytest.Registry }

// setup gives a script its (empty) registry slot.
func (r *testRegistries) setup(env *testscript.Env) {
	env.Values[registryKey{}] = &scriptRegistry{}
}

// cmd is the `registry` command of scripts:
//
//	registry start olareg|distribution   start one with the fixture releases; sets $REGISTRY
//	registry closed                      set $CLOSED to a 127.0.0.1 port nothing listens on
//	registry reset                       zero the request counters
//	registry count KIND                  print the number of requests of KIND ("blob GET")
//	registry digest REPO TAG             print the digest TAG of REPO resolves to
//	registry expand FILE...              replace $REGISTRY and $CLOSED in the files
func (r *testRegistries) cmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: registry start|closed|reset|count|digest ...")
	}
	state := ts.Value(registryKey{}).(*scriptRegistry)
	reg := state.reg
	needReg := func() {
		if reg == nil {
			ts.Fatalf("registry %s: no registry started", args[0])
		}
	}
	switch args[0] {
	case "start":
		if len(args) != 2 {
			ts.Fatalf("usage: registry start olareg|distribution")
		}
		switch args[1] {
		case "olareg":
			reg = registrytest.NewOlareg(r.t)
		case "distribution":
			reg = registrytest.NewDistribution(r.t)
		default:
			ts.Fatalf("unknown registry %q", args[1])
		}
		ts.Check(pushFixtures(context.Background(), reg.Host))
		reg.ResetCounts()
		ts.Setenv("REGISTRY", reg.Host)
		state.reg = reg
	case "closed":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		ts.Setenv("CLOSED", l.Addr().String())
		l.Close()
	case "reset":
		needReg()
		reg.ResetCounts()
	case "count":
		needReg()
		if len(args) != 2 {
			ts.Fatalf("usage: registry count KIND")
		}
		ts.Stdout().Write([]byte(strconv.Itoa(reg.Count(registrytest.Kind(args[1]))) + "\n"))
	case "digest":
		needReg()
		if len(args) != 3 {
			ts.Fatalf("usage: registry digest REPO TAG")
		}
		c := fixtureClient(ts)
		d, err := c.Resolve(context.Background(), reg.Ref(args[1]), args[2])
		ts.Check(err)
		ts.Stdout().Write([]byte(d.Digest.String() + "\n"))
	case "expand":
		for _, f := range args[1:] {
			b, err := os.ReadFile(ts.MkAbs(f))
			ts.Check(err)
			out := os.Expand(string(b), func(k string) string {
				if k == "REGISTRY" || k == "CLOSED" {
					return ts.Getenv(k)
				}
				return "$" + k
			})
			ts.Check(os.WriteFile(ts.MkAbs(f), []byte(out), 0o644))
		}
	default:
		ts.Fatalf("unknown registry command %q", args[0])
	}
}

func fixtureClient(ts *testscript.TestScript) *oci.Client {
	c, err := oci.New(oci.Options{PlainHTTP: true, Anonymous: true, NoCache: true, Backoff: time.Millisecond})
	ts.Check(err)
	return c
}

var (
	net17    = "pkg:golang/golang.org/x/net@v0.17.0"
	net15    = "pkg:golang/golang.org/x/net@v0.15.0"
	crypto14 = "pkg:golang/golang.org/x/crypto@v0.14.0"
	crypto17 = "pkg:golang/golang.org/x/crypto@v0.17.0"
)

// fixtureReleases are the releases every script registry holds.
var fixtureReleases = []struct {
	repo, tag string
	spec      fixture.Spec
}{
	{"acme/proxy", "enterprise-2.19.0", fixture.Spec{Seed: 1, Platforms: []fixture.PlatformSpec{
		{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: []string{net17, crypto14, "pkg:deb/debian/openssl@3.0.11-1?arch=amd64"}},
		{OS: "linux", Architecture: "arm64", SBOM: fixture.CycloneDX, Packages: []string{net17, crypto14, "pkg:deb/debian/openssl@3.0.11-1?arch=arm64"}},
	}}},
	{"acme/proxy", "enterprise-2.19.1", fixture.Spec{Seed: 2, Platforms: []fixture.PlatformSpec{
		{OS: "linux", Architecture: "amd64", SBOM: fixture.InToto, Packages: []string{net17, crypto17}},
		{OS: "linux", Architecture: "arm64", SBOM: fixture.BuildKit, Packages: []string{net15, crypto17}},
	}}},
	{"acme/proxy", "dev", fixture.Spec{Seed: 3, Platforms: []fixture.PlatformSpec{
		{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: []string{net17}},
	}}},
	{"acme/controller", "v1.4.0", fixture.Spec{Seed: 4, Platforms: []fixture.PlatformSpec{
		{OS: "linux", Architecture: "amd64", SBOM: fixture.Bundle, Packages: []string{net15}},
		{OS: "linux", Architecture: "arm64"},
	}}},
	{"acme/controller", "v1.5.0", fixture.Spec{Seed: 5, SingleArch: true, Platforms: []fixture.PlatformSpec{
		{OS: "linux", Architecture: "amd64", SBOM: fixture.DSSE, Format: "cyclonedx", Packages: []string{net15}},
	}}},
	{"acme/indexed", "v1", fixture.Spec{Seed: 8, Platforms: []fixture.PlatformSpec{
		{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: []string{net17}},
		{OS: "linux", Architecture: "arm64"},
	}}},
	{"acme/legacy", "v1", fixture.Spec{Seed: 6, Platforms: []fixture.PlatformSpec{{OS: "linux", Architecture: "amd64"}}}},
	{"acme/legacy", "v2", fixture.Spec{Seed: 7, Platforms: []fixture.PlatformSpec{{OS: "linux", Architecture: "amd64"}}}},
}

// badSBOMs are attached to the legacy releases: an SPDX 3.0 document
// (unsupported) and a truncated SPDX 2.3 one (malformed).
var badSBOMs = map[string]string{
	"v1": `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}`,
	"v2": `{"spdxVersion": "SPDX-2.3", "packages": [{"name": "x"`,
}

// indexSBOM is attached to the index of acme/indexed:v1, whose arm64
// platform has no SBOM of its own.
var indexSBOM = []string{net15, crypto17}

// pushFixtures pushes fixtureReleases, badSBOMs and indexSBOM to host.
func pushFixtures(ctx context.Context, host string) error {
	c, err := oci.New(oci.Options{PlainHTTP: true, Anonymous: true, NoCache: true, Backoff: time.Millisecond})
	if err != nil {
		return err
	}
	for _, f := range fixtureReleases {
		rel, err := fixture.PushRelease(ctx, c, host+"/"+f.repo, f.tag, f.spec)
		if err != nil {
			return err
		}
		if f.repo == "acme/indexed" {
			var doc strings.Builder
			if err := sbomtest.GenerateSPDX(&doc, indexSBOM); err != nil {
				return err
			}
			subject, err := c.Resolve(ctx, rel.Repository, rel.Tag)
			if err != nil {
				return err
			}
			if _, err := c.PushReferrer(ctx, rel.Repository, subject, oci.MediaTypeSPDX, []byte(doc.String()), oci.MediaTypeSPDX, nil); err != nil {
				return err
			}
		}
		if doc, ok := badSBOMs[f.tag]; ok && strings.HasSuffix(f.repo, "legacy") {
			p := rel.Platforms[0]
			subject := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: p.Digest, Size: p.Size}
			if _, err := c.PushReferrer(ctx, rel.Repository, subject, oci.MediaTypeSPDX, []byte(doc), oci.MediaTypeSPDX, nil); err != nil {
				return err
			}
		}
	}
	return nil
}
