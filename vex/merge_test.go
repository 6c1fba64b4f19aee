package vex_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
	govex "github.com/openvex/go-vex/pkg/vex"
	"github.com/vexil-dev/vexil/vex"
)

func testImage() vex.Image {
	return vex.Image{
		Repository: "registry.example.com/acme/proxy",
		Index:      proxyIndex,
		Platforms:  []digest.Digest{proxyAMD64, proxyARM64},
	}
}

// overTime returns the documents publish writes for one release over three
// commits: CVE-2023-44487 goes under_investigation -> not_affected ->
// affected; CVE-2024-24790 stays fixed. Each is read back as pull reads it.
func overTime(t *testing.T) []*vex.Document {
	t.Helper()
	fixed := testStatements()[2]
	states := []vex.Statement{
		{Vulnerability: "CVE-2023-44487", Status: vex.StatusUnderInvestigation,
			Subcomponents: []string{"pkg:golang/golang.org/x/net@v0.17.0"}, Timestamp: at("2026-03-01T08:00:00Z")},
		{Vulnerability: "CVE-2023-44487", Status: vex.StatusNotAffected, Justification: "vulnerable_code_not_in_execute_path",
			Subcomponents: []string{"pkg:golang/golang.org/x/net@v0.17.0"}, Timestamp: at("2026-03-02T08:00:00Z")},
		{Vulnerability: "CVE-2023-44487", Status: vex.StatusAffected, ActionStatement: "Upgrade to enterprise-2.19.4.",
			Subcomponents: []string{"pkg:golang/golang.org/x/net@v0.17.0"}, Timestamp: at("2026-03-03T08:00:00Z")},
	}
	var docs []*vex.Document
	for _, s := range states {
		built := mustBuild(t, testOptions(), testRelease(), []vex.Statement{s, fixed})
		doc, err := vex.Parse(mustCanonical(t, built))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	return docs
}

func mustMerge(t *testing.T, docs []*vex.Document, image vex.Image) *vex.Document {
	t.Helper()
	doc, err := vex.Merge(docs, image)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	return doc
}

func TestMergeOverTime(t *testing.T) {
	docs := overTime(t)
	merged := mustMerge(t, docs, testImage())
	want := mustCanonical(t, merged)
	golden(t, "merged-over-time.openvex.json", want)

	type row struct {
		vuln   string
		status vex.Status
		ts     string
		prods  int
	}
	var got []row
	for _, s := range merged.Statements {
		got = append(got, row{string(s.Vulnerability.Name), s.Status, s.Timestamp.Format(time.RFC3339), len(s.Products)})
	}
	wantRows := []row{
		{"CVE-2023-44487", vex.StatusAffected, "2026-03-03T08:00:00Z", 3},
		{"CVE-2024-24790", vex.StatusFixed, "2026-02-27T08:00:00Z", 3},
	}
	if !slices.Equal(got, wantRows) {
		t.Errorf("statements: got %v, want %v", got, wantRows)
	}
	if got, want := merged.Timestamp.Format(time.RFC3339), "2026-03-03T08:00:00Z"; got != want {
		t.Errorf("timestamp: got %s, want %s", got, want)
	}
	content, _ := vex.ContentDigest(merged)
	if merged.ID != vex.MergedIDPrefix+content.Encoded() {
		t.Errorf("@id: got %s, want %s%s", merged.ID, vex.MergedIDPrefix, content.Encoded())
	}

	// Any order, and each document seen once per subject it is attached to,
	// give the same bytes; the inputs are not modified.
	before := mustCanonical(t, docs[0])
	orders := map[string][]*vex.Document{
		"reversed":   {docs[2], docs[1], docs[0]},
		"middle":     {docs[1], docs[2], docs[0]},
		"duplicated": {docs[0], docs[1], docs[2], docs[2], docs[1], docs[0], docs[0]},
	}
	for name, in := range orders {
		t.Run(name, func(t *testing.T) {
			if got := mustCanonical(t, mustMerge(t, in, testImage())); string(got) != string(want) {
				t.Errorf("got other bytes:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	if after := mustCanonical(t, docs[0]); string(after) != string(before) {
		t.Error("Merge modified an input document")
	}
}

func TestMergeDropsForeignProducts(t *testing.T) {
	ts := at("2026-03-01T00:00:00Z")
	stmt := func(vuln string, ids ...string) govex.Statement {
		s := govex.Statement{Vulnerability: govex.Vulnerability{Name: govex.VulnerabilityID(vuln)}, Status: vex.StatusFixed}
		for _, id := range ids {
			s.Products = append(s.Products, govex.Product{Component: govex.Component{ID: id}})
		}
		return s
	}
	foreign := &vex.Document{Metadata: govex.Metadata{Context: vex.Context, ID: "urn:x:1", Author: "Other", Timestamp: &ts, Version: 1},
		Statements: []govex.Statement{
			stmt("CVE-1", "pkg:oci/controller@"+proxyIndex.String()),
			stmt("CVE-2", "pkg:oci/proxy@"+dg("an older release").String()),
			stmt("CVE-3", "pkg:oci/proxy@"+proxyIndex.String()+"?repository_url=ghcr.io/someone-else/proxy"),
			stmt("CVE-4", "pkg:oci/controller@"+proxyIndex.String(), "pkg:oci/proxy@"+proxyARM64.String()),
		}}
	merged := mustMerge(t, []*vex.Document{foreign}, testImage())
	if got := len(merged.Statements); got != 1 {
		t.Fatalf("got %d statements, want 1 (CVE-4 only)", got)
	}
	s := merged.Statements[0]
	wantID := "pkg:oci/proxy@" + proxyARM64.String()
	if s.Vulnerability.Name != "CVE-4" || len(s.Products) != 1 || s.Products[0].ID != wantID ||
		string(s.Products[0].Hashes[govex.SHA256]) != proxyARM64.Encoded() {
		t.Errorf("got %s with products %+v, want CVE-4 about %s only", s.Vulnerability.Name, s.Products, wantID)
	}
	if merged.Author != "Other" {
		t.Errorf("author: got %q, want %q", merged.Author, "Other")
	}

	foreign.Statements = foreign.Statements[:3]
	if _, err := vex.Merge([]*vex.Document{foreign}, testImage()); !errors.Is(err, vex.ErrNoStatements) {
		t.Errorf("only foreign statements: got %v, want %v", err, vex.ErrNoStatements)
	}
}

// TestMergeProductForms: the forms vexctl, Docker Scout, trivy's docs and
// grype's identifiers use for this image's digests are recognised; others
// are not.
func TestMergeProductForms(t *testing.T) {
	hex := proxyIndex.Encoded()
	tests := []struct {
		name    string
		product govex.Component
		matches bool
	}{
		{"vexil purl", govex.Component{ID: "pkg:oci/proxy@sha256:" + hex}, true},
		{"escaped colon, full repository_url", govex.Component{ID: "pkg:oci/proxy@sha256%3A" + hex + "?repository_url=registry.example.com%2Facme%2Fproxy"}, true},
		{"grype repository_url (parent), arch and tag", govex.Component{ID: "pkg:oci/proxy@sha256:" + hex + "?arch=amd64&repository_url=registry.example.com/acme&tag=x"}, true},
		{"version-less purl (every digest)", govex.Component{ID: "pkg:oci/proxy?repository_url=registry.example.com/acme/proxy"}, true},
		{"identifiers purl", govex.Component{ID: "https://example.com/p", Identifiers: map[govex.IdentifierType]string{govex.PURL: "pkg:oci/proxy@sha256:" + hex}}, true},
		{"hash only", govex.Component{Hashes: map[govex.Algorithm]govex.Hash{govex.SHA256: govex.Hash(hex)}}, true},
		{"digest as @id", govex.Component{ID: "sha256:" + hex}, true},
		{"repository@digest", govex.Component{ID: "registry.example.com/acme/proxy@sha256:" + hex}, true},
		{"platform digest", govex.Component{ID: "pkg:oci/proxy@" + proxyAMD64.String()}, true},
		{"docker purl with digest", govex.Component{ID: "pkg:docker/acme/proxy@sha256:" + hex + "?repository_url=registry.example.com"}, true},
		{"docker purl with digest, no namespace", govex.Component{ID: "pkg:docker/proxy@sha256%3A" + hex}, true},
		{"docker purl with tag", govex.Component{ID: "pkg:docker/acme/proxy@enterprise-2.19.3"}, false},
		{"docker purl, other namespace", govex.Component{ID: "pkg:docker/other/proxy@sha256:" + hex}, false},
		{"docker purl, other registry", govex.Component{ID: "pkg:docker/acme/proxy@sha256:" + hex + "?repository_url=docker.io"}, false},
		{"other digest", govex.Component{ID: "pkg:oci/proxy@" + dg("other").String()}, false},
		{"other name", govex.Component{ID: "pkg:oci/proxy-fips@sha256:" + hex}, false},
		{"namespace", govex.Component{ID: "pkg:oci/acme/proxy@sha256:" + hex}, false},
		{"other registry", govex.Component{ID: "pkg:oci/proxy@sha256:" + hex + "?repository_url=docker.io/library/proxy"}, false},
		{"other hash", govex.Component{Hashes: map[govex.Algorithm]govex.Hash{govex.SHA256: govex.Hash(dg("other").Encoded())}}, false},
	}
	ts := at("2026-03-01T00:00:00Z")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := &vex.Document{Metadata: govex.Metadata{Context: vex.Context, ID: "urn:x:1", Author: "a", Timestamp: &ts, Version: 1},
				Statements: []govex.Statement{{
					Vulnerability: govex.Vulnerability{Name: "CVE-1"}, Status: vex.StatusFixed,
					Products: []govex.Product{{Component: tt.product}},
				}}}
			_, err := vex.Merge([]*vex.Document{doc}, testImage())
			if got := err == nil; got != tt.matches {
				t.Errorf("matched: got %v (%v), want %v", got, err, tt.matches)
			}
			if err != nil && !errors.Is(err, vex.ErrNoStatements) {
				t.Errorf("got %v, want %v", err, vex.ErrNoStatements)
			}
		})
	}
}

func TestMergeSupersedeAndTies(t *testing.T) {
	x := []string{"pkg:golang/golang.org/x/net@v0.17.0"}
	sub := vex.Statement{Vulnerability: "CVE-9", Status: vex.StatusNotAffected, Justification: "component_not_present",
		Subcomponents: x, Timestamp: at("2026-03-01T00:00:00Z")}
	whole := vex.Statement{Vulnerability: "CVE-9", Status: vex.StatusAffected, ActionStatement: "Upgrade.",
		Timestamp: at("2026-03-02T00:00:00Z")}
	build := func(s vex.Statement) *vex.Document {
		return mustBuild(t, testOptions(), testRelease(), []vex.Statement{s})
	}
	statuses := func(d *vex.Document) []string {
		var out []string
		for _, s := range d.Statements {
			out = append(out, string(s.Status)+"@"+s.Timestamp.Format(time.RFC3339))
		}
		return out
	}

	tests := []struct {
		name string
		docs []*vex.Document
		want []string
	}{
		{"newer whole-product statement supersedes a subcomponent one",
			[]*vex.Document{build(sub), build(whole)}, []string{"affected@2026-03-02T00:00:00Z"}},
		{"newer subcomponent statement keeps the older whole-product one",
			[]*vex.Document{build(whole), build(func() vex.Statement { s := sub; s.Timestamp = at("2026-03-03T00:00:00Z"); return s }())},
			[]string{"affected@2026-03-02T00:00:00Z", "not_affected@2026-03-03T00:00:00Z"}},
		{"tie at the same second: the cautious status wins",
			[]*vex.Document{build(func() vex.Statement { s := sub; s.Subcomponents = nil; s.Timestamp = whole.Timestamp; return s }()), build(whole)},
			[]string{"affected@2026-03-02T00:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := statuses(mustMerge(t, tt.docs, testImage()))
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			rev := slices.Clone(tt.docs)
			slices.Reverse(rev)
			if got := statuses(mustMerge(t, rev, testImage())); !slices.Equal(got, tt.want) {
				t.Errorf("reversed inputs: got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestScannersMatchProducts is the evidence for the product form: grype and
// trivy both call go-vex's (*VEX).Matches with identifiers they derive from
// the scanned image. trivy passes its image purl
// (pkg:oci/<name>@sha256%3A<hex>?arch=..&repository_url=<repository>,
// pkg/purl parseOCI); grype passes the repo digest, a purl with
// repository_url=<registry>/<path minus name>, and the bare hex
// (grype/vex/openvex identifiersFromDigests). Our qualifier-free purl with
// hashes must match all of them for the digest, and nothing else.
func TestScannersMatchProducts(t *testing.T) {
	built := mustBuild(t, testOptions(), testRelease(), testStatements())
	merged := mustMerge(t, overTime(t), testImage())
	hex := proxyIndex.Encoded()
	tests := []struct {
		name    string
		product string
		matches bool
	}{
		{"trivy image purl", "pkg:oci/proxy@sha256%3A" + hex + "?arch=amd64&repository_url=registry.example.com%2Facme%2Fproxy", true},
		{"grype purl", "pkg:oci/proxy@sha256:" + hex + "?repository_url=registry.example.com%2Facme", true},
		{"grype bare digest hex", hex, true},
		{"platform purl", "pkg:oci/proxy@sha256%3A" + proxyARM64.Encoded() + "?arch=arm64", true},
		{"other digest", "pkg:oci/proxy@sha256%3A" + dg("other").Encoded() + "?arch=amd64", false},
		{"other name", "pkg:oci/proxy-fips@sha256%3A" + hex, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, doc := range map[string]*vex.Document{"built": built, "merged": merged} {
				got := doc.Matches("CVE-2024-24790", tt.product, []string{"pkg:golang/stdlib@1.22.4"})
				if (len(got) == 1) != tt.matches || len(got) > 1 {
					t.Errorf("%s: go-vex Matches gave %d statements, want match=%v", name, len(got), tt.matches)
				}
			}
		})
	}
}

// TestMergeSameStatementTwoAuthors: the same statement signed by two
// authors at the same second gives the same document in any order.
func TestMergeSameStatementTwoAuthors(t *testing.T) {
	a := mustBuild(t, testOptions(), testRelease(), testStatements()[2:3])
	opts := testOptions()
	opts.Author = "Another Team"
	b := mustBuild(t, opts, testRelease(), testStatements()[2:3])
	ab := mustMerge(t, []*vex.Document{a, b}, testImage())
	ba := mustMerge(t, []*vex.Document{b, a}, testImage())
	if x, y := string(mustCanonical(t, ab)), string(mustCanonical(t, ba)); x != y {
		t.Errorf("input order changed the bytes:\n%s\nvs\n%s", x, y)
	}
	if got, want := ab.Author, "Another Team"; got != want {
		t.Errorf("author: got %q, want %q", got, want)
	}
	if got := len(ab.Statements); got != 1 {
		t.Errorf("got %d statements, want 1", got)
	}
}

// TestMergePlatformSharedAcrossReleases: a platform manifest shared by two
// releases carries the older release's document too; for that digest the
// latest statement wins, and the newer index keeps its own.
func TestMergePlatformSharedAcrossReleases(t *testing.T) {
	older := testRelease()
	newer := testRelease()
	newer.Tag, newer.Index, newer.Platforms[0] = "enterprise-2.19.4", dg("proxy 2.19.4 index"), dg("proxy 2.19.4 linux/amd64")
	// proxyARM64 is in both releases.
	s := testStatements()[3] // under_investigation, 2026-03-04
	oldDoc := mustBuild(t, testOptions(), older, []vex.Statement{s})
	s.Status, s.StatusNotes, s.ActionStatement, s.Timestamp = vex.StatusAffected, "", "Upgrade.", at("2026-03-06T00:00:00Z")
	newDoc := mustBuild(t, testOptions(), newer, []vex.Statement{s})
	img := vex.Image{Repository: newer.Repository, Index: newer.Index, Platforms: newer.Platforms}
	merged := mustMerge(t, []*vex.Document{oldDoc, newDoc}, img)
	if got := len(merged.Statements); got != 1 {
		t.Fatalf("got %d statements, want 1", got)
	}
	st := merged.Statements[0]
	if st.Status != vex.StatusAffected || len(st.Products) != 3 {
		t.Errorf("got %s about %d products, want affected about the 3 digests of the newer release", st.Status, len(st.Products))
	}
}

// TestMergeForeignDocuments: documents shaped like vexctl's and Docker
// Scout's merge with vexil's own; their products are rewritten to the
// forms both scanners match, and Scout's tag product is dropped.
func TestMergeForeignDocuments(t *testing.T) {
	docs := overTime(t)
	for _, name := range []string{"vexctl.json", "docker-scout.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "parse", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := vex.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	merged := mustMerge(t, docs, testImage())
	type row struct {
		vuln, status, ts string
		products         int
	}
	var got []row
	for _, s := range merged.Statements {
		got = append(got, row{string(s.Vulnerability.Name), string(s.Status), s.Timestamp.Format(time.RFC3339Nano), len(s.Products)})
	}
	want := []row{
		// vexil's under_investigation -> not_affected -> affected (March)
		// beats vexctl's not_affected (January) on every digest.
		{"CVE-2023-44487", "affected", "2026-03-03T08:00:00Z", 3},
		{"CVE-2024-24790", "fixed", "2026-02-27T08:00:00Z", 3},
		// Scout's statement is about the index digest only.
		{"CVE-2024-45337", "affected", "2026-02-01T11:20:22.395829Z", 1},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if got, want := merged.Author, "Example Security <security@example.com>, security@example.com"; got != want {
		t.Errorf("author: got %q, want %q", got, want)
	}
	if got, want := merged.Statements[2].Products[0].ID, "pkg:oci/proxy@"+proxyIndex.String(); got != want {
		t.Errorf("Scout's product: got %s, want %s", got, want)
	}
}
