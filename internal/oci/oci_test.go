package oci_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/vexil-dev/vexil/internal/fixture"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
)

func newClient(t testing.TB, cacheDir string, mod ...func(*oci.Options)) *oci.Client {
	t.Helper()
	opts := oci.Options{PlainHTTP: true, Anonymous: true, CacheDir: cacheDir, Backoff: time.Millisecond}
	for _, m := range mod {
		m(&opts)
	}
	c, err := oci.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var purls = []string{"pkg:golang/golang.org/x/net@v0.17.0", "pkg:deb/debian/openssl@3.0.11-1?arch=amd64"}

// everyStyle has one platform per SBOM style.
var everyStyle = fixture.Spec{Platforms: []fixture.PlatformSpec{
	{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: purls},
	{OS: "linux", Architecture: "arm64", SBOM: fixture.CycloneDX, Packages: purls},
	{OS: "linux", Architecture: "arm", Variant: "v7", SBOM: fixture.InToto, Packages: purls},
	{OS: "linux", Architecture: "ppc64le", SBOM: fixture.DSSE, Packages: purls, Format: "cyclonedx"},
	{OS: "linux", Architecture: "s390x", SBOM: fixture.Bundle, Packages: purls},
	{OS: "linux", Architecture: "riscv64", SBOM: fixture.BuildKit, Packages: purls},
	{OS: "linux", Architecture: "386", SBOM: fixture.None},
}}

func push(t testing.TB, c *oci.Client, repo, tag string, spec fixture.Spec) fixture.Release {
	t.Helper()
	rel, err := fixture.PushRelease(context.Background(), c, repo, tag, spec)
	if err != nil {
		t.Fatalf("pushing %s:%s: %v", repo, tag, err)
	}
	return rel
}

func TestReleases(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := newClient(t, t.TempDir())
		repo := reg.Ref("acme/proxy")
		two := fixture.Spec{Platforms: []fixture.PlatformSpec{
			{OS: "linux", Architecture: "amd64", SBOM: fixture.SPDX, Packages: purls},
			{OS: "linux", Architecture: "arm64", Variant: "v8", SBOM: fixture.BuildKit, Packages: purls},
		}}
		want := map[string]fixture.Release{}
		for _, tag := range []string{"v1.0.0", "v1.1.0", "v2.0.0", "beta"} {
			want[tag] = push(t, c, repo, tag, two)
		}
		single := push(t, c, reg.Ref("acme/single"), "v3", fixture.Spec{SingleArch: true, Platforms: []fixture.PlatformSpec{
			{OS: "linux", Architecture: "arm64", Variant: "v8", SBOM: fixture.SPDX, Packages: purls},
		}})

		got, err := c.Releases(ctx, repo, []string{"v1.*", "beta"})
		if err != nil {
			t.Fatal(err)
		}
		var tags []string
		for _, r := range got {
			tags = append(tags, r.Tag)
		}
		if wantTags := []string{"beta", "v1.0.0", "v1.1.0"}; !slices.Equal(tags, wantTags) {
			t.Fatalf("tags: got %v, want %v", tags, wantTags)
		}
		for _, r := range got {
			w := want[r.Tag]
			if r.Digest != w.Digest || r.MediaType != ocispec.MediaTypeImageIndex || r.Repository != repo {
				t.Errorf("%s: got %s %s %s, want %s %s %s", r.Tag, r.Repository, r.Digest, r.MediaType, repo, w.Digest, ocispec.MediaTypeImageIndex)
			}
			var gotP, wantP []string
			for _, p := range r.Platforms {
				gotP = append(gotP, p.String()+"@"+p.Digest.String())
			}
			for _, p := range w.Platforms {
				wantP = append(wantP, p.Platform+"@"+p.Digest.String())
			}
			if !slices.Equal(gotP, wantP) {
				t.Errorf("%s platforms: got %v, want %v", r.Tag, gotP, wantP)
			}
		}

		rels, err := c.Releases(ctx, reg.Ref("acme/single"), []string{"*"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rels) != 1 || len(rels[0].Platforms) != 1 {
			t.Fatalf("single-arch: got %+v, want one release with one platform", rels)
		}
		r, p := rels[0], rels[0].Platforms[0]
		if r.Digest != single.Digest || p.Digest != single.Digest || p.String() != "linux/arm64/v8" || r.MediaType != ocispec.MediaTypeImageManifest {
			t.Errorf("single-arch: got %s %s %s %s, want %s, platform linux/arm64/v8", r.Digest, r.MediaType, p.Digest, p, single.Digest)
		}

		none, err := c.Releases(ctx, repo, []string{"v9.*"})
		if err != nil || len(none) != 0 {
			t.Errorf("no match: got %v, %v; want none", none, err)
		}
		// distribution answers NAME_UNKNOWN; olareg lists no tags
		unknown, err := c.Releases(ctx, reg.Ref("acme/nothing"), []string{"*"})
		if reg.Name == "distribution" && (!errors.Is(err, oci.ErrNotFound) || !strings.Contains(err.Error(), reg.Ref("acme/nothing"))) {
			t.Errorf("unknown repository: got %v, want ErrNotFound naming it", err)
		}
		if reg.Name == "olareg" && (err != nil || len(unknown) != 0) {
			t.Errorf("unknown repository: got %v, %v; want no releases", unknown, err)
		}
		if _, err := c.Releases(ctx, repo, []string{"v[1"}); err == nil || !strings.Contains(err.Error(), `"v[1"`) {
			t.Errorf("bad glob: got %v, want an error naming it", err)
		}
	})
}

func TestSBOMCandidates(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := newClient(t, t.TempDir())
		repo := reg.Ref("acme/every")
		want := push(t, c, repo, "v1", everyStyle)
		rel, err := c.Release(ctx, repo, "v1")
		if err != nil {
			t.Fatal(err)
		}
		// a VEX attestation on amd64 is a referrer but not an SBOM
		vex := pushVEX(t, c, repo, rel.Platforms[0], "a")
		refSource := oci.SourceReferrersTag
		if reg.ReferrersAPI {
			refSource = oci.SourceReferrersAPI
		}
		if len(rel.Platforms) != len(everyStyle.Platforms) {
			t.Fatalf("platforms: got %d, want %d", len(rel.Platforms), len(everyStyle.Platforms))
		}
		for i, ps := range everyStyle.Platforms {
			t.Run(string(ps.SBOM)+"_"+ps.Architecture, func(t *testing.T) {
				p, w := rel.Platforms[i], want.Platforms[i]
				cands, err := c.SBOMCandidates(ctx, rel, p)
				if err != nil {
					t.Fatal(err)
				}
				if ps.SBOM == fixture.None {
					if len(cands) != 0 {
						t.Fatalf("got %+v, want no candidates", cands)
					}
					return
				}
				if len(cands) != 1 {
					t.Fatalf("got %d candidates %+v, want 1", len(cands), cands)
				}
				cand := cands[0]
				wantSource, wantFormat := refSource, "spdx"
				if ps.SBOM == fixture.BuildKit {
					wantSource = oci.SourceBuildKit
				}
				if ps.SBOM == fixture.CycloneDX || ps.Format == "cyclonedx" {
					wantFormat = "cyclonedx"
				}
				if cand.Source != wantSource || cand.Manifest != w.SBOM || cand.Layer.Digest != w.SBOMLayer.Digest || cand.Format != wantFormat || cand.Manifest == vex.Digest {
					t.Errorf("got source %s manifest %s layer %s format %s, want %s %s %s %s", cand.Source, cand.Manifest, cand.Layer.Digest, cand.Format, wantSource, w.SBOM, w.SBOMLayer.Digest, wantFormat)
				}
				b, err := c.FetchBlob(ctx, repo, cand.Layer)
				if err != nil {
					t.Fatal(err)
				}
				if (ps.SBOM == fixture.SPDX || ps.SBOM == fixture.CycloneDX) && string(b) != string(w.SBOMDocument) {
					t.Errorf("layer bytes differ from the SBOM pushed")
				}
			})
		}
	})
}

const bundleType = "application/vnd.dev.sigstore.bundle.v0.3+json"

func pushVEX(t testing.TB, c *oci.Client, repo string, p oci.Platform, content string) ocispec.Descriptor {
	t.Helper()
	desc, err := vexReferrer(c, repo, p, content)
	if err != nil {
		t.Fatalf("pushing referrer: %v", err)
	}
	return desc
}

func vexReferrer(c *oci.Client, repo string, p oci.Platform, content string) (ocispec.Descriptor, error) {
	return c.PushReferrer(context.Background(), repo, p.Descriptor(), bundleType, []byte(`{"vex":"`+content+`"}`), bundleType, map[string]string{
		"dev.sigstore.bundle.content":       "dsse-envelope",
		"dev.sigstore.bundle.predicateType": "https://openvex.dev/ns/v0.2.0",
		"in-toto.io/predicate-type":         "https://openvex.dev/ns/v0.2.0",
		"dev.vexil.content-digest":          content,
	})
}

func TestCache(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		dir := t.TempDir()
		repo := reg.Ref("acme/cached")
		push(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, "v1", everyStyle)
		run := func() int {
			reg.ResetCounts()
			c := newClient(t, dir)
			rels, err := c.Releases(ctx, repo, []string{"v1"})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, p := range rels[0].Platforms {
				cands, err := c.SBOMCandidates(ctx, rels[0], p)
				if err != nil {
					t.Fatal(err)
				}
				for _, cand := range cands {
					if _, err := c.FetchBlob(ctx, repo, cand.Layer); err != nil {
						t.Fatal(err)
					}
					n++
				}
			}
			if n != 6 {
				t.Fatalf("got %d SBOMs, want 6", n)
			}
			return reg.Count(registrytest.KindBlobGet)
		}
		if got := run(); got != 6 {
			t.Errorf("cold run: got %d blob GETs, want 6 (one per SBOM layer)", got)
		}
		if got := run(); got != 0 {
			t.Errorf("warm run: got %d blob GETs, want 0; counts %s", got, registrytest.CountsString(reg.Counts()))
		}
	})
}

func TestCorruptCacheEntry(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	dir := t.TempDir()
	c := newClient(t, dir)
	repo := reg.Ref("acme/corrupt")
	rel := push(t, c, repo, "v1", everyStyle)
	layer := rel.Platforms[0].SBOMLayer
	want, err := c.FetchBlob(ctx, repo, layer)
	if err != nil {
		t.Fatal(err)
	}
	entry := filepath.Join(dir, "blobs", "sha256", layer.Digest.Encoded())
	for _, corrupt := range [][]byte{[]byte("garbage"), append([]byte("X"), want[1:]...), nil} {
		if err := os.WriteFile(entry, corrupt, 0o644); err != nil {
			t.Fatal(err)
		}
		reg.ResetCounts()
		got, err := newClient(t, dir).FetchBlob(ctx, repo, layer)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("got %q, want the registry's bytes", got)
		}
		if n := reg.Count(registrytest.KindBlobGet); n != 1 {
			t.Errorf("got %d blob GETs, want 1 (refetched)", n)
		}
		if b, _ := os.ReadFile(entry); string(b) != string(want) {
			t.Errorf("cache entry not repaired: %q", b)
		}
	}
}

func TestFetchRejects(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	c := newClient(t, t.TempDir())
	repo := reg.Ref("acme/bad")
	rel := push(t, c, repo, "v1", everyStyle)
	layer := rel.Platforms[0].SBOMLayer
	good := rel.Platforms[0].SBOMDocument
	serve := func(body []byte) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(body)
		})
	}
	flipped := append([]byte{good[0] ^ 1}, good[1:]...)
	for _, tc := range []struct {
		name    string
		body    []byte
		desc    ocispec.Descriptor
		max     int64
		want    error
		wantGet int
	}{
		{"same size other bytes", flipped, layer, 0, oci.ErrDigestMismatch, 1},
		{"longer", append(append([]byte{}, good...), ' '), layer, 0, oci.ErrDigestMismatch, 1},
		{"shorter", good[:len(good)-1], layer, 0, oci.ErrDigestMismatch, 1},
		{"over the limit", good, layer, layer.Size - 1, oci.ErrTooLarge, 0},
		{"descriptor lies about size", good, ocispec.Descriptor{MediaType: layer.MediaType, Digest: layer.Digest, Size: layer.Size - 10}, 0, oci.ErrDigestMismatch, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc := newClient(t, t.TempDir(), func(o *oci.Options) { o.MaxBlobSize = tc.max })
			reg.ResetCounts()
			reg.ClearFaults()
			reg.Inject(registrytest.Fault{Match: registrytest.PathContains("/blobs/" + layer.Digest.String()), Times: -1, Handler: serve(tc.body)})
			_, err := cc.FetchBlob(ctx, repo, tc.desc)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), layer.Digest.String()) {
				t.Errorf("got %v, want %v naming %s", err, tc.want, layer.Digest)
			}
			if n := reg.Count(registrytest.KindBlobGet); n != tc.wantGet {
				t.Errorf("got %d blob GETs, want %d", n, tc.wantGet)
			}
			reg.ClearFaults()
			if tc.want == oci.ErrTooLarge {
				return
			}
			// nothing bad was cached: the real bytes come through now
			if b, err := cc.FetchBlob(ctx, repo, layer); err != nil || string(b) != string(good) {
				t.Errorf("after the fault: got %v", err)
			}
		})
	}
}

func TestMissingReferrer(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := newClient(t, t.TempDir())
		repo := reg.Ref("acme/dangling")
		pushed := push(t, c, repo, "v1", everyStyle)
		rel, err := c.Release(ctx, repo, "v1")
		if err != nil {
			t.Fatal(err)
		}
		missing := pushed.Platforms[0].SBOM
		reg.Inject(registrytest.Fault{Match: registrytest.PathContains("/manifests/" + missing.String()), Times: -1, Status: http.StatusNotFound})
		vex := pushVEX(t, c, repo, rel.Platforms[0], "b") // still listed, not an SBOM
		cands, err := c.SBOMCandidates(ctx, rel, rel.Platforms[0])
		if !errors.Is(err, oci.ErrMissingReferrer) || !strings.Contains(err.Error(), missing.String()) {
			t.Errorf("got %v, want ErrMissingReferrer naming %s", err, missing)
		}
		if len(cands) != 0 {
			t.Errorf("got %d candidates, want 0", len(cands))
		}
		listed, _, err := c.Referrers(ctx, repo, rel.Platforms[0].Digest, "")
		if err != nil || len(listed) != 2 {
			t.Errorf("referrers: got %d, %v; want 2 (SBOM and VEX %s)", len(listed), err, vex.Digest)
		}
	})
}

func TestIndexNesting(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := newClient(t, t.TempDir())
		repo := reg.Ref("acme/nested")
		base := push(t, c, repo, "base", fixture.Spec{Platforms: []fixture.PlatformSpec{{OS: "linux", Architecture: "amd64"}}})
		child := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageIndex, Digest: base.Digest}
		b, err := c.FetchManifest(ctx, repo, ocispec.Descriptor{Digest: base.Digest, Size: sizeOf(t, c, repo, "base")})
		if err != nil {
			t.Fatal(err)
		}
		child.Size = int64(len(b))
		// depth 1 is "base"; wrap it up to depth 5
		for depth := 2; depth <= 5; depth++ {
			idx, _ := jsonIndex(child)
			d, err := c.PushManifest(ctx, repo, ocispec.MediaTypeImageIndex, idx, "depth"+string(rune('0'+depth)))
			if err != nil {
				t.Fatal(err)
			}
			child = d
		}
		for _, tc := range []struct {
			tag  string
			want error
		}{{"depth4", nil}, {"depth5", oci.ErrIndexTooDeep}} {
			r, err := c.Release(ctx, repo, tc.tag)
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.tag, err, tc.want)
			}
			if tc.want == nil && (len(r.Platforms) != 1 || r.Platforms[0].Digest != base.Platforms[0].Digest) {
				t.Errorf("%s: got platforms %+v, want the amd64 manifest %s", tc.tag, r.Platforms, base.Platforms[0].Digest)
			}
		}

		// an index whose child, fetched, answers with the index itself
		top, err := c.Resolve(ctx, repo, "depth2")
		if err != nil {
			t.Fatal(err)
		}
		topBytes, err := c.FetchManifest(ctx, repo, top)
		if err != nil {
			t.Fatal(err)
		}
		reg.Inject(registrytest.Fault{Match: registrytest.PathContains("/manifests/" + base.Digest.String()), Times: -1,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", ocispec.MediaTypeImageIndex)
				_, _ = w.Write(topBytes)
			})})
		done := make(chan error, 1)
		go func() {
			_, err := newClient(t, t.TempDir()).Release(ctx, repo, "depth2")
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, oci.ErrDigestMismatch) && !errors.Is(err, oci.ErrIndexCycle) {
				t.Errorf("self-listing index: got %v, want ErrDigestMismatch or ErrIndexCycle", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("self-listing index: hangs")
		}
	})
}

func sizeOf(t testing.TB, c *oci.Client, repo, tag string) int64 {
	t.Helper()
	d, err := c.Resolve(context.Background(), repo, tag)
	if err != nil {
		t.Fatal(err)
	}
	return d.Size
}

func TestRetries(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		repo := reg.Ref("acme/flaky")
		pushed := push(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, "v1", everyStyle)
		work := func(c *oci.Client) error {
			rels, err := c.Releases(ctx, repo, []string{"v1"})
			if err != nil {
				return err
			}
			if rels[0].Digest != pushed.Digest {
				t.Errorf("got %s, want %s", rels[0].Digest, pushed.Digest)
			}
			for _, p := range rels[0].Platforms {
				cands, err := c.SBOMCandidates(ctx, rels[0], p)
				if err != nil {
					return err
				}
				for _, cand := range cands {
					if _, err := c.FetchBlob(ctx, repo, cand.Layer); err != nil {
						return err
					}
				}
			}
			return nil
		}
		reg.ResetCounts()
		if err := work(newClient(t, "", func(o *oci.Options) { o.NoCache = true })); err != nil {
			t.Fatal(err)
		}
		total := reg.Total()
		for n := 1; n <= total; n++ {
			for _, drop := range []bool{false, true} {
				reg.ClearFaults()
				f := reg.Inject(registrytest.Fault{Skip: n - 1, Drop: drop, Status: http.StatusInternalServerError})
				c := newClient(t, "", func(o *oci.Options) {
					o.NoCache = true
					// a fresh connection per request: net/http itself would
					// silently resend a GET on a dropped reused connection
					o.Transport = &http.Transport{DisableKeepAlives: true}
				})
				if err := work(c); err != nil {
					t.Errorf("fault at request %d (drop %v): %v", n, drop, err)
				}
				if reg.Fired(f) != 1 {
					t.Errorf("fault at request %d (drop %v) fired %d times, want 1", n, drop, reg.Fired(f))
				}
			}
		}
		reg.ClearFaults()
		// without retries the same faults surface, naming the registry
		for _, drop := range []bool{false, true} {
			reg.Inject(registrytest.Fault{Drop: drop})
			c := newClient(t, "", func(o *oci.Options) {
				o.Retries = -1
				o.Transport = &http.Transport{DisableKeepAlives: true}
			})
			_, err := c.ListTags(ctx, repo)
			if err == nil || !strings.Contains(err.Error(), reg.Host) || drop != errors.Is(err, oci.ErrUnreachable) {
				t.Errorf("no retries (drop %v): got %v, want an error naming %s", drop, err, reg.Host)
			}
		}
	})
}

func TestUnreachable(t *testing.T) {
	c := newClient(t, t.TempDir(), func(o *oci.Options) { o.Retries = 1 })
	_, err := c.Releases(context.Background(), "127.0.0.1:1/acme/proxy", []string{"*"})
	if !errors.Is(err, oci.ErrUnreachable) || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("got %v, want ErrUnreachable naming 127.0.0.1:1", err)
	}
}

func TestPushReferrer(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := newClient(t, t.TempDir())
		repo := reg.Ref("acme/publish")
		push(t, c, repo, "v1", everyStyle)
		push(t, c, repo, "v2", fixture.Spec{SingleArch: true, Platforms: everyStyle.Platforms[:1]})
		before := map[string]digest.Digest{}
		for _, tag := range []string{"v1", "v2"} {
			d, err := c.Resolve(ctx, repo, tag)
			if err != nil {
				t.Fatal(err)
			}
			before[tag] = d.Digest
		}
		rel, err := c.Release(ctx, repo, "v1")
		if err != nil {
			t.Fatal(err)
		}
		subject := rel.Platforms[6] // linux/386: no SBOM referrer
		first := pushVEX(t, c, repo, subject, "same")
		again := pushVEX(t, c, repo, subject, "same")
		if first.Digest != again.Digest {
			t.Errorf("same content: got %s then %s", first.Digest, again.Digest)
		}
		got, src, err := c.Referrers(ctx, repo, subject.Digest, bundleType)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Digest != first.Digest || got[0].ArtifactType != bundleType || got[0].Annotations["dev.vexil.content-digest"] != "same" {
			t.Errorf("got %+v, want one referrer %s", got, first.Digest)
		}
		if want := map[bool]oci.Source{true: oci.SourceReferrersAPI, false: oci.SourceReferrersTag}[reg.ReferrersAPI]; src != want {
			t.Errorf("source: got %s, want %s", src, want)
		}
		if other, _, _ := c.Referrers(ctx, repo, subject.Digest, "application/spdx+json"); len(other) != 0 {
			t.Errorf("filter: got %d referrers of another type, want 0", len(other))
		}

		// pushing referrers never moves a tag
		for tag, want := range before {
			d, err := c.Resolve(ctx, repo, tag)
			if err != nil || d.Digest != want {
				t.Errorf("tag %s: got %s (%v), want %s unchanged", tag, d.Digest, err, want)
			}
		}

		// concurrent writers, each its own client as separate processes
		// would be. Only the tag schema is vexil's to keep consistent:
		// olareg v0.2.2 itself updates its referrers response without a
		// lock, so concurrent pushes for one subject can lose entries there.
		if reg.ReferrersAPI {
			return
		}
		const writers = 8
		var wg sync.WaitGroup
		pushedDigests := make([]digest.Digest, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pushedDigests[i] = pushVEX(t, newClient(t, t.TempDir()), repo, rel.Platforms[5], "w"+string(rune('a'+i))).Digest
			}()
		}
		wg.Wait()
		listed, _, err := newClient(t, t.TempDir()).Referrers(ctx, repo, rel.Platforms[5].Digest, bundleType)
		if err != nil {
			t.Fatal(err)
		}
		var listedDigests []digest.Digest
		for _, d := range listed {
			listedDigests = append(listedDigests, d.Digest)
		}
		for _, d := range pushedDigests {
			if !slices.Contains(listedDigests, d) {
				t.Errorf("referrer %s lost; listed %v", d, listedDigests)
			}
		}
		if len(listed) != writers {
			t.Errorf("got %d referrers, want %d", len(listed), writers)
		}

	})
}

func TestMatchTags(t *testing.T) {
	tags := []string{"v1.0.0", "v1.1.0", "v1.10.0", "v2.0.0", "enterprise-2.19.1", "latest", "sha256-abc",
		"sha256-" + strings.Repeat("ab", 32), "sha256-" + strings.Repeat("ab", 32) + ".sig"}
	for _, tc := range []struct {
		globs []string
		want  []string
	}{
		{[]string{"v1.*"}, []string{"v1.0.0", "v1.1.0", "v1.10.0"}},
		{[]string{"v1.?.0"}, []string{"v1.0.0", "v1.1.0"}},
		{[]string{"enterprise-2.19.*", "latest"}, []string{"enterprise-2.19.1", "latest"}},
		{[]string{"*", "v1.*"}, []string{"enterprise-2.19.1", "latest", "sha256-abc", "v1.0.0", "v1.1.0", "v1.10.0", "v2.0.0"}},
		{[]string{"v3*"}, nil},
		{nil, nil},
	} {
		t.Run(strings.Join(tc.globs, ","), func(t *testing.T) {
			got, err := oci.MatchTags(tags, tc.globs)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestCredentials(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	repo := reg.Ref("acme/private")
	push(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, "v1", everyStyle)
	const want = "Basic dXNlcjpzZWNyZXQ=" // user:secret
	reg.Inject(registrytest.Fault{
		Match: func(r *http.Request) bool { return r.Header.Get("Authorization") != want },
		Times: -1,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="registrytest"`)
			w.WriteHeader(http.StatusUnauthorized)
		}),
	})
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(`{"auths":{"`+reg.Host+`":{"auth":"dXNlcjpzZWNyZXQ="}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	anon := newClient(t, "")
	if _, err := anon.ListTags(ctx, repo); err == nil || !strings.Contains(err.Error(), "credential") {
		t.Errorf("anonymous: got %v, want a missing credential error", err)
	}
	c := newClient(t, "", func(o *oci.Options) { o.Anonymous = false; o.DockerConfig = cfg })
	tags, err := c.ListTags(ctx, repo)
	if err != nil || !slices.Equal(tags, []string{"v1"}) {
		t.Errorf("with docker config: got %v, %v; want [v1]", tags, err)
	}
}

// Without DOCKER_CONFIG and without a home directory (a bare container,
// `env -i`) there is no Docker config to read: access is anonymous rather
// than an error, as with the docker CLI.
func TestNoHomeIsAnonymous(t *testing.T) {
	reg := registrytest.NewOlareg(t)
	repo := reg.Ref("acme/public")
	push(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, "v1", everyStyle)
	t.Setenv("DOCKER_CONFIG", "")
	t.Setenv("HOME", "")
	c := newClient(t, "", func(o *oci.Options) { o.Anonymous = false; o.NoCache = true })
	tags, err := c.ListTags(context.Background(), repo)
	if err != nil || !slices.Equal(tags, []string{"v1"}) {
		t.Errorf("got %v, %v; want [v1]", tags, err)
	}
}

// A registry failing at any request of a push leaves either a clean error or
// a pushed referrer; pushing again completes, with exactly one referrer.
func TestPushReferrerFaults(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		repo := reg.Ref("acme/faulty")
		c := newClient(t, "", func(o *oci.Options) { o.NoCache = true })
		push(t, c, repo, "v1", everyStyle)
		rel, err := c.Release(ctx, repo, "v1")
		if err != nil {
			t.Fatal(err)
		}
		reg.ResetCounts()
		pushVEX(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, rel.Platforms[0], "count")
		total := reg.Total()
		for n := 1; n <= total; n++ {
			for _, drop := range []bool{false, true} {
				p := rel.Platforms[(2*n+map[bool]int{false: 0, true: 1}[drop])%len(rel.Platforms)]
				content := fmt.Sprintf("fault-%d-%v", n, drop)
				reg.ClearFaults()
				reg.Inject(registrytest.Fault{Skip: n - 1, Drop: drop, Times: -1})
				flaky := newClient(t, "", func(o *oci.Options) {
					o.NoCache = true
					o.Retries = -1
					o.Transport = &http.Transport{DisableKeepAlives: true}
				})
				_, err := vexReferrer(flaky, repo, p, content)
				if err != nil && !strings.Contains(err.Error(), reg.Host) {
					t.Errorf("fault at %d (drop %v): error does not name the registry: %v", n, drop, err)
				}
				reg.ClearFaults()
				desc := pushVEX(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, p, content)
				listed, _, err := c.Referrers(ctx, repo, p.Digest, bundleType)
				if err != nil {
					t.Fatal(err)
				}
				found := 0
				for _, d := range listed {
					if d.Annotations["dev.vexil.content-digest"] == content {
						found++
						if d.Digest != desc.Digest {
							t.Errorf("fault at %d (drop %v): listed %s, want %s", n, drop, d.Digest, desc.Digest)
						}
					}
				}
				if found != 1 {
					t.Errorf("fault at %d (drop %v): %d referrers with content %s, want 1", n, drop, found, content)
				}
			}
		}
	})
}

func TestOpenBlob(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	repo := reg.Ref("acme/open")
	rel := push(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, "v1", everyStyle)
	layer, want := rel.Platforms[0].SBOMLayer, string(rel.Platforms[0].SBOMDocument)
	dir := t.TempDir()
	entry := filepath.Join(dir, "blobs", "sha256", layer.Digest.Encoded())
	read := func(c *oci.Client) (string, error) {
		rc, err := c.OpenBlob(ctx, repo, layer)
		if err != nil {
			return "", err
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		return string(b), err
	}
	for _, tc := range []struct {
		name    string
		prepare func()
		cache   bool
		wantErr error
		wantGet int
	}{
		{"cold", func() {}, true, nil, 1},
		{"warm", func() {}, true, nil, 0},
		{"corrupt same size", func() { os.WriteFile(entry, []byte(strings.Repeat("x", int(layer.Size))), 0o644) }, true, oci.ErrDigestMismatch, 0},
		{"after corrupt", func() {}, true, nil, 1},
		{"truncated", func() { os.WriteFile(entry, []byte("x"), 0o644) }, true, nil, 1},
		{"no cache", func() {}, false, nil, 1},
		{"no cache, bytes flipped", func() {
			reg.Inject(registrytest.Fault{Match: registrytest.PathContains("/blobs/" + layer.Digest.String()), Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = w.Write(append([]byte{want[0] ^ 1}, want[1:]...))
			})})
		}, false, oci.ErrDigestMismatch, 1},
		{"cache, bytes flipped", func() {
			os.Remove(entry)
			reg.Inject(registrytest.Fault{Match: registrytest.PathContains("/blobs/" + layer.Digest.String()), Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = w.Write(append([]byte{want[0] ^ 1}, want[1:]...))
			})})
		}, true, oci.ErrDigestMismatch, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg.ClearFaults()
			tc.prepare()
			reg.ResetCounts()
			c := newClient(t, dir, func(o *oci.Options) { o.NoCache = !tc.cache })
			got, err := read(c)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("got error %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr == nil && got != want {
				t.Errorf("got %d bytes, want the SBOM's %d", len(got), len(want))
			}
			if n := reg.Count(registrytest.KindBlobGet); n != tc.wantGet {
				t.Errorf("got %d blob GETs, want %d", n, tc.wantGet)
			}
			if _, err := os.Stat(entry); tc.cache && tc.wantErr != nil && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("bad bytes left in the cache: stat %v", err)
			}
		})
	}
}

func TestReferrersAPIProbedOnce(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		repo := reg.Ref("acme/probe")
		push(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, "v1", fixture.Spec{SingleArch: true, Platforms: everyStyle.Platforms[:1]})
		c := newClient(t, "", func(o *oci.Options) { o.NoCache = true })
		reg.ResetCounts()
		const callers = 16
		var wg sync.WaitGroup
		got := make([]bool, callers)
		errs := make([]error, callers)
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = c.ReferrersAPI(ctx, repo)
			}()
		}
		wg.Wait()
		for i := range callers {
			if errs[i] != nil || got[i] != reg.ReferrersAPI {
				t.Errorf("caller %d: got %v (%v), want %v", i, got[i], errs[i], reg.ReferrersAPI)
			}
		}
		if n := reg.Count(registrytest.KindReferrers); n != 1 {
			t.Errorf("referrers requests: got %d, want 1 probe for %d concurrent callers (%s)", n, callers, registrytest.CountsString(reg.Counts()))
		}
		if _, err := c.ReferrersAPI(ctx, repo); err != nil {
			t.Fatal(err)
		}
		if n := reg.Count(registrytest.KindReferrers); n != 1 {
			t.Errorf("referrers requests after a later call: got %d, want 1", n)
		}
	})
}

func TestPushReferrerRequests(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		repo := reg.Ref("acme/requests")
		push(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, "v1", everyStyle)
		c := newClient(t, "", func(o *oci.Options) { o.NoCache = true })
		rel, err := c.Release(ctx, repo, "v1")
		if err != nil {
			t.Fatal(err)
		}
		reg.ResetCounts()
		for i, p := range rel.Platforms {
			pushVEX(t, c, repo, p, fmt.Sprintf("requests-%d", i))
		}
		got := reg.Counts()
		t.Logf("%s, %d subjects: %s", reg.Name, len(rel.Platforms), registrytest.CountsString(got))
		n := len(rel.Platforms)
		checks := []struct {
			kind registrytest.Kind
			want int
		}{
			{registrytest.KindReferrers, 1}, // the capability probe, once per repository
			{registrytest.KindBlobHead, 1},  // the empty config, once per repository
			{registrytest.KindBlobPost, n},
			{registrytest.KindBlobPut, n},
			{registrytest.KindBlobGet, 0},
		}
		if reg.ReferrersAPI {
			checks = append(checks, struct {
				kind registrytest.Kind
				want int
			}{registrytest.KindManifestPut, n})
		}
		for _, ch := range checks {
			if got[ch.kind] != ch.want {
				t.Errorf("%s: got %d, want %d (%s)", ch.kind, got[ch.kind], ch.want, registrytest.CountsString(got))
			}
		}
		if reg.ReferrersAPI {
			if total, want := reg.Total(), 3*n+2; total != want {
				t.Errorf("requests: got %d, want %d (%s)", total, want, registrytest.CountsString(got))
			}
		}
	})
}

// TestBodyCutOff: a registry that drops the connection mid-body, after
// the answer's headers, is asked again; without retries the error names it.
func TestBodyCutOff(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	repo := reg.Ref("acme/cut")
	rel := push(t, newClient(t, "", func(o *oci.Options) { o.NoCache = true }), repo, "v1", everyStyle)
	layer, good := rel.Platforms[0].SBOMLayer, rel.Platforms[0].SBOMDocument
	cut := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(good)))
		_, _ = w.Write(good[:len(good)/2])
		w.(http.Flusher).Flush()
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	})
	for _, tc := range []struct {
		name    string
		retries int
		cache   bool
		open    bool
		wantErr error
		wantGet int
	}{
		{"FetchBlob", 0, false, false, nil, 2},
		{"FetchBlob cached", 0, true, false, nil, 2},
		{"OpenBlob cached", 0, true, true, nil, 2},
		{"FetchBlob without retries", -1, false, false, oci.ErrUnreachable, 1},
		{"OpenBlob cached without retries", -1, true, true, oci.ErrUnreachable, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg.ClearFaults()
			reg.Inject(registrytest.Fault{Match: registrytest.PathContains("/blobs/" + layer.Digest.String()), Handler: cut})
			reg.ResetCounts()
			c := newClient(t, t.TempDir(), func(o *oci.Options) { o.NoCache = !tc.cache; o.Retries = tc.retries })
			var got []byte
			var err error
			if tc.open {
				var rc io.ReadCloser
				if rc, err = c.OpenBlob(ctx, repo, layer); err == nil {
					got, err = io.ReadAll(rc)
					rc.Close()
				}
			} else {
				got, err = c.FetchBlob(ctx, repo, layer)
			}
			if !errors.Is(err, tc.wantErr) || (err != nil && !strings.Contains(err.Error(), reg.Host)) {
				t.Errorf("got %v, want %v naming %s", err, tc.wantErr, reg.Host)
			}
			if tc.wantErr == nil && string(got) != string(good) {
				t.Errorf("got %d bytes, want the layer's %d", len(got), len(good))
			}
			if n := reg.Count(registrytest.KindBlobGet); n != tc.wantGet {
				t.Errorf("got %d blob GETs, want %d", n, tc.wantGet)
			}
		})
	}
}
