package vex_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaFile = "testdata/openvex-0.2.0.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaFile, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaFile)
	if err != nil {
		t.Fatalf("compiling %s: %v", schemaFile, err)
	}
	return sch
}

func validate(sch *jsonschema.Schema, data []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// TestSchemaAcceptsOurDocuments: everything Build and Merge produce is
// OpenVEX v0.2.0.
func TestSchemaAcceptsOurDocuments(t *testing.T) {
	sch := compileSchema(t)
	docs := map[string][]byte{}
	docs["build"] = mustCanonical(t, mustBuild(t, testOptions(), testRelease(), testStatements()))
	opts := testOptions()
	opts.Role, opts.Tooling = "Document Creator", "vexil"
	docs["build with role and tooling"] = mustCanonical(t, mustBuild(t, opts, testRelease(), testStatements()))
	docs["merge over time"] = mustCanonical(t, mustMerge(t, overTime(t), testImage()))
	for i, d := range overTime(t) {
		docs["over time "+string(rune('1'+i))] = mustCanonical(t, d)
	}
	for _, name := range []string{"proxy-enterprise-2.19.3.openvex.json", "merged-over-time.openvex.json", "parse/vexctl.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		docs[name] = b
	}
	for name, data := range docs {
		t.Run(name, func(t *testing.T) {
			if err := validate(sch, data); err != nil {
				t.Errorf("does not validate: %v", err)
			}
		})
	}
}

// TestSchemaRejects: the schema is strict enough to fail bad documents, so
// the test above can fail.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	base := mustCanonical(t, mustBuild(t, testOptions(), testRelease(), testStatements()))
	// Statement order in the golden document: 0 not_affected, 1 fixed,
	// 2 affected, 3 under_investigation.
	tests := []struct {
		name   string
		change func(doc map[string]any)
		want   string // in the validation error
	}{
		{"no @id", func(d map[string]any) { delete(d, "@id") }, "missing property '@id'"},
		{"no timestamp", func(d map[string]any) { delete(d, "timestamp") }, "missing property 'timestamp'"},
		{"unversioned context", func(d map[string]any) { d["@context"] = "https://openvex.dev/ns" }, "@context"},
		{"version 0", func(d map[string]any) { d["version"] = 0 }, "minimum"},
		{"timestamp not RFC 3339", func(d map[string]any) { d["timestamp"] = "5 March 2026" }, "date-time"},
		{"unknown top-level key", func(d map[string]any) { d["statments"] = []any{} }, "statments"},
		{"status not in enum", func(d map[string]any) { stmt(d, 3)["status"] = "resolved" }, "status"},
		{"no status", func(d map[string]any) { delete(stmt(d, 3), "status") }, "missing property 'status'"},
		{"no vulnerability name", func(d map[string]any) { delete(stmt(d, 3)["vulnerability"].(map[string]any), "name") }, "missing property 'name'"},
		{"justification not in enum", func(d map[string]any) { stmt(d, 0)["justification"] = "not_relevant" }, "justification"},
		{"misspelled justification key", func(d map[string]any) {
			s := stmt(d, 0)
			s["justifcation"] = s["justification"]
			delete(s, "justification")
		}, "justifcation"},
		{"not_affected without justification or impact", func(d map[string]any) {
			s := stmt(d, 0)
			delete(s, "justification")
			delete(s, "impact_statement")
		}, "anyOf"},
		{"affected without action statement", func(d map[string]any) { delete(stmt(d, 2), "action_statement") }, "missing property 'action_statement'"},
		{"justification on fixed", func(d map[string]any) { stmt(d, 1)["justification"] = "component_not_present" }, "not"},
		{"action statement on under_investigation", func(d map[string]any) { stmt(d, 3)["action_statement"] = "x" }, "not"},
		{"no products", func(d map[string]any) { stmt(d, 3)["products"] = []any{} }, "minItems"},
		{"anonymous product", func(d map[string]any) { stmt(d, 3)["products"] = []any{map[string]any{}} }, "anyOf"},
		{"unknown hash algorithm", func(d map[string]any) {
			stmt(d, 3)["products"].([]any)[0].(map[string]any)["hashes"] = map[string]any{"sha256": "ab"}
		}, "sha256"},
		{"statement timestamp not RFC 3339", func(d map[string]any) { stmt(d, 1)["timestamp"] = "yesterday" }, "date-time"},
	}
	if err := validate(sch, base); err != nil {
		t.Fatalf("the base document does not validate: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(base, &doc); err != nil {
				t.Fatal(err)
			}
			tt.change(doc)
			bad, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			err = validate(sch, bad)
			if err == nil {
				t.Fatal("validated, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func stmt(doc map[string]any, i int) map[string]any {
	return doc["statements"].([]any)[i].(map[string]any)
}
