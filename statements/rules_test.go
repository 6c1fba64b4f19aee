package statements

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodStatement = `vulnerability: CVE-2023-44487
aliases: [GHSA-qppj-fm5r-hxr3]
products:
  - proxy
  - name: controller
    tags: ["v1.4.*"]
subcomponents:
  - pkg:golang/golang.org/x/net@v0.17.0
status: not_affected
justification: vulnerable_code_not_in_execute_path
impact_statement: The proxy never enables HTTP/2 server push.
`

const goodOpenVEX = `{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://vex.example.com/doc-1",
  "author": "Example Security",
  "timestamp": "2024-01-02T03:04:05Z",
  "version": 1,
  "statements": [
    {
      "vulnerability": {"name": "CVE-2024-0001", "aliases": ["GO-2024-0001"]},
      "products": [
        {"@id": "pkg:oci/proxy@sha256:0123?repository_url=registry.example.com/acme/proxy&tag=enterprise-2.19.1",
         "subcomponents": [{"@id": "pkg:golang/example.com/mod@v1.0.0"}]}
      ],
      "status": "fixed"
    },
    {
      "vulnerability": {"name": "CVE-2024-0002"},
      "products": [{"@id": "controller"}, {"@id": "registry.example.com/acme/controller:v1.2.3"}],
      "status": "affected",
      "action_statement": "Upgrade to v1.2.4."
    }
  ]
}
`

// TestRules runs each rule over a small repository and asserts the exact
// findings: file, line, column and rule id.
func TestRules(t *testing.T) {
	const S = "statements/proxy/"
	tests := []struct {
		name  string
		files map[string]string
		paths []string
		want  []string
	}{
		{name: "clean", files: map[string]string{S + "a.yaml": goodStatement, S + "b.openvex.json": goodOpenVEX}},
		{name: "syntax", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy\nstatus: fixed\n"},
			want: []string{S + "a.yaml:2:1: syntax"}},
		{name: "syntax json", files: map[string]string{S + "a.openvex.json": "{\n  \"statements\": [,]\n}\n"},
			want: []string{S + "a.openvex.json:2:18: syntax"}},
		{name: "empty-file", files: map[string]string{S + "a.yaml": "\n  \n"},
			want: []string{S + "a.yaml:1:1: empty-file"}},
		{name: "empty-file comments only", files: map[string]string{S + "a.yaml": "# nothing yet\n"},
			want: []string{S + "a.yaml:1:1: empty-file"}},
		{name: "multiple-documents", files: map[string]string{S + "a.yaml": goodStatement + "---\n" + goodStatement},
			want: []string{S + "a.yaml:12:1: multiple-documents"}},
		{name: "binary-file", files: map[string]string{S + "a.yaml": "status: fixed\n\x00\x01\x02"},
			want: []string{S + "a.yaml:2:1: binary-file"}},
		{name: "invalid-utf8", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nstatus_notes: caf\xe9\n"},
			want: []string{S + "a.yaml:2:18: invalid-utf8"}},
		{name: "file-too-large", files: map[string]string{S + "a.yaml": "status_notes: " + strings.Repeat("x", MaxFileSize)},
			want: []string{S + "a.yaml:1:1: file-too-large"}},
		{name: "yaml-alias", files: map[string]string{S + "a.yaml": "vulnerability: &v CVE-2023-44487\naliases: [*v]\nproducts: [proxy]\nstatus: fixed\n"},
			want: []string{S + "a.yaml:1:16: yaml-alias"}},
		{name: "path-outside-repo", files: map[string]string{S + "a.yaml": goodStatement}, paths: []string{"../elsewhere"},
			want: []string{"../elsewhere:1:1: path-outside-repo"}},
		{name: "unknown-key", files: map[string]string{S + "a.yaml": strings.Replace(goodStatement, "justification:", "justifcation:", 1)},
			want: []string{S + "a.yaml:10:1: unknown-key"}},
		{name: "duplicate-key", files: map[string]string{S + "a.yaml": goodStatement + "status: affected\n"},
			want: []string{S + "a.yaml:12:1: duplicate-key"}},
		{name: "type", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: proxy\nstatus: fixed\n"},
			want: []string{S + "a.yaml:2:11: type"}},
		{name: "required tags", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [{name: proxy, tags: []}]\nstatus: fixed\n"},
			want: []string{S + "a.yaml:2:32: required"}},
		{name: "type number", files: map[string]string{S + "a.yaml": "vulnerability: 2023\nproducts: [proxy]\nstatus: fixed\n"},
			want: []string{S + "a.yaml:1:16: type"}},
		{name: "required", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\n"},
			want: []string{S + "a.yaml:1:1: required"}},
		{name: "required json", files: map[string]string{S + "a.openvex.json": `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-2024-0001"}, "status": "fixed"}]}`},
			want: []string{S + "a.openvex.json:1:62: required"}},
		{name: "unknown-key json", files: map[string]string{S + "a.openvex.json": strings.Replace(goodOpenVEX, `"action_statement"`, `"action_statment"`, 1)},
			want: []string{S + "a.openvex.json:19:17: status-action-statement", S + "a.openvex.json:20:7: unknown-key"}},
		{name: "duplicate-key json", files: map[string]string{S + "a.openvex.json": strings.Replace(goodOpenVEX, `"version": 1,`, `"version": 1, "version": 2,`, 1)},
			want: []string{S + "a.openvex.json:6:17: duplicate-key"}},
		{name: "config-syntax", files: map[string]string{ConfigFileName: "products:\n  proxy: [\n"},
			want: []string{"vexil.yaml:3:1: config-syntax"}},
		{name: "config-unknown-key", files: map[string]string{ConfigFileName: "author: a\nprodcts: {}\nproducts:\n  proxy:\n    repository: r.example.com/proxy\n    tags: [\"*\"]\n"},
			want: []string{"vexil.yaml:2:1: config-unknown-key"}},
		{name: "config-duplicate-key", files: map[string]string{ConfigFileName: "products:\n  proxy:\n    repository: r.example.com/proxy\n    tags: [\"*\"]\n  proxy:\n    repository: r.example.com/proxy2\n    tags: [\"*\"]\n"},
			want: []string{"vexil.yaml:5:3: config-duplicate-key"}},
		{name: "config-type", files: map[string]string{ConfigFileName: "products:\n  proxy:\n    repository: r.example.com/proxy\n    tags: \"*\"\n"},
			want: []string{"vexil.yaml:4:11: config-type"}},
		{name: "config-required", files: map[string]string{ConfigFileName: "products:\n  proxy:\n    tags: [\"*\"]\n"},
			want: []string{"vexil.yaml:3:5: config-required"}},
		{name: "config-value", files: map[string]string{ConfigFileName: "products:\n  proxy:\n    repository: r.example.com/proxy:latest\n    tags: [\"*\"]\npublish:\n  subjects: [index, everything]\n"},
			want: []string{"vexil.yaml:3:17: config-value", "vexil.yaml:6:21: config-value"}},
		{name: "tag-glob-syntax config", files: map[string]string{ConfigFileName: "products:\n  proxy:\n    repository: r.example.com/proxy\n    tags: [\"v1.[\"]\n"},
			want: []string{"vexil.yaml:4:12: tag-glob-syntax"}},
		{name: "tag-glob-syntax statement", files: map[string]string{S + "a.yaml": strings.Replace(goodStatement, `"v1.4.*"`, `"v1.[4"`, 1)},
			want: []string{S + "a.yaml:6:12: tag-glob-syntax"}},
		{name: "status-value", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: not-affected\n"},
			want: []string{S + "a.yaml:3:9: status-value"}},
		{name: "status-justification missing", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: not_affected\n"},
			want: []string{S + "a.yaml:3:9: status-justification"}},
		{name: "status-justification value", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: not_affected\njustification: not_relevant\n"},
			want: []string{S + "a.yaml:4:16: status-justification"}},
		{name: "status-justification impact only", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: not_affected\nimpact_statement: HTTP/2 is off.\n"}},
		{name: "status-action-statement", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: affected\n"},
			want: []string{S + "a.yaml:3:9: status-action-statement"}},
		{name: "status-forbidden-field", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: fixed\njustification: component_not_present\naction_statement: Upgrade.\n"},
			want: []string{S + "a.yaml:4:16: status-forbidden-field", S + "a.yaml:5:19: status-forbidden-field"}},
		{name: "status-forbidden-field affected", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: affected\naction_statement: Upgrade.\nimpact_statement: It is bad.\n"},
			want: []string{S + "a.yaml:5:19: status-forbidden-field"}},
		{name: "vulnerability-id", files: map[string]string{
			S + "a.yaml": "vulnerability: CVE-23-44487\nproducts: [proxy]\nstatus: fixed\n",
			S + "b.yaml": "vulnerability: ghsa-qppj-fm5r-hxr3\nproducts: [proxy]\nstatus: fixed\n",
			S + "c.yaml": "vulnerability: GO-2024-12\nproducts: [proxy]\nstatus: fixed\n",
			S + "d.yaml": "vulnerability: something bad\nproducts: [proxy]\nstatus: fixed\n",
			S + "e.yaml": "vulnerability: PYSEC-2021-1\nproducts: [proxy]\nstatus: fixed\n",
			S + "f.yaml": "vulnerability: RHSA-2023:1234\nproducts: [proxy]\nstatus: fixed\n",
		}, want: []string{S + "a.yaml:1:16: vulnerability-id", S + "b.yaml:1:16: vulnerability-id", S + "c.yaml:1:16: vulnerability-id", S + "d.yaml:1:16: vulnerability-id"}},
		{name: "alias-id", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\naliases: [GHSA-qppj-fm5r-hxr3, GHSA-nope, CVE-2023-44487]\nproducts: [proxy]\nstatus: fixed\n"},
			want: []string{S + "a.yaml:2:32: alias-id", S + "a.yaml:2:43: alias-id"}},
		{name: "purl-syntax", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nsubcomponents:\n  - golang.org/x/net@v0.17.0\n  - pkg:golang/golang.org/x/net\n  - pkg:/x\nstatus: fixed\n"},
			want: []string{S + "a.yaml:4:5: purl-syntax", S + "a.yaml:6:5: purl-syntax"}},
		{name: "product-unknown", files: map[string]string{S + "a.yaml": "vulnerability: CVE-2023-44487\nproducts:\n  - prxy\n  - name: controler\nstatus: fixed\n"},
			want: []string{S + "a.yaml:3:5: product-unknown", S + "a.yaml:4:5: product-unknown"}},
		{name: "product-unmapped", files: map[string]string{S + "a.openvex.json": strings.Replace(goodOpenVEX, `{"@id": "controller"}`, `{"@id": "pkg:oci/other?repository_url=registry.example.com/acme/other"}`, 1)},
			want: []string{S + "a.openvex.json:18:20: product-unmapped"}},
		{name: "conflict", files: map[string]string{
			S + "a.yaml":        goodStatement,
			"statements/b.yaml": "vulnerability: CVE-2023-44487\nproducts: [proxy]\nsubcomponents: [pkg:golang/golang.org/x/net@v0.17.0]\nstatus: affected\naction_statement: Upgrade.\n",
		}, want: []string{"statements/b.yaml:4:9: conflict", S + "a.yaml:9:9: conflict"}},
		{name: "conflict through an alias", files: map[string]string{
			"statements/a.yaml": "vulnerability: CVE-2023-44487\naliases: [GHSA-qppj-fm5r-hxr3]\nproducts: [proxy]\nstatus: fixed\n",
			"statements/b.yaml": "vulnerability: GHSA-qppj-fm5r-hxr3\nproducts: [proxy]\nstatus: affected\naction_statement: Upgrade.\n",
			"statements/c.yaml": "vulnerability: GO-2023-2102\naliases: [GHSA-qppj-fm5r-hxr3]\nproducts: [controller]\nstatus: affected\naction_statement: Upgrade.\n",
		}, want: []string{"statements/a.yaml:4:9: conflict", "statements/b.yaml:3:9: conflict"}},
		{name: "conflict needs the same tags", files: map[string]string{
			S + "a.yaml":        goodStatement,
			"statements/b.yaml": "vulnerability: CVE-2023-44487\nproducts: [{name: controller, tags: [\"v1.5.*\"]}]\nsubcomponents: [pkg:golang/golang.org/x/net@v0.17.0]\nstatus: affected\naction_statement: Upgrade.\n",
		}},
		{name: "duplicate-statement", files: map[string]string{S + "a.yaml": goodStatement, S + "b.yml": goodStatement},
			want: []string{S + "b.yml:1:1: duplicate-statement"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := writeRepo(t, tc.files)
			assertLocations(t, checkRepo(t, root, tc.paths), tc.want)
		})
	}
}

// TestRulesSymlinks covers the rules about symbolic links, which need
// links made at test time.
func TestRulesSymlinks(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte(goodStatement), 0o644); err != nil {
		t.Fatal(err)
	}
	root := writeRepo(t, map[string]string{
		"statements/proxy/a.yaml": goodStatement,
		"statements/other/b.yaml": strings.Replace(goodStatement, "CVE-2023-44487", "CVE-2023-0001", 1),
	})
	links := map[string]string{
		"statements/proxy/out.yaml":  filepath.Join(outside, "secret.yaml"),
		"statements/proxy/in.yaml":   "../other/b.yaml",
		"statements/proxy/dir":       "../other",
		"statements/proxy/dir.yaml":  outside,
		"statements/proxy/gone.yaml": "nothing-here.yaml",
	}
	for link, target := range links {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	got := checkRepo(t, root, nil)
	assertLocations(t, got, []string{
		// b.yaml is read twice, once through in.yaml: the same statement.
		"statements/proxy/dir:1:1: symlink-directory",
		"statements/proxy/dir.yaml:1:1: symlink-outside-repo",
		"statements/proxy/gone.yaml:1:1: symlink-outside-repo",
		"statements/proxy/in.yaml:1:1: duplicate-statement",
		"statements/proxy/out.yaml:1:1: symlink-outside-repo",
	})
}
