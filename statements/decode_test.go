package statements

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// FuzzDecode feeds arbitrary bytes to Decode as a YAML statement file and
// as an OpenVEX document, and checks what it decodes. Neither may panic;
// every finding must carry the file, a 1-based position and a rule, at
// most MaxFindingsPerFile and one more of them; and every YAML statement
// Decode returns must survive Marshal and Decode unchanged.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		goodStatement,
		goodOpenVEX,
		aliasBomb(),
		"vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: fixed\n",
		"vulnerability: CVE-2023-44487\nproducts:\n  - name: proxy\n    tags: [\"v1.*\"]\nstatus: affected\naction_statement: \"Upgrade:\\n now\"\n",
		"a: 1\n---\nb: 2\n",
		"{\"statements\": [{\"vulnerability\": \"CVE-2024-1\", \"products\": [{\"@id\": \"x\"}], \"status\": \"fixed\"}]}",
		"[",
		"\x00",
		"\xff",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		file := "statements/x.yaml"
		if asJSON {
			file = "statements/x.openvex.json"
		}
		if !asJSON && utf8.Valid(data) && !hasDocumentMarker(data) {
			sameAsStream(t, data)
		}
		stmts, findings := Decode(file, data)
		if len(findings) > MaxFindingsPerFile+1 {
			t.Fatalf("got %d findings, want at most %d", len(findings), MaxFindingsPerFile+1)
		}
		checked, err := Check(context.Background(), fuzzConfig(), stmts, CheckOptions{})
		if err != nil || len(checked) > MaxFindingsPerFile+1 {
			t.Fatalf("Check: %v, %d findings, want at most %d", err, len(checked), MaxFindingsPerFile+1)
		}
		for _, fd := range append(findings, checked...) {
			if fd.File != file || fd.Line < 1 || fd.Column < 1 || fd.Rule == "" || fd.Message == "" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
		for _, s := range stmts {
			if s.File != file {
				t.Fatalf("statement file %q, want %q", s.File, file)
			}
			if asJSON || !utf8.ValidString(contentKey(&s)) {
				continue
			}
			out, err := Marshal(s)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			again, fs := Decode(file, out)
			if len(fs) != 0 || len(again) != 1 {
				t.Fatalf("decoding marshaled statement:\n%s\ngot %d statements, findings %v", out, len(again), fs)
			}
			if got, want := contentKey(&again[0]), contentKey(&s); got != want {
				t.Fatalf("round trip changed the statement:\n%s\ngot  %q\nwant %q", out, got, want)
			}
		}
	})
}

// fuzzConfig is a vexil.yaml with the products the seeds name.
func fuzzConfig() *Config {
	return &Config{Products: map[string]Product{
		"proxy": {Repository: "registry.example.com/acme/proxy", Tags: []string{"enterprise-2.19.*"}},
	}}
}

// sameAsStream checks the fast path of parseYAML: without a document
// marker, yaml.Unmarshal sees the same single document that a Decoder
// reading the whole stream sees.
func sameAsStream(t *testing.T, data []byte) {
	var fast, slow, second yaml.Node
	fastErr := yaml.Unmarshal(data, &fast)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	slowErr := dec.Decode(&slow)
	if errors.Is(slowErr, io.EOF) {
		slowErr = nil
	}
	if slowErr == nil {
		if err := dec.Decode(&second); err == nil {
			t.Fatalf("a second document without a marker line in %q", data)
		}
	}
	if fmt.Sprint(fastErr) != fmt.Sprint(slowErr) {
		t.Fatalf("Unmarshal error %v, Decoder error %v", fastErr, slowErr)
	}
	if fastErr == nil && fingerprint(&fast) != fingerprint(&slow) {
		t.Fatalf("Unmarshal and Decoder disagree:\n%s\n%s", fingerprint(&fast), fingerprint(&slow))
	}
}

func fingerprint(n *yaml.Node) string {
	var b strings.Builder
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		fmt.Fprintf(&b, "%d:%d:%s:%q@%d:%d(", n.Kind, depth, n.Tag, n.Value, n.Line, n.Column)
		if n.Kind != yaml.AliasNode {
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		}
		b.WriteString(")")
	}
	walk(n, 0)
	return b.String()
}

// TestMarshal asserts the exact bytes Marshal writes: DESIGN.md key
// order, plain product names, flow lists for aliases and tags.
func TestMarshal(t *testing.T) {
	s := Statement{
		Vulnerability:   "CVE-2023-44487",
		Aliases:         []string{"GHSA-qppj-fm5r-hxr3"},
		Products:        []ProductSelector{{Name: "proxy"}, {Name: "controller", Tags: []string{"v1.4.*"}}},
		Subcomponents:   []string{"pkg:golang/golang.org/x/net@v0.17.0"},
		Status:          StatusNotAffected,
		Justification:   "vulnerable_code_not_in_execute_path",
		ImpactStatement: "The proxy never enables HTTP/2 server push.",
		StatusNotes:     "yes: no",
	}
	want := `vulnerability: CVE-2023-44487
aliases: [GHSA-qppj-fm5r-hxr3]
products:
  - proxy
  - name: controller
    tags: [v1.4.*]
subcomponents:
  - pkg:golang/golang.org/x/net@v0.17.0
status: not_affected
justification: vulnerable_code_not_in_execute_path
impact_statement: The proxy never enables HTTP/2 server push.
status_notes: 'yes: no'
`
	got, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	back, fs := Decode("s.yaml", got)
	if len(fs) != 0 || len(back) != 1 {
		t.Fatalf("Decode: %d statements, findings %v", len(back), fs)
	}
	if contentKey(&back[0]) != contentKey(&s) {
		t.Errorf("round trip: got %+v, want %+v", back[0], s)
	}
	if _, err := Marshal(Statement{Vulnerability: "CVE-2024-0001", Products: []ProductSelector{{Ref: "pkg:oci/x"}}}); err == nil {
		t.Error("Marshal of an unresolved product: got nil error")
	}
}

// TestDecodePositions asserts where Decode says each field is.
func TestDecodePositions(t *testing.T) {
	stmts, fs := Decode("statements/proxy/a.yaml", []byte(goodStatement))
	if len(fs) != 0 || len(stmts) != 1 {
		t.Fatalf("got %d statements, findings %v", len(stmts), fs)
	}
	s := stmts[0]
	checks := []struct {
		name      string
		got, want Position
	}{
		{"statement", s.Pos, Position{1, 1}},
		{"vulnerability", s.At("vulnerability"), Position{1, 16}},
		{"status", s.At("status"), Position{9, 9}},
		{"justification", s.At("justification"), Position{10, 16}},
		{"alias 0", s.AliasPos[0], Position{2, 11}},
		{"product 0", s.Products[0].Pos, Position{4, 5}},
		{"product 1", s.Products[1].Pos, Position{5, 5}},
		{"product 1 tag 0", s.Products[1].TagsPos[0], Position{6, 12}},
		{"subcomponent 0", s.SubcomponentPos[0], Position{8, 5}},
		{"unwritten field", s.At("action_statement"), Position{1, 1}},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

// TestDecodeOpenVEX asserts how an OpenVEX document becomes statements and
// how its products map to vexil.yaml.
func TestDecodeOpenVEX(t *testing.T) {
	stmts, fs := Decode("statements/imported.openvex.json", []byte(goodOpenVEX))
	if len(fs) != 0 {
		t.Fatalf("findings: %v", fs)
	}
	if len(stmts) != 2 {
		t.Fatalf("got %d statements, want 2", len(stmts))
	}
	cfg := &Config{Products: map[string]Product{
		"proxy":      {Repository: "registry.example.com/acme/proxy"},
		"controller": {Repository: "registry.example.com/acme/controller"},
	}}
	if fs := ResolveProducts(cfg, stmts); len(fs) != 0 {
		t.Fatalf("ResolveProducts: %v", fs)
	}
	a, b := stmts[0], stmts[1]
	if a.Index != 0 || b.Index != 1 {
		t.Errorf("indexes: got %d, %d, want 0, 1", a.Index, b.Index)
	}
	if a.Vulnerability != "CVE-2024-0001" || !slices.Equal(a.Aliases, []string{"GO-2024-0001"}) || a.Status != StatusFixed {
		t.Errorf("statement 0: got %s %v %s", a.Vulnerability, a.Aliases, a.Status)
	}
	if got := a.Products[0]; got.Name != "proxy" || !slices.Equal(got.Tags, []string{"enterprise-2.19.1"}) {
		t.Errorf("statement 0 product: got %q %q, want proxy [enterprise-2.19.1]", got.Name, got.Tags)
	}
	if !slices.Equal(a.Subcomponents, []string{"pkg:golang/example.com/mod@v1.0.0"}) || a.SubcomponentPos[0] != (Position{12, 28}) {
		t.Errorf("statement 0 subcomponents: got %q at %v", a.Subcomponents, a.SubcomponentPos)
	}
	if a.At("vulnerability") != (Position{9, 33}) || a.At("status") != (Position{14, 17}) {
		t.Errorf("statement 0 positions: vulnerability %v, status %v", a.At("vulnerability"), a.At("status"))
	}
	var names []string
	for _, p := range b.Products {
		names = append(names, p.Name+":"+strings.Join(p.Tags, ","))
	}
	if !slices.Equal(names, []string{"controller:", "controller:v1.2.3"}) {
		t.Errorf("statement 1 products: got %q", names)
	}
	if b.ActionStatement != "Upgrade to v1.2.4." {
		t.Errorf("statement 1 action: got %q", b.ActionStatement)
	}
}

// TestResolveProduct covers each way an OpenVEX product can name a product.
func TestResolveProduct(t *testing.T) {
	cfg := &Config{Products: map[string]Product{
		"proxy": {Repository: "registry.example.com/acme/proxy"},
		"web":   {Repository: "registry.example.com/acme/web"},
		"web2":  {Repository: "other.example.com/web"},
	}}
	tests := []struct {
		ref, want string
		ok        bool
	}{
		{"proxy", "proxy:", true},
		{"registry.example.com/acme/proxy", "proxy:", true},
		{"registry.example.com/acme/proxy:v1", "proxy:v1", true},
		{"registry.example.com/acme/proxy@sha256:abcd", "proxy:", true},
		{"registry.example.com/acme/proxy:v1@sha256:abcd", "proxy:v1", true},
		{"pkg:oci/proxy@sha256%3Aabcd?repository_url=registry.example.com/acme/proxy&tag=v2", "proxy:v2", true},
		{"pkg:oci/proxy@sha256%3Aabcd", "proxy:", true},
		{"pkg:oci/web", "", false}, // ambiguous: two repositories end in web
		{"pkg:golang/proxy", "", false},
		{"registry.example.com/acme/other", "", false},
		{"https://example.com/proxy", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			sel, ok := cfg.ResolveProduct(tc.ref)
			got := ""
			if ok {
				got = sel.Name + ":" + strings.Join(sel.Tags, ",")
			}
			if ok != tc.ok || got != tc.want {
				t.Errorf("got %q, %v, want %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestDecodeDeterministic decodes a file with many findings repeatedly:
// the findings must come in the same, sorted order every time.
func TestDecodeDeterministic(t *testing.T) {
	data := []byte("vulnerability: 1\naliases: x\nproducts: {}\nstatus: []\njustifcation: a\nimpact_statment: b\nstatus_note: c\n")
	want := []string{
		"a.yaml:1:16: type", "a.yaml:2:10: type", "a.yaml:3:11: type", "a.yaml:4:9: type",
		"a.yaml:5:1: unknown-key", "a.yaml:6:1: unknown-key", "a.yaml:7:1: unknown-key",
	}
	for range 20 {
		_, fs := Decode("a.yaml", data)
		if got := locations(fs); !slices.Equal(got, want) {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
}
