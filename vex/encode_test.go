package vex

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	govex "github.com/openvex/go-vex/pkg/vex"
)

// goVEXSorted renders doc with go-vex's own encoder and re-encodes it with
// sorted keys: the reference the direct encoder must equal.
func goVEXSorted(t *testing.T, doc *Document) []byte {
	t.Helper()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var tricky = []string{
	"", "plain", `quote " and backslash \`, "<script>&amp;</script>", "tab\tnew\nline\rret",
	"\b\f\x00\x01\x1f\x7f", "é ü 日本 🚀", "line\u2028sep\u2029para", "bad \xff utf8 \xc3", "\u00a0nbsp",
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range tricky {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

// TestEncoderMatchesGoVEX: the direct encoder writes what go-vex writes,
// keys sorted, for documents that use every field go-vex knows.
func TestEncoderMatchesGoVEX(t *testing.T) {
	ts := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	nano := time.Date(2026, 3, 1, 11, 0, 0, 123456789, time.UTC)
	full := &Document{
		Metadata: govex.Metadata{
			Context: Context, ID: "https://x/" + tricky[3], Author: tricky[2], AuthorRole: tricky[4],
			Timestamp: &ts, LastUpdated: &nano, Version: 7, Tooling: tricky[6], Supplier: tricky[7],
		},
		Statements: []govex.Statement{
			{
				ID:                       "urn:s:1",
				Vulnerability:            govex.Vulnerability{ID: "https://v/1", Name: "CVE-1", Description: tricky[5], Aliases: []govex.VulnerabilityID{"B", "A"}},
				Timestamp:                &nano,
				LastUpdated:              &nano,
				Status:                   StatusAffected,
				StatusNotes:              tricky[1], // invalid UTF-8 (tricky[8]): the reference's decode step would unescape \ufffd
				ActionStatement:          tricky[9],
				ActionStatementTimestamp: &ts,
				Products: []govex.Product{{
					Component: govex.Component{
						ID:          "pkg:oci/a",
						Hashes:      map[govex.Algorithm]govex.Hash{govex.SHA512: "ff", govex.SHA256: "aa", govex.MD5: "00"},
						Identifiers: map[govex.IdentifierType]string{govex.PURL: "pkg:oci/a", govex.CPE23: "cpe:2.3:a:x"},
						Supplier:    "S",
					},
					Subcomponents: []govex.Subcomponent{{Component: govex.Component{ID: "pkg:golang/x", Hashes: map[govex.Algorithm]govex.Hash{govex.SHA1: "11"}, Supplier: "T"}}},
				}},
			},
			{Vulnerability: govex.Vulnerability{Name: "CVE-2"}, Status: StatusNotAffected, Justification: "component_not_present", ImpactStatement: "x"},
			{Status: StatusFixed},
		},
	}
	docs := map[string]*Document{"every field": full}
	for _, name := range []string{"proxy-enterprise-2.19.3.openvex.json", "merged-over-time.openvex.json", "parse/vexctl.json", "parse/docker-scout.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = doc
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			want := goVEXSorted(t, doc)
			if got := appendDocument(nil, doc); !bytes.Equal(got, want) {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
