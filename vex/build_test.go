package vex_test

import (
	_ "crypto/sha512" // for digest.SHA512
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	"github.com/vexil-dev/vexil/vex"
)

func TestBuildGolden(t *testing.T) {
	doc := mustBuild(t, testOptions(), testRelease(), testStatements())
	golden(t, "proxy-enterprise-2.19.3.openvex.json", mustCanonical(t, doc))

	content, err := vex.ContentDigest(doc)
	if err != nil {
		t.Fatal(err)
	}
	wantID := "https://vex.example.com/proxy/" + proxyIndex.Encoded() + "/" + content.Encoded()
	if doc.ID != wantID {
		t.Errorf("@id: got %s, want %s", doc.ID, wantID)
	}
	if got, want := doc.Timestamp.Format(time.RFC3339), "2026-03-05T16:40:12Z"; got != want {
		t.Errorf("document timestamp: got %s, want the latest statement timestamp %s", got, want)
	}
	if got, want := len(doc.Statements), 4; got != want {
		t.Fatalf("statements: got %d, want %d", got, want)
	}
	var vulns []string
	for _, s := range doc.Statements {
		vulns = append(vulns, string(s.Vulnerability.Name))
		if got, want := len(s.Products), 3; got != want {
			t.Errorf("%s: got %d products, want %d", s.Vulnerability.Name, got, want)
		}
	}
	if want := []string{"CVE-2023-44487", "CVE-2024-24790", "CVE-2024-45337", "CVE-2025-22871"}; !slices.Equal(vulns, want) {
		t.Errorf("statement order: got %v, want %v", vulns, want)
	}
}

// TestBuildDeterministic: the bytes depend on the content only, not on
// input order, time zones, sub-second noise or repeated builds.
func TestBuildDeterministic(t *testing.T) {
	want := mustCanonical(t, mustBuild(t, testOptions(), testRelease(), testStatements()))

	variants := map[string]func(rel *vex.Release, stmts []vex.Statement) []vex.Statement{
		"rebuild": func(*vex.Release, []vex.Statement) []vex.Statement { return nil },
		"statements reversed": func(_ *vex.Release, s []vex.Statement) []vex.Statement {
			slices.Reverse(s)
			return s
		},
		"platforms reversed, index repeated": func(rel *vex.Release, _ []vex.Statement) []vex.Statement {
			rel.Platforms = []digest.Digest{proxyARM64, proxyIndex, proxyAMD64, proxyARM64}
			return nil
		},
		"aliases and subcomponents reordered and repeated": func(_ *vex.Release, s []vex.Statement) []vex.Statement {
			s[0].Aliases = []string{"GO-2023-2102", "GHSA-qppj-fm5r-hxr3", "GO-2023-2102", "CVE-2023-44487"}
			s[0].Subcomponents = []string{"pkg:golang/golang.org/x/net@v0.17.0", "pkg:golang/golang.org/x/net@v0.17.0"}
			return s
		},
		"other time zones and nanoseconds": func(_ *vex.Release, s []vex.Statement) []vex.Statement {
			for i := range s {
				s[i].Timestamp = s[i].Timestamp.In(time.FixedZone("X", -7*3600)).Add(999 * time.Millisecond)
			}
			return s
		},
		"identical statement twice": func(_ *vex.Release, s []vex.Statement) []vex.Statement {
			dup := s[1]
			dup.Source = "statements/proxy/copy.yaml"
			return append(s, dup)
		},
		"same statement, older copy": func(_ *vex.Release, s []vex.Statement) []vex.Statement {
			old := s[0]
			old.ImpactStatement = "An older wording."
			old.Timestamp = old.Timestamp.Add(-24 * time.Hour)
			return append([]vex.Statement{old}, s...)
		},
	}
	for name, change := range variants {
		t.Run(name, func(t *testing.T) {
			rel, stmts := testRelease(), testStatements()
			if s := change(&rel, stmts); s != nil {
				stmts = s
			}
			got := mustCanonical(t, mustBuild(t, testOptions(), rel, stmts))
			if string(got) != string(want) {
				t.Errorf("got other bytes:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestContentDigest: the digest changes iff the statements change.
func TestContentDigest(t *testing.T) {
	base := mustBuild(t, testOptions(), testRelease(), testStatements())
	baseDigest, err := vex.ContentDigest(base)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(base.ID, "/"+baseDigest.Encoded()) {
		t.Errorf("@id %s does not end with the content digest %s", base.ID, baseDigest)
	}
	if err := baseDigest.Validate(); err != nil || baseDigest.Algorithm() != digest.SHA256 {
		t.Errorf("content digest %q is not sha256:<hex>", baseDigest)
	}

	tests := []struct {
		name    string
		change  func(opts *vex.BuildOptions, rel *vex.Release, s []vex.Statement)
		changes bool
	}{
		{"nothing", func(*vex.BuildOptions, *vex.Release, []vex.Statement) {}, false},
		{"author, role and tooling", func(o *vex.BuildOptions, _ *vex.Release, _ []vex.Statement) {
			o.Author, o.Role, o.Tooling = "Someone Else", "Document Creator", "vexil"
		}, false},
		{"id prefix and tag", func(o *vex.BuildOptions, r *vex.Release, _ []vex.Statement) {
			o.IDPrefix, r.Tag = "https://other.example.com/", "enterprise-2.19.3-again"
		}, false},
		{"timestamp of one statement", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) {
			s[2].Timestamp = s[2].Timestamp.Add(time.Second)
		}, true},
		{"status", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) {
			s[3].Status = vex.StatusFixed
		}, true},
		{"product: a platform digest", func(_ *vex.BuildOptions, r *vex.Release, _ []vex.Statement) {
			r.Platforms[1] = dg("another arm64 build")
		}, true},
		{"product: repository name", func(_ *vex.BuildOptions, r *vex.Release, _ []vex.Statement) {
			r.Repository = "registry.example.com/acme/proxy-fips"
		}, true},
		{"alias", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) {
			s[3].Aliases = []string{"GO-2025-3563"}
		}, true},
		{"subcomponent", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) {
			s[0].Subcomponents = []string{"pkg:golang/golang.org/x/net"}
		}, true},
		{"impact statement", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) {
			s[0].ImpactStatement += " "
		}, true},
		{"one statement fewer", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) {
			s[1] = s[0]
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, rel, stmts := testOptions(), testRelease(), testStatements()
			tt.change(&opts, &rel, stmts)
			doc := mustBuild(t, opts, rel, stmts)
			got, err := vex.ContentDigest(doc)
			if err != nil {
				t.Fatal(err)
			}
			if changed := got != baseDigest; changed != tt.changes {
				t.Errorf("content digest changed: got %v, want %v (%s vs %s)", changed, tt.changes, got, baseDigest)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(opts *vex.BuildOptions, rel *vex.Release, s []vex.Statement) []vex.Statement
		want   error
		text   string
	}{
		{"no statements", func(*vex.BuildOptions, *vex.Release, []vex.Statement) []vex.Statement {
			return []vex.Statement{}
		}, vex.ErrNoStatements, "release proxy enterprise-2.19.3: no statements"},
		{"conflicting statuses", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) []vex.Statement {
			c := s[3]
			c.Status, c.StatusNotes, c.ActionStatement, c.Source = vex.StatusAffected, "", "Upgrade.", "statements/proxy/other.yaml"
			return append(s, c)
		}, vex.ErrConflict, "statements/proxy/CVE-2025-22871.yaml (under_investigation) and statements/proxy/other.yaml (affected) about CVE-2025-22871"},
		{"index digest", func(_ *vex.BuildOptions, r *vex.Release, _ []vex.Statement) []vex.Statement {
			r.Index = "sha256:abc"
			return nil
		}, vex.ErrInvalidDigest, `"sha256:abc"`},
		{"sha512 platform digest", func(_ *vex.BuildOptions, r *vex.Release, _ []vex.Statement) []vex.Statement {
			r.Platforms = []digest.Digest{digest.SHA512.FromString("x")}
			return nil
		}, vex.ErrInvalidDigest, "sha512:"},
		{"repository without path", func(_ *vex.BuildOptions, r *vex.Release, _ []vex.Statement) []vex.Statement {
			r.Repository = "localhost:5000"
			return nil
		}, vex.ErrInvalidInput, `repository "localhost:5000" has no lowercase image name`},
		{"no author", func(o *vex.BuildOptions, _ *vex.Release, _ []vex.Statement) []vex.Statement {
			o.Author = ""
			return nil
		}, vex.ErrInvalidInput, "empty author"},
		{"no id prefix", func(o *vex.BuildOptions, _ *vex.Release, _ []vex.Statement) []vex.Statement {
			o.IDPrefix = "/"
			return nil
		}, vex.ErrInvalidInput, "empty id_prefix"},
		{"zero timestamp", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) []vex.Statement {
			s[2].Timestamp = time.Time{}
			return s
		}, vex.ErrInvalidInput, "statements/proxy/CVE-2024-24790.yaml: no timestamp"},
		{"not_affected without justification", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) []vex.Statement {
			s[0].Justification, s[0].ImpactStatement = "", ""
			return s
		}, vex.ErrInvalidInput, "statements/proxy/CVE-2023-44487.yaml: invalid input: either justification or impact statement"},
		{"affected without action", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) []vex.Statement {
			s[1].ActionStatement = ""
			return s
		}, vex.ErrInvalidInput, "action statement must be set"},
		{"subcomponent not a purl", func(_ *vex.BuildOptions, _ *vex.Release, s []vex.Statement) []vex.Statement {
			s[2].Subcomponents = []string{"golang.org/x/net"}
			return s
		}, vex.ErrInvalidInput, `subcomponent "golang.org/x/net"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, rel, stmts := testOptions(), testRelease(), testStatements()
			if s := tt.change(&opts, &rel, stmts); s != nil {
				stmts = s
			}
			doc, err := vex.Build(opts, rel, stmts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v (document %v), want %v", err, doc != nil, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not contain %q", err, tt.text)
			}
		})
	}
}

func TestProductID(t *testing.T) {
	got, err := vex.ProductID("registry.example.com:5000/acme/proxy", proxyIndex)
	if err != nil {
		t.Fatal(err)
	}
	if want := "pkg:oci/proxy@" + proxyIndex.String(); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestContentDigestOrderIndependent: the digest of any document, not only
// of one Build made, ignores the order of statements, products,
// subcomponents and aliases, and the time zone of its times.
func TestContentDigestOrderIndependent(t *testing.T) {
	stmts := testStatements()
	stmts[0].Subcomponents = append(stmts[0].Subcomponents, "pkg:golang/golang.org/x/text@v0.14.0")
	built := mustBuild(t, testOptions(), testRelease(), stmts)
	want, err := vex.ContentDigest(built)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := vex.Parse(mustCanonical(t, built))
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(doc.Statements)
	zone := time.FixedZone("X", 5*3600+45*60)
	for i := range doc.Statements {
		s := &doc.Statements[i]
		slices.Reverse(s.Vulnerability.Aliases)
		slices.Reverse(s.Products)
		for j := range s.Products {
			slices.Reverse(s.Products[j].Subcomponents)
		}
		local := s.Timestamp.In(zone)
		s.Timestamp = &local
	}
	if got := doc.Statements[3].Products[0].Subcomponents[0].ID; got != "pkg:golang/golang.org/x/text@v0.14.0" {
		t.Fatalf("the shuffle did not reorder subcomponents: first is %s", got)
	}
	got, err := vex.ContentDigest(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestBuildTie: two statements about the same vulnerability and
// subcomponents, same status, same second: one is kept, whatever the order.
func TestBuildTie(t *testing.T) {
	a := testStatements()[0]
	b := a
	b.ImpactStatement, b.Source = "Another wording.", "statements/proxy/other.yaml"
	first := mustBuild(t, testOptions(), testRelease(), []vex.Statement{a, b})
	second := mustBuild(t, testOptions(), testRelease(), []vex.Statement{b, a})
	if got, want := len(first.Statements), 1; got != want {
		t.Fatalf("got %d statements, want %d", got, want)
	}
	if x, y := string(mustCanonical(t, first)), string(mustCanonical(t, second)); x != y {
		t.Errorf("input order changed the bytes:\n%s\nvs\n%s", x, y)
	}
	if got, want := first.Statements[0].ImpactStatement, "Another wording."; got != want {
		t.Errorf("kept %q, want %q (the smaller canonical bytes)", got, want)
	}
}

func TestBuildIDEscapesProduct(t *testing.T) {
	rel := testRelease()
	rel.Product = "edge proxy/fips"
	doc := mustBuild(t, testOptions(), rel, testStatements())
	if want := "https://vex.example.com/edge%20proxy%2Ffips/" + proxyIndex.Encoded() + "/"; !strings.HasPrefix(doc.ID, want) {
		t.Errorf("@id: got %s, want prefix %s", doc.ID, want)
	}
}
