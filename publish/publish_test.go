package publish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/publish"
	"github.com/vexil-dev/vexil/statements"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// The same commit gives byte-identical documents in two clones.
func TestDocumentsSameInClones(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	pushReleases(t, reg, "acme/proxy", "v1.0", "v1.1", "v2.0")
	a := vexRepo(t, reg.Ref("acme/proxy"))
	b := filepath.Join(t.TempDir(), "clone")
	git(t, t.TempDir(), 0, "clone", "-q", a, b)

	var docs [2][][]byte
	for i, dir := range []string{a, b} {
		res, err := publish.Documents(ctx, publish.Options{Config: loadConfig(t, dir), Client: newClient(t, 0), Tooling: "vexil"})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(res.Releases), 2; got != want {
			t.Fatalf("clone %d: got %d releases, want %d", i, got, want)
		}
		for _, rel := range res.Releases {
			docs[i] = append(docs[i], rel.Canonical)
		}
	}
	for j := range docs[0] {
		if !bytes.Equal(docs[0][j], docs[1][j]) {
			t.Errorf("release %d: documents differ between clones:\n%s\n%s", j, docs[0][j], docs[1][j])
		}
	}
	if got := strings.Count(string(docs[0][0]), `"vulnerability"`); got != 2 {
		t.Errorf("v1.0 document has %d statements, want 2", got)
	}
	if got := strings.Count(string(docs[0][1]), `"vulnerability"`); got != 1 {
		t.Errorf("v1.1 document has %d statements, want 1", got)
	}
	for _, want := range []string{`"timestamp": "2024-01-03T12:00:00Z"`, `"timestamp": "2024-01-02T12:00:00Z"`} {
		if !bytes.Contains(docs[0][0], []byte(want)) {
			t.Errorf("v1.0 document lacks %s:\n%s", want, docs[0][0])
		}
	}
}

// Run pushes one referrer per subject in the shape DESIGN.md fixes, leaves
// the releases alone, and a re-run pushes nothing.
func TestRun(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		fx := pushReleases(t, reg, "acme/proxy", "v1.0", "v1.1")
		dir := vexRepo(t, reg.Ref("acme/proxy"))
		commit := git(t, dir, 0, "rev-parse", "HEAD")
		signer, pub := keyPair(t)
		opts := publish.Options{Config: loadConfig(t, dir), Client: newClient(t, 0), Signer: signer, Jobs: 4, Tooling: "vexil"}
		var events []publish.Event
		opts.Progress = func(e publish.Event) { events = append(events, e) }

		res, err := publish.Run(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := actions(res), map[publish.Action]int{publish.ActionPushed: 6}; !maps.Equal(got, want) {
			t.Fatalf("actions %v, want %v", got, want)
		}
		if len(events) != 6 {
			t.Fatalf("got %d progress events, want 6", len(events))
		}
		for i, e := range events {
			if e.Done != i+1 || e.Total != 6 || e.Err != nil || e.Subject.Action != publish.ActionPushed {
				t.Errorf("event %d: done %d of %d, err %v, action %s; want %d of 6, pushed", i, e.Done, e.Total, e.Err, e.Subject.Action, i+1)
			}
		}
		created := map[string]string{"v1.0": "2024-01-03T12:00:00Z", "v1.1": "2024-01-02T12:00:00Z"}
		c := newClient(t, 0)
		for i, rel := range res.Releases {
			if rel.Index.Digest != fx[i].Digest {
				t.Errorf("%s: index %s, want %s", rel.Tag, rel.Index.Digest, fx[i].Digest)
			}
			for _, s := range rel.Subjects {
				ms := vexilReferrers(t, c, rel.Repository, s.Descriptor)
				if len(ms) != 1 {
					t.Fatalf("%s: %d referrers, want 1", s.Reference(), len(ms))
				}
				m := ms[0]
				want := map[string]string{
					"dev.sigstore.bundle.content":       "dsse-envelope",
					"dev.sigstore.bundle.predicateType": "https://openvex.dev/ns/v0.2.0",
					"in-toto.io/predicate-type":         "https://openvex.dev/ns/v0.2.0",
					"org.opencontainers.image.created":  created[rel.Tag],
					"org.opencontainers.image.revision": commit,
					"dev.vexil.content-digest":          rel.ContentDigest.String(),
				}
				if !maps.Equal(m.Annotations, want) {
					t.Errorf("%s: annotations\n%v\nwant\n%v", s.Reference(), m.Annotations, want)
				}
				if m.ArtifactType != sign.BundleMediaType || m.Config.MediaType != ocispec.MediaTypeEmptyJSON ||
					len(m.Layers) != 1 || m.Layers[0].MediaType != sign.BundleMediaType ||
					m.Subject == nil || m.Subject.Digest != s.Descriptor.Digest {
					t.Errorf("%s: manifest shape %+v", s.Reference(), m)
				}
				layer, err := c.FetchBlob(ctx, rel.Repository, m.Layers[0])
				if err != nil {
					t.Fatal(err)
				}
				v, err := sign.Verify(ctx, layer, sign.VerifyOptions{Key: pub})
				if err != nil {
					t.Fatalf("%s: %v", s.Reference(), err)
				}
				if err := v.Statement.CheckSubject(s.Descriptor.Digest.String()); err != nil {
					t.Error(err)
				}
				if got := v.Statement.Subjects[0].Name; got != rel.Repository {
					t.Errorf("statement subject %q, want %q", got, rel.Repository)
				}
				if !bytes.Equal(v.Statement.Predicate, bytes.TrimSpace(rel.Canonical)) {
					t.Errorf("%s: predicate is not the canonical document", s.Reference())
				}
			}
			now, err := c.Resolve(ctx, rel.Repository, rel.Tag)
			if err != nil || now.Digest != fx[i].Digest {
				t.Errorf("%s resolves to %s (%v), want %s", rel.Tag, now.Digest, err, fx[i].Digest)
			}
		}

		// the real cosign CLI verifies every subject with the key, and
		// with another key it does not
		root := cosigntest.TrustedRootFile(t)
		_, otherPub := keyPair(t)
		for _, rel := range res.Releases {
			for _, s := range rel.Subjects {
				for _, k := range []struct {
					pub  string
					pass bool
				}{{pub, true}, {otherPub, false}} {
					out, err := cosigntest.Run(t, t.TempDir(), "", "verify-attestation", "--key", k.pub,
						"--new-bundle-format", "--trusted-root", root, "--insecure-ignore-tlog", "--allow-http-registry",
						"--type", "https://openvex.dev/ns/v0.2.0", s.Reference())
					if (err == nil) != k.pass {
						t.Errorf("cosign verify-attestation %s with %s: err %v, want pass=%v\n%s", s.Reference(), filepath.Base(filepath.Dir(k.pub)), err, k.pass, out)
					}
				}
			}
		}

		// never the legacy cosign tags
		tags, err := c.ListTags(ctx, reg.Ref("acme/proxy"))
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range tags {
			if strings.HasSuffix(tag, ".att") || strings.HasSuffix(tag, ".sig") {
				t.Errorf("publish wrote the legacy tag %s", tag)
			}
		}

		// the same commit again: nothing pushed, one listing per subject
		reg.ResetCounts()
		opts.Client = newClient(t, 0)
		again, err := publish.Run(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := actions(again), map[publish.Action]int{publish.ActionUpToDate: 6}; !maps.Equal(got, want) {
			t.Errorf("re-run actions %v, want %v", got, want)
		}
		counts := reg.Counts()
		t.Logf("re-run requests: %s", registrytest.CountsString(counts))
		for _, k := range []registrytest.Kind{registrytest.KindManifestPut, registrytest.KindBlobPost, registrytest.KindBlobPut, registrytest.KindBlobPatch} {
			if counts[k] != 0 {
				t.Errorf("re-run made %d %s requests, want 0", counts[k], k)
			}
		}
		// one probe of the referrers API, then one listing per subject:
		// an API call, or a GET of the sha256-<hex> tag
		listings := counts[registrytest.KindReferrers]
		if !reg.ReferrersAPI {
			// every manifest GET but the two tags resolved before and
			// after is a tag schema listing
			listings += counts[registrytest.KindManifestGet] - 2*2
		}
		if got, want := listings, 1+6; got != want {
			t.Errorf("re-run: %d listings (with the probe), want %d", got, want)
		}
	})
}

// Findings with errors stop publish before anything is pushed.
func TestFindingsStopPublish(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	pushReleases(t, reg, "acme/proxy", "v1.0")
	dir := vexRepo(t, reg.Ref("acme/proxy"))
	signer, _ := keyPair(t)
	reg.ResetCounts()
	opts := publish.Options{Config: loadConfig(t, dir), Client: newClient(t, 0), Signer: signer, Inventory: noSBOMs{}}
	_, err := publish.Run(ctx, opts)
	var fe *publish.FindingsError
	if !errors.As(err, &fe) || !errors.Is(err, publish.ErrFindings) {
		t.Fatalf("got %v, want a FindingsError", err)
	}
	rules := map[string]int{}
	for _, f := range fe.Findings {
		rules[f.Rule]++
	}
	if rules[statements.RuleSubcomponentNotInSBOM] != 1 {
		t.Errorf("findings %v want one %s", fe.Findings, statements.RuleSubcomponentNotInSBOM)
	}
	if n := reg.Total(); n != 0 {
		t.Errorf("publish made %d registry requests before stopping, want 0: %s", n, registrytest.CountsString(reg.Counts()))
	}
}

// noSBOMs is an inventory in which the SBOM of the one release of proxy
// lists no package.
type noSBOMs struct{}

type emptySet struct{}

func (emptySet) Contains(string) (bool, error)       { return false, nil }
func (emptySet) Candidates(string) ([]string, error) { return nil, nil }

func (noSBOMs) Releases(ctx context.Context, qs []statements.ReleaseQuery) ([]statements.ProductReleases, error) {
	out := make([]statements.ProductReleases, len(qs))
	for i := range qs {
		out[i].Releases = []statements.Release{{Tag: "v1.0", Digest: "sha256:" + strings.Repeat("a", 64),
			Platforms: []statements.ReleasePlatform{{Platform: "linux/amd64", Digest: "sha256:" + strings.Repeat("b", 64),
				SBOMs: []statements.ReleaseSBOM{{Source: "spdx test", Purls: emptySet{}}}}}}}
	}
	return out, nil
}

// Uncommitted statement changes stop publish unless allowed; allowed, the
// changed file takes the injected clock's time.
func TestDirty(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	pushReleases(t, reg, "acme/proxy", "v1.1")
	dir := vexRepo(t, reg.Ref("acme/proxy"))
	changed := strings.Replace(stmtNet, "vulnerable_code_not_in_execute_path", "vulnerable_code_not_present", 1)
	if err := os.WriteFile(filepath.Join(dir, "statements/proxy/CVE-2023-44487.yaml"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := publish.Options{Config: loadConfig(t, dir), Client: newClient(t, 0)}
	if _, err := publish.Documents(ctx, opts); !errors.Is(err, publish.ErrDirty) || !strings.Contains(err.Error(), ": statements/proxy/CVE-2023-44487.yaml; commit them") {
		t.Fatalf("got %v, want ErrDirty naming the file", err)
	}
	// vexil.yaml counts too
	cfgPath := filepath.Join(dir, "vexil.yaml")
	cfgBytes, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, append(cfgBytes, "# changed\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := publish.Documents(ctx, opts); !errors.Is(err, publish.ErrDirty) || !strings.Contains(err.Error(), ": statements/proxy/CVE-2023-44487.yaml, vexil.yaml; commit them") {
		t.Fatalf("got %v, want ErrDirty naming both files", err)
	}
	opts.AllowDirty = true
	if _, err := publish.Documents(ctx, opts); !errors.Is(err, publish.ErrNoClock) {
		t.Fatalf("got %v, want ErrNoClock", err)
	}
	opts.Now = func() time.Time { return time.Date(2025, 3, 4, 5, 6, 7, 890, time.UTC) }
	res, err := publish.Documents(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(res.Releases[0].Canonical)
	for _, want := range []string{`"timestamp": "2025-03-04T05:06:07Z"`, "vulnerable_code_not_present"} {
		if !strings.Contains(doc, want) {
			t.Errorf("document lacks %s:\n%s", want, doc)
		}
	}
}

// A registry that fails at the Nth request, for every N a publish makes:
// the run fails naming what is done and what is not, the next run
// completes, and each subject ends with exactly one vexil referrer.
func TestFaults(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		signer, _ := keyPair(t)
		setup := func(t *testing.T, repo string) publish.Options {
			pushReleases(t, reg, repo, "v1.0")
			dir := vexRepo(t, reg.Ref(repo))
			return publish.Options{Config: loadConfig(t, dir), Signer: signer, Jobs: 2}
		}

		// a clean run says how many requests there are
		opts := setup(t, "acme/clean")
		opts.Client = newClient(t, -1)
		reg.ResetCounts()
		if _, err := publish.Run(ctx, opts); err != nil {
			t.Fatal(err)
		}
		total := reg.Total()
		t.Logf("a clean run of 3 subjects: %d requests: %s", total, registrytest.CountsString(reg.Counts()))

		for n := range total {
			if only := os.Getenv("FAULT_N"); only != "" && only != fmt.Sprint(n) {
				continue
			}
			fault := registrytest.Fault{Skip: n, Status: 500}
			if n%2 == 1 {
				fault = registrytest.Fault{Skip: n, Drop: true}
			}
			repo := "acme/fault" + string(rune('a'+n/26)) + string(rune('a'+n%26))
			opts := setup(t, repo)
			opts.Client = newClient(t, -1)
			f := reg.Inject(fault)
			res, err := publish.Run(ctx, opts)
			if os.Getenv("FAULT_N") != "" {
				t.Logf("first run: %v", err)
			}
			fired := reg.Fired(f)
			reg.ClearFaults()
			if fired == 0 {
				continue // this run made fewer requests (tag schema timing)
			}
			switch {
			case err == nil && fault.Drop:
				// Go's transport replays a GET or HEAD whose connection
				// dropped; the run survived, the end state must hold
			case err == nil:
				t.Errorf("fault at request %d: publish succeeded despite a 500", n)
				continue
			}
			var inc *publish.IncompleteError
			if errors.As(err, &inc) {
				// every subject is either done or not; all may be done
				// when the fault hit the checks after the pushes
				if got := len(inc.Done) + len(inc.NotDone); got != 3 {
					t.Errorf("fault at request %d: done %v, not done %v, want 3 subjects", n, inc.Done, inc.NotDone)
				}
				if !strings.Contains(err.Error(), "not done: ") {
					t.Errorf("fault at request %d: error does not list what is not done: %v", n, err)
				}
			} else if err != nil && res != nil {
				t.Errorf("fault at request %d: got a result with %v", n, err)
			}

			opts.Client = newClient(t, -1)
			res, err = publish.Run(ctx, opts)
			if err != nil {
				t.Fatalf("fault at request %d: the next run failed: %v", n, err)
			}
			c := newClient(t, 0)
			for _, rel := range res.Releases {
				for _, s := range rel.Subjects {
					ms := vexilReferrers(t, c, rel.Repository, s.Descriptor)
					same := 0
					for _, m := range ms {
						if m.Annotations[publish.AnnotationContentDigest] == rel.ContentDigest.String() {
							same++
						}
					}
					if len(ms) != 1 || same != 1 {
						t.Errorf("fault at request %d: %s has %d referrers, %d with the content digest; want 1, 1", n, s.Reference(), len(ms), same)
					}
				}
			}
		}
	})
}

// Two runs at once against the tag schema registry, each with its own
// document for the same subjects: every subject ends with both referrers.
func TestConcurrentRuns(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewDistribution(t)
	pushReleases(t, reg, "acme/proxy", "v1.0", "v1.1")
	a := vexRepo(t, reg.Ref("acme/proxy"))
	b := filepath.Join(t.TempDir(), "clone")
	git(t, t.TempDir(), 0, "clone", "-q", a, b)
	extra := strings.Replace(stmtCrypto, "CVE-2024-45337", "CVE-2024-24790", 1)
	extra = strings.Replace(extra, `tags: ["v1.0"]`, `tags: ["v1.*"]`, 1)
	if err := os.WriteFile(filepath.Join(b, "statements/proxy/CVE-2024-24790.yaml"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, b, 0, "add", "-A")
	git(t, b, 5, "commit", "-q", "-m", "another statement")
	signer, _ := keyPair(t)

	results := make([]*publish.Result, 2)
	errs := make(chan error, 2)
	for i, dir := range []string{a, b} {
		go func() {
			var err error
			results[i], err = publish.Run(ctx, publish.Options{Config: loadConfig(t, dir), Client: newClient(t, 0), Signer: signer, Jobs: 6})
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	c := newClient(t, 0)
	for j, rel := range results[0].Releases {
		want := map[string]bool{rel.ContentDigest.String(): true, results[1].Releases[j].ContentDigest.String(): true}
		if len(want) != 2 {
			t.Fatalf("%s: both runs have the same content digest", rel.Tag)
		}
		for _, s := range rel.Subjects {
			got := map[string]bool{}
			for _, m := range vexilReferrers(t, c, rel.Repository, s.Descriptor) {
				got[m.Annotations[publish.AnnotationContentDigest]] = true
			}
			if !maps.Equal(got, want) {
				t.Errorf("%s: referrers with content digests %v, want %v", s.Reference(), got, want)
			}
		}
	}
}

// A release tag that moves while publishing fails the run loudly, naming
// the tag and both digests.
func TestReleaseMoved(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	pushReleases(t, reg, "acme/proxy", "v1.0", "v1.1")
	dir := vexRepo(t, reg.Ref("acme/proxy"))
	signer, _ := keyPair(t)
	c := newClient(t, 0)
	moved := false
	opts := publish.Options{Config: loadConfig(t, dir), Client: newClient(t, 0), Signer: signer, Jobs: 1}
	var other ocispec.Descriptor
	opts.Progress = func(e publish.Event) {
		if moved {
			return
		}
		moved = true
		// someone re-tags v1.0 to another image while publish runs
		rel, err := fixtureRelease(ctx, c, reg, "v1.0", 99)
		if err != nil {
			t.Error(err)
		}
		other = rel
	}
	_, err := publish.Run(ctx, opts)
	if !errors.Is(err, publish.ErrReleaseChanged) {
		t.Fatalf("got %v, want ErrReleaseChanged", err)
	}
	if want := reg.Ref("acme/proxy") + ":v1.0 was "; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "is now "+other.Digest.String()) {
		t.Errorf("error %q does not name the tag and its new digest %s", err, other.Digest)
	}
	if strings.Contains(err.Error(), ":v1.1 was") {
		t.Errorf("error names v1.1, which did not move: %v", err)
	}
}

// Subjects follow publish.subjects: only the index, or only platforms.
func TestSubjectsConfig(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	fx := pushReleases(t, reg, "acme/proxy", "v1.0")
	dir := vexRepo(t, reg.Ref("acme/proxy"))
	for _, tt := range []struct {
		subjects []string
		want     []string
	}{
		{[]string{"index"}, []string{fx[0].Digest.String()}},
		{[]string{"platforms"}, []string{fx[0].Platforms[0].Digest.String(), fx[0].Platforms[1].Digest.String()}},
		{nil, []string{fx[0].Digest.String(), fx[0].Platforms[0].Digest.String(), fx[0].Platforms[1].Digest.String()}},
	} {
		t.Run(strings.Join(tt.subjects, "+"), func(t *testing.T) {
			cfg := loadConfig(t, dir)
			cfg.Publish.Subjects = tt.subjects
			res, err := publish.Plan(ctx, publish.Options{Config: cfg, Client: newClient(t, 0)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range res.Releases[0].Subjects {
				got = append(got, s.Descriptor.Digest.String())
				if s.Action != publish.ActionPush {
					t.Errorf("%s: action %q, want push", s.Reference(), s.Action)
				}
			}
			if !slicesEqual(got, tt.want) {
				t.Errorf("subjects %v, want %v", got, tt.want)
			}
		})
	}
	cfg := loadConfig(t, dir)
	cfg.Publish.Subjects = []string{"manifests"}
	if _, err := publish.Plan(ctx, publish.Options{Config: cfg, Client: newClient(t, 0)}); !errors.Is(err, publish.ErrSubjects) {
		t.Errorf("got %v, want ErrSubjects", err)
	}
}

// Two tags of one image with the same document push each subject once.
func TestTagsShareAnImage(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	fx := pushReleases(t, reg, "acme/proxy", "v1.1")
	c := newClient(t, 0)
	d, err := c.Resolve(ctx, reg.Ref("acme/proxy"), "v1.1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.FetchManifest(ctx, reg.Ref("acme/proxy"), d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PushManifest(ctx, reg.Ref("acme/proxy"), fx[0].MediaType, b, "v1.1-alias"); err != nil {
		t.Fatal(err)
	}
	dir := vexRepo(t, reg.Ref("acme/proxy"))
	signer, _ := keyPair(t)
	var events int
	res, err := publish.Run(ctx, publish.Options{Config: loadConfig(t, dir), Client: newClient(t, 0), Signer: signer,
		Progress: func(publish.Event) { events++ }})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actions(res), map[publish.Action]int{publish.ActionPushed: 6}; !maps.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
	if events != 6 {
		t.Errorf("%d progress events, want 6", events)
	}
	for i, s := range res.Releases[0].Subjects {
		if other := res.Releases[1].Subjects[i]; other.Referrer != s.Referrer {
			t.Errorf("%s: referrers %s and %s, want one", s.Reference(), s.Referrer, other.Referrer)
		}
		if n := len(vexilReferrers(t, c, s.Repository, s.Descriptor)); n != 1 {
			t.Errorf("%s: %d referrers, want 1", s.Reference(), n)
		}
	}
}

// The guard compares the bytes of each release's manifest, not what the
// registry says they are: a tag that comes back with the same index
// reformatted (the same JSON, one more byte) fails the run, whether the
// registry names the new bytes' digest or still the old one.
func TestReleaseBytesChanged(t *testing.T) {
	tests := []struct {
		name   string
		header func(original, reformatted []byte) digest.Digest
		want   error
		msg    func(host string, original, reformatted []byte) string
	}{
		{"digest of the new bytes",
			func(_, reformatted []byte) digest.Digest { return digest.FromBytes(reformatted) },
			publish.ErrReleaseChanged,
			func(repo string, original, reformatted []byte) string {
				return fmt.Sprintf("%s:v1.0 was %s (%d bytes), is now %s (%d bytes)",
					repo, digest.FromBytes(original), len(original), digest.FromBytes(reformatted), len(reformatted))
			}},
		{"digest of the old bytes",
			func(original, _ []byte) digest.Digest { return digest.FromBytes(original) },
			oci.ErrDigestMismatch,
			func(repo string, original, reformatted []byte) string {
				return fmt.Sprintf("resolving %s:v1.0 after publishing: resolving %s:v1.0: %v: registry says %s, content is %s",
					repo, repo, oci.ErrDigestMismatch, digest.FromBytes(original), digest.FromBytes(reformatted))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			reg := registrytest.NewOlareg(t)
			fx := pushReleases(t, reg, "acme/proxy", "v1.0")
			dir := vexRepo(t, reg.Ref("acme/proxy"))
			signer, _ := keyPair(t)

			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+reg.Host+"/v2/acme/proxy/manifests/v1.0", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", ocispec.MediaTypeImageIndex)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			original, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("GET v1.0: %s, %v", resp.Status, err)
			}
			if got := digest.FromBytes(original); got != fx[0].Digest {
				t.Fatalf("v1.0 is %s, want %s", got, fx[0].Digest)
			}
			reformatted := append(bytes.Clone(original), '\n')
			lying := func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ocispec.MediaTypeImageIndex)
				w.Header().Set("Docker-Content-Digest", tt.header(original, reformatted).String())
				w.Write(reformatted)
			}

			opts := publish.Options{Config: loadConfig(t, dir), Client: newClient(t, 0), Signer: signer, Jobs: 1}
			injected := false
			opts.Progress = func(publish.Event) {
				if !injected {
					// from now on, which is after the plan resolved the tag
					injected = true
					reg.Inject(registrytest.Fault{Match: func(r *http.Request) bool {
						return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/manifests/v1.0")
					}, Times: -1, Handler: http.HandlerFunc(lying)})
				}
			}
			_, err = publish.Run(ctx, opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if want := tt.msg(reg.Ref("acme/proxy"), original, reformatted); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q\nwant it to contain %q", err, want)
			}
		})
	}
}
