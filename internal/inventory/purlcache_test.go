package inventory

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/vexil-dev/vexil/internal/sbom"
)

func TestPurlCache(t *testing.T) {
	purls := []string{"pkg:deb/debian/openssl@3.0.11-1?arch=amd64", "pkg:golang/golang.org/x/net@v0.17.0", "pkg:pypi/pyyaml@6.0.1"}
	doc := sbom.FromPurls(purls)
	doc.Format, doc.Wrapper, doc.PredicateType, doc.Packages = "spdx-2.3", sbom.WrapperInToto, sbom.PredicateSPDX, 5
	layer := digest.FromString("layer")
	body := []byte(purls[0] + "\n" + purls[1] + "\n" + purls[2] + "\n")
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	lib := sbom.CanonicalFormID()
	if len(lib) != 64 {
		t.Fatalf("CanonicalFormID: got %q, want a SHA-256", lib)
	}
	headerOf := func(version int, lib string, b []byte) string {
		return fmt.Sprintf(`{"v":%d,"format":"spdx-2.3","wrapper":"in-toto","predicateType":"https://spdx.dev/Document","packages":5,"canonical":%q,"sha256":"%s"}`, version, lib, sum(b))
	}
	header := func(version int, b []byte) string { return headerOf(version, lib, b) }

	t.Run("round trip", func(t *testing.T) {
		c := newPurlCache(t.TempDir())
		if err := c.put(layer, doc); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(c.path(layer))
		if err != nil {
			t.Fatal(err)
		}
		if want := header(purlEntryVersion, body) + "\n" + string(body); string(b) != want {
			t.Errorf("entry: got %q, want %q", b, want)
		}
		got := c.get(layer)
		if got == nil {
			t.Fatal("got no SBOM, want the one put")
		}
		if !slices.Equal(got.Purls(), purls) || got.Format != doc.Format || got.Wrapper != doc.Wrapper || got.PredicateType != doc.PredicateType || got.Packages != 5 {
			t.Errorf("got %+v with purls %q, want %+v with %q", got, got.Purls(), doc, purls)
		}
		if ok, err := got.Contains("pkg:golang/golang.org/x/net"); !ok || err != nil {
			t.Errorf("Contains(x/net): got %v, %v; want true, nil", ok, err)
		}
	})

	// every entry that cannot be trusted is removed, so the layer is parsed
	// again and the entry rewritten
	bad := []struct{ name, entry string }{
		{"empty", ""},
		{"no header line", header(purlEntryVersion, body)},
		{"header not JSON", "{v:2}\n" + string(body)},
		{"older version", header(1, body) + "\n" + string(body)},
		{"newer version", header(purlEntryVersion+1, body) + "\n" + string(body)},
		{"purl changed", header(purlEntryVersion, body) + "\n" + string(bytes.Replace(body, []byte("x/net"), []byte("x/nut"), 1))},
		{"purl dropped", header(purlEntryVersion, body) + "\n" + purls[0] + "\n" + purls[1] + "\n"},
		{"truncated", (header(purlEntryVersion, body) + "\n" + string(body))[:len(header(purlEntryVersion, body))+20]},
		{"checksummed but invalid purl", header(purlEntryVersion, []byte("not a purl\n")) + "\nnot a purl\n"},
		{"checksummed but unsorted", header(purlEntryVersion, []byte(purls[1]+"\n"+purls[0]+"\n")) + "\n" + purls[1] + "\n" + purls[0] + "\n"},
		{"checksummed but repeated", header(purlEntryVersion, []byte(purls[0]+"\n"+purls[0]+"\n")) + "\n" + purls[0] + "\n" + purls[0] + "\n"},
		{"another canonical form", headerOf(purlEntryVersion, strings.Repeat("0", 64), body) + "\n" + string(body)},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			c := newPurlCache(t.TempDir())
			if err := c.put(layer, doc); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(c.path(layer), []byte(tc.entry), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := c.get(layer); got != nil {
				t.Errorf("got an SBOM with purls %q, want none", got.Purls())
			}
			if _, err := os.Stat(c.path(layer)); !os.IsNotExist(err) {
				t.Errorf("entry still there (%v), want it removed", err)
			}
		})
	}

	t.Run("purl spanning lines", func(t *testing.T) {
		c := newPurlCache(t.TempDir())
		if _, err := encodePurls([]string{"pkg:generic/a\nb"}); err == nil {
			t.Error("encodePurls: got no error for a purl with a line break")
		}
		if got := c.get("sha256:nothex"); got != nil {
			t.Errorf("invalid digest: got %v, want nil", got)
		}
	})
}
