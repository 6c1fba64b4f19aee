package statements

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// aliasBomb returns a "billion laughs" YAML document: ten levels of ten
// aliases each, 10^10 strings if expanded.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: fixed\nstatus_notes:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 1; i < 10; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("  a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+",", 9) + prev + "]\n")
	}
	return b.String()
}

// TestBadInput puts every kind of bad input of issue 2 in one repository
// next to a good file and a file with a rule finding: each bad file gives
// its finding, nothing panics or hangs, and the other files are still
// checked.
func TestBadInput(t *testing.T) {
	const S = "statements/proxy/"
	root := writeRepo(t, map[string]string{
		S + "good.yaml":            goodStatement,
		S + "typo.yaml":            strings.Replace(goodStatement, "justification:", "justifcation:", 1),
		S + "bomb.yaml":            aliasBomb(),
		S + "binary.yaml":          "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00",
		S + "latin1.yaml":          "vulnerability: CVE-2023-0001\nproducts: [proxy]\nstatus: fixed\nstatus_notes: Gr\xfc\xdfe\n",
		S + "empty.yaml":           "",
		S + "two.yaml":             goodStatement + "---\n" + goodStatement,
		S + "x.yaml/inner.yaml":    strings.Replace(goodStatement, "CVE-2023-44487", "CVE-23-2", 1),
		S + "status.yaml":          "vulnerability: CVE-2023-0003\nproducts: [proxy]\nstatus: affected\n",
		S + "x.yaml/not-yaml.txt":  "ignored",
		"statements/README.md":     "not a statement file",
		"outside/secret.yaml":      "vulnerability: not read\n",
		"statements/notes/skip.js": "ignored",
	})
	// 100 MB of valid YAML, written at test time.
	big, err := os.Create(filepath.Join(root, S+"big.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("# " + strings.Repeat("x", 1021) + "\n")
	for range 100 << 10 {
		if _, err := big.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := big.Close(); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte(goodStatement), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(root, S+"link.yaml")); err != nil {
		t.Fatal(err)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	got := checkRepo(t, root, nil)
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)

	assertLocations(t, got, []string{
		S + "big.yaml:1:1: file-too-large",
		S + "binary.yaml:1:8: binary-file",
		S + "bomb.yaml:5:7: yaml-alias",
		S + "empty.yaml:1:1: empty-file",
		S + "latin1.yaml:4:17: invalid-utf8",
		S + "link.yaml:1:1: symlink-outside-repo",
		S + "status.yaml:3:9: status-action-statement",
		S + "two.yaml:12:1: multiple-documents",
		S + "typo.yaml:10:1: unknown-key",
		S + "x.yaml/inner.yaml:1:16: vulnerability-id",
	})
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("allocated %d bytes checking the repository; the 100 MB file must not be read whole", alloc)
	}
	if elapsed > 10*time.Second {
		t.Errorf("checking took %v", elapsed)
	}
}

// TestBadInputDecode feeds bad bytes straight to Decode, as `vexil new`
// does, and asserts the exact finding for each.
func TestBadInputDecode(t *testing.T) {
	tests := []struct {
		name, file, data, want string
	}{
		{"alias bomb", "a.yaml", aliasBomb(), "a.yaml:5:7: yaml-alias"},
		{"binary", "a.yaml", "\x00\x01", "a.yaml:1:1: binary-file"},
		{"invalid utf-8", "a.yaml", "a: \xff", "a.yaml:1:4: invalid-utf8"},
		{"empty", "a.yaml", "", "a.yaml:1:1: empty-file"},
		{"two documents", "a.yaml", "a: 1\n---\nb: 2\n", "a.yaml:2:1: multiple-documents"},
		{"list at top", "a.yaml", "- a\n", "a.yaml:1:1: type"},
		{"json deep", "a.openvex.json", strings.Repeat("[", 100000), "a.openvex.json:1:66: syntax"},
		{"json trailing", "a.openvex.json", "{} {}", "a.openvex.json:1:4: syntax"},
		{"json truncated", "a.openvex.json", "{\"statements\": [", "a.openvex.json:1:17: syntax"},
		{"json binary", "a.openvex.json", "{\x00}", "a.openvex.json:1:2: binary-file"},
		{"json not object", "a.openvex.json", "[1]", "a.openvex.json:1:1: type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stmts, fs := Decode(tc.file, []byte(tc.data))
			if len(stmts) != 0 {
				t.Errorf("got %d statements, want 0", len(stmts))
			}
			got := locations(fs)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("got %q, want [%q]", got, tc.want)
			}
		})
	}
}

// TestAliasBombIsCheap shows why aliases are refused outright: the
// tree yaml.v3 returns shares the aliased nodes, and walking it without
// following aliases stays cheap, while the document expands to 10^10
// strings.
func TestAliasBombIsCheap(t *testing.T) {
	data := []byte(aliasBomb())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		Decode("a.yaml", data)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("100 decodes of the alias bomb allocated %d bytes", alloc)
	}
	if !bytes.Contains(data, []byte("*a8")) {
		t.Fatal("the bomb has no aliases")
	}
}

// TestDecodeLargeInputsInLinearTime decodes files just under the size
// cap that hold many small values on one line: positions must not cost
// time quadratic in the size of the file.
func TestDecodeLargeInputsInLinearTime(t *testing.T) {
	n := (MaxFileSize - 100) / 2
	inputs := map[string]string{
		"a.openvex.json": `{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [` + strings.Repeat("1,", n-1) + "1]}",
		"a.yaml":         "vulnerability: CVE-2023-44487\nproducts: [proxy]\nstatus: fixed\naliases: [" + strings.Repeat("1,", n/2) + "1]\n",
	}
	for file, data := range inputs {
		t.Run(file, func(t *testing.T) {
			if len(data) > MaxFileSize {
				t.Fatalf("input is %d bytes, over the cap", len(data))
			}
			start := time.Now()
			_, fs := Decode(file, []byte(data))
			// Linear is well under a second; quadratic would be minutes.
			if elapsed := time.Since(start); elapsed > 20*time.Second {
				t.Errorf("decoding took %v", elapsed)
			}
			if len(fs) == 0 || fs[0].Rule != RuleType {
				t.Fatalf("got %d findings, first %v; want type findings", len(fs), fs[:min(1, len(fs))])
			}
			last := fs[len(fs)-1]
			if last.Line != 1 && last.Line != 4 {
				t.Errorf("last finding at line %d", last.Line)
			}
		})
	}
}
