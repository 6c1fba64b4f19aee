package pull_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/registrytest"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/pull"
	"github.com/vexil-dev/vexil/vex"
)

const predicateType = "https://openvex.dev/ns/v0.2.0"

// TestRejections publishes, beside good attestations, every kind of bad
// one on the same image, and checks that each bad one is listed with its
// reason and left out of the merge.
func TestRejections(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := client(t)
		rel := image(t, reg, c)
		repo := rel.Repository
		signer, pub := keyPair(t)
		other, _ := keyPair(t)
		amd, arm := rel.Platforms[0], rel.Platforms[1]

		doc := document(t, rel, statement{"CVE-2023-44487", vex.StatusNotAffected, at(1)})
		evil := document(t, rel, statement{"CVE-2023-44487", vex.StatusAffected, at(9)})

		good := pushBundle(t, c, repo, rel.Descriptor(), attest(t, signer, repo, rel.Digest, predicateType, doc), predicateType)
		goodAMD := pushBundle(t, c, repo, amd.Descriptor(), attest(t, signer, repo, amd.Digest, predicateType, doc), predicateType)

		valid := attest(t, signer, repo, rel.Digest, predicateType, doc)
		forged, err := sign.Statement{Subjects: []sign.Subject{{Name: repo, Digest: rel.Digest.String()}}, PredicateType: predicateType, Predicate: evil}.Encode()
		if err != nil {
			t.Fatal(err)
		}
		tampered := pushBundle(t, c, repo, rel.Descriptor(), tamper(t, valid, forged), predicateType)
		otherKey := pushBundle(t, c, repo, rel.Descriptor(), attest(t, other, repo, rel.Digest, predicateType, evil), predicateType)
		copied := pushBundle(t, c, repo, arm.Descriptor(), attest(t, signer, repo, amd.Digest, predicateType, evil), predicateType)
		notVEX := pushBundle(t, c, repo, rel.Descriptor(), attest(t, signer, repo, rel.Digest, "https://slsa.dev/provenance/v1", evil), predicateType)
		unsigned := pushInToto(t, c, repo, rel.Descriptor(), attest(t, nil, repo, rel.Digest, predicateType, evil), predicateType)

		ref := pull.Reference{Repository: repo, Tag: "v1"}
		res, err := pull.Pull(ctx, c, ref, pull.Options{Verify: sign.VerifyOptions{Key: pub}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[digest.Digest]error{
			good:     nil,
			goodAMD:  nil,
			tampered: sign.ErrSignature,
			otherKey: sign.ErrSignature,
			copied:   sign.ErrSubject,
			notVEX:   pull.ErrNotOpenVEX,
			unsigned: sign.ErrNoSignature,
		}
		if len(res.Attestations) != len(want) {
			for _, a := range res.Attestations {
				t.Logf("found %s on %s: %v", a.Manifest, a.Subject, a.Err)
			}
			t.Fatalf("got %d attestations, want %d (the SBOM referrers are not VEX)", len(res.Attestations), len(want))
		}
		for _, a := range res.Attestations {
			w, ok := want[a.Manifest]
			switch {
			case !ok:
				t.Errorf("unexpected attestation %s", a.Manifest)
			case w == nil && a.Err != nil:
				t.Errorf("%s: got %v, want accepted", a.Manifest, a.Err)
			case w != nil && !errors.Is(a.Err, w):
				t.Errorf("%s: got %v, want %v", a.Manifest, a.Err, w)
			case w == nil && (!a.Verified || a.Signer != "key "+signer.Hint() || a.Format != pull.FormatBundle || a.Statements() != 1):
				t.Errorf("%s: verified %v signer %q format %q statements %d, want true, key %s, %s, 1",
					a.Manifest, a.Verified, a.Signer, a.Format, a.Statements(), signer.Hint(), pull.FormatBundle)
			}
			wantSource := pull.SourceReferrersTag
			if reg.ReferrersAPI {
				wantSource = pull.SourceReferrersAPI
			}
			if a.Source != wantSource {
				t.Errorf("%s: source %s, want %s", a.Manifest, a.Source, wantSource)
			}
		}
		if got := res.Attestations[0].Subject; got != rel.Digest {
			t.Errorf("first attestation is about %s, want the index %s", got, rel.Digest)
		}
		if got := res.Attestations[len(res.Attestations)-1]; got.Manifest != copied || got.Platform != "linux/arm64" {
			t.Errorf("last attestation %s on %q, want %s on linux/arm64", got.Manifest, got.Platform, copied)
		}
		if n := len(res.Document.Statements); n != 1 {
			t.Fatalf("merged %d statements, want 1", n)
		}
		if s := res.Document.Statements[0]; s.Status != vex.StatusNotAffected || len(s.Products) != 3 {
			t.Errorf("merged status %s with %d products, want not_affected on the index and both platforms", s.Status, len(s.Products))
		}

		t.Run("allow-unsigned", func(t *testing.T) {
			res, err := pull.Discover(ctx, c, ref, pull.Options{Verify: sign.VerifyOptions{Key: pub}, AllowUnsigned: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range res.Attestations {
				if a.Manifest != unsigned {
					continue
				}
				if a.Err != nil || a.Verified || a.Format != pull.FormatInToto || a.Signer != "" {
					t.Errorf("unsigned: err %v verified %v format %q signer %q, want accepted, unverified, in-toto, no signer", a.Err, a.Verified, a.Format, a.Signer)
				}
				return
			}
			t.Error("the unsigned referrer is missing")
		})
	})
}

// TestLatestWins publishes three documents over time for one image; the
// merge keeps exactly the latest statement.
func TestLatestWins(t *testing.T) {
	registrytest.Each(t, func(t *testing.T, reg *registrytest.Registry) {
		ctx := context.Background()
		c := client(t)
		rel := image(t, reg, c)
		signer, pub := keyPair(t)
		for _, s := range []statement{
			{"CVE-2024-0001", vex.StatusUnderInvestigation, at(1)},
			{"CVE-2024-0001", vex.StatusNotAffected, at(2)},
			{"CVE-2024-0001", vex.StatusAffected, at(3)},
		} {
			doc := document(t, rel, s, statement{"CVE-2024-0002", vex.StatusFixed, at(1)})
			pushBundle(t, c, rel.Repository, rel.Descriptor(), attest(t, signer, rel.Repository, rel.Digest, predicateType, doc), predicateType)
		}
		res, err := pull.Pull(ctx, c, pull.Reference{Repository: rel.Repository, Tag: "v1"}, pull.Options{Verify: sign.VerifyOptions{Key: pub}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Attestations) != 3 || len(res.Accepted()) != 3 {
			t.Fatalf("got %d attestations, %d accepted, want 3 and 3", len(res.Attestations), len(res.Accepted()))
		}
		got := map[string]string{}
		for _, s := range res.Document.Statements {
			got[string(s.Vulnerability.Name)] = string(s.Status) + " " + s.Timestamp.UTC().Format("2006-01-02")
			if len(s.Products) != 3 {
				t.Errorf("%s: %d products, want the index and both platforms", s.Vulnerability.Name, len(s.Products))
			}
		}
		want := map[string]string{"CVE-2024-0001": "affected 2026-01-03", "CVE-2024-0002": "fixed 2026-01-01"}
		if len(got) != len(want) || len(res.Document.Statements) != 2 {
			t.Fatalf("merged %v (%d statements), want %v", got, len(res.Document.Statements), want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: got %q, want %q", k, got[k], v)
			}
		}
		a, err := vex.Canonical(res.Document)
		if err != nil {
			t.Fatal(err)
		}
		again, err := pull.Pull(ctx, c, pull.Reference{Repository: rel.Repository, Digest: rel.Digest}, pull.Options{Verify: sign.VerifyOptions{Key: pub}, Jobs: 1})
		if err != nil {
			t.Fatal(err)
		}
		b, err := vex.Canonical(again.Document)
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) {
			t.Errorf("pulling by digest with one job gave other bytes:\n%s\nwant\n%s", b, a)
		}
	})
}

// TestPlatform keeps one platform: attestations of the other are not
// looked for, and an unknown platform is an error naming those there are.
func TestPlatform(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	c := client(t)
	rel := image(t, reg, c)
	signer, pub := keyPair(t)
	doc := document(t, rel, statement{"CVE-2024-0001", vex.StatusFixed, at(1)})
	for _, p := range rel.Platforms {
		pushBundle(t, c, rel.Repository, p.Descriptor(), attest(t, signer, rel.Repository, p.Digest, predicateType, doc), predicateType)
	}
	ref := pull.Reference{Repository: rel.Repository, Tag: "v1"}
	opts := pull.Options{Verify: sign.VerifyOptions{Key: pub}, Platform: "linux/arm64"}
	res, err := pull.Pull(ctx, c, ref, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Attestations) != 1 || res.Attestations[0].Subject != rel.Platforms[1].Digest {
		t.Fatalf("got %d attestations, want the one on linux/arm64", len(res.Attestations))
	}
	if len(res.Image.Platforms) != 1 || res.Image.Platforms[0] != rel.Platforms[1].Digest {
		t.Errorf("image platforms %v, want [%s]", res.Image.Platforms, rel.Platforms[1].Digest)
	}
	// the merged document names the index too: scanners match it
	if n := len(res.Document.Statements[0].Products); n != 2 {
		t.Errorf("merged products %d, want 2 (index and arm64)", n)
	}

	opts.Platform = "linux/s390x"
	_, err = pull.Pull(ctx, c, ref, opts)
	if want := "no such platform linux/s390x: the image has [linux/amd64 linux/arm64]"; !errors.Is(err, pull.ErrNoPlatform) || err.Error() != rel.Repository+":v1: "+want {
		t.Errorf("got %v, want %q", err, want)
	}
}

// TestNothingToMerge: no options to verify with, no attestations, and
// only rejected attestations are each their own error.
func TestNothingToMerge(t *testing.T) {
	ctx := context.Background()
	reg := registrytest.NewOlareg(t)
	c := client(t)
	rel := image(t, reg, c)
	_, pub := keyPair(t)
	other, _ := keyPair(t)
	ref := pull.Reference{Repository: rel.Repository, Tag: "v1"}

	if _, err := pull.Pull(ctx, c, ref, pull.Options{}); !errors.Is(err, pull.ErrUnverified) {
		t.Errorf("no key: got %v, want %v", err, pull.ErrUnverified)
	}
	opts := pull.Options{Verify: sign.VerifyOptions{Key: pub}}
	if _, err := pull.Pull(ctx, c, ref, opts); !errors.Is(err, pull.ErrNoAttestations) {
		t.Errorf("no attestations: got %v, want %v", err, pull.ErrNoAttestations)
	}
	doc := document(t, rel, statement{"CVE-2024-0001", vex.StatusFixed, at(1)})
	pushBundle(t, c, rel.Repository, rel.Descriptor(), attest(t, other, rel.Repository, rel.Digest, predicateType, doc), predicateType)
	res, err := pull.Pull(ctx, c, ref, opts)
	if !errors.Is(err, pull.ErrNoneAccepted) || res == nil || len(res.Rejected()) != 1 || res.Document != nil {
		t.Errorf("only another key: got %v, want %v with one rejected and no document", err, pull.ErrNoneAccepted)
	}
	if _, err := pull.Pull(ctx, c, pull.Reference{Repository: rel.Repository, Tag: "v2"}, opts); !errors.Is(err, oci.ErrNotFound) {
		t.Errorf("missing tag: got %v, want %v", err, oci.ErrNotFound)
	}
}

// TestScannersMatch feeds the merged document of a pull to go-vex's
// Matches, which grype and trivy both call, with the product identifiers
// each scanner derives from the image: trivy's image purl
// (pkg:oci/<name>@sha256%3A<hex>?arch=…&repository_url=<repository>),
// grype's purl (repository_url=<registry>/<path minus name>) and its bare
// digest hex. Every digest of the image matches in every form; another
// digest or another name does not.
func TestScannersMatch(t *testing.T) {
	p := publish(t)
	res, err := p.pull()
	if err != nil {
		t.Fatal(err)
	}
	rel := p.rel
	parent := rel.Repository[:strings.LastIndexByte(rel.Repository, '/')]
	forms := func(name, hex, arch string) map[string]string {
		return map[string]string{
			"trivy":     "pkg:oci/" + name + "@sha256%3A" + hex + "?arch=" + arch + "&repository_url=" + url.QueryEscape(rel.Repository),
			"grype":     "pkg:oci/" + name + "@sha256:" + hex + "?repository_url=" + url.QueryEscape(parent),
			"grype hex": hex,
		}
	}
	tests := []struct {
		name    string
		product map[string]string
		matches bool
	}{
		{"index", forms("proxy", rel.Digest.Encoded(), "amd64"), true},
		{"linux/amd64", forms("proxy", rel.Platforms[0].Digest.Encoded(), "amd64"), true},
		{"linux/arm64", forms("proxy", rel.Platforms[1].Digest.Encoded(), "arm64"), true},
		{"another digest", forms("proxy", digest.FromString("another image").Encoded(), "amd64"), false},
		{"another name", map[string]string{"trivy": forms("proxy-fips", rel.Digest.Encoded(), "amd64")["trivy"]}, false},
	}
	for _, tt := range tests {
		for scanner, product := range tt.product {
			t.Run(tt.name+"/"+scanner, func(t *testing.T) {
				got := res.Document.Matches("CVE-2024-0001", product, []string{"pkg:golang/golang.org/x/net@v0.17.0"})
				if want := map[bool]int{true: 1, false: 0}[tt.matches]; len(got) != want {
					t.Errorf("Matches(%s) gave %d statements, want %d", product, len(got), want)
				}
			})
		}
	}
}
