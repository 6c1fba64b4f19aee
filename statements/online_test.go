package statements

import (
	"context"
	"errors"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tableInventory answers from a table, and records what it was asked.
type tableInventory struct {
	products map[string]ProductReleases
	err      error
	asked    []ReleaseQuery
}

func (t *tableInventory) Releases(_ context.Context, qs []ReleaseQuery) ([]ProductReleases, error) {
	t.asked = append(t.asked, qs...)
	if t.err != nil {
		return nil, t.err
	}
	out := make([]ProductReleases, len(qs))
	for i, q := range qs {
		pr := t.products[q.Product]
		// as a registry would: no SBOM lookups unless asked, and only for
		// the releases SBOMTags match
		pr.Releases = slices.Clone(pr.Releases)
		for j := range pr.Releases {
			r := &pr.Releases[j]
			if q.SBOMs && (len(q.SBOMTags) == 0 || slices.ContainsFunc(q.SBOMTags, func(g string) bool { ok, _ := path.Match(g, r.Tag); return ok })) {
				continue
			}
			r.SBOMsSkipped = q.SBOMs
			r.Platforms = slices.Clone(r.Platforms)
			for k := range r.Platforms {
				r.Platforms[k].SBOMs = nil
			}
		}
		out[i] = pr
	}
	return out, nil
}

// purlSet matches exactly, or any version for a version-less purl.
type purlSet []string

func (s purlSet) Contains(purl string) (bool, error) {
	for _, p := range s {
		name, _, _ := strings.Cut(p, "@")
		if p == purl || name == purl {
			return true, nil
		}
	}
	return false, nil
}

func (s purlSet) Candidates(purl string) ([]string, error) {
	want, _, _ := strings.Cut(purl, "@")
	var out []string
	for _, p := range s {
		if name, _, _ := strings.Cut(p, "@"); name == want {
			out = append(out, p)
		}
	}
	return out, nil
}

func spdx(src string, purls ...string) []ReleaseSBOM {
	return []ReleaseSBOM{{Source: src, Purls: purlSet(purls)}}
}

const onlineConfig = `author: Example Security <security@example.com>
id_prefix: https://vex.example.com
products:
  proxy:
    repository: registry.example.com/acme/proxy
    tags: ["enterprise-2.19.*", "enterprise-3.*"]
  controller:
    repository: registry.example.com/acme/controller
    tags: ["v1.*"]
  ghost:
    repository: registry.example.com/acme/ghost
    tags: ["*"]
`

var onlineStatements = map[string]string{
	ConfigFileName: onlineConfig,
	"statements/proxy/net.yaml": `vulnerability: CVE-2023-44487
products: [proxy]
subcomponents:
  - pkg:golang/golang.org/x/net@v0.17.0
  - pkg:golang/golang.org/x/crypto
status: not_affected
justification: vulnerable_code_not_in_execute_path
`,
	"statements/controller/net.yaml": `vulnerability: CVE-2023-39325
products:
  - name: controller
    tags: ["v1.4.*", "v1.9.*"]
subcomponents: [pkg:golang/golang.org/x/net]
status: fixed
`,
	"statements/proxy/nosub.yaml": `vulnerability: CVE-2024-0001
products:
  - name: proxy
    tags: ["enterprise-4.*"]
status: fixed
`,
}

func onlineInventory() *tableInventory {
	many := make([]Release, 7)
	for i := range many {
		many[i] = Release{Tag: "v1.4." + string(rune('0'+i)), Digest: "sha256:c" + string(rune('0'+i)), Platforms: []ReleasePlatform{
			{Platform: "linux/amd64", Digest: "sha256:ca", SBOMs: spdx("spdx-2.3 sha256:c", "pkg:golang/golang.org/x/net@v0.1.0")},
			{Platform: "linux/arm64", Digest: "sha256:cb", SBOMs: spdx("spdx-2.3 sha256:d")},
		}}
	}
	many = append(many, Release{Tag: "v1.5.0", Platforms: []ReleasePlatform{{Platform: "linux/amd64", SBOMs: spdx("x")}}})
	return &tableInventory{products: map[string]ProductReleases{
		"proxy": {Releases: []Release{
			{Tag: "enterprise-2.19.0", Digest: "sha256:a0", Platforms: []ReleasePlatform{
				{Platform: "linux/amd64", Digest: "sha256:a1", SBOMs: spdx("spdx-2.3 referrers-api sha256:s1", "pkg:golang/golang.org/x/net@v0.17.0", "pkg:golang/golang.org/x/crypto@v0.14.0")},
				{Platform: "linux/arm64", Digest: "sha256:a2", SBOMs: spdx("cyclonedx-1.6 referrers-api sha256:s2", "pkg:golang/golang.org/x/net@v0.15.0")},
			}},
			{Tag: "enterprise-2.19.1", Digest: "sha256:b0", Platforms: []ReleasePlatform{
				{Platform: "linux/amd64", Digest: "sha256:b1"},
				{Platform: "linux/arm64", Digest: "sha256:b2", SBOMs: []ReleaseSBOM{{Source: "spdx referrers-api sha256:s3", Problem: "SPDX 3.0", Unsupported: true}}},
				{Platform: "linux/s390x", Digest: "sha256:b3", SBOMs: []ReleaseSBOM{{Source: "spdx referrers-api sha256:s4", Problem: "truncated"}}},
			}},
		}},
		"controller": {Releases: many},
		"ghost":      {Missing: true},
	}}
}

func TestCheckOnline(t *testing.T) {
	root := writeRepo(t, onlineStatements)
	cfg, fs, err := LoadConfig(filepath.Join(root, ConfigFileName))
	if err != nil || len(fs) != 0 {
		t.Fatalf("LoadConfig: %v %v", fs, err)
	}
	stmts, fs, err := LoadStatements(root, nil)
	if err != nil || len(fs) != 0 {
		t.Fatalf("LoadStatements: %v %v", fs, err)
	}
	inv := onlineInventory()
	got, err := Check(context.Background(), cfg, stmts, CheckOptions{Inventory: inv})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"statements/controller/net.yaml:4:22: tags-match-nothing: tag glob \"v1.9.*\" matches no release of product controller (releases: v1.4.0, v1.4.1, v1.4.2, v1.4.3, v1.4.4 and 3 more)",
		"statements/controller/net.yaml:5:17: subcomponent-not-in-sbom: pkg:golang/golang.org/x/net is not in the SBOMs of 7 of the 14 release platforms of product controller that have one: v1.4.0 linux/arm64 (spdx-2.3 sha256:d), v1.4.1 linux/arm64 (spdx-2.3 sha256:d), v1.4.2 linux/arm64 (spdx-2.3 sha256:d), v1.4.3 linux/arm64 (spdx-2.3 sha256:d), v1.4.4 linux/arm64 (spdx-2.3 sha256:d) and 2 more",
		"statements/proxy/net.yaml:4:5: subcomponent-not-in-sbom: pkg:golang/golang.org/x/net@v0.17.0 is not in the SBOM of product proxy release enterprise-2.19.0 linux/arm64 (cyclonedx-1.6 referrers-api sha256:s2); they list pkg:golang/golang.org/x/net@v0.15.0",
		"statements/proxy/net.yaml:5:5: subcomponent-not-in-sbom: pkg:golang/golang.org/x/crypto is not in the SBOM of product proxy release enterprise-2.19.0 linux/arm64 (cyclonedx-1.6 referrers-api sha256:s2)",
		"statements/proxy/nosub.yaml:4:12: tags-match-nothing: tag glob \"enterprise-4.*\" matches no release of product proxy (releases: enterprise-2.19.0, enterprise-2.19.1)",
		"vexil.yaml:4:3: release-without-sbom: product proxy: release enterprise-2.19.1 linux/amd64 (sha256:b1) has no SBOM; its subcomponents cannot be checked",
		"vexil.yaml:4:3: sbom-unreadable: product proxy: release enterprise-2.19.1 linux/s390x: the SBOM spdx referrers-api sha256:s4 cannot be read: truncated",
		"vexil.yaml:4:3: sbom-unsupported: product proxy: release enterprise-2.19.1 linux/arm64: the SBOM spdx referrers-api sha256:s3 is in a format vexil cannot read: SPDX 3.0",
		"vexil.yaml:6:33: tags-match-nothing: product proxy: tag glob \"enterprise-3.*\" matches no tag of registry.example.com/acme/proxy",
		"vexil.yaml:10:3: tags-match-nothing: product ghost: the registry has no repository registry.example.com/acme/ghost",
	}
	var lines []string
	for _, f := range got {
		lines = append(lines, f.String())
	}
	if !slices.Equal(lines, want) {
		t.Errorf("findings:\ngot  %s\nwant %s", strings.Join(lines, "\n     "), strings.Join(want, "\n     "))
	}
	severity := map[string]Severity{}
	for _, r := range Rules() {
		severity[r.ID] = r.Severity
	}
	for _, f := range got {
		if f.Severity != severity[f.Rule] {
			t.Errorf("%s: severity %s, want %s", f, f.Severity, severity[f.Rule])
		}
	}
	// SBOMs are asked for only where a statement has subcomponents
	var asked []string
	for _, q := range inv.asked {
		asked = append(asked, q.Product+" "+q.Repository+" "+strings.Join(q.Tags, ",")+" "+map[bool]string{true: "sboms", false: "-"}[q.SBOMs]+" "+strings.Join(q.SBOMTags, ","))
	}
	wantAsked := []string{
		"controller registry.example.com/acme/controller v1.* sboms v1.4.*,v1.9.*",
		"ghost registry.example.com/acme/ghost * - ",
		"proxy registry.example.com/acme/proxy enterprise-2.19.*,enterprise-3.* sboms ",
	}
	if !slices.Equal(asked, wantAsked) {
		t.Errorf("queries:\ngot  %q\nwant %q", asked, wantAsked)
	}
}

func TestCheckOnlineWithoutSubcomponents(t *testing.T) {
	root := writeRepo(t, map[string]string{
		ConfigFileName:                onlineConfig,
		"statements/proxy/nosub.yaml": "vulnerability: CVE-2024-0001\nproducts: [proxy]\nstatus: fixed\n",
	})
	cfg, _, _ := LoadConfig(filepath.Join(root, ConfigFileName))
	stmts, _, _ := LoadStatements(root, nil)
	inv := onlineInventory()
	got, err := Check(context.Background(), cfg, stmts, CheckOptions{Inventory: inv})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range inv.asked {
		if q.SBOMs {
			t.Errorf("asked for the SBOMs of %s; no statement has subcomponents", q.Product)
		}
	}
	// no SBOM read, so none reported missing or unreadable
	want := []string{
		"vexil.yaml:6:33: tags-match-nothing",
		"vexil.yaml:10:3: tags-match-nothing",
	}
	if l := locations(got); !slices.Equal(l, want) {
		t.Errorf("got %q, want %q", l, want)
	}
}

// TestCheckOnlineNarrowsSBOMs: SBOMs are read only for the releases that
// statements with subcomponents select, and a release left out is not
// reported for having none.
func TestCheckOnlineNarrowsSBOMs(t *testing.T) {
	tests := []struct {
		name      string
		products  string
		wantTags  string
		wantFound []string
	}{
		{"one release", `[{name: proxy, tags: ["enterprise-2.19.0"]}]`, "enterprise-2.19.0", []string{
			"statements/proxy/a.yaml:4:5: subcomponent-not-in-sbom",
			"vexil.yaml:10:3: tags-match-nothing",
		}},
		{"globs of two statements", `[{name: proxy, tags: ["enterprise-2.19.0", "enterprise-2.19.0"]}, {name: proxy, tags: ["enterprise-2.19.[01]"]}]`, "enterprise-2.19.0,enterprise-2.19.[01]", []string{
			"statements/proxy/a.yaml:4:5: subcomponent-not-in-sbom",
			"statements/proxy/a.yaml:4:5: subcomponent-not-in-sbom",
			"vexil.yaml:4:3: release-without-sbom",
			"vexil.yaml:4:3: sbom-unreadable",
			"vexil.yaml:4:3: sbom-unsupported",
			"vexil.yaml:10:3: tags-match-nothing",
		}},
		{"every release", `[{name: proxy, tags: ["enterprise-2.19.0"]}, proxy]`, "", []string{
			"statements/proxy/a.yaml:4:5: subcomponent-not-in-sbom",
			"statements/proxy/a.yaml:4:5: subcomponent-not-in-sbom",
			"vexil.yaml:4:3: release-without-sbom",
			"vexil.yaml:4:3: sbom-unreadable",
			"vexil.yaml:4:3: sbom-unsupported",
			"vexil.yaml:10:3: tags-match-nothing",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := writeRepo(t, map[string]string{
				ConfigFileName:            strings.Replace(onlineConfig, `"enterprise-3.*"`, `"enterprise-2.*"`, 1),
				"statements/proxy/a.yaml": "vulnerability: CVE-2024-0002\nproducts: " + tc.products + "\nsubcomponents:\n  - pkg:golang/golang.org/x/net@v0.16.0\nstatus: fixed\n",
			})
			cfg, fs, err := LoadConfig(filepath.Join(root, ConfigFileName))
			if err != nil || len(fs) != 0 {
				t.Fatalf("LoadConfig: %v %v", fs, err)
			}
			stmts, fs, err := LoadStatements(root, nil)
			if err != nil || len(fs) != 0 {
				t.Fatalf("LoadStatements: %v %v", fs, err)
			}
			inv := onlineInventory()
			got, err := Check(context.Background(), cfg, stmts, CheckOptions{Inventory: inv})
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range inv.asked {
				if q.Product == "proxy" && (!q.SBOMs || strings.Join(q.SBOMTags, ",") != tc.wantTags) {
					t.Errorf("proxy query: SBOMs %v, SBOMTags %q; want true, %q", q.SBOMs, q.SBOMTags, tc.wantTags)
				}
			}
			if l := locations(got); !slices.Equal(l, tc.wantFound) {
				t.Errorf("got %q, want %q", l, tc.wantFound)
			}
		})
	}
}

func TestCheckOnlineRegistryFailure(t *testing.T) {
	root := writeRepo(t, onlineStatements)
	cfg, _, _ := LoadConfig(filepath.Join(root, ConfigFileName))
	stmts, _, _ := LoadStatements(root, nil)
	down := errors.New("registry.example.com: connection refused")
	got, err := Check(context.Background(), cfg, stmts, CheckOptions{Inventory: &tableInventory{err: down}})
	if !errors.Is(err, down) || got != nil {
		t.Errorf("got %v, %v; want no findings and the registry's error", got, err)
	}
}

func TestCheckOfflineAsksNothing(t *testing.T) {
	root := writeRepo(t, onlineStatements)
	if got := checkRepo(t, root, nil); len(got) != 0 {
		t.Errorf("offline: got %q, want no findings", locations(got))
	}
}
