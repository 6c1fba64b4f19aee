package inventory_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/vexil-dev/vexil/internal/fixture"
	"github.com/vexil-dev/vexil/internal/inventory"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sbom"
	"github.com/vexil-dev/vexil/internal/sbom/sbomtest"
)

func newClient(t testing.TB, cacheDir string) *oci.Client {
	t.Helper()
	c, err := oci.New(oci.Options{PlainHTTP: true, Anonymous: true, CacheDir: cacheDir, Backoff: time.Millisecond, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func push(t testing.TB, c *oci.Client, repo, tag string, spec fixture.Spec) fixture.Release {
	t.Helper()
	rel, err := fixture.PushRelease(context.Background(), c, repo, tag, spec)
	if err != nil {
		t.Fatalf("pushing %s:%s: %v", repo, tag, err)
	}
	return rel
}

var pkgs = []string{
	"pkg:golang/golang.org/x/net@v0.17.0",
	"pkg:deb/debian/openssl@3.0.11-1?arch=amd64",
	"pkg:golang/github.com/example/lib@v1.2.3",
}

// everyStyle has one platform per SBOM style.
var everyStyle = fixture.Spec{Seed: 1, Platforms: []fixture.PlatformSpec{
	{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: pkgs},
	{OS: "linux", Architecture: "arm64", SBOM: fixture.CycloneDX, Packages: pkgs},
	{OS: "linux", Architecture: "arm", Variant: "v7", SBOM: fixture.InToto, Packages: pkgs},
	{OS: "linux", Architecture: "ppc64le", SBOM: fixture.DSSE, Format: "cyclonedx", Packages: pkgs},
	{OS: "linux", Architecture: "s390x", SBOM: fixture.Bundle, Packages: pkgs},
	{OS: "linux", Architecture: "riscv64", SBOM: fixture.BuildKit, Packages: pkgs},
	{OS: "linux", Architecture: "386", SBOM: fixture.None, Packages: pkgs},
}}

// sbomSummary renders what the tests compare of one platform.
func sbomSummary(p inventory.Platform) string {
	var parts []string
	for _, s := range p.SBOMs {
		parts = append(parts, fmt.Sprintf("%s %s %s %d", s.Source, s.Format, s.Wrapper, s.Packages))
	}
	return p.Platform + ": " + strings.Join(parts, "; ")
}

func TestLoadEveryStyle(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := newClient(t, t.TempDir())
		repo := reg.Ref("acme/proxy")
		pushed := push(t, c, repo, "v1.0.0", everyStyle)
		push(t, c, repo, "v2.0.0", fixture.Spec{Seed: 2, Platforms: everyStyle.Platforms[:1]})
		push(t, c, repo, "dev", fixture.Spec{Seed: 3, Platforms: everyStyle.Platforms[:1]})

		got, err := inventory.Load(ctx, c, []inventory.Product{{Name: "proxy", Repository: repo, Tags: []string{"v1.*", "v2.*"}, SBOMs: true}}, inventory.Options{Jobs: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Product != "proxy" || got[0].Repository != repo || got[0].Missing {
			t.Fatalf("got %+v, want one product proxy", got)
		}
		var tags []string
		for _, r := range got[0].Releases {
			tags = append(tags, r.Tag)
		}
		if want := []string{"v1.0.0", "v2.0.0"}; !slices.Equal(tags, want) {
			t.Fatalf("tags: got %q, want %q", tags, want)
		}
		rel := got[0].Releases[0]
		if rel.Digest != pushed.Digest {
			t.Errorf("digest: got %s, want %s", rel.Digest, pushed.Digest)
		}
		ref := "referrers-tag"
		if reg.ReferrersAPI {
			ref = "referrers-api"
		}
		want := []string{
			"linux/amd64: " + ref + " spdx-2.3  3",
			"linux/arm64: " + ref + " cyclonedx-1.6  3",
			"linux/arm/v7: " + ref + " spdx-2.3 in-toto 3",
			"linux/ppc64le: " + ref + " cyclonedx-1.6 dsse 3",
			"linux/s390x: " + ref + " spdx-2.3 sigstore-bundle 3",
			"linux/riscv64: buildkit-attestation spdx-2.3 in-toto 3",
			"linux/386: ",
		}
		if len(rel.Platforms) != len(want) {
			t.Fatalf("platforms: got %d, want %d", len(rel.Platforms), len(want))
		}
		for i, p := range rel.Platforms {
			if got := sbomSummary(p); got != want[i] {
				t.Errorf("platform %d: got %q, want %q", i, got, want[i])
			}
			if p.Digest != pushed.Platforms[i].Digest {
				t.Errorf("%s digest: got %s, want %s", p.Platform, p.Digest, pushed.Platforms[i].Digest)
			}
			if len(p.SBOMs) == 1 {
				s := p.SBOMs[0]
				if s.Manifest != pushed.Platforms[i].SBOM || s.Layer != pushed.Platforms[i].SBOMLayer.Digest {
					t.Errorf("%s: got manifest %s layer %s, want %s %s", p.Platform, s.Manifest, s.Layer, pushed.Platforms[i].SBOM, pushed.Platforms[i].SBOMLayer.Digest)
				}
				for _, tc := range []struct {
					purl string
					want bool
				}{
					{"pkg:golang/golang.org/x/net", true},
					{"pkg:golang/golang.org/x/net@v0.17.0", true},
					{"pkg:golang/golang.org/x/net@v0.18.0", false},
					{"pkg:deb/debian/openssl?arch=amd64", true},
					{"pkg:deb/debian/openssl?arch=arm64", false},
					{"pkg:golang/golang.org/x/crypto", false},
				} {
					if got, err := s.Contains(tc.purl); err != nil || got != tc.want {
						t.Errorf("%s Contains(%s): got %v, %v; want %v", p.Platform, tc.purl, got, err, tc.want)
					}
				}
				if got, _ := s.Candidates("pkg:golang/golang.org/x/net@v0.18.0"); !slices.Equal(got, []string{"pkg:golang/golang.org/x/net@v0.17.0"}) {
					t.Errorf("%s Candidates: got %q", p.Platform, got)
				}
			}
		}
		// nothing vexil does moves a release
		d, err := c.Resolve(ctx, repo, "v1.0.0")
		if err != nil || d.Digest != pushed.Digest {
			t.Errorf("after Load, v1.0.0 resolves to %s (%v), want %s", d.Digest, err, pushed.Digest)
		}
	})
}

// pushBad attaches a referrer of the given type and bytes to the first
// platform of rel.
func pushBad(t *testing.T, c *oci.Client, rel fixture.Release, artifactType string, layer []byte) {
	t.Helper()
	p := rel.Platforms[0]
	subject := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: p.Digest, Size: p.Size}
	if _, err := c.PushReferrer(context.Background(), rel.Repository, subject, artifactType, layer, artifactType, nil); err != nil {
		t.Fatal(err)
	}
}

func TestLoadUnreadableSBOMs(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := newClient(t, t.TempDir())
		repo := reg.Ref("acme/bad")
		noSBOM := fixture.Spec{Platforms: []fixture.PlatformSpec{{OS: "linux", Architecture: "amd64"}}}
		tests := []struct {
			tag, artifactType, doc string
			want                   error
			wantFormat             string
		}{
			{"spdx3", oci.MediaTypeSPDX, `{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}`, sbom.ErrUnsupportedFormat, "spdx"},
			{"truncated", oci.MediaTypeSPDX, `{"spdxVersion": "SPDX-2.3", "packages": [{"name": "x"`, sbom.ErrMalformed, "spdx"},
			{"xml", oci.MediaTypeCycloneDX, `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>`, sbom.ErrUnsupportedFormat, "cyclonedx"},
			// an artifact type oci does not read: reported, not a release without SBOM
			{"xml-type", "application/vnd.cyclonedx+xml", `<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>`, sbom.ErrUnsupportedFormat, "cyclonedx"},
			{"tag-value", "text/spdx", "SPDXVersion: SPDX-2.3\n", sbom.ErrUnsupportedFormat, "spdx"},
		}
		var products []inventory.Product
		for i, tc := range tests {
			spec := noSBOM
			spec.Seed = uint64(10 + i)
			rel := push(t, c, repo, tc.tag, spec)
			pushBad(t, c, rel, tc.artifactType, []byte(tc.doc))
			products = append(products, inventory.Product{Name: tc.tag, Repository: repo, Tags: []string{tc.tag}, SBOMs: true})
		}
		got, err := inventory.Load(ctx, c, products, inventory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i, tc := range tests {
			t.Run(tc.tag, func(t *testing.T) {
				sboms := got[i].Releases[0].Platforms[0].SBOMs
				if len(sboms) != 1 {
					t.Fatalf("got %d SBOMs, want 1", len(sboms))
				}
				s := sboms[0]
				if !errors.Is(s.Error, tc.want) || s.Readable() || s.Format != tc.wantFormat || s.Problem != s.Error.Error() {
					t.Errorf("got error %v, readable %v, format %q; want %v, unreadable, %q", s.Error, s.Readable(), s.Format, tc.want, tc.wantFormat)
				}
				// a layer vexil read is named; a referrer it did not read, by its type
				want := "layer " + s.Layer.String()
				if s.Layer == "" {
					want = "referrer " + s.Manifest.String() + ": unsupported SBOM format: artifact type " + tc.artifactType
				}
				if !strings.Contains(s.Problem, want) {
					t.Errorf("problem %q does not say %q", s.Problem, want)
				}
				if ok, err := s.Contains("pkg:golang/golang.org/x/net"); ok || err != nil {
					t.Errorf("Contains on an unreadable SBOM: got %v, %v; want false, nil", ok, err)
				}
			})
		}
	})
}

func TestLoadIndexSBOM(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := newClient(t, t.TempDir())
		repo := reg.Ref("acme/indexed")
		rel := push(t, c, repo, "v1", fixture.Spec{Seed: 20, Platforms: []fixture.PlatformSpec{
			{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: pkgs[:1]},
			{OS: "linux", Architecture: "arm64"},
		}})
		var doc strings.Builder
		if err := sbomtest.GenerateSPDX(&doc, pkgs[1:]); err != nil {
			t.Fatal(err)
		}
		subject, err := c.Resolve(ctx, repo, rel.Tag)
		if err != nil || subject.Digest != rel.Digest {
			t.Fatalf("resolving v1: %v, %v", subject.Digest, err)
		}
		ref, err := c.PushReferrer(ctx, repo, subject, oci.MediaTypeSPDX, []byte(doc.String()), oci.MediaTypeSPDX, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := inventory.Load(ctx, c, []inventory.Product{{Name: "indexed", Repository: repo, Tags: []string{"v1"}, SBOMs: true}}, inventory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ps := got[0].Releases[0].Platforms
		// amd64 has its own SBOM; arm64 falls back to the index's
		if len(ps[0].SBOMs) != 1 || ps[0].SBOMs[0].Index || ps[0].SBOMs[0].Packages != 1 {
			t.Errorf("amd64: got %+v, want its own SBOM of 1 package", ps[0].SBOMs)
		}
		if len(ps[1].SBOMs) != 1 || !ps[1].SBOMs[0].Index || ps[1].SBOMs[0].Manifest != ref.Digest || ps[1].SBOMs[0].Packages != 2 {
			t.Fatalf("arm64: got %+v, want the index's SBOM %s of 2 packages", ps[1].SBOMs, ref.Digest)
		}
		if ok, err := ps[1].SBOMs[0].Contains("pkg:deb/debian/openssl"); !ok || err != nil {
			t.Errorf("arm64 Contains(openssl): got %v, %v; want true", ok, err)
		}
	})
}

func TestLoadMissingAndUnmatched(t *testing.T) {
	reg := registrytest.NewOlareg(t)
	ctx := context.Background()
	c := newClient(t, t.TempDir())
	repo := reg.Ref("acme/proxy")
	push(t, c, repo, "v1.0.0", fixture.Spec{Platforms: everyStyle.Platforms[:2]})
	reg.ResetCounts()
	got, err := inventory.Load(ctx, c, []inventory.Product{
		{Name: "proxy", Repository: repo, Tags: []string{"v1.*"}},
		{Name: "none", Repository: repo, Tags: []string{"v9.*"}, SBOMs: true},
	}, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got[0].Releases); n != 1 || len(got[0].Releases[0].Platforms) != 2 || len(got[0].Releases[0].Platforms[0].SBOMs) != 0 {
		t.Errorf("proxy: got %+v, want one release with two platforms and no SBOMs read", got[0])
	}
	if len(got[1].Releases) != 0 || got[1].Missing {
		t.Errorf("none: got %+v, want no releases, not missing", got[1])
	}
	if n := reg.Count(registrytest.KindReferrers) + reg.Count(registrytest.KindBlobGet); n != 0 {
		t.Errorf("without SBOMs: got %d referrers and blob requests, want 0 (%s)", n, registrytest.CountsString(reg.Counts()))
	}
}

func TestLoadMissingRepository(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		c := newClient(t, t.TempDir())
		got, err := inventory.Load(context.Background(), c, []inventory.Product{{Name: "ghost", Repository: reg.Ref("acme/ghost"), Tags: []string{"*"}, SBOMs: true}}, inventory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		// distribution says the repository is unknown; olareg lists no tags
		if len(got[0].Releases) != 0 || got[0].Missing != (reg.Name == "distribution") {
			t.Errorf("got %+v, want no releases, missing=%v", got[0], reg.Name == "distribution")
		}
	})
}

func TestLoadWarmCacheFetchesNoBlob(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		repo := reg.Ref("acme/proxy")
		push(t, newClient(t, t.TempDir()), repo, "v1.0.0", everyStyle)
		products := []inventory.Product{{Name: "proxy", Repository: repo, Tags: []string{"v*"}, SBOMs: true}}
		dir := t.TempDir()
		load := func() []string {
			got, err := inventory.Load(ctx, newClient(t, dir), products, inventory.Options{CacheDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, p := range got[0].Releases[0].Platforms {
				s := sbomSummary(p)
				for _, sb := range p.SBOMs {
					for _, purl := range []string{"pkg:golang/golang.org/x/net", "pkg:golang/golang.org/x/net@v0.18.0", "pkg:deb/debian/openssl?arch=amd64"} {
						ok, err := sb.Contains(purl)
						s += fmt.Sprintf(" %v/%v", ok, err)
					}
				}
				out = append(out, s)
			}
			return out
		}
		reg.ResetCounts()
		cold := load()
		// six SBOM layers; the referrers' empty configs are never fetched
		if got := reg.Count(registrytest.KindBlobGet); got != 6 {
			t.Errorf("cold: got %d blob GETs, want 6", got)
		}
		for _, tc := range []struct {
			name             string
			corrupt, noBlobs bool
		}{{"warm", false, false}, {"corrupt purl cache", true, false}, {"purl cache alone", false, true}} {
			t.Run(tc.name, func(t *testing.T) {
				entries, err := filepath.Glob(filepath.Join(dir, "purls", "sha256", "*.json"))
				if err != nil || len(entries) != 6 {
					t.Fatalf("purl cache: got %d entries (%v), want 6", len(entries), err)
				}
				if tc.corrupt {
					// same length, one purl changed: the checksum catches it
					b, err := os.ReadFile(entries[0])
					if err != nil {
						t.Fatal(err)
					}
					b = bytes.Replace(b, []byte("golang.org/x/net"), []byte("golang.org/x/nut"), 1)
					if err := os.WriteFile(entries[0], b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if tc.noBlobs {
					// what parsing gave is all a warm check needs of an SBOM
					if err := os.RemoveAll(filepath.Join(dir, "blobs")); err != nil {
						t.Fatal(err)
					}
				}
				reg.ResetCounts()
				if got := load(); !slices.Equal(got, cold) {
					t.Errorf("got %q, want what the cold load gave: %q", got, cold)
				}
				if n := reg.Count(registrytest.KindBlobGet); n != 0 {
					t.Errorf("got %d blob GETs, want 0 (%s)", n, registrytest.CountsString(reg.Counts()))
				}
			})
		}
	})
}

func TestLoadProgress(t *testing.T) {
	reg := registrytest.NewOlareg(t)
	c := newClient(t, t.TempDir())
	repo := reg.Ref("acme/proxy")
	push(t, c, repo, "v1.0.0", fixture.Spec{Platforms: everyStyle.Platforms[:2]})
	var events []string
	_, err := inventory.Load(context.Background(), c, []inventory.Product{{Name: "proxy", Repository: repo, Tags: []string{"v*"}, SBOMs: true}}, inventory.Options{
		Progress: func(e inventory.Event) {
			events = append(events, fmt.Sprintf("%s %s %s %d %d", e.Product, e.Tag, e.Platform, e.Releases, e.SBOMs))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(events)
	want := []string{"proxy   1 0", "proxy v1.0.0 linux/amd64 0 1", "proxy v1.0.0 linux/arm64 0 1"}
	if !slices.Equal(events, want) {
		t.Errorf("events: got %q, want %q", events, want)
	}
}

func TestLoadUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	l.Close()
	c := newClient(t, t.TempDir())
	_, err = inventory.Load(context.Background(), c, []inventory.Product{{Name: "proxy", Repository: host + "/acme/proxy", Tags: []string{"*"}, SBOMs: true}}, inventory.Options{})
	if !errors.Is(err, oci.ErrUnreachable) || !strings.Contains(err.Error(), host) || !strings.HasPrefix(err.Error(), "product proxy: ") {
		t.Errorf("got %v, want ErrUnreachable naming product proxy and %s", err, host)
	}
}

func TestLoadRegistryFailure(t *testing.T) {
	reg := registrytest.NewOlareg(t)
	ctx := context.Background()
	repo := reg.Ref("acme/proxy")
	push(t, newClient(t, t.TempDir()), repo, "v1.0.0", everyStyle)
	// every blob GET fails, even after retries: an error, never a release
	// that silently has no SBOM
	reg.Inject(registrytest.Fault{Match: registrytest.OfKind(registrytest.KindBlobGet), Status: 500, Times: -1})
	_, err := inventory.Load(ctx, newClient(t, t.TempDir()), []inventory.Product{{Name: "proxy", Repository: repo, Tags: []string{"v*"}, SBOMs: true}}, inventory.Options{})
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("got %v, want the registry's 500", err)
	}
}

// TestLoadSPDXArtifactTypes reads SPDX JSON under the artifact types tools
// use besides application/spdx+json: cosign attach sbom writes
// text/spdx+json.
func TestLoadSPDXArtifactTypes(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	c := newClient(t, t.TempDir())
	repo := reg.Ref("acme/spdx-types")
	var doc bytes.Buffer
	if err := sbomtest.GenerateSPDX(&doc, pkgs); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ tag, artifactType string }{
		{"text-json", "text/spdx+json"},
		{"text-json-charset", "text/spdx+json; charset=utf-8"},
		{"vnd-json", "application/vnd.spdx+json"},
		{"text", "text/spdx"},
		{"upper", "Application/SPDX+JSON"},
	}
	var products []inventory.Product
	for i, tc := range tests {
		rel := push(t, c, repo, tc.tag, fixture.Spec{Seed: uint64(40 + i), Platforms: []fixture.PlatformSpec{{OS: "linux", Architecture: "amd64"}}})
		pushBad(t, c, rel, tc.artifactType, doc.Bytes())
		products = append(products, inventory.Product{Name: tc.tag, Repository: repo, Tags: []string{tc.tag}, SBOMs: true})
	}
	got, err := inventory.Load(ctx, c, products, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range tests {
		t.Run(tc.tag, func(t *testing.T) {
			p := got[i].Releases[0].Platforms[0]
			if got, want := sbomSummary(p), "linux/amd64: referrers-api spdx-2.3  3"; got != want {
				t.Errorf("got %q, want %q (problem %v)", got, want, p.SBOMs)
			}
			if len(p.SBOMs) == 1 {
				if ok, err := p.SBOMs[0].Contains("pkg:deb/debian/openssl"); !ok || err != nil {
					t.Errorf("Contains(openssl): got %v, %v; want true, nil", ok, err)
				}
			}
		})
	}
}

// cutOff answers with the first half of body, then drops the connection.
func cutOff(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, _ = w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	})
}

// TestLoadBadBlobs covers issue 3's bad input at the SBOM blob: over the
// cap, bytes that are not the digest's, a registry that sends more than
// the descriptor says, and one that drops the connection mid-body.
func TestLoadBadBlobs(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	repo := reg.Ref("acme/blobs")
	c := newClient(t, t.TempDir())
	rel := push(t, c, repo, "v1", fixture.Spec{Seed: 60, Platforms: []fixture.PlatformSpec{{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: pkgs}}})
	layer, good := rel.Platforms[0].SBOMLayer, rel.Platforms[0].SBOMDocument
	blobPath := registrytest.PathContains("/blobs/" + layer.Digest.String())
	flipped := append([]byte{good[0] ^ 1}, good[1:]...)
	products := []inventory.Product{{Name: "p", Repository: repo, Tags: []string{"v1"}, SBOMs: true}}
	tests := []struct {
		name    string
		max     int64
		fault   *registrytest.Fault
		want    error // of the SBOM's finding
		wantErr error // of Load
		wantGet int
	}{
		{name: "at the cap", max: layer.Size, wantGet: 1},
		{name: "over the cap", max: layer.Size - 1, want: sbom.ErrTooLarge, wantGet: 0},
		{name: "bytes not the digest's", fault: &registrytest.Fault{Match: blobPath, Times: -1, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(flipped)
		})}, want: oci.ErrDigestMismatch, wantGet: 2},
		{name: "more bytes than the descriptor says", fault: &registrytest.Fault{Match: blobPath, Times: -1, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			chunk := bytes.Repeat([]byte(" "), 64<<10)
			_, _ = w.Write(good)
			for range 1 << 12 { // up to 256 MiB, unless the client stops reading
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		})}, want: oci.ErrDigestMismatch, wantGet: 2},
		{name: "bytes not the digest's once", fault: &registrytest.Fault{Match: blobPath, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(flipped)
		})}, wantGet: 2},
		{name: "connection dropped mid-body", fault: &registrytest.Fault{Match: blobPath, Times: -1, Handler: cutOff(good)}, wantErr: oci.ErrUnreachable, wantGet: 2},
		{name: "connection dropped mid-body once", fault: &registrytest.Fault{Match: blobPath, Handler: cutOff(good)}, wantGet: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reg.ClearFaults()
			if tc.fault != nil {
				reg.Inject(*tc.fault)
			}
			reg.ResetCounts()
			dir := t.TempDir()
			done := make(chan struct{})
			var got []inventory.Releases
			var err error
			go func() {
				defer close(done)
				got, err = inventory.Load(ctx, newClient(t, dir), products, inventory.Options{CacheDir: dir, MaxSBOMSize: tc.max})
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Load hangs")
			}
			if n := reg.Count(registrytest.KindBlobGet); n != tc.wantGet {
				t.Errorf("got %d blob GETs, want %d", n, tc.wantGet)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), reg.Host) || !strings.Contains(err.Error(), layer.Digest.String()) {
					t.Errorf("got %v, want %v naming %s and %s", err, tc.wantErr, reg.Host, layer.Digest)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sboms := got[0].Releases[0].Platforms[0].SBOMs
			if len(sboms) != 1 {
				t.Fatalf("got %d SBOMs, want 1", len(sboms))
			}
			s := sboms[0]
			if tc.want == nil {
				if !s.Readable() || s.Packages != len(pkgs) {
					t.Errorf("got %+v, want a readable SBOM of %d packages", s, len(pkgs))
				}
				return
			}
			if !errors.Is(s.Error, tc.want) || s.Readable() || !strings.Contains(s.Problem, layer.Digest.String()) {
				t.Errorf("got error %v, readable %v; want %v naming %s", s.Error, s.Readable(), tc.want, layer.Digest)
			}
			for _, p := range []string{
				filepath.Join(dir, "blobs", "sha256", layer.Digest.Encoded()),
				filepath.Join(dir, "purls", "sha256", layer.Digest.Encoded()+".json"),
			} {
				if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%s: stat %v, want nothing cached", p, err)
				}
			}
		})
	}
}

func TestLoadSBOMTags(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	repo := reg.Ref("acme/narrow")
	c := newClient(t, t.TempDir())
	for i, tag := range []string{"v1.0", "v1.1", "v2.0"} {
		push(t, c, repo, tag, fixture.Spec{Seed: uint64(70 + i), Platforms: []fixture.PlatformSpec{{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: pkgs[:1+i]}}})
	}
	reg.ResetCounts()
	got, err := inventory.Load(ctx, newClient(t, t.TempDir()), []inventory.Product{{Name: "p", Repository: repo, Tags: []string{"v*"}, SBOMs: true, SBOMTags: []string{"v1.1", "v2.*"}}}, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, r := range got[0].Releases {
		summary = append(summary, fmt.Sprintf("%s skipped=%v %s", r.Tag, r.SBOMsSkipped, sbomSummary(r.Platforms[0])))
	}
	want := []string{
		"v1.0 skipped=true linux/amd64: ",
		"v1.1 skipped=false linux/amd64: referrers-api spdx-2.3  2",
		"v2.0 skipped=false linux/amd64: referrers-api spdx-2.3  3",
	}
	if !slices.Equal(summary, want) {
		t.Errorf("got %q, want %q", summary, want)
	}
	// the probe, then one listing per release read
	if n := reg.Count(registrytest.KindReferrers); n != 3 {
		t.Errorf("got %d referrers requests, want 3", n)
	}
	if n := reg.Count(registrytest.KindBlobGet); n != 2 {
		t.Errorf("got %d blob GETs, want 2", n)
	}
}

// TestLoadMissingReferrer: an SBOM referrer the listing names but the
// registry does not have is an SBOM that cannot be read, never a platform
// without an SBOM nor one in an unsupported format.
func TestLoadMissingReferrer(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		repo := reg.Ref("acme/dangling")
		rel := push(t, newClient(t, t.TempDir()), repo, "v1", fixture.Spec{Seed: 80, Platforms: []fixture.PlatformSpec{
			{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: pkgs},
			{OS: "linux", Architecture: "arm64", SBOM: fixture.CycloneDX, Packages: pkgs},
		}})
		missing := rel.Platforms[0].SBOM
		reg.Inject(registrytest.Fault{Match: registrytest.PathContains("/manifests/" + missing.String()), Times: -1, Status: http.StatusNotFound})
		got, err := inventory.Load(ctx, newClient(t, t.TempDir()), []inventory.Product{{Name: "p", Repository: repo, Tags: []string{"v1"}, SBOMs: true}}, inventory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		src := map[bool]oci.Source{true: oci.SourceReferrersAPI, false: oci.SourceReferrersTag}[reg.ReferrersAPI]
		ps := got[0].Releases[0].Platforms
		if len(ps[0].SBOMs) != 1 {
			t.Fatalf("amd64: got %d SBOMs (%+v), want 1", len(ps[0].SBOMs), ps[0].SBOMs)
		}
		s := ps[0].SBOMs[0]
		wantProblem := fmt.Sprintf("referrers listing names a missing manifest: %s@%s (subject %s)", repo, missing, ps[0].Digest)
		if !errors.Is(s.Error, oci.ErrMissingReferrer) || errors.Is(s.Error, sbom.ErrUnsupportedFormat) || s.Readable() ||
			s.Manifest != missing || s.Source != src || s.Format != "spdx" || s.Problem != wantProblem {
			t.Errorf("amd64: got %+v; want an unreadable spdx SBOM %s from %s saying %q", s, missing, src, wantProblem)
		}
		if got, want := sbomSummary(ps[1]), "linux/arm64: "+string(src)+" cyclonedx-1.6  3"; got != want {
			t.Errorf("arm64: got %q, want %q", got, want)
		}
	})
}
